// Agent overhead at 1 s, side by side in one run with the peers a server admin would otherwise
// run: collectd (cpu, memory, interface, load, df → CSV at 1 s), Glances (CSV export at 1 s) and
// sysstat's sadc (binary file at 1 s). All run at the same time for the same window; per-process
// CPU comes from /proc/<pid>/stat (utime + stime, children included), RSS is sampled every second.
//
//   npm run build && npx tsx bench/overhead.ts [seconds=60]
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const seconds = Number(process.argv[2] ?? 60);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-overhead-'));
const CLOCK_TICKS = 100; // USER_HZ on Linux

interface Contender {
  name: string;
  start: () => ChildProcess;
  /** The process to measure (collectd/glances may fork); defaults to the child. */
  pid?: (child: ChildProcess) => number | undefined;
}

function which(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/lib/sysstat'])) {
    const candidate = path.join(dir, command);
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
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
LoadPlugin df
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

const contenders: Contender[] = [
  {
    name: 'vigil agent',
    start: () => spawn(path.resolve('bin/vigil.js'), ['agent', '--data-dir', path.join(work, 'vigil'), '--log-level', 'warn'], { stdio: 'ignore' }),
  },
];
if (which('collectd')) contenders.push({ name: 'collectd 5 (csv)', start: () => spawn(which('collectd')!, ['-f', '-C', collectdConfig()], { stdio: 'ignore' }) });
if (which('glances')) {
  contenders.push({
    name: 'glances 3 (csv)',
    start: () => spawn(which('glances')!, ['-q', '-t', '1', '--export', 'csv', '--export-csv-file', path.join(work, 'glances.csv')], { stdio: 'ignore' }),
  });
}
if (which('sadc')) contenders.push({ name: 'sysstat sadc', start: () => spawn(which('sadc')!, ['-S', 'XALL', '1', path.join(work, 'sa.data')], { stdio: 'ignore' }) });
// A ratio needs its peer in the same run: say which ones are missing instead of printing Vigil alone.
const peers: [binary: string, debianPackage: string][] = [
  ['collectd', 'collectd-core'],
  ['glances', 'glances'],
  ['sadc', 'sysstat'],
];
const missing = peers.filter(([binary]) => !which(binary));
if (missing.length > 0) {
  console.log(`peers not installed, so no ratio against them: ${missing.map(([b]) => b).join(', ')} (apt-get install ${missing.map(([, p]) => p).join(' ')})`);
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

/** Resident set, and its anonymous part (heap, stacks: memory of the process's own, not file pages of its binary). */
function residentKiB(pid: number): { rss: number; anon: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+)/.exec(status);
    const anon = /RssAnon:\s+(\d+)/.exec(status);
    return rss && anon ? { rss: Number(rss[1]), anon: Number(anon[1]) } : null;
  } catch {
    return null;
  }
}

const WARMUP_MS = 5000;

async function main(): Promise<void> {
  console.log(`Overhead at 1 s sampling: ${contenders.length} collectors side by side for ${seconds} s (after ${WARMUP_MS / 1000} s warm-up), ${os.cpus().length} CPUs`);
  const running = contenders.map((c) => ({ contender: c, child: c.start(), rss: [] as number[], anon: [] as number[], startTicks: 0 }));
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  for (const r of running) r.startTicks = cpuTicks(r.child.pid!) ?? 0;
  for (let s = 0; s < seconds; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    for (const r of running) {
      const resident = residentKiB(r.child.pid!);
      if (resident) {
        r.rss.push(resident.rss);
        r.anon.push(resident.anon);
      }
    }
  }
  const rows = running.map((r) => {
    const ticks = (cpuTicks(r.child.pid!) ?? r.startTicks) - r.startTicks;
    const cpuSecondsPerMinute = ticks / CLOCK_TICKS / (seconds / 60);
    const rssAvg = r.rss.reduce((a, b) => a + b, 0) / Math.max(1, r.rss.length) / 1024;
    const rssMax = Math.max(0, ...r.rss) / 1024;
    const rssFirst = (r.rss[0] ?? 0) / 1024;
    const rssLast = (r.rss.at(-1) ?? 0) / 1024;
    const anonAvg = r.anon.reduce((a, b) => a + b, 0) / Math.max(1, r.anon.length) / 1024;
    return { name: r.contender.name, cpuSecondsPerMinute, corePercent: (cpuSecondsPerMinute / 60) * 100, rssAvg, rssMax, rssFirst, rssLast, anonAvg, alive: r.child.exitCode === null };
  });
  for (const r of running) r.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));

  const vigil = rows[0]!;
  console.log('');
  console.log(`${'collector'.padEnd(18)} ${'CPU s/min'.padStart(10)} ${'% of core'.padStart(10)} ${'RSS avg MB'.padStart(11)} ${'RSS max MB'.padStart(11)} ${'RSS first→last'.padStart(16)} ${'anon avg MB'.padStart(12)} ${'vigil CPU ratio'.padStart(16)}`);
  for (const row of rows) {
    const ratio = row === vigil ? '' : row.cpuSecondsPerMinute > 0 ? `${(vigil.cpuSecondsPerMinute / row.cpuSecondsPerMinute).toFixed(2)}×` : 'n/a';
    console.log(
      `${row.name.padEnd(18)} ${row.cpuSecondsPerMinute.toFixed(3).padStart(10)} ${row.corePercent.toFixed(3).padStart(10)} ${row.rssAvg.toFixed(1).padStart(11)} ${row.rssMax.toFixed(1).padStart(11)} ${`${row.rssFirst.toFixed(1)}→${row.rssLast.toFixed(1)}`.padStart(16)} ${row.anonAvg.toFixed(1).padStart(12)} ${ratio.padStart(16)}${row.alive ? '' : '  (exited early!)'}`,
    );
  }
  const collectd = rows.find((r) => r.name.startsWith('collectd'));
  const glances = rows.find((r) => r.name.startsWith('glances'));
  console.log('');
  if (collectd) console.log(`goal: vigil CPU ≤ 1.5× collectd → ${(vigil.cpuSecondsPerMinute / collectd.cpuSecondsPerMinute).toFixed(2)}×`);
  if (glances) console.log(`goal: vigil CPU ≤ 0.2× Glances  → ${(vigil.cpuSecondsPerMinute / glances.cpuSecondsPerMinute).toFixed(2)}×`);
  console.log(`goal: vigil RSS ≤ 50 MB         → avg ${vigil.rssAvg.toFixed(1)} MB, max ${vigil.rssMax.toFixed(1)} MB (its own anonymous memory: ${vigil.anonAvg.toFixed(1)} MB; the rest is the node binary's file pages)`);
  console.log('(MB here are MiB: /proc reports KiB)');
  fs.rmSync(work, { recursive: true, force: true });
}

await main();
