import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import { MIGRATIONS, migrate } from '../../../src/core/storage/schema.js';
import { silentLogger } from '../../../src/core/log.js';
import type { SampleStore } from '../../../src/core/storage/types.js';
import type { Logger } from '../../../src/core/log.js';
import type { DiskSample, HostSnapshot, Sample } from '../../../src/shared/model.js';
import type { SeriesQueryResult } from '../../../src/shared/query.js';
import { VigilError } from '../../../src/shared/errors.js';
import { flattenSample, unflattenSample } from '../../../src/shared/series.js';
import { closeTo, naiveBuckets, naiveRollups, readRollups, tempDir } from './helpers.js';
import { randomSample, randomSamples, seededRandom, type Iface } from '../../helpers/random.js';

const T0 = Date.UTC(2026, 10, 22); // a UTC midnight
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const open: SampleStore[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const c of cleanups.splice(0)) c();
});

function memoryStore(logger?: Logger): SampleStore {
  const store = openSampleStore(':memory:', logger ? { logger } : {});
  open.push(store);
  return store;
}

function fileStore(): { store: SampleStore; file: string; reopen: () => SampleStore } {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const file = path.join(dir, 'vigil.db');
  const store = openSampleStore(file);
  open.push(store);
  return {
    store,
    file,
    reopen: () => {
      const again = openSampleStore(file);
      open.push(again);
      return again;
    },
  };
}

function recordingLogger(): Logger & { lines: { level: string; message: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { lines, error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), setLevel() {}, close() {} };
}

function readBack(store: SampleStore, from = 0, to = Number.MAX_SAFE_INTEGER): Sample[] {
  return [...store.iterateRows(from, to)].map((r) => unflattenSample(r.ts, r.series, r.values));
}

/** Compares a bucketed query with the definition, bucket by bucket and series by series. */
function expectMatchesNaive(result: SeriesQueryResult, samples: readonly Sample[]): void {
  const naive = naiveBuckets(samples, result.from, result.to, result.bucketMs!);
  expect(result.timestamps).toEqual(naive.map((b) => b.ts));
  const naiveKeys = new Set(naive.flatMap((b) => [...b.values.keys()]));
  expect(new Set(result.series.map((s) => s.key))).toEqual(naiveKeys);
  const mismatches: string[] = [];
  for (const column of result.series) {
    const want = naive.map((b) => b.values.get(column.key) ?? null);
    expect(column.min, column.key).toEqual(want.map((w) => w?.min ?? null));
    expect(column.max, column.key).toEqual(want.map((w) => w?.max ?? null));
    want.forEach((w, j) => {
      const got = column.avg[j];
      if (w === null ? got !== null : got === null || !closeTo(column.key, got!, w.avg)) mismatches.push(`${column.key}[${j}]: ${got} vs ${w?.avg ?? null}`);
    });
  }
  expect(mismatches).toEqual([]);
}

