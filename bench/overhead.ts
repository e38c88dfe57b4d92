// Agent overhead at 1 s, side by side in one run with the collectors a server admin would
// otherwise run, each given the same work as Vigil as far as its configuration allows:
// - Vigil: started exactly as the README starts it (`npm run agent`'s command line, read from
//   package.json, with a temporary --data-dir): samples CPU (total, per core), memory, swap,
//   every interface, load at 1 s into SQLite and the daily CSV; disk usage every 60 s.
// - collectd: cpu (per core, percent), memory, swap, interface, load every 1 s, df with its own
//   `Interval 60` (Vigil's disk interval), written as CSV.
// - sysstat's sadc: every 1 s into its binary file (its default activity set, which is more than
//   Vigil's: paging, I/O, sockets… cannot be left out).
// - Glances 3: only the cpu, percpu, mem, memswap, load, network and fs plugins (fs refreshed
//   every 60 s), CSV export every 1 s.
// - node_exporter: only the cpu, meminfo, netdev and loadavg collectors, scraped every 1 s by this
//   bench (its filesystem collector is left out: it would run at every scrape, 60× Vigil's disk
//   work).
// - Vigil again with `processes.recordTop` off (its config.json), so the once-a-minute top
//   processes (src/core/top-recorder.ts) show as the difference between the two Vigil rows, in
//   the same windows under the same load; `--vigil-only` runs just these two.
// All run at the same time, for `windows` consecutive windows of `seconds` each (after a warm-up);
// each window reports every collector's CPU time (utime + stime of the process and its waited-for
// children, from /proc/PID/stat), RSS and PSS (from /proc/PID/smaps_rollup, sampled every second).
// The summary gives the median and the range over the windows.
//
//   npm run build && npx tsx bench/overhead.ts [seconds=180] [windows=3] [--vigil-only]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const vigilOnly = process.argv.includes('--vigil-only');
const seconds = Number(positional[0] ?? 180);
const windows = Number(positional[1] ?? 3);
if (!(seconds > 0 && Number.isInteger(windows) && windows > 0)) throw new Error('usage: overhead.ts [seconds=180] [windows=3] [--vigil-only]');
const WARMUP_MS = 15_000;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-overhead-'));
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface Contender {
  name: string;
  /** What it was given to do, for the report. */
  work: string;
  start: () => ChildProcess;
  /** Called every second while it runs (node_exporter: the scrape). */
  tick?: () => void;
}

function which(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/usr/lib/sysstat'])) {
    const candidate = path.join(dir, command);
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

/** `npm run agent`'s command line (after its build step), with a data folder of our own. */
function vigilArgv(folder = 'vigil'): string[] {
  const scripts = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  const command = scripts.agent!.split('&&').at(-1)!.trim().split(/\s+/);
  if (command[0] !== 'node') throw new Error(`npm run agent does not start with node: ${scripts.agent}`);
  return [process.execPath, ...command.slice(1), '--data-dir', path.join(work, folder)];
}

/** The same agent with the minute's top processes off, in its own data folder. */
function vigilWithoutTop(): ChildProcess {
  const dir = path.join(work, 'vigil-no-top');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ processes: { recordTop: false } }));
  const argv = vigilArgv('vigil-no-top');
  return spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
}

function collectdConfig(): string {
  const dir = path.join(work, 'collectd');
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'collectd.conf');
  fs.writeFileSync(
    config,
    `BaseDir "${dir}"
PIDFile "${dir}/collectd.pid"
TypesDB "/usr/share/collectd/types.db"
Interval 1
LoadPlugin cpu
LoadPlugin memory
LoadPlugin swap
LoadPlugin interface
LoadPlugin load
<LoadPlugin df>
  Interval 60
</LoadPlugin>
LoadPlugin csv
<Plugin cpu>
  ReportByCpu true
  ReportByState false
  ValuesPercentage true
</Plugin>
<Plugin csv>
  DataDir "${dir}/csv"
  StoreRates true
</Plugin>
`,
  );
  return config;
}

