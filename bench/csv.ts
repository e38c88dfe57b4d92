// CSV benchmark: cost of one daily-file append (the per-tick path), size of a day at 1 s, the
// header-widening rewrite of a full day, opening (repair check) a full day, exporting a day from
// SQLite, and recovering the last seconds. Prints figures; asserts nothing.
//
// Export is compared, on the same day in the same run, with SQLite's own `sqlite3 -csv` dumping
// that day from a plain wide table that holds exactly the CSV's cells (the time text, unix_ms,
// one REAL or INTEGER column per series): the same rows and columns into a file on the same
// disk. Vigil's figures: exportCsv() in this process into a file (the engine's work), and the
// real `vigil export --date D --out FILE` command end to end (Node start-up, opening the
// database, the export, the rename), run as installed (bin/vigil.js through its shebang, with
// the agent's V8 flags) and as `node bin/vigil.js` (without them); each timed as wall and as the
// CPU seconds of the process (the `node` on PATH runs the shebang: put the same one first).
// The machine is shared: the load average is printed with the figures; CPU seconds move less
// with load than wall time does.
//
//   npm run build && npx tsx bench/csv.ts [--cores 8] [--ifaces 4] [--runs 5]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { DailyCsvWriter } from '../src/core/csv/daily-writer.js';
import { exportCsv } from '../src/core/csv/export.js';
import { recoverFromCsv } from '../src/core/csv/recover.js';
import { openSampleStore } from '../src/core/storage/sample-store.js';
import { dayBounds, formatDay, type LocalDay } from '../src/shared/dates.js';
import type { Sample } from '../src/shared/model.js';
import { seededRandom } from '../tests/helpers/random.js';
import Database from 'better-sqlite3';
import { CsvLayout } from '../src/core/csv/columns.js';
import { flattenSample } from '../src/shared/series.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CORES = arg('cores', 8);
const IFACES = arg('ifaces', 4);
const RUNS = arg('runs', 5);
const DAY: LocalDay = { day: 22, month: 11, year: 2026 };
const { from: DAY_FROM } = dayBounds(DAY);

const random = seededRandom(7);
const names = ['eth0', 'lo', 'docker0', 'wlan0', 'tun0', 'br-1', 'veth1', 'veth2'].slice(0, IFACES);

function sample(ts: number, extraIface = false): Sample {
  const pct = (): number => Math.round(random() * 1000) / 10;
  const bps = (): number => Math.floor(random() * 2 ** (random() * 30)) * 8;
  const ifaces = extraIface ? [...names, 'zz-new'] : names;
  return {
    ts,
    cpu: { total: pct(), cores: Array.from({ length: CORES }, pct) },
    memory: { total: 16 * 2 ** 30, used: Math.floor(random() * 2 ** 24) * 1024, available: Math.floor(random() * 2 ** 24) * 1024, free: Math.floor(random() * 2 ** 23) * 1024, swapTotal: 2 ** 31, swapUsed: 0 },
    load: { one: Math.round(random() * 400) / 100, five: 1.5, fifteen: 1.25 },
    net: [...ifaces].sort().map((iface) => ({ iface, rxBitsPerSecond: bps(), txBitsPerSecond: bps(), loopback: iface === 'lo', virtual: iface !== 'lo' && iface !== 'eth0' && iface !== 'wlan0' })),
  };
}

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-csv-'));
const telemetry = path.join(dir, 'telemetry');
const file = path.join(telemetry, `${formatDay(DAY)}.csv`);