describe('insert and read back', () => {
  it('returns exactly what was stored (unflattenSample of each row)', () => {
    const store = memoryStore();
    const samples = randomSamples(T0, 500, 1000, 1, { cores: 6, ifaces: [{ name: 'eth0' }, { name: 'lo', loopback: true }, { name: 'veth1', virtual: true }] });
    expect(store.insertSamples(samples)).toBe(500);
    expect(readBack(store)).toEqual(samples);
    expect(store.latestSample()).toEqual(samples[499]);
    expect(store.firstTimestamp()).toBe(T0);
    expect(store.lastTimestamp()).toBe(T0 + 499_000);
    expect(store.countSamples(T0 + 10_000, T0 + 20_000)).toBe(10);
  });

  it('is empty before the first sample', () => {
    const store = memoryStore();
    expect(store.latestSample()).toBeNull();
    expect(store.lastTimestamp()).toBeNull();
    expect(store.firstTimestamp()).toBeNull();
    expect(store.query({ from: T0, to: T0 + DAY, bucketMs: MIN }).timestamps).toEqual([]);
    expect([...store.iterateRows(T0, T0 + DAY)]).toEqual([]);
  });

  it('ignores samples already stored and counts only new ones', () => {
    const store = memoryStore();
    const samples = randomSamples(T0, 200, 1000, 2);
    expect(store.insertSamples(samples.slice(0, 120))).toBe(120);
    expect(store.insertSamples(samples.slice(0, 120))).toBe(0);
    expect(store.insertSamples(samples.slice(100, 200))).toBe(80);
    // a replayed sample with other values does not overwrite the stored one
    const changed = { ...samples[5]!, cpu: { total: 99.9, cores: samples[5]!.cpu.cores } };
    expect(store.insertSamples([changed, changed])).toBe(0);
    // duplicates inside one batch count once; order inside a batch does not matter
    const more = randomSamples(T0 + 300_000, 10, 1000, 3);
    expect(store.insertSamples([more[9]!, ...more, more[0]!].reverse())).toBe(10);
    expect(readBack(store)).toEqual([...samples, ...more]);
  });

  it('keeps values that need many bytes, and zero, apart from null', () => {
    const store = memoryStore();
    const s = randomSample(T0, seededRandom(4), { ifaces: [{ name: 'eth0' }, { name: 'ib0' }] });
    s.memory = { total: 4 * 1024 ** 4, used: 3 * 1024 ** 4 + 1024, available: 0, free: 0, swapTotal: 0, swapUsed: 0 };
    s.net[0] = { ...s.net[0]!, rxBitsPerSecond: 0, txBitsPerSecond: null };
    s.net[1] = { ...s.net[1]!, rxBitsPerSecond: 400e9, txBitsPerSecond: 8 };
    s.cpu = { total: 100, cores: [0, 0.1, 99.9, 100] };
    store.insertSamples([s]);
    expect(store.latestSample()).toEqual(s);
  });

  it('handles interfaces that appear and vanish (one layout per set of series)', () => {
    const store = memoryStore();
    const phase = (from: number, count: number, seed: number, ifaces: Iface[]) => randomSamples(from, count, 1000, seed, { ifaces });
    const a = phase(T0, 90, 1, [{ name: 'eth0' }]);
    const b = phase(T0 + 90_000, 90, 2, [{ name: 'eth0' }, { name: 'wlan0' }]);
    const c = phase(T0 + 180_000, 90, 3, [{ name: 'wlan0' }]);
    store.insertSamples([...a, ...b, ...c]);
    expect(readBack(store)).toEqual([...a, ...b, ...c]);
    const keys = (from: number, to: number) => store.seriesInRange(from, to).map((s) => s.key);
    expect(keys(T0, T0 + 90_000)).toEqual(flattenSample(a[0]!).series.map((s) => s.key));
    expect(keys(T0 + 180_000, T0 + 270_000).filter((k) => k.startsWith('net.'))).toEqual(['net.wlan0.rx', 'net.wlan0.tx']);
    // the union, in canonical order
    expect(keys(T0, T0 + 270_000).filter((k) => k.startsWith('net.'))).toEqual(['net.eth0.rx', 'net.eth0.tx', 'net.wlan0.rx', 'net.wlan0.tx']);
    // a minute that saw two layouts is rolled up over their union
    const result = store.query({ from: T0, to: T0 + 270_000, bucketMs: MIN });
    expect(result.resolution).toBe('1m');
    expectMatchesNaive(result, [...a, ...b, ...c]);
    const eth = result.series.find((s) => s.key === 'net.eth0.rx')!;
    expect(eth.avg[4]).toBeNull(); // 04:00–05:00: eth0 gone
    expect(eth.avg[1]).not.toBeNull();
  });

  it('updates flags when an interface changes kind, without a new layout', () => {
    const { store, file } = fileStore();
    const before = randomSamples(T0, 10, 1000, 5, { ifaces: [{ name: 'eth1' }] });
    const after = randomSamples(T0 + 10_000, 10, 1000, 6, { ifaces: [{ name: 'eth1', virtual: true }] });
    store.insertSamples(before);
    store.insertSamples(after);
    expect(store.latestSample()!.net[0]!.virtual).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT flags FROM series WHERE key = 'net.eth1.rx'").pluck().get()).toBe(2);
    expect(db.prepare('SELECT count(*) FROM layout').pluck().get()).toBe(1);
    db.close();
    const cols = store.query({ from: T0, to: T0 + 20_000, keys: ['net.'] }).series;
    expect(cols.map((c) => c.flags)).toEqual([2, 2]);
  });

  it('refuses bad input with a VigilError and stores nothing of the batch', () => {
    const store = memoryStore();
    const good = randomSamples(T0, 5, 1000, 7);
    for (const ts of [-1, 1.5, Number.NaN, '12' as unknown as number]) {
      const error = catchError(() => store.insertSamples([good[0]!, { ...good[1]!, ts }]));
      expect(error).toBeInstanceOf(VigilError);
      expect((error as VigilError).code).toBe('invalid_argument');
    }
    // fails inside the transaction, after the first samples were written: all rolled back
    const twice = randomSample(T0 + 10_000, seededRandom(1), { ifaces: [{ name: 'eth0' }, { name: 'eth0' }] });
    expect(() => store.insertSamples([...good, twice])).toThrow(/twice/);
    expect(store.countSamples(0, Number.MAX_SAFE_INTEGER)).toBe(0);
    // and the store carries on
    expect(store.insertSamples(good)).toBe(5);
    expect(readBack(store)).toEqual(good);
  });

  it('clamps a negative value to 0 and stores a non-number as null, saying so once', () => {
    const logger = recordingLogger();
    const store = memoryStore(logger);
    const samples = randomSamples(T0, 3, 1000, 8);
    samples.forEach((s) => {
      s.cpu.total = -5;
      s.net[0]!.rxBitsPerSecond = Number.NaN;
    });
    store.insertSamples(samples);
    const back = store.latestSample()!;
    expect(back.cpu.total).toBe(0);
    expect(back.net[0]!.rxBitsPerSecond).toBeNull();
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.fields?.key)).toEqual(['cpu', 'net.eth0.rx']);
  });
});

