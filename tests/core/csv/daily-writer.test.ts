import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsvLayout } from '../../../src/core/csv/columns.js';
import { DailyCsvWriter } from '../../../src/core/csv/daily-writer.js';
import { rowWidener } from '../../../src/core/csv/row-widener.js';
import { nodeFs, type CsvFs } from '../../../src/core/csv/files.js';
import { toSample } from '../../../src/core/csv/recover.js';
import { parseCsv } from '../../../src/core/csv/rfc4180.js';
import { dayOf, formatDay, formatLocalIso } from '../../../src/shared/dates.js';
import { VigilError } from '../../../src/shared/errors.js';
import type { Sample } from '../../../src/shared/model.js';
import { flattenSample } from '../../../src/shared/series.js';
import { makeSample, recordingLogger, tempDir, type IfaceSpec } from './helpers.js';

/** A local noon, far from midnight and from DST changes in any zone. */
const NOON = new Date(2026, 10, 22, 12, 0, 0).getTime();
const DAY_FILE = `${formatDay(dayOf(NOON))}.csv`;

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

/** Parses a daily file strictly: every record complete (CRLF-terminated), none left over. */
function readCsv(file: string): { header: string[]; rows: string[][]; text: string } {
  const text = fs.readFileSync(file, 'utf8');
  const { records, rest } = parseCsv(text);
  expect(rest).toBeNull();
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/); // only CRLF line endings (no quoted newline in these tests)
  const [header, ...rows] = records;
  return { header: header!, rows, text };
}

function expectSameWidth(file: string): { header: string[]; rows: string[][]; text: string } {
  const csv = readCsv(file);
  for (const row of csv.rows) expect(row).toHaveLength(csv.header.length);
  return csv;
}

/**
 * What the file must hold for these samples under one header covering all of their series: the
 * first sample's in canonical order, each later sample's new ones appended (checked against
 * literal headers below).
 */
function expectedFile(samples: Sample[]): string {
  const layout = CsvLayout.forGroupsInOrder(samples.map((s) => flattenSample(s).series.map((x) => x.key)));
  const rows = samples.map((s) => {
    const { series, values } = flattenSample(s);
    return layout.formatRow(s.ts, series.map((x) => x.key), values);
  });
  return layout.header + rows.join('');
}

const eth0 = (i: number): IfaceSpec => ({ name: 'eth0', rx: i * 8000, tx: i * 80 });
const lo = (i: number): IfaceSpec => ({ name: 'lo', rx: i * 16, tx: i * 16, loopback: true });
const wlan0 = (i: number): IfaceSpec => ({ name: 'wlan0', rx: i * 24, tx: null });

