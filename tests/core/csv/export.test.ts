import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DailyCsvWriter } from '../../../src/core/csv/daily-writer.js';
import { exportCsv } from '../../../src/core/csv/export.js';
import { parseCsv } from '../../../src/core/csv/rfc4180.js';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import type { SampleStore } from '../../../src/core/storage/types.js';
import { dayBounds, formatDay, type LocalDay } from '../../../src/shared/dates.js';
import { VigilError } from '../../../src/shared/errors.js';
import type { Sample } from '../../../src/shared/model.js';
import { collector, tempDir } from './helpers.js';
import { randomSample, seededRandom } from '../../helpers/random.js';

const DAY: LocalDay = { day: 22, month: 11, year: 2026 };

let dir: string;
let cleanup: () => void;
let store: SampleStore;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  store = openSampleStore(path.join(dir, 'vigil.db'));
});
afterEach(() => {
  store.close();
  cleanup();
});

/** Feeds the same samples to the daily CSV writer and to the database, as the engine does. */
function record(samples: Sample[]): void {
  const writer = new DailyCsvWriter({ dir: path.join(dir, 'telemetry') });
  for (const s of samples) writer.append(s);
  writer.close();
  for (let i = 0; i < samples.length; i += 5000) store.insertSamples(samples.slice(i, i + 5000));
}

async function exportDay(day: LocalDay): Promise<{ bytes: Buffer; rows: number }> {
  const out = collector();
  const { rows } = await exportCsv(store, dayBounds(day), out);
  return { bytes: out.bytes(), rows };
}

function dailyFile(day: LocalDay): Buffer {
  return fs.readFileSync(path.join(dir, 'telemetry', `${formatDay(day)}.csv`));
}

/** Every 10 s over the whole local day, with the interfaces `ifacesAt(i)` at step i. */
function daySamples(seed: number, shapeAt: (i: number) => Parameters<typeof randomSample>[2]): Sample[] {
  const random = seededRandom(seed);
  const { from, to } = dayBounds(DAY);
  const samples: Sample[] = [];
  for (let ts = from, i = 0; ts < to; ts += 10_000, i++) samples.push(randomSample(ts, random, shapeAt(i)));
  return samples;
}