describe('query', () => {
  // 3 h 17 min of 1 s samples with missing ticks, nulls and an interface that comes and goes
  const random = seededRandom(11);
  const samples: Sample[] = [];
  for (let t = T0 + 7_000; t < T0 + 3 * HOUR + 17 * MIN; t += 1000) {
    if (random() < 0.05) continue;
    const ifaces: Iface[] = t > T0 + HOUR + 20 * MIN && t < T0 + 2 * HOUR ? [{ name: 'eth0' }, { name: 'usb0' }] : [{ name: 'eth0' }];
    samples.push(randomSample(t, random, { cores: 3, ifaces, nullRate: 0.1 }));
  }
  const last = samples[samples.length - 1]!.ts;
  const build = () => {
    const store = memoryStore();
    // in batches, as the agent would after an outage, and one batch out of order
    for (let i = 0; i < samples.length; i += 997) store.insertSamples(samples.slice(i, i + 997).reverse());
    return store;
  };

  it.each([
    [1000, 'raw'],
    [7000, 'raw'],
    [MIN, '1m'],
    [90_000, '1m'], // rounded up to 120 s
    [5 * MIN, '1m'],
    [HOUR, '1h'],
    [2 * HOUR, '1h'],
  ] as const)('buckets of %i ms match a naive computation (read from %s)', (bucketMs, resolution) => {
    const store = build();
    const result = store.query({ from: T0, to: last + 1, bucketMs });
    expect(result.resolution).toBe(resolution);
    expect(result.bucketMs).toBe(bucketMs === 90_000 ? 120_000 : bucketMs);
    expectMatchesNaive(result, samples);
  });

  it('matches for ranges that do not start on a minute, and inside the unrolled tail', () => {
    const store = build();
    for (const [from, to, bucketMs] of [
      [T0 + 12_345, T0 + 2 * HOUR, MIN],
      [T0 + 30 * MIN, last - 2_500, 5 * MIN],
      [last - 90_000, last + 1, MIN],
      [T0 + 59 * MIN, T0 + 121 * MIN + 30_000, HOUR],
    ] as const) {
      expectMatchesNaive(store.query({ from, to, bucketMs }), samples);
    }
  });

  it('returns raw samples columnar when no bucket is asked for', () => {
    const store = build();
    const from = T0 + HOUR + 19 * MIN;
    const result = store.query({ from, to: from + 3 * MIN });
    const inRange = samples.filter((s) => s.ts >= from && s.ts < from + 3 * MIN);
    expect(result.bucketMs).toBeNull();
    expect(result.resolution).toBe('raw');
    expect(result.timestamps).toEqual(inRange.map((s) => s.ts));
    const usb = result.series.find((s) => s.key === 'net.usb0.tx')!;
    expect(usb.min).toBeUndefined();
    expect(usb.avg).toEqual(inRange.map((s) => s.net.find((n) => n.iface === 'usb0')?.txBitsPerSecond ?? null));
    expect(result.series.find((s) => s.key === 'cpu.2')!.avg).toEqual(inRange.map((s) => s.cpu.cores[2]));
  });

  it('filters series by exact key or prefix', () => {
    const store = build();
    const keys = (k: string[]) => store.query({ from: T0, to: last + 1, bucketMs: HOUR, keys: k }).series.map((s) => s.key);
    expect(keys(['cpu'])).toEqual(['cpu']);
    expect(keys(['cpu.'])).toEqual(['cpu.0', 'cpu.1', 'cpu.2']);
    expect(keys(['net.usb0.', 'mem.used'])).toEqual(['mem.used', 'net.usb0.rx', 'net.usb0.tx']);
    expect(keys(['nothing'])).toEqual([]);
    // buckets hold data only where the selected series do
    expect(store.query({ from: T0, to: last + 1, bucketMs: HOUR, keys: ['net.usb0.'] }).timestamps).toEqual([T0 + HOUR]);
  });

  it('omits buckets without data', () => {
    const store = memoryStore();
    const a = randomSamples(T0, 120, 1000, 1);
    const b = randomSamples(T0 + 30 * MIN, 120, 1000, 2);
    store.insertSamples([...a, ...b, randomSample(T0 + HOUR, seededRandom(1))]);
    expect(store.query({ from: T0, to: T0 + HOUR, bucketMs: MIN }).timestamps).toEqual([T0, T0 + MIN, T0 + 30 * MIN, T0 + 31 * MIN]);
    expect(store.query({ from: T0, to: T0 + HOUR, bucketMs: 10_000 }).timestamps).toHaveLength(24);
  });

  it('refuses bad ranges and bucket widths', () => {
    const store = memoryStore();
    const code = (fn: () => unknown) => (catchError(fn) as VigilError).code;
    expect(code(() => store.query({ from: T0, to: T0 }))).toBe('invalid_range');
    expect(code(() => store.query({ from: T0 + 1, to: T0 }))).toBe('invalid_range');
    expect(code(() => store.query({ from: Number.NaN, to: T0 }))).toBe('invalid_range');
    expect(code(() => store.query({ from: T0 + 0.5, to: T0 + 10 }))).toBe('invalid_range');
    expect(code(() => store.query({ from: T0, to: T0 + 10, bucketMs: 0 }))).toBe('invalid_argument');
    expect(code(() => store.query({ from: T0, to: T0 + 10, bucketMs: 1.5 }))).toBe('invalid_argument');
    expect(code(() => store.countSamples(T0, T0 - 1))).toBe('invalid_range');
    expect(code(() => [...store.iterateRows(T0, T0)])).toBe('invalid_range');
  });
});