describe('DailyCsvWriter', () => {
  it('writes one file per local day: header, then one CRLF row per sample', () => {
    const writer = new DailyCsvWriter({ dir });
    const samples = [0, 1, 2].map((i) => makeSample(NOON + i * 1000, { i, ifaces: [eth0(i), lo(i)] }));
    for (const s of samples) writer.append(s);
    writer.close();
    expect(fs.readdirSync(dir)).toEqual([DAY_FILE]);
    const { header, rows, text } = expectSameWidth(path.join(dir, DAY_FILE));
    expect(header).toEqual([
      'time', 'unix_ms', 'cpu_percent', 'cpu0_percent', 'cpu1_percent',
      'mem_total_bytes', 'mem_used_bytes', 'mem_available_bytes', 'mem_free_bytes', 'swap_total_bytes', 'swap_used_bytes',
      'load1', 'load5', 'load15',
      'net_eth0_rx_bps', 'net_eth0_tx_bps', 'net_lo_rx_bps', 'net_lo_tx_bps',
    ]);
    expect(rows).toHaveLength(3);
    expect(rows[2]).toEqual([
      formatLocalIso(NOON + 2000), String(NOON + 2000), '7.4', '2.6', '3.3',
      '17179869184', '4096002048', '12287997952', '8191997952', '2147483648', '2048',
      '0.06', '1.25', '0.5',
      '16000', '160', '32', '32',
    ]);
    expect(text).toBe(expectedFile(samples));
  });

  it('keeps interface names with commas, quotes and line breaks intact through a CSV parse', () => {
    const names = ['a,b', 'say "hi"', 'two\r\nlines', 'tab\there'];
    const writer = new DailyCsvWriter({ dir });
    const sample = makeSample(NOON, { i: 5, ifaces: names.map((name, k) => ({ name, rx: 8 * k, tx: 16 * k })) });
    writer.append(sample);
    writer.close();
    const { records, rest } = parseCsv(fs.readFileSync(path.join(dir, DAY_FILE), 'utf8'));
    expect(rest).toBeNull();
    const layout = CsvLayout.fromHeader(records[0]!)!;
    expect(layout).not.toBeNull();
    expect(records[1]).toHaveLength(layout.width);
    const back = toSample(records[1]!, layout.keys.map((key) => ({ key, flags: 0 })))!;
    expect(back.net.map((n) => n.iface)).toEqual([...names].sort());
    expect(back).toEqual({ ...sample, net: [...sample.net].sort((x, y) => (x.iface < y.iface ? -1 : 1)) });
  });

  it('keeps the column of an interface that vanished, with empty cells', () => {
    const writer = new DailyCsvWriter({ dir });
    const samples = [
      makeSample(NOON, { i: 1, ifaces: [eth0(1), wlan0(1)] }),
      makeSample(NOON + 1000, { i: 2, ifaces: [eth0(2)] }),
      makeSample(NOON + 2000, { i: 3, ifaces: [eth0(3)] }),
    ];
    writer.append(samples[0]!);
    const headerBefore = fs.readFileSync(path.join(dir, DAY_FILE), 'utf8').split('\r\n')[0];
    writer.append(samples[1]!);
    writer.append(samples[2]!);
    writer.close();
    const { header, rows, text } = expectSameWidth(path.join(dir, DAY_FILE));
    expect(text.split('\r\n')[0]).toBe(headerBefore);
    const rx = header.indexOf('net_wlan0_rx_bps');
    expect(rows.map((r) => [r[rx], r[rx + 1]])).toEqual([['24', ''], ['', ''], ['', '']]);
    expect(text).toBe(expectedFile(samples));
  });

  it('rewrites the day file with a widened header when an interface or a CPU appears mid-day, new columns at the end', () => {
    const log = recordingLogger();
    const writer = new DailyCsvWriter({ dir, logger: log });
    const samples = [
      makeSample(NOON, { i: 1, ifaces: [eth0(1)] }),
      makeSample(NOON + 1000, { i: 2, ifaces: [eth0(2)] }),
      makeSample(NOON + 2000, { i: 3, ifaces: [eth0(3), { name: 'docker0', rx: 8, tx: 8, virtual: true }] }), // sorts before eth0
      makeSample(NOON + 3000, { i: 4, ifaces: [eth0(4)] }),
      makeSample(NOON + 4000, { i: 5, cores: 3, ifaces: [eth0(5)] }), // a CPU came online
    ];
    for (const s of samples) writer.append(s);
    writer.close();
    const file = path.join(dir, DAY_FILE);
    const { header, rows, text } = expectSameWidth(file);
    // Existing columns never move: a reader that mapped them by position keeps reading the same data.
    expect(header).toEqual([
      'time', 'unix_ms', 'cpu_percent', 'cpu0_percent', 'cpu1_percent',
      'mem_total_bytes', 'mem_used_bytes', 'mem_available_bytes', 'mem_free_bytes', 'swap_total_bytes', 'swap_used_bytes',
      'load1', 'load5', 'load15',
      'net_eth0_rx_bps', 'net_eth0_tx_bps',
      'net_docker0_rx_bps', 'net_docker0_tx_bps', // appeared in the third sample
      'cpu2_percent', // in the fifth
    ]);
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => r.slice(-3))).toEqual([
      ['', '', ''],
      ['', '', ''],
      ['8', '8', ''],
      ['', '', ''],
      ['', '', expect.stringMatching(/^\d/)],
    ]);
    // Rows written before a widening are their old text plus empty trailing cells.
    const narrow = CsvLayout.forKeys(flattenSample(samples[0]!).series.map((x) => x.key));
    const firstRow = narrow.formatRow(samples[0]!.ts, flattenSample(samples[0]!).series.map((x) => x.key), flattenSample(samples[0]!).values);
    expect(text.split('\r\n')[1]).toBe(`${firstRow.slice(0, -2)},,,`);
    expect(text).toBe(expectedFile(samples));
    expect(fs.readdirSync(dir)).toEqual([DAY_FILE]); // no temp file left behind
    const widened = log.lines.filter((l) => l.message.includes('header widened'));
    expect(widened.map((l) => l.fields?.added)).toEqual([['net.docker0.rx', 'net.docker0.tx'], ['cpu.2']]);
  });

  it('renames the widened file with the row that needed it: a crash right after the rename leaves no column without a row', () => {
    const file = path.join(dir, DAY_FILE);
    const atRename: string[] = [];
    const seam: CsvFs = {
      ...nodeFs,
      renameSync(from: string, to: string): void {
        // What a kill -9 right after this rename would leave on disk.
        if (to === file) atRename.push(fs.readFileSync(from, 'utf8'));
        nodeFs.renameSync(from, to);
      },
    };
    const writer = new DailyCsvWriter({ dir, fs: seam });
    const samples = [makeSample(NOON, { i: 1, ifaces: [eth0(1)] }), makeSample(NOON + 1000, { i: 2, ifaces: [eth0(2), wlan0(2)] })];
    for (const s of samples) writer.append(s);
    writer.close();
    expect(atRename).toEqual([expectedFile(samples)]);
    expect(fs.readFileSync(file, 'utf8')).toBe(expectedFile(samples));
  });

  it('continues an existing file after a restart, without a second header or a rewrite', () => {
    const log = recordingLogger();
    const first = new DailyCsvWriter({ dir, logger: log });
    const samples = [0, 1, 2, 3].map((i) => makeSample(NOON + i * 1000, { i, ifaces: [eth0(i)] }));
    first.append(samples[0]!);
    first.append(samples[1]!);
    first.close();
    const second = new DailyCsvWriter({ dir, logger: log });
    second.append(samples[2]!);
    second.append(samples[3]!);
    second.close();
    expect(fs.readFileSync(path.join(dir, DAY_FILE), 'utf8')).toBe(expectedFile(samples));
    expect(log.lines.filter((l) => l.level !== 'info' || l.message.includes('widened'))).toEqual([]);
  });

  it('widens a file written before a restart when the restarted agent sees a new interface', () => {
    const samples = [makeSample(NOON, { i: 1, ifaces: [eth0(1)] }), makeSample(NOON + 1000, { i: 2, ifaces: [eth0(2), wlan0(2)] })];
    const first = new DailyCsvWriter({ dir });
    first.append(samples[0]!);
    first.close();
    const second = new DailyCsvWriter({ dir });
    second.append(samples[1]!);
    second.close();
    expect(fs.readFileSync(path.join(dir, DAY_FILE), 'utf8')).toBe(expectedFile(samples));
  });

  it('rolls over to a new file at local midnight', () => {
    const midnight = new Date(2026, 10, 23, 0, 0, 0).getTime();
    const log = recordingLogger();
    const writer = new DailyCsvWriter({ dir, logger: log });
    const samples = [-2000, -1000, 0, 1000].map((d, i) => makeSample(midnight + d, { i }));
    for (const s of samples) writer.append(s);
    writer.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['22-11-2026.csv', '23-11-2026.csv']);
    expect(fs.readFileSync(path.join(dir, '22-11-2026.csv'), 'utf8')).toBe(expectedFile(samples.slice(0, 2)));
    expect(fs.readFileSync(path.join(dir, '23-11-2026.csv'), 'utf8')).toBe(expectedFile(samples.slice(2)));
    expect(log.lines.filter((l) => l.message === 'CSV day rollover')).toHaveLength(1);
  });
});

