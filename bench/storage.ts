// Storage benchmark: bytes per stored value at 1 s sampling, against a plain wide-row table fed
// the same data in the same run and stored the way Vigil stores it (each value as an INTEGER
// count of its series' steps, 0.1 % for CPU, 0.01 for load, bytes and bit/s as they are), with
// Netdata's published figure for its per-second tier as a reference line; insert cost,
// chart-query and export-iteration times, and the effect of SQLite's page-cache size. Prints
// figures; asserts nothing.
//
//   npx tsx bench/storage.ts [--cores 8] [--days 1]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { NetRate, Sample } from '../src/shared/model.js';
import { flattenSample, quantize, resolutionOf, toSteps } from '../src/shared/series.js';
import { defaultSettings } from '../src/shared/settings.js';
import { openSampleStore } from '../src/core/storage/sample-store.js';
import type { SampleStore } from '../src/core/storage/types.js';
import { seededRandom } from '../tests/helpers/random.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CORES = arg('cores', 8);
const DAYS = arg('days', 1);
const DAY_MS = 86_400_000;
const DAY0 = Date.UTC(2026, 10, 22); // a Sunday; any day works
const TICKS = 86_400 * DAYS;
/** The agent commits its pending samples every storage.flushSeconds (one transaction per flush). */
const FLUSH_SAMPLES = defaultSettings().storage.flushSeconds;
/**
 * Netdata's dbengine, tier 0 (per-second samples): "usually on disk 0.6 bytes" per sample, from
 * https://learn.netdata.cloud/docs/netdata-agent/resource-utilization/disk-&-retention (its
 * per-minute and per-hour tiers come on top: "usually 6 bytes" per point each).
 */
const NETDATA_TIER0_BYTES_PER_SAMPLE = 0.6;

// ---------------------------------------------------------------- a realistic machine


/**
 * A desktop-ish machine over a day: per-core load drifting around 5–30 % with noise and
 * occasional bursts to 100 %; memory used wandering by MiBs; eth0 carrying a few KB/s with
 * downloads at MB/s now and then; lo chatty but small; wlan0 mostly idle; docker0 mostly 0.
 */
function* machine(cores: number, seed: number): Generator<Sample> {
  const r = seededRandom(seed);
  const gib = 1024 ** 3;
  const memTotal = 16 * gib;
  let used = 6 * gib;
  let free = 2 * gib;
  let swapUsed = 200 * 1024 ** 2;
  let base = 10;
  let burst = 0;
  let download = 0;
  let l1 = 1;
  let l5 = 1;
  let l15 = 1;
  for (let i = 0; i < TICKS; i++) {
    base = Math.min(60, Math.max(2, base + (r() - 0.5) * 1.5));
    if (burst > 0) burst--;
    else if (r() < 0.002) burst = 5 + Math.floor(r() * 60);
    const coreValues = Array.from({ length: cores }, (_, c) => {
      const busy = burst > 0 && c < cores / 2 ? 85 + r() * 15 : base * (0.5 + r()) + (r() < 0.05 ? r() * 40 : 0);
      return quantize(Math.min(100, busy), 0.1);
    });
    const total = quantize(coreValues.reduce((a, b) => a + b, 0) / cores, 0.1);
    used = Math.min(memTotal - gib, Math.max(2 * gib, used + Math.round((r() - 0.5) * 8 * 1024 ** 2)));
    free = Math.min(memTotal - used, Math.max(256 * 1024 ** 2, free + Math.round((r() - 0.5) * 4 * 1024 ** 2)));
    if (r() < 0.01) swapUsed = Math.max(0, swapUsed + Math.round((r() - 0.5) * 2 * 1024 ** 2));
    const running = total / 25;
    l1 += (running - l1) / 12;
    l5 += (running - l5) / 60;
    l15 += (running - l15) / 180;
    if (download > 0) download--;
    else if (r() < 0.001) download = 10 + Math.floor(r() * 300);
    const bits = (bytesPerSecond: number) => Math.max(0, Math.round(bytesPerSecond)) * 8;
    const rate = (iface: string, rx: number, tx: number, loopback = false, virtual = false): NetRate => ({
      iface,
      loopback,
      virtual,
      rxBitsPerSecond: bits(rx),
      txBitsPerSecond: bits(tx),
    });
    const ethRx = download > 0 ? 2e6 + r() * 8e6 : r() < 0.3 ? r() * 20_000 : r() * 2_000;
    const net = [
      rate('docker0', r() < 0.02 ? r() * 5_000 : 0, r() < 0.02 ? r() * 5_000 : 0, false, true),
      rate('eth0', ethRx, ethRx / 20 + r() * 1_500),
      rate('lo', r() * 3_000, r() * 3_000, true),
      rate('wlan0', r() < 0.1 ? r() * 300 : 0, r() < 0.1 ? r() * 300 : 0),
    ];
    yield {
      ts: DAY0 + i * 1000,
      cpu: { total, cores: coreValues },
      memory: {
        total: memTotal,
        used: Math.round(used / 1024) * 1024,
        available: Math.round((memTotal - used) / 1024) * 1024,
        free: Math.round(free / 1024) * 1024,
        swapTotal: 2 * gib,
        swapUsed: Math.round(swapUsed / 1024) * 1024,
      },
      load: { one: quantize(l1, 0.01), five: quantize(l5, 0.01), fifteen: quantize(l15, 0.01) },
      net,
    };
  }
}