describe('rollups', () => {
  it('roll each minute once a later sample exists, one tick at a time', () => {
    const { store, file } = fileStore();
    const samples = randomSamples(T0 + 500, 600, 1000, 21); // 00:00:00.5 … 00:09:59.5
    for (const s of samples) store.insertSamples([s]);
    const db = new Database(file, { readonly: true });
    cleanups.push(() => db.close());
    const expected = naiveRollups(samples, MIN);
    expected.delete(T0 + 9 * MIN); // the last minute is not complete: no later sample yet
    expect(readRollups(db, 'rollup_1m')).toEqual(expected);
    store.insertSamples([randomSample(T0 + 10 * MIN, seededRandom(1))]);
    expect(readRollups(db, 'rollup_1m').get(T0 + 9 * MIN)).toEqual(naiveRollups(samples, MIN).get(T0 + 9 * MIN));
  });

  it('re-roll a minute and its hour when late samples fall into them', () => {
    const { store, file } = fileStore();
    const all = randomSamples(T0, 2.5 * 3600, 1000, 22);
    const late = all.filter((s) => Math.floor(s.ts / 1000) % 3 === 0 && s.ts < T0 + 20 * MIN);
    const onTime = all.filter((s) => !late.includes(s));
    for (let i = 0; i < onTime.length; i += 60) store.insertSamples(onTime.slice(i, i + 60));
    const db = new Database(file, { readonly: true });
    cleanups.push(() => db.close());
    expect(readRollups(db, 'rollup_1h').get(T0)).toEqual(naiveRollups(onTime, HOUR).get(T0));
    expect(store.insertSamples(late)).toBe(late.length);
    expect(store.insertSamples(late)).toBe(0);
    const minutes = naiveRollups(all, MIN);
    minutes.delete(T0 + 149 * MIN);
    expect(readRollups(db, 'rollup_1m')).toEqual(minutes);
    // the hour is the count-weighted merge of its minutes: equal to the summary of its raw samples
    const hours = naiveRollups(all, HOUR);
    hours.delete(T0 + 2 * HOUR);
    expect(readRollups(db, 'rollup_1h')).toEqual(hours);
    expectMatchesNaive(store.query({ from: T0, to: T0 + 2 * HOUR, bucketMs: HOUR }), all);
  });

  it('roll everything when the first data arrives newest first', () => {
    const { store, file } = fileStore();
    const all = randomSamples(T0 + 17_000, 3 * 3600, 1000, 23);
    for (let i = all.length; i > 0; i -= 1000) store.insertSamples(all.slice(Math.max(0, i - 1000), i));
    const db = new Database(file, { readonly: true });
    cleanups.push(() => db.close());
    const last = all[all.length - 1]!.ts;
    const minutes = naiveRollups(all, MIN);
    minutes.delete(last - (last % MIN));
    expect(readRollups(db, 'rollup_1m')).toEqual(minutes);
    const hours = naiveRollups(all, HOUR);
    hours.delete(last - (last % HOUR));
    expect(readRollups(db, 'rollup_1h')).toEqual(hours);
  });

  it('carry on after a reopen from watermarks derived from the tables', () => {
    const { store, file, reopen } = fileStore();
    const all = randomSamples(T0 + 3_000, 2 * 3600, 1000, 24);
    store.insertSamples(all.slice(0, 3000));
    store.close();
    const again = reopen();
    for (let i = 3000; i < all.length; i += 100) again.insertSamples(all.slice(i, i + 100));
    const db = new Database(file, { readonly: true });
    cleanups.push(() => db.close());
    const last = all[all.length - 1]!.ts;
    const minutes = naiveRollups(all, MIN);
    minutes.delete(last - (last % MIN));
    expect(readRollups(db, 'rollup_1m')).toEqual(minutes);
    const hours = naiveRollups(all, HOUR);
    hours.delete(last - (last % HOUR));
    expect(readRollups(db, 'rollup_1h')).toEqual(hours);
    expect(hours.size).toBe(2);
  });
});

