import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DailyCsvWriter } from '../../../src/core/csv/daily-writer.js';
import { exportCsv } from '../../../src/core/csv/export.js';
import { nodeFs } from '../../../src/core/csv/files.js';
import { recoverFromCsv } from '../../../src/core/csv/recover.js';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import type { SampleStore } from '../../../src/core/storage/types.js';
import { addDays, dayBounds, formatDay, type LocalDay } from '../../../src/shared/dates.js';
import type { Sample } from '../../../src/shared/model.js';
import { SeriesFlag } from '../../../src/shared/series.js';
import { collector, recordingLogger, tempDir } from './helpers.js';
import { randomSample, seededRandom } from '../../helpers/random.js';

const TODAY: LocalDay = { day: 22, month: 11, year: 2026 };
const YESTERDAY = addDays(TODAY, -1);
const NOW = dayBounds(TODAY).from + 15 * 3600_000; // 15:00 local

let dir: string;
let telemetry: string;
let cleanup: () => void;
let store: SampleStore;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  telemetry = path.join(dir, 'telemetry');
  store = openStore();
});
afterEach(() => {
  store.close();
  cleanup();
});

function openStore(): SampleStore {
  return openSampleStore(path.join(dir, 'vigil.db'));
}

const IFACES = [{ name: 'eth0' }, { name: 'lo', loopback: true }];

function samplesEvery(from: number, count: number, stepMs: number, seed: number, shape: Parameters<typeof randomSample>[2] = { ifaces: IFACES }): Sample[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => randomSample(from + i * stepMs, random, shape));
}

/** The engine's path up to a kill -9: every sample in the CSV, only the first `inDb` in SQLite. */
function runUntilKilled(samples: Sample[], inDb: number): void {
  const writer = new DailyCsvWriter({ dir: telemetry });
  for (const s of samples) writer.append(s);
  // No close(): the process dies with the file open.
  if (inDb > 0) store.insertSamples(samples.slice(0, inDb));
}

async function exportText(from: number, to: number): Promise<string> {
  const out = collector();
  await exportCsv(store, { from, to }, out);
  return out.text();
}