try {
  console.log(`CSV benchmark: ${CORES} cores, ${IFACES} interfaces, Node ${process.version}, ${os.cpus()[0]?.model ?? ''}`);
  const samples: Sample[] = [];
  for (let i = 0; i < 86_400; i++) samples.push(sample(DAY_FROM + i * 1000));

  // Per-tick append: one formatted row, one write() syscall.
  const writer = new DailyCsvWriter({ dir: telemetry });
  const cpu0 = process.cpuUsage();
  let t = process.hrtime.bigint();
  for (const s of samples) writer.append(s);
  const appendMs = ms(t);
  const cpu = process.cpuUsage(cpu0);
  const size = fs.statSync(file).size;
  console.log(`append: ${((appendMs * 1000) / samples.length).toFixed(1)} µs/row wall, ${(((cpu.user + cpu.system) / samples.length)).toFixed(1)} µs/row CPU (${samples.length} rows)`);
  console.log(`day file at 1 s: ${(size / 1e6).toFixed(1)} MB, ${(size / samples.length).toFixed(0)} B/row`);

  // A new interface at the end of the day: the whole day is rewritten with the wider header.
  t = process.hrtime.bigint();
  writer.append(sample(DAY_FROM + 86_400_000 - 500, true));
  console.log(`widening rewrite of a full day: ${ms(t).toFixed(0)} ms`);
  writer.close();

  // Restart: open the day file, check the header and the last row.
  fs.appendFileSync(file, '2026-11-22T23:59:59');
  const reopen = new DailyCsvWriter({ dir: telemetry });
  t = process.hrtime.bigint();
  reopen.append(sample(DAY_FROM + 86_400_000 - 100, true));
  console.log(`reopen a full day + repair a torn row + append: ${ms(t).toFixed(1)} ms`);
  reopen.close();

  // Export of the day from SQLite, into a sink that discards.
  const store = openSampleStore(path.join(dir, 'vigil.db'));
  for (let i = 0; i < samples.length; i += 10_000) store.insertSamples(samples.slice(i, i + 10_000));
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      bytes += chunk.length;
      cb();
    },
  });
  const heap0 = process.memoryUsage().heapUsed;
  t = process.hrtime.bigint();
  const { rows } = await exportCsv(store, dayBounds(DAY), sink);
  const exportMs = ms(t);
  console.log(`export of a day into a discarding sink: ${exportMs.toFixed(0)} ms, ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB, ${((rows / exportMs) * 1000).toFixed(0)} rows/s; heap delta ${((process.memoryUsage().heapUsed - heap0) / 1e6).toFixed(1)} MB`);

  // The same day as a plain wide table holding the CSV's cells, for sqlite3 -csv.
  const keys = flattenSample(samples[0]!).series.map((x) => x.key);
  const layout = CsvLayout.forKeys(keys);
  const headerCells = layout.header.trim().split(',');
  const wideFile = path.join(dir, 'wide.db');
  const wide = new Database(wideFile);
  wide.pragma('journal_mode = WAL');
  const quoted = headerCells.map((c) => `"${c}"`);
  wide.exec(`CREATE TABLE day (${quoted.map((c, i) => `${c} ${i === 0 ? 'TEXT' : i === 1 ? 'INTEGER PRIMARY KEY' : 'NUMERIC'}`).join(', ')})`);
  const insert = wide.prepare(`INSERT INTO day VALUES (${headerCells.map(() => '?').join(', ')})`);
  wide.transaction(() => {
    const columns = layout.columnsOf(keys);
    for (const s of samples) {
      const cells = layout.formatRowAt(s.ts, columns, flattenSample(s).values).trim().split(',');
      insert.run(cells.map((c, i) => (i === 0 ? c : c === '' ? null : Number(c))));
    }
  })();
  wide.pragma('wal_checkpoint(TRUNCATE)');
  wide.close();
  store.close();
  const { from, to } = dayBounds(DAY);
  const sqliteOut = path.join(dir, 'sqlite3.csv');
  const vigilOut = path.join(dir, 'vigil-export.csv');
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  fs.copyFileSync(path.join(dir, 'vigil.db'), path.join(dataDir, 'vigil.db'));

  /** Runs a command under bash's `time`, whose user and sys include the waited-for child. */
  const timed = (command: string): { wallMs: number; cpuMs: number } => {
    const result = spawnSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; time ( ${command} 2>/dev/null )`], { encoding: 'utf8' });
    const [real, user, sys] = result.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    if (result.status !== 0 || !Number.isFinite(real)) throw new Error(`${command} failed: ${result.stderr}`);
    return { wallMs: real! * 1000, cpuMs: (user! + sys!) * 1000 };
  };
  const sqlite3 = execFileSync('bash', ['-c', 'command -v sqlite3 || true'], { encoding: 'utf8' }).trim();
  const vigilBin = path.resolve('bin/vigil.js');
  const dayArg = formatDay(DAY);
  const figures: Record<string, { wallMs: number[]; cpuMs: number[]; bytes: number }> = {};
  const record = (name: string, run: () => { wallMs: number; cpuMs: number }, out: string) => {
    const f = (figures[name] ??= { wallMs: [], cpuMs: [], bytes: 0 });
    const r = run();
    f.wallMs.push(r.wallMs);
    f.cpuMs.push(r.cpuMs);
    f.bytes = fs.statSync(out).size;
    fs.rmSync(out);
  };
  const inProcess = async (): Promise<{ wallMs: number; cpuMs: number }> => {
    const s2 = openSampleStore(path.join(dir, 'vigil.db'));
    const out = fs.createWriteStream(vigilOut);
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await exportCsv(s2, { from, to }, out);
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const wallMs = ms(t0);
    const c = process.cpuUsage(c0);
    s2.close();
    return { wallMs, cpuMs: (c.user + c.system) / 1000 };
  };
  for (let run = 0; run < RUNS; run++) {
    if (sqlite3) record('sqlite3 -csv (wide table of the cells)', () => timed(`${sqlite3} -csv -header ${wideFile} 'SELECT * FROM day WHERE unix_ms >= ${from} AND unix_ms < ${to}' > ${sqliteOut}`), sqliteOut);
    const r = await inProcess();
    record('exportCsv() in process, into a file', () => r, vigilOut);
    // As installed: bin/vigil.js run through its shebang, which gives every command the agent's
    // V8 flags (no optimizing compilers); and as `node bin/vigil.js`, without them.
    record('vigil export --date (whole command, as installed)', () => timed(`${vigilBin} export --date ${dayArg} --data-dir ${dataDir} --out ${vigilOut}`), vigilOut);
    record('node bin/vigil.js export --date (whole command, no agent V8 flags)', () => timed(`${process.execPath} ${vigilBin} export --date ${dayArg} --data-dir ${dataDir} --out ${vigilOut}`), vigilOut);
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const range = (v: number[], d = 0) => `${median(v).toFixed(d)} (${Math.min(...v).toFixed(d)}–${Math.max(...v).toFixed(d)})`;
  const base = sqlite3 ? figures['sqlite3 -csv (wide table of the cells)'] : undefined;
  console.log(`\nexport of one day (${rows} rows, ${headerCells.length} columns), ${RUNS} runs, median (range), ${new Date().toISOString()}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| exporter | wall ms | CPU ms | rows/s (wall) | rows per CPU-second | output MB | speed ÷ sqlite3 (wall; CPU) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, f] of Object.entries(figures)) {
    const vsWall = base ? (median(base.wallMs) / median(f.wallMs)).toFixed(2) : 'n/a';
    const vsCpu = base ? (median(base.cpuMs) / median(f.cpuMs)).toFixed(2) : 'n/a';
    console.log(`| ${name} | ${range(f.wallMs)} | ${range(f.cpuMs)} | ${((rows / median(f.wallMs)) * 1000).toFixed(0)} | ${((rows / median(f.cpuMs)) * 1000).toFixed(0)} | ${(f.bytes / 1e6).toFixed(1)} | ${f === base ? '' : `${vsWall}×; ${vsCpu}×`} |`);
  }
  if (!sqlite3) console.log('(sqlite3 is not installed: apt-get install sqlite3, so no comparison)');

  // Recovery after a kill: the database misses the last 5 s of a full day file.
  fs.rmSync(path.join(dir, 'vigil.db'));
  fs.rmSync(file);
  const w2 = new DailyCsvWriter({ dir: telemetry });
  for (const s of samples) w2.append(s);
  w2.close();
  const store2 = openSampleStore(path.join(dir, 'vigil.db'));
  for (let i = 0; i < samples.length - 5; i += 10_000) store2.insertSamples(samples.slice(i, Math.min(i + 10_000, samples.length - 5)));
  t = process.hrtime.bigint();
  const recovered = recoverFromCsv(store2, telemetry, { now: DAY_FROM + 86_399_000 });
  console.log(`recovery of the last 5 s from a full day file: ${ms(t).toFixed(1)} ms (${recovered} samples)`);
  store2.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