describe('DailyCsvWriter crash repair', () => {
  const samples = [0, 1, 2, 3].map((i) => makeSample(NOON + i * 1000, { i, ifaces: [eth0(i), lo(i)] }));

  function writeFirstTwo(): string {
    const writer = new DailyCsvWriter({ dir });
    writer.append(samples[0]!);
    writer.append(samples[1]!);
    writer.close();
    return path.join(dir, DAY_FILE);
  }

  const tornTails: [string, (completeRow: string) => string][] = [
    ['a row cut mid-way (no line ending)', (row) => row.slice(0, 25)],
    ['a row cut just before its LF', (row) => row.slice(0, -1)],
    ['a terminated row with fewer fields than the header', (row) => `${row.split(',').slice(0, 5).join(',')}\r\n`],
    ['a block of zeros from a power cut', () => '\0'.repeat(4096)],
    ['zeros, then a line ending', () => `${'\0'.repeat(100)}\r\n`],
  ];

  for (const [what, tail] of tornTails) {
    it(`cuts off ${what} when the file is reopened, and logs it`, () => {
      const file = writeFirstTwo();
      const intact = fs.readFileSync(file, 'utf8');
      const nextRow = intact.split('\r\n')[2]!.replace(String(samples[1]!.ts), String(samples[2]!.ts)) + '\r\n';
      fs.appendFileSync(file, tail(nextRow));
      const log = recordingLogger();
      const writer = new DailyCsvWriter({ dir, logger: log });
      writer.append(samples[3]!);
      writer.close();
      expect(fs.readFileSync(file, 'utf8')).toBe(expectedFile([samples[0]!, samples[1]!, samples[3]!]));
      expect(log.lines.some((l) => l.level === 'warn' && l.message.includes('torn row'))).toBe(true);
    });
  }

  it('starts the file afresh when even its header was torn', () => {
    const file = path.join(dir, DAY_FILE);
    fs.writeFileSync(file, 'time,unix_ms,cpu_perc');
    const log = recordingLogger();
    const writer = new DailyCsvWriter({ dir, logger: log });
    writer.append(samples[0]!);
    writer.close();
    expect(fs.readFileSync(file, 'utf8')).toBe(expectedFile([samples[0]!]));
    expect(log.lines.some((l) => l.message.includes('torn header'))).toBe(true);
  });

  it('removes temp files a crashed rewrite left behind, keeping the original', () => {
    const file = writeFirstTwo();
    const intact = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(`${file}.tmp`, 'time,unix_ms,cpu_percent,half a rewr');
    fs.writeFileSync(path.join(dir, '01-01-2026.csv.tmp'), 'stale');
    fs.writeFileSync(path.join(dir, 'notes.tmp'), 'not ours');
    const log = recordingLogger();
    const writer = new DailyCsvWriter({ dir, logger: log });
    writer.append(samples[2]!);
    writer.close();
    expect(fs.readdirSync(dir).sort()).toEqual([DAY_FILE, 'notes.tmp']);
    expect(fs.readFileSync(file, 'utf8').startsWith(intact)).toBe(true);
    expect(log.lines.filter((l) => l.message.includes('leftover CSV temp file'))).toHaveLength(2);
  });

  it('sets the day file aside when a widening rewrite meets rows it did not write', () => {
    const file = writeFirstTwo();
    const edited = fs.readFileSync(file, 'utf8').replace(/\r\n(2026[^,]*),/, '\r\n"$1",');
    fs.writeFileSync(file, edited);
    const log = recordingLogger();
    const writer = new DailyCsvWriter({ dir, logger: log });
    const withWlan = makeSample(NOON + 5000, { i: 5, ifaces: [eth0(5), lo(5), wlan0(5)] });
    writer.append(withWlan);
    writer.close();
    expect(fs.readFileSync(file, 'utf8')).toBe(expectedFile([withWlan]));
    const aside = fs.readdirSync(dir).filter((n) => n !== DAY_FILE);
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, aside[0]!), 'utf8')).toBe(edited);
    expect(log.lines.some((l) => l.message.includes('unreadable rows'))).toBe(true);
  });

  it('moves a file with a foreign header aside instead of appending to it', () => {
    const file = path.join(dir, DAY_FILE);
    fs.writeFileSync(file, 'Date,Value\r\n2026-11-22,3\r\n');
    const writer = new DailyCsvWriter({ dir });
    writer.append(samples[0]!);
    writer.close();
    expect(fs.readFileSync(file, 'utf8')).toBe(expectedFile([samples[0]!]));
    const aside = fs.readdirSync(dir).filter((n) => n !== DAY_FILE);
    expect(aside).toHaveLength(1);
    expect(aside[0]).toMatch(/^22-11-2026\.unrecognised-\d+\.csv$/);
    expect(fs.readFileSync(path.join(dir, aside[0]!), 'utf8')).toBe('Date,Value\r\n2026-11-22,3\r\n');
  });
});