describe('exportCsv', () => {
  it('gives exactly the bytes of the daily file for the same samples (interfaces vanish, none appears)', async () => {
    const eth0 = { name: 'eth0' };
    const lo = { name: 'lo', loopback: true };
    const wlan = { name: 'wlan0' };
    const samples = daySamples(1, (i) => ({ ifaces: i < 3000 ? [eth0, lo, wlan] : [eth0, lo] }));
    record(samples);
    const { bytes, rows } = await exportDay(DAY);
    expect(rows).toBe(samples.length);
    expect(bytes.length).toBeGreaterThan(500_000); // several slices
    expect(bytes.equals(dailyFile(DAY))).toBe(true);
  });

  it('gives exactly the bytes of the daily file when interfaces and a CPU appeared mid-day', async () => {
    const names = [{ name: 'eth0' }, { name: 'lo', loopback: true }, { name: 'docker0', virtual: true }, { name: 'wg "home", 2', virtual: true }];
    const samples = daySamples(2, (i) => ({
      cores: i < 6000 ? 2 : 3,
      ifaces: i < 1000 ? names.slice(0, 2) : i < 4000 ? names.slice(0, 3) : i < 5000 ? names.slice(1, 2) : names,
      load: i % 100 !== 0,
    }));
    record(samples);
    const file = dailyFile(DAY);
    const { bytes } = await exportDay(DAY);
    expect(bytes.toString('utf8').split('\r\n')[0]).toContain('"net_wg ""home"", 2_rx_bps"');
    expect(bytes.equals(file)).toBe(true);
  });

  it('heads a range with the union of its series, plus the fixed columns: the first sample\'s in canonical order, later ones appended as they appear', async () => {
    const { from } = dayBounds(DAY);
    const random = seededRandom(3);
    store.insertSamples([
      randomSample(from + 1000, random, { cores: 1, ifaces: [{ name: 'b' }] }),
      randomSample(from + 2000, random, { cores: 2, ifaces: [{ name: 'a' }] }),
      randomSample(from + 90_000_000, random, { cores: 1, ifaces: [{ name: 'zz' }] }), // the next day
    ]);
    const out = collector();
    const { rows } = await exportCsv(store, { from, to: from + 10_000 }, out);
    expect(rows).toBe(2);
    const { records, rest } = parseCsv(out.text());
    expect(rest).toBeNull();
    expect(records[0]!.slice(2)).toEqual([
      'cpu_percent', 'cpu0_percent',
      'mem_total_bytes', 'mem_used_bytes', 'mem_available_bytes', 'mem_free_bytes', 'swap_total_bytes', 'swap_used_bytes',
      'load1', 'load5', 'load15',
      'net_b_rx_bps', 'net_b_tx_bps',
      'cpu1_percent', 'net_a_rx_bps', 'net_a_tx_bps', // first seen in the second sample
    ]);
    expect(records[1]!.slice(-3)).toEqual(['', '', '']); // cpu1 and interface a did not exist yet
    expect(records[2]!.slice(-3).every((cell) => /^\d/.test(cell))).toBe(true);

    const empty = collector();
    expect(await exportCsv(store, { from: from + 20_000, to: from + 30_000 }, empty)).toEqual({ rows: 0 });
    expect(empty.text()).toBe('time,unix_ms,cpu_percent,mem_total_bytes,mem_used_bytes,mem_available_bytes,mem_free_bytes,swap_total_bytes,swap_used_bytes,load1,load5,load15\r\n');
  });

  it('waits for drain when the output is slow instead of piling data up in memory', async () => {
    const samples = daySamples(4, () => ({}));
    store.insertSamples(samples);
    const chunks: Buffer[] = [];
    let maxBuffered = 0;
    let drains = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        setTimeout(callback, 2);
      },
    });
    slow.on('drain', () => drains++);
    const write = slow.write.bind(slow);
    slow.write = ((chunk: string) => {
      const ok = write(chunk);
      maxBuffered = Math.max(maxBuffered, slow.writableLength);
      return ok;
    }) as typeof slow.write;
    const progress: [number, number][] = [];
    const { rows } = await exportCsv(store, dayBounds(DAY), slow, { onProgress: (done, total) => progress.push([done, total]) });
    const total = Buffer.concat(chunks);
    expect(rows).toBe(samples.length);
    expect(total.length).toBeGreaterThan(1_000_000);
    // One slice (256 KiB of text) at most waits in the stream at a time.
    expect(maxBuffered).toBeLessThanOrEqual(300 * 1024);
    expect(drains).toBeGreaterThan(3);
    expect(total.toString('utf8').split('\r\n')).toHaveLength(samples.length + 2);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toEqual([samples.length, samples.length]);
    for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThan(progress[i - 1]![0]);
    expect(slow.writableEnded).toBe(false); // the caller owns the stream
  });

  it('stops when aborted, with the abort reason', async () => {
    store.insertSamples(daySamples(5, () => ({})));
    const controller = new AbortController();
    const out = collector();
    const run = exportCsv(store, dayBounds(DAY), out, {
      signal: controller.signal,
      onProgress: (done) => {
        if (done > 0) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    const written = out.text().split('\r\n').length;
    expect(written).toBeGreaterThan(1);
    expect(written).toBeLessThan(8640);
    await expect(exportCsv(store, dayBounds(DAY), collector(), { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects with io_error, rather than hanging, when the output fails', async () => {
    store.insertSamples(daySamples(6, () => ({})));
    const broken = new Writable({
      highWaterMark: 1024,
      write(_chunk, _encoding, callback) {
        setTimeout(() => callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })), 1);
      },
    });
    const error = await exportCsv(store, dayBounds(DAY), broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('io_error');
    expect((error as VigilError).message).toMatch(/EPIPE/);
  });

  it('refuses an inverted range', async () => {
    await expect(exportCsv(store, { from: 10, to: 5 }, collector())).rejects.toMatchObject({ code: 'invalid_range' });
  });
});