function glancesConfig(): string {
  const file = path.join(work, 'glances.conf');
  fs.writeFileSync(file, '[global]\ncheck_update=false\n[fs]\nrefresh=60\n');
  return file;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const exporterPort = await freePort();
let scrapeFailures = 0;
function scrape(): void {
  const request = http.get(`http://127.0.0.1:${exporterPort}/metrics`, (res) => {
    if (res.statusCode !== 200) scrapeFailures++;
    res.resume();
  });
  request.on('error', () => scrapeFailures++);
}

const contenders: Contender[] = [
  {
    name: 'vigil agent',
    work: `\`${vigilArgv().slice(1).join(' ').replace(work, '$TMP')}\` (defaults: 1 s, disks every 60 s, SQLite + daily CSV)`,
    start: () => spawn(vigilArgv()[0]!, vigilArgv().slice(1), { stdio: 'ignore' }),
  },
  {
    name: 'vigil agent, processes.recordTop off',
    work: 'the same, without the top 5 processes by CPU and by memory recorded once a minute',
    start: vigilWithoutTop,
  },
];
if (which('collectd') && !vigilOnly) {
  contenders.push({
    name: 'collectd',
    work: 'cpu (per core, %), memory, swap, interface, load every 1 s; df every 60 s; CSV',
    start: () => spawn(which('collectd')!, ['-f', '-C', collectdConfig()], { stdio: 'ignore' }),
  });
}
if (which('sadc') && !vigilOnly) {
  contenders.push({
    name: 'sysstat sadc',
    work: 'every 1 s, its default activities, binary file',
    start: () => spawn(which('sadc')!, ['1', path.join(work, 'sa.data')], { stdio: 'ignore' }),
  });
}
if (which('glances') && !vigilOnly) {
  contenders.push({
    name: 'glances',
    work: 'cpu, percpu, mem, memswap, load, network every 1 s; fs every 60 s; CSV',
    start: () =>
      spawn(
        which('glances')!,
        ['-C', glancesConfig(), '-q', '-t', '1', '--disable-plugin', 'all', '--enable-plugin', 'cpu,percpu,mem,memswap,load,network,fs', '--export', 'csv', '--export-csv-file', path.join(work, 'glances.csv')],
        { stdio: 'ignore' },
      ),
  });
}
const exporter = which('prometheus-node-exporter') ?? which('node_exporter');
if (exporter && !vigilOnly) {
  contenders.push({
    name: 'node_exporter',
    work: 'cpu, meminfo, netdev, loadavg collectors, scraped every 1 s',
    start: () =>
      spawn(
        exporter,
        [`--web.listen-address=127.0.0.1:${exporterPort}`, '--collector.disable-defaults', '--collector.cpu', '--collector.meminfo', '--collector.netdev', '--collector.loadavg'],
        { stdio: 'ignore' },
      ),
    tick: scrape,
  });
}
// A ratio needs its peer in the same run: say which ones are missing instead of printing Vigil alone.
const peers: [binary: string, debianPackage: string][] = [
  ['collectd', 'collectd-core'],
  ['sadc', 'sysstat'],
  ['glances', 'glances'],
  ['prometheus-node-exporter', 'prometheus-node-exporter'],
];
const missing = peers.filter(([binary]) => !which(binary));
if (missing.length > 0 && !vigilOnly) {
  console.log(`peers not installed, so not in this run: ${missing.map(([b]) => b).join(', ')} (apt-get install ${missing.map(([, p]) => p).join(' ')})`);
}

function cpuTicks(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime (fields 14–17, counted from 1; index 11–14 after the name).
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  } catch {
    return null;
  }
}

/**
 * Resident set, proportional set (shared pages divided among their users) and the anonymous
 * part of the resident set (heap, stacks: what is the process's own, not file pages of its
 * binary and libraries), in KiB.
 */
function memoryKiB(pid: number): { rss: number; pss: number; anon: number } | null {
  try {
    const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const rss = /^Rss:\s+(\d+)/m.exec(rollup);
    const pss = /^Pss:\s+(\d+)/m.exec(rollup);
    const anon = /^Anonymous:\s+(\d+)/m.exec(rollup);
    return rss && pss && anon ? { rss: Number(rss[1]), pss: Number(pss[1]), anon: Number(anon[1]) } : null;
  } catch {
    return null;
  }
}