describe('retention', () => {
  // three days, a sample every 10 s; "now" is just after the last one
  const samples = randomSamples(T0, 3 * 8640, 10_000, 31, { cores: 2 });
  const last = samples[samples.length - 1]!.ts;
  const now = last + 5_000;

  it('deletes raw rows after rawDays and minute rollups after minuteDays, keeps hours', () => {
    const { store, file } = fileStore();
    store.insertSamples(samples);
    store.close();
    const sizeBefore = fs.statSync(file).size;
    const db = new Database(file, { readonly: true });
    cleanups.push(() => db.close());
    const hoursBefore = readRollups(db, 'rollup_1h');
    const s = openSampleStore(file);
    open.push(s);

    const deleted = s.applyRetention(now, { rawDays: 1, minuteDays: 2 });
    const rawCut = now - DAY - ((now - DAY) % MIN);
    const minuteCut = now - 2 * DAY - ((now - 2 * DAY) % HOUR);
    expect(deleted.raw).toBe(samples.filter((x) => x.ts < rawCut).length);
    expect(deleted.minute).toBe(naiveRollups(samples.filter((x) => x.ts < minuteCut), MIN).size);
    expect(s.firstTimestamp()).toBe(samples.find((x) => x.ts >= rawCut)!.ts);
    expect(s.countSamples(rawCut, now)).toBe(samples.filter((x) => x.ts >= rawCut).length);
    expect(Math.min(...readRollups(db, 'rollup_1m').keys())).toBe(minuteCut);
    expect(readRollups(db, 'rollup_1h')).toEqual(hoursBefore);
    expect(s.applyRetention(now, { rawDays: 1, minuteDays: 2 })).toEqual({ raw: 0, minute: 0 });

    // the freed pages went back to the file system (auto_vacuum = INCREMENTAL)
    s.close();
    expect(fs.statSync(file).size).toBeLessThan(sizeBefore * 0.6);
  });

  it('answers old periods from the finest rollup left, and says so', () => {
    const store = memoryStore();
    store.insertSamples(samples);
    store.applyRetention(now, { rawDays: 1, minuteDays: 2 });
    const rawCut = now - DAY - ((now - DAY) % MIN);
    // raw gone, minutes kept: minute buckets are still exact
    const day1 = store.query({ from: T0 + DAY, to: T0 + 2 * DAY - HOUR, bucketMs: 5 * MIN });
    expect(day1.resolution).toBe('1m');
    expectMatchesNaive(day1, samples);
    // raw asked for: one point per minute, with its extremes
    const rawAsked = store.query({ from: rawCut - 10 * MIN, to: rawCut + MIN });
    expect(rawAsked.resolution).toBe('1m');
    expect(rawAsked.timestamps.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => rawCut - (10 - i) * MIN));
    expect(rawAsked.timestamps.slice(10)).toEqual(samples.filter((s) => s.ts >= rawCut && s.ts < rawCut + MIN).map((s) => s.ts));
    expect(rawAsked.series[0]!.min).toBeDefined();
    // minutes gone too: hour rows stand in, each in the bucket of its start
    const day0 = store.query({ from: T0, to: T0 + 6 * HOUR, bucketMs: MIN });
    expect(day0.resolution).toBe('1h');
    expect(day0.timestamps).toEqual([0, 1, 2, 3, 4, 5].map((h) => T0 + h * HOUR));
    const hourly = naiveBuckets(samples, T0, T0 + 6 * HOUR, HOUR);
    expect(day0.series.find((s) => s.key === 'cpu')!.max).toEqual(hourly.map((b) => b.values.get('cpu')!.max));
  });

  it('never deletes what is not rolled up yet', () => {
    const { store, file } = fileStore();
    store.insertSamples(samples);
    const far = last + 400 * DAY;
    store.applyRetention(far, { rawDays: 0, minuteDays: 0 });
    // the last minute has no later sample, so it is not rolled up: its raw rows stay
    const lastMinute = last - (last % MIN);
    expect(store.countSamples(0, far)).toBe(samples.filter((s) => s.ts >= lastMinute).length);
    const db = new Database(file, { readonly: true });
    cleanups.push(() => db.close());
    // minute rows of the hour not rolled into an hour row stay
    expect(Math.min(...readRollups(db, 'rollup_1m').keys())).toBe(last - (last % HOUR));
    expect(readRollups(db, 'rollup_1h').size).toBe(71);
    // a day query still sees every sample in the kept rollups
    const total = store.query({ from: T0, to: far, bucketMs: 365 * DAY, keys: ['cpu'] });
    expect(total.series[0]!.avg[0]).toBeCloseTo(samples.reduce((a, s) => a + s.cpu.total, 0) / samples.length, 6);
  });

  it('ignores late samples older than what it already thinned', () => {
    const logger = recordingLogger();
    const store = memoryStore(logger);
    store.insertSamples(samples);
    store.applyRetention(now, { rawDays: 1, minuteDays: 2 });
    const before = store.query({ from: T0, to: now, bucketMs: HOUR });
    expect(store.insertSamples([randomSample(T0 + 5_000, seededRandom(3))])).toBe(0);
    expect(store.query({ from: T0, to: now, bucketMs: HOUR })).toEqual(before);
    expect(logger.lines.some((l) => l.level === 'warn' && /older than the raw retention/.test(l.message))).toBe(true);
  });

  it('refuses a policy that makes no sense', () => {
    const store = memoryStore();
    expect(() => store.applyRetention(now, { rawDays: 30, minuteDays: 7 })).toThrow(VigilError);
    expect(() => store.applyRetention(now, { rawDays: -1, minuteDays: 7 })).toThrow(/Invalid retention/);
    expect(() => store.applyRetention(Number.NaN, { rawDays: 1, minuteDays: 7 })).toThrow(VigilError);
  });
});