// ---------------------------------------------------------------- helpers

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeIt(runs: number, fn: () => unknown): number {
  fn(); // warm-up: JIT, page cache
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

function tableSizes(file: string): Map<string, number> {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[];
  db.close();
  return new Map(rows.map((r) => [r.name, r.bytes]));
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

/** Child mode: measures RSS around opening and using a store, prints one JSON line. */
function rssChild(file: string, cacheKiB: number, write: boolean): never {
  const day = { from: DAY0, to: DAY0 + DAY_MS };
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = process.memoryUsage().rss;
  const store = openSampleStore(file, { readonly: !write, cacheKiB });
  const opened = process.memoryUsage().rss;
  if (write) {
    const ticks = machine(CORES, 7);
    for (let i = 0; i < 3600; i++) store.insertSamples([ticks.next().value as Sample]);
    store.query({ from: DAY0, to: DAY0 + DAY_MS, bucketMs: 60_000 });
  } else {
    for (let i = 0; i < 3; i++) {
      store.query({ ...day, bucketMs: 60_000 });
      store.query({ ...day, bucketMs: 10_000 });
      for (const row of store.iterateRows(day.from, day.to)) void row;
    }
  }
  const used = process.memoryUsage().rss;
  store.close();
  console.log(JSON.stringify({ base, opened, used }));
  process.exit(0);
}

// ---------------------------------------------------------------- run

if (args[0] === '--rss-child') rssChild(args[1]!, Number(args[2]), args[3] === 'write');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-storage-'));
try {
  const samples = [...machine(CORES, 42)];
  const seriesCount = flattenSample(samples[0]!).series.length;
  const values = TICKS * seriesCount;
  console.log(`Vigil storage benchmark — ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, Node ${process.version}`);
  console.log(`${DAYS} day(s) at 1 s: ${TICKS.toLocaleString('en')} samples × ${seriesCount} series (${CORES} cores, 4 interfaces) = ${values.toLocaleString('en')} values\n`);

  // 1. Vigil store, fed like the agent feeds it: one insertSamples call (one transaction) per
  //    flush, every storage.flushSeconds.
  const file = path.join(dir, 'vigil.db');
  let store: SampleStore = openSampleStore(file);
  const tickTimes: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < samples.length; i += FLUSH_SAMPLES) {
    const t = performance.now();
    store.insertSamples(samples.slice(i, i + FLUSH_SAMPLES));
    tickTimes.push(performance.now() - t);
  }
  const perTickTotal = performance.now() - t0;
  store.close(); // checkpoints the WAL into the main file
  const size = fs.statSync(file).size;

  // 2. The same data in one transaction per hour (bulk import, the hub's case).
  const bulkFile = path.join(dir, 'bulk.db');
  const bulk = openSampleStore(bulkFile);
  const tb = performance.now();
  for (let i = 0; i < samples.length; i += 3600) bulk.insertSamples(samples.slice(i, i + 3600));
  const bulkMs = performance.now() - tb;
  bulk.close();

  // 3. Baseline: a plain wide row, one INTEGER column per series holding the value's integer
  //    steps at its series' resolution (what Vigil stores: 12.3 % is 123, a load of 1.25 is 125),
  //    which SQLite packs into 1–6 bytes. ts is the rowid, as in Vigil's table.
  const wideFile = path.join(dir, 'wide.db');
  const wide = new Database(wideFile);
  wide.pragma('journal_mode = WAL');
  wide.pragma('synchronous = NORMAL');
  const keys = flattenSample(samples[0]!).series.map((s) => s.key);
  const resolutions = keys.map(resolutionOf);
  const cols = keys.map((_k, i) => `c${i} INTEGER`);
  wide.exec(`CREATE TABLE wide (ts INTEGER PRIMARY KEY, ${cols.join(', ')})`);
  const insertWide = wide.prepare(`INSERT INTO wide VALUES (?${', ?'.repeat(keys.length)})`);
  const tw = performance.now();
  wide.transaction(() => {
    for (const s of samples) insertWide.run(s.ts, ...flattenSample(s).values.map((v, i) => (v === null ? null : toSteps(v, resolutions[i]!))));
  })();
  const wideMs = performance.now() - tw;
  wide.close();
  const wideSize = fs.statSync(wideFile).size;

  const perValue = size / values;
  const widePerValue = wideSize / values;
  console.log('Size (main file after checkpoint, everything included: raw, minute and hour rollups, dictionaries)');
  const tables = tableSizes(file);
  const listed = [...tables].filter(([, bytes]) => bytes > 4096).map(([name, bytes]) => `${name} ${mb(bytes)}`);
  const rawPerValue = (tables.get('sample') ?? 0) / values;
  console.log(`  Vigil, everything             ${fmt(perValue, 2)} B/value   ${mb(size / DAYS)}/day   [${listed.join(', ')}]`);
  console.log(`  Vigil, raw rows only          ${fmt(rawPerValue, 2)} B/value   (the sample table alone, without rollups)`);
  console.log(`  wide row of integer steps     ${fmt(widePerValue, 2)} B/value   ${mb(wideSize / DAYS)}/day   (raw rows only; Vigil's raw rows are ${fmt(rawPerValue / widePerValue, 2)}× of it, everything ${fmt(perValue / widePerValue, 2)}×)`);
  console.log(`  Netdata dbengine, tier 0      ${fmt(NETDATA_TIER0_BYTES_PER_SAMPLE, 2)} B/value   (published, not measured here: "usually on disk" per per-second sample; its minute and hour tiers come on top)`);
  const perDay = (name: string) => (tables.get(name) ?? 0) / DAYS;
  // One day of hour rows fills less than a page; an hour row is about 60 minute rows' worth / 60.
  const hoursPerYear = (365 * perDay('rollup_1m')) / 60;
  const steady = 30 * perDay('sample') + 365 * perDay('rollup_1m') + hoursPerYear;
  console.log(`  default retention (30 days raw, a year of minutes, hours forever): ~${mb(steady)} after a year, then ~+${mb(hoursPerYear)} per year`);
  console.log('');

  console.log('Insert');
  console.log(
    `  one transaction per ${FLUSH_SAMPLES} samples (the agent's flush): ${fmt((perTickTotal / TICKS) * 1000, 0)} µs/sample mean, ` +
      `${fmt(median(tickTimes) * 1000, 0)} µs median per flush, ${fmt(Math.max(...tickTimes), 1)} ms max; ${fmt(perTickTotal / 1000 / DAYS, 2)} s/day`,
  );
  console.log(`  one transaction per hour (bulk):      ${fmt(bulkMs / DAYS, 0)} ms/day`);
  console.log(`  wide row, one transaction:            ${fmt(wideMs / DAYS, 0)} ms/day\n`);

  const day = { from: DAY0, to: DAY0 + DAY_MS };
  const runs = 9;
  const queryReport = (label: string, s: SampleStore) => {
    const lines: string[] = [];
    for (const [name, bucketMs] of [
      ['1,440 buckets (60 s)', 60_000],
      ['~600 buckets (asked 144 s)', 144_000],
      ['24 buckets (1 h)', 3_600_000],
      ['8,640 buckets (10 s, raw rows)', 10_000],
    ] as const) {
      const result = s.query({ ...day, bucketMs });
      const ms = timeIt(runs, () => s.query({ ...day, bucketMs }));
      lines.push(`  ${name.padEnd(32)} ${fmt(ms, 2).padStart(8)} ms   (${result.timestamps.length} buckets of ${result.bucketMs! / 1000} s, from ${result.resolution})`);
    }
    const filtered = timeIt(runs, () => s.query({ ...day, bucketMs: 60_000, keys: ['cpu'] }));
    lines.push(`  ${'1,440 buckets, keys: [cpu]'.padEnd(32)} ${fmt(filtered, 2).padStart(8)} ms`);
    const iterate = timeIt(3, () => {
      let n = 0;
      for (const row of s.iterateRows(day.from, day.to)) n += row.values.length;
      return n;
    });
    lines.push(`  ${'raw day, iterateRows (export)'.padEnd(32)} ${fmt(iterate, 1).padStart(8)} ms`);
    const rawQuery = timeIt(3, () => s.query(day));
    lines.push(`  ${'raw day, query() columns'.padEnd(32)} ${fmt(rawQuery, 1).padStart(8)} ms`);
    const series = timeIt(runs, () => s.seriesInRange(day.from, day.to));
    lines.push(`  ${'seriesInRange(day)'.padEnd(32)} ${fmt(series, 2).padStart(8)} ms`);
    console.log(`${label}\n${lines.join('\n')}\n`);
  };

  store = openSampleStore(file, { readonly: true });
  queryReport('Day queries, median of 9 (read-only store, cache 512 KiB — the default)', store);
  store.close();

  for (const cacheKiB of [1024, 2048, 8192, 65536]) {
    store = openSampleStore(file, { readonly: true, cacheKiB });
    const q60 = timeIt(runs, () => store.query({ ...day, bucketMs: 60_000 }));
    const q10 = timeIt(runs, () => store.query({ ...day, bucketMs: 10_000 }));
    const it = timeIt(3, () => {
      for (const row of store.iterateRows(day.from, day.to)) void row;
    });
    console.log(`Cache ${String(cacheKiB / 1024).padStart(4)} MiB: 1,440 buckets ${fmt(q60, 2)} ms, 10 s buckets ${fmt(q10, 1)} ms, iterate ${fmt(it, 1)} ms`);
    store.close();
  }

  // Memory, each in a fresh process: RSS growth from opening the store and using it.
  // With --max-semi-space-size=1, as the agent runs: otherwise V8's young generation grows to
  // tens of MB under a burst of allocations and that, not the store, is what RSS shows.
  console.log('\nMemory (fresh process per line, node --max-semi-space-size=1 like the agent; RSS growth once modules are loaded)');
  for (const [cacheKiB, mode] of [
    [2048, 'read'],
    [8192, 'read'],
    [65536, 'read'],
    [512, 'write'],
    [1024, 'write'],
    [2048, 'write'],
  ] as const) {
    const target = mode === 'write' ? path.join(dir, `rss-${cacheKiB}.db`) : file;
    const child = spawnSync(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', new URL(import.meta.url).pathname, '--rss-child', target, String(cacheKiB), mode], {
      encoding: 'utf8',
    });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !line.startsWith('{')) {
      console.log(`  cache ${cacheKiB / 1024} MiB ${mode}: failed (${child.stderr.trim().split('\n').pop()})`);
      continue;
    }
    const r = JSON.parse(line) as { base: number; opened: number; used: number };
    const what = mode === 'write' ? 'agent: open, 1 h of ticks, a day query' : 'reader: open, day queries, iterate a day';
    console.log(
      `  cache ${String(cacheKiB / 1024).padStart(2)} MiB, ${what.padEnd(40)} +${mb(r.opened - r.base)} on open, +${mb(r.used - r.base)} after (process RSS ${mb(r.used)})`,
    );
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
