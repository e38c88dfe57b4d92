// CSV benchmark: cost of one daily-file append (the per-tick path), size of a day at 1 s, the
// header-widening rewrite of a full day, opening (repair check) a full day, exporting a day from
// SQLite, and recovering the last seconds. Prints figures; asserts nothing.
//
//   npx tsx bench/csv.ts [--cores 8] [--ifaces 4]
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

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CORES = arg('cores', 8);
const IFACES = arg('ifaces', 4);
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
  console.log(`export of a day: ${exportMs.toFixed(0)} ms, ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB, ${((rows / exportMs) * 1000).toFixed(0)} rows/s; heap delta ${((process.memoryUsage().heapUsed - heap0) / 1e6).toFixed(1)} MB`);

  // Recovery after a kill: the database misses the last 5 s of a full day file.
  store.close();
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