describe('disks and host snapshots', () => {
  const disk = (ts: number, used: number): DiskSample => ({
    ts,
    disks: [
      { device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', total: 500e9, used },
      { device: '/dev/sdb1', mountPoint: '/data', fsType: 'xfs', total: 4e12, used: 1e12 },
    ],
  });

  it('stores disk usage per mount and reads it back by range and latest', () => {
    const store = memoryStore();
    expect(store.latestDisks()).toBeNull();
    store.insertDiskSample(disk(T0, 100e9));
    store.insertDiskSample(disk(T0 + MIN, 101e9));
    store.insertDiskSample(disk(T0 + MIN, 999e9)); // same ts again: ignored
    store.insertDiskSample({ ts: T0 + 2 * MIN, disks: [disk(0, 102e9).disks[0]!] }); // /data unmounted
    expect(store.diskSamples(T0, T0 + 2 * MIN)).toEqual([disk(T0, 100e9), disk(T0 + MIN, 101e9)]);
    expect(store.latestDisks()).toEqual({ ts: T0 + 2 * MIN, disks: [disk(0, 102e9).disks[0]] });
    expect(() => store.insertDiskSample({ ts: T0, disks: [{ device: 'x', mountPoint: '/', fsType: 'ext4', total: -1, used: 0 }] })).toThrow(VigilError);
  });

  it("keeps free and available bytes (df's Avail); rows from schema 1 read back without them, never as 0", () => {
    const { dir, cleanup } = tempDir();
    const file = path.join(dir, 'v1.db');
    // A database as Vigil left it before schema 2, with one disk row.
    const old = new Database(file);
    migrate(old, file, silentLogger, MIGRATIONS.slice(0, 1));
    old.prepare("INSERT INTO mount (id, device, mount_point, fs_type) VALUES (1, '/dev/sda1', '/', 'ext4')").run();
    old.prepare('INSERT INTO disk_sample (ts, mount, total, used) VALUES (?, 1, 1000, 250)').run(T0);
    old.close();
    const store = openSampleStore(file);
    try {
      const withAvail = { device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', total: 1000, used: 260, free: 740, available: 690 };
      store.insertDiskSample({ ts: T0 + MIN, disks: [withAvail] });
      expect(store.diskSamples(T0, T0 + 2 * MIN)).toEqual([
        { ts: T0, disks: [{ device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', total: 1000, used: 250 }] },
        { ts: T0 + MIN, disks: [withAvail] },
      ]);
      expect(() => store.insertDiskSample({ ts: T0 + 2 * MIN, disks: [{ ...withAvail, available: -1 }] })).toThrow(/free and available bytes/);
    } finally {
      store.close();
      cleanup();
    }
  });

  it('stores a host snapshot only when it changed, whatever its key order', () => {
    const store = memoryStore();
    const host: HostSnapshot = {
      hostname: 'box',
      user: 'ann',
      platform: 'linux',
      os: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0',
      arch: 'x64',
      bootTime: T0 - DAY,
      cpu: { model: 'EPYC', cores: 2, threads: 2, maxFrequencyMhz: null },
      interfaces: [{ name: 'eth0', mtu: 1500, mac: '02:00:00:00:00:01', ipv4: ['10.0.0.2'], ipv6: [], loopback: false, virtual: false }],
    };
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(host).reverse()))) as HostSnapshot;
    expect(store.latestHost()).toBeNull();
    expect(store.insertHostSnapshot({ ts: T0, host })).toBe(true);
    expect(store.insertHostSnapshot({ ts: T0 + HOUR, host: reordered })).toBe(false);
    const changed = { ...host, interfaces: [{ ...host.interfaces[0]!, ipv4: ['10.0.0.3'] }] };
    expect(store.insertHostSnapshot({ ts: T0 + 2 * HOUR, host: changed })).toBe(true);
    expect(store.insertHostSnapshot({ ts: T0 + 3 * HOUR, host })).toBe(true);
    expect(store.latestHost()).toEqual({ ts: T0 + 3 * HOUR, host });
    // the one in force at `from`, then those inside the range
    expect(store.hostHistory(T0 + HOUR, T0 + 3 * HOUR)).toEqual([
      { ts: T0, host },
      { ts: T0 + 2 * HOUR, host: changed },
    ]);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