describe('DailyCsvWriter on a failing disk', () => {
  const samples = [0, 1, 2, 3, 4].map((i) => makeSample(NOON + i * 1000, { i, ifaces: [eth0(i)] }));

  /** Real fs, with writes that can be made to fail. */
  function faultyFs(): CsvFs & { mode: 'ok' | 'enospc' | 'short'; truncateFails: boolean } {
    const seam = {
      ...nodeFs,
      mode: 'ok' as 'ok' | 'enospc' | 'short',
      truncateFails: false,
      writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number {
        if (seam.mode === 'enospc') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        if (seam.mode === 'short') return nodeFs.writeSync(fd, buffer, offset, Math.floor(length / 2));
        return nodeFs.writeSync(fd, buffer, offset, length);
      },
      ftruncateSync(fd: number, length: number): void {
        if (seam.truncateFails) throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
        nodeFs.ftruncateSync(fd, length);
      },
    };
    return seam;
  }

  for (const mode of ['enospc', 'short'] as const) {
    it(`throws io_error on ${mode === 'enospc' ? 'ENOSPC' : 'a short write'}, leaves no partial row, and keeps working`, () => {
      const seam = faultyFs();
      const writer = new DailyCsvWriter({ dir, fs: seam });
      const file = path.join(dir, DAY_FILE);
      writer.append(samples[0]!);
      writer.append(samples[1]!);
      const before = fs.readFileSync(file);
      seam.mode = mode;
      let error: unknown;
      try {
        writer.append(samples[2]!);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(VigilError);
      expect((error as VigilError).code).toBe('io_error');
      expect((error as VigilError).message).toMatch(mode === 'enospc' ? /ENOSPC/ : /short write/);
      expect(fs.readFileSync(file)).toEqual(before);
      seam.mode = 'ok';
      writer.append(samples[3]!);
      writer.close();
      expect(fs.readFileSync(file, 'utf8')).toBe(expectedFile([samples[0]!, samples[1]!, samples[3]!]));
    });
  }

  it('throws io_error when the file cannot be opened, and opens it on a later append', () => {
    let failOpen = true;
    const seam = {
      ...nodeFs,
      openSync(p: string, flags: string): number {
        if (failOpen && p.endsWith('.csv')) throw Object.assign(new Error('EACCES: permission denied, open'), { code: 'EACCES' });
        return nodeFs.openSync(p, flags);
      },
    };
    const writer = new DailyCsvWriter({ dir, fs: seam });
    expect(() => writer.append(samples[0]!)).toThrow(/Cannot open the CSV file .*EACCES/);
    failOpen = false;
    writer.append(samples[1]!);
    writer.close();
    expect(fs.readFileSync(path.join(dir, DAY_FILE), 'utf8')).toBe(expectedFile([samples[1]!]));
  });

  it('refuses a sample without a valid timestamp, writing nothing', () => {
    const writer = new DailyCsvWriter({ dir });
    for (const ts of [Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY]) {
      expect(() => writer.append({ ...samples[0]!, ts })).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('writes the header again if the very first write of a file failed', () => {
    const seam = faultyFs();
    const writer = new DailyCsvWriter({ dir, fs: seam });
    seam.mode = 'short';
    expect(() => writer.append(samples[0]!)).toThrow(VigilError);
    expect(fs.readFileSync(path.join(dir, DAY_FILE), 'utf8')).toBe('');
    seam.mode = 'ok';
    writer.append(samples[1]!);
    writer.close();
    expect(fs.readFileSync(path.join(dir, DAY_FILE), 'utf8')).toBe(expectedFile([samples[1]!]));
  });

  it('reopens and repairs the file when even the rollback fails', () => {
    const seam = faultyFs();
    const log = recordingLogger();
    const writer = new DailyCsvWriter({ dir, fs: seam, logger: log });
    writer.append(samples[0]!);
    seam.mode = 'short';
    seam.truncateFails = true;
    expect(() => writer.append(samples[1]!)).toThrow(VigilError);
    // The half row is on disk now…
    expect(fs.readFileSync(path.join(dir, DAY_FILE), 'utf8').endsWith('\r\n')).toBe(false);
    seam.mode = 'ok';
    seam.truncateFails = false;
    writer.append(samples[2]!);
    writer.close();
    // …and gone once the writer reopened the file.
    expect(fs.readFileSync(path.join(dir, DAY_FILE), 'utf8')).toBe(expectedFile([samples[0]!, samples[2]!]));
    expect(log.lines.some((l) => l.level === 'error' && l.message.includes('rollback failed'))).toBe(true);
  });

  it('leaves the file as it was when the widening rewrite fails, and widens on a later try', () => {
    const seam = faultyFs();
    const writer = new DailyCsvWriter({ dir, fs: seam });
    const file = path.join(dir, DAY_FILE);
    writer.append(samples[0]!);
    writer.append(samples[1]!);
    const before = fs.readFileSync(file);
    seam.mode = 'enospc';
    const withWlan = makeSample(NOON + 2000, { i: 2, ifaces: [eth0(2), wlan0(2)] });
    expect(() => writer.append(withWlan)).toThrow(/Cannot widen the header.*ENOSPC/);
    expect(fs.readFileSync(file)).toEqual(before);
    expect(fs.readdirSync(dir)).toEqual([DAY_FILE]);
    seam.mode = 'ok';
    writer.append(samples[3]!); // same series as before: still the narrow header
    const withWlanLater = makeSample(NOON + 4000, { i: 4, ifaces: [eth0(4), wlan0(4)] });
    writer.append(withWlanLater);
    writer.close();
    expect(fs.readFileSync(file, 'utf8')).toBe(expectedFile([samples[0]!, samples[1]!, samples[3]!, withWlanLater]));
  });
});

describe('rowWidener', () => {
  /** The obvious way: split, place each field, join. */
  function reference(line: string, toWidth: number, target: number[]): string | null {
    const fields = line.split(',');
    if (fields.length !== target.length) return null;
    const cells = new Array<string>(toWidth).fill('');
    fields.forEach((f, i) => (cells[target[i]!] = f));
    return cells.join(',');
  }

  it('places every old field in its new column, empty cells elsewhere, in order or not', () => {
    let seed = 3;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 500; n++) {
      const fromKeys = 1 + Math.floor(random() * 6);
      const toWidth = fromKeys + 2 + Math.floor(random() * 4);
      // Choose distinct target columns (>= 2) for the old keys; sorted half of the time.
      const pool = Array.from({ length: toWidth - 2 }, (_, i) => i + 2).sort(() => random() - 0.5).slice(0, fromKeys);
      if (random() < 0.5) pool.sort((a, b) => a - b);
      const target = [0, 1, ...pool];
      const widen = rowWidener(fromKeys + 2, toWidth, Int32Array.from(pool, (c) => c - 2));
      const line = target.map((_, i) => (random() < 0.2 ? '' : `v${i}`)).join(',');
      expect(widen(line)).toBe(reference(line, toWidth, target));
      expect(widen(`${line},extra`)).toBeNull();
      expect(widen(line.split(',').slice(1).join(','))).toBeNull();
    }
  });
});