describe('recoverFromCsv', () => {
  it('inserts the samples the database missed, and only those, after a kill', async () => {
    const samples = samplesEvery(NOW - 600_000, 600, 1000, 1);
    runUntilKilled(samples, 595);
    expect(store.lastTimestamp()).toBe(samples[594]!.ts);

    const log = recordingLogger();
    expect(recoverFromCsv(store, telemetry, { now: NOW, logger: log })).toBe(5);
    expect(store.countSamples(0, Number.MAX_SAFE_INTEGER)).toBe(600);
    expect(store.lastTimestamp()).toBe(samples[599]!.ts);
    expect(store.latestSample()).toEqual(samples[599]);
    // Nothing duplicated or changed: the database's day exports to the very bytes of the CSV.
    const file = fs.readFileSync(path.join(telemetry, `${formatDay(TODAY)}.csv`), 'utf8');
    expect(await exportText(dayBounds(TODAY).from, dayBounds(TODAY).to)).toBe(file);
    expect(log.lines.some((l) => l.message.startsWith('CSV recovery') && l.fields?.inserted === 5)).toBe(true);

    // A second run (another restart) finds nothing to do.
    expect(recoverFromCsv(store, telemetry, { now: NOW })).toBe(0);
    expect(store.countSamples(0, Number.MAX_SAFE_INTEGER)).toBe(600);
  });

  it('survives a database reopen, like a real restart', () => {
    const samples = samplesEvery(NOW - 100_000, 100, 1000, 2);
    runUntilKilled(samples, 90);
    store.close();
    store = openStore();
    expect(recoverFromCsv(store, telemetry, { now: NOW })).toBe(10);
    expect(store.countSamples(0, Number.MAX_SAFE_INTEGER)).toBe(100);
  });

  it('ignores a torn last line in the CSV', () => {
    const samples = samplesEvery(NOW - 10_000, 10, 1000, 3);
    runUntilKilled(samples, 5);
    const file = path.join(telemetry, `${formatDay(TODAY)}.csv`);
    fs.appendFileSync(file, `2026-11-22T15:00:00+00:00,${NOW},12.`);
    expect(recoverFromCsv(store, telemetry, { now: NOW })).toBe(5);
    expect(store.lastTimestamp()).toBe(samples[9]!.ts);
  });

  it('reads across midnight: the end of yesterday’s file and today’s', () => {
    const midnight = dayBounds(TODAY).from;
    const samples = samplesEvery(midnight - 5000, 10, 1000, 4);
    runUntilKilled(samples, 2);
    expect(fs.readdirSync(telemetry).sort()).toEqual([`${formatDay(YESTERDAY)}.csv`, `${formatDay(TODAY)}.csv`]);
    expect(recoverFromCsv(store, telemetry, { now: midnight + 6000 })).toBe(8);
    expect(store.countSamples(0, Number.MAX_SAFE_INTEGER)).toBe(10);
  });

  it('fills an empty database from yesterday’s and today’s files only', () => {
    const threeDaysAgo = dayBounds(addDays(TODAY, -2)).from + 3600_000;
    const yesterday = dayBounds(YESTERDAY).from + 3600_000;
    const today = dayBounds(TODAY).from + 3600_000;
    runUntilKilled([...samplesEvery(threeDaysAgo, 3, 1000, 5), ...samplesEvery(yesterday, 4, 1000, 6), ...samplesEvery(today, 5, 1000, 7)], 0);
    expect(recoverFromCsv(store, telemetry, { now: NOW })).toBe(9);
    expect(store.firstTimestamp()).toBe(yesterday);
  });

  it('recovers from the day of the last stored sample on, after days of downtime', () => {
    const crashDay = addDays(TODAY, -5);
    const samples = samplesEvery(dayBounds(crashDay).to - 10_000, 5, 1000, 8);
    runUntilKilled(samples, 3);
    expect(recoverFromCsv(store, telemetry, { now: NOW })).toBe(2);
  });

  it('keeps the flags the database knows, and classifies interfaces it does not know', () => {
    const vpn = { name: 'tun7' };
    const before = samplesEvery(NOW - 20_000, 15, 1000, 9);
    const after = samplesEvery(NOW - 5000, 5, 1000, 10, { ifaces: [...IFACES, vpn] });
    runUntilKilled([...before, ...after], 15);
    const asked: string[] = [];
    recoverFromCsv(store, telemetry, {
      now: NOW,
      flagsFor: (iface) => {
        asked.push(iface);
        return SeriesFlag.virtual;
      },
    });
    expect(asked).toEqual(['tun7']);
    const flags = Object.fromEntries(store.seriesInRange(0, Number.MAX_SAFE_INTEGER).map((s) => [s.key, s.flags]));
    expect(flags['net.lo.rx']).toBe(SeriesFlag.loopback);
    expect(flags['net.eth0.rx']).toBe(0);
    expect(flags['net.tun7.tx']).toBe(SeriesFlag.virtual);
    expect(store.latestSample()?.net.find((n) => n.iface === 'lo')?.loopback).toBe(true);
  });

  it('classifies unknown interfaces like the sampler does when no flagsFor is given', () => {
    const samples = samplesEvery(NOW - 5000, 5, 1000, 11, { ifaces: [{ name: 'lo' }, { name: 'docker0' }] });
    runUntilKilled(samples, 0);
    recoverFromCsv(store, telemetry, { now: NOW });
    const latest = store.latestSample()!;
    expect(latest.net.find((n) => n.iface === 'lo')).toMatchObject({ loopback: true });
    expect(latest.net.find((n) => n.iface === 'docker0')).toMatchObject({ loopback: false, virtual: true });
  });

  it('does not bring back as present an interface that had vanished (empty cells)', () => {
    const withWlan = samplesEvery(NOW - 10_000, 5, 1000, 12, { ifaces: [...IFACES, { name: 'wlan0' }] });
    const without = samplesEvery(NOW - 5000, 5, 1000, 13, { ifaces: IFACES, cores: 2 });
    runUntilKilled([...withWlan, ...without], 5);
    recoverFromCsv(store, telemetry, { now: NOW });
    expect(store.latestSample()).toEqual(without[4]);
  });

  it('skips lines it cannot read and carries on', () => {
    const samples = samplesEvery(NOW - 10_000, 6, 1000, 14);
    const writer = new DailyCsvWriter({ dir: telemetry });
    for (const s of samples.slice(0, 4)) writer.append(s);
    const file = path.join(telemetry, `${formatDay(TODAY)}.csv`);
    const width = fs.readFileSync(file, 'utf8').split('\r\n')[0]!.split(',').length;
    fs.appendFileSync(file, `not,a,row\r\n${Array(width).fill('x').join(',')}\r\n`);
    for (const s of samples.slice(4)) writer.append(s);
    store.insertSamples(samples.slice(0, 2));
    const log = recordingLogger();
    expect(recoverFromCsv(store, telemetry, { now: NOW, logger: log })).toBe(4);
    expect(store.countSamples(0, Number.MAX_SAFE_INTEGER)).toBe(6);
    expect(log.lines.find((l) => l.message.startsWith('CSV recovery'))?.fields?.skippedLines).toBe(2);
  });

  it('reads only the end of a long file', () => {
    const samples = samplesEvery(dayBounds(TODAY).from, 20_000, 1000, 15);
    runUntilKilled(samples, 19_990);
    const size = fs.statSync(path.join(telemetry, `${formatDay(TODAY)}.csv`)).size;
    let bytesRead = 0;
    const counting = {
      ...nodeFs,
      readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
        const n = nodeFs.readSync(fd, buffer, offset, length, position);
        bytesRead += n;
        return n;
      },
    };
    expect(recoverFromCsv(store, telemetry, { now: NOW, fs: counting })).toBe(10);
    expect(size).toBeGreaterThan(2_000_000);
    expect(bytesRead).toBeLessThan(200_000); // the header and one 64 KiB chunk from the end
  });

  it('does nothing without CSV files', () => {
    expect(recoverFromCsv(store, path.join(dir, 'missing'), { now: NOW })).toBe(0);
  });
});