interface Figures {
  cpuSecondsPerMinute: number;
  rssAvg: number;
  rssMax: number;
  pssAvg: number;
  anonAvg: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const average = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  console.log(
    `Overhead at 1 s: ${contenders.length} collectors side by side, ${windows} window${windows === 1 ? '' : 's'} of ${seconds} s after ${WARMUP_MS / 1000} s of warm-up; ` +
      `${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the start, ${started.toISOString()}`,
  );
  console.log('');
  console.log(table(['collector', 'work'], contenders.map((c) => [c.name, c.work])));
  const running = contenders.map((contender) => ({ contender, child: contender.start() }));
  const ticker = setInterval(() => {
    for (const r of running) r.contender.tick?.();
  }, 1000);
  const results: Figures[][] = running.map(() => []);
  const loads: number[] = [];
  try {
    await sleep(WARMUP_MS);
    for (let w = 0; w < windows; w++) {
      const startTicks = running.map((r) => cpuTicks(r.child.pid!) ?? 0);
      const samples = running.map(() => ({ rss: [] as number[], pss: [] as number[], anon: [] as number[] }));
      const t0 = performance.now();
      for (let s = 1; s <= seconds; s++) {
        await sleep(t0 + s * 1000 - performance.now());
        running.forEach((r, i) => {
          const memory = memoryKiB(r.child.pid!);
          if (memory) {
            samples[i]!.rss.push(memory.rss / 1024);
            samples[i]!.pss.push(memory.pss / 1024);
            samples[i]!.anon.push(memory.anon / 1024);
          }
        });
      }
      const elapsedMinutes = (performance.now() - t0) / 60_000;
      loads.push(os.loadavg()[0]!);
      running.forEach((r, i) => {
        const ticks = (cpuTicks(r.child.pid!) ?? startTicks[i]!) - startTicks[i]!;
        results[i]!.push({
          cpuSecondsPerMinute: ticks / CLOCK_TICKS / elapsedMinutes,
          rssAvg: average(samples[i]!.rss),
          rssMax: Math.max(0, ...samples[i]!.rss),
          pssAvg: average(samples[i]!.pss),
          anonAvg: average(samples[i]!.anon),
        });
      });
      printWindow(w, running, results, loads.at(-1)!);
    }
  } finally {
    clearInterval(ticker);
    for (const r of running) r.child.kill('SIGTERM');
    await sleep(2000);
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  }
  printSummary(running, results, loads);
  if (scrapeFailures > 0) console.log(`(${scrapeFailures} node_exporter scrapes failed)`);
  fs.rmSync(work, { recursive: true, force: true });
}

function printWindow(w: number, running: { contender: Contender; child: ChildProcess }[], results: Figures[][], load: number): void {
  const vigil = results[0]![w]!;
  console.log(`\nwindow ${w + 1} of ${windows} (${seconds} s, load average ${load.toFixed(1)} at its end)`);
  console.log(
    table(
      ['collector', 'CPU s/min', '% of a core', 'RSS avg (max) MiB', 'PSS avg MiB', 'anonymous avg MiB', 'Vigil CPU ÷ it'],
      running.map((r, i) => {
        const f = results[i]![w]!;
        const ratio = i === 0 ? '' : f.cpuSecondsPerMinute > 0 ? `${(vigil.cpuSecondsPerMinute / f.cpuSecondsPerMinute).toFixed(2)}×` : 'n/a';
        const alive = r.child.exitCode === null && r.child.signalCode === null ? '' : ' (exited!)';
        return [r.contender.name + alive, f.cpuSecondsPerMinute.toFixed(3), ((f.cpuSecondsPerMinute / 60) * 100).toFixed(3), `${f.rssAvg.toFixed(1)} (${f.rssMax.toFixed(1)})`, f.pssAvg.toFixed(1), f.anonAvg.toFixed(1), ratio];
      }),
    ),
  );
}

function printSummary(running: { contender: Contender }[], results: Figures[][], loads: number[]): void {
  const span = (values: number[], digits: number) => (values.length > 1 ? `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})` : values[0]!.toFixed(digits));
  const vigil = results[0]!;
  console.log(`\nsummary: median (range) over ${windows} window${windows === 1 ? '' : 's'} of ${seconds} s, load average ${span(loads, 1)}`);
  console.log(
    table(
      ['collector', 'CPU s/min', '% of a core', 'RSS avg MiB', 'RSS max MiB', 'PSS avg MiB', 'anonymous avg MiB', 'Vigil CPU ÷ it'],
      running.map((r, i) => {
        const f = results[i]!;
        const ratios = f.map((x, w) => vigil[w]!.cpuSecondsPerMinute / x.cpuSecondsPerMinute).filter(Number.isFinite);
        return [
          r.contender.name,
          span(f.map((x) => x.cpuSecondsPerMinute), 3),
          span(f.map((x) => (x.cpuSecondsPerMinute / 60) * 100), 3),
          span(f.map((x) => x.rssAvg), 1),
          Math.max(...f.map((x) => x.rssMax)).toFixed(1),
          span(f.map((x) => x.pssAvg), 1),
          span(f.map((x) => x.anonAvg), 1),
          i === 0 ? '' : ratios.length ? `${span(ratios, 2)}×` : 'n/a',
        ];
      }),
    ),
  );
  console.log('(MiB as /proc reports them; CPU s/min is CPU seconds used per minute of wall time; the ratio is taken per window, then its median)');
}

await main();
