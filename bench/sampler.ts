// Sampler benchmark: each reader set's cost per tick and processes spawned per tick, side by side
// in one run: the Linux /proc fast path, the portable path (os module + systeminformation, the
// fallback on every OS), and the Windows native readers (koffi → Win32) run for real with Windows'
// node.exe under Wine. Prints figures; asserts nothing.
//
//   npx tsx bench/sampler.ts [--seconds 30] [--no-wine]
//
// Each path runs in its own plain-Node child process (systeminformation's memory never goes away
// once imported, so one process cannot measure both), next to an idle child for reference. The
// children run JavaScript transpiled from our sources into node_modules/.cache/vigil-bench, not
// under tsx: tsx's loader thread and compile garbage add ~30 MB and milliseconds of CPU that
// would drown the figures.
// - the real Sampler at 1 s for --seconds (after a warm-up): CPU time per tick measured inside
//   the tick (from the first reader call to the sample event) and for the whole process (user +
//   system, with the idle child as the floor), processes spawned per tick (counted in-process: every ChildProcess spawn and every
//   execSync/spawnSync/execFileSync; and machine-wide from /proc/stat's fork counter, which also
//   sees the `cat`s a `sh -c` starts — the machine is shared, so the idle child's rate is the floor),
//   resident memory at the end and peak;
// - one-off costs: a host snapshot and a disk reading (wall ms, spawns);
// - the Linux tick alone in a tight loop (µs of CPU per tick: 4 readFileSync + parsing + rates).
// Windows under Wine (skipped, saying so, without wine64): the same child code runs with node.exe
// (scripts/wine-node.ts stages it with koffi's Windows binary), next to an idle node.exe under Wine.
// Its CPU is read from Linux's /proc: the node.exe process, and Wine's own processes of the same
// prefix (wineserver, services.exe, winedevice.exe), which serve every Win32 call there. That cost
// is Wine's, not Windows': each call is a round trip to wineserver and a device process.
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CpuTimes, MetricSources, NetCounter } from '../src/core/metrics/types.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const SECONDS = Number(arg('seconds', '30'));
const WINE = !args.includes('--no-wine');
type Mode = 'idle' | 'linux' | 'portable' | 'wine-idle' | 'windows';
/** Under Wine (Windows' node.exe): /proc here is not this process's, so the parent reads it. */
const UNDER_WINE = process.platform === 'win32';

interface ChildReport {
  mode: Mode;
  ticks: number;
  seconds: number;
  cpuUsPerTick: number;
  insideTickUs: number | null;
  cpuPercentOfCore: number;
  childCpuUsPerTick: number;
  spawnsPerTick: number;
  forksPerSecondMachine: number;
  rssMb: number;
  rssAnonMb: number;
  rssFileMb: number;
  maxRssMb: number;
  hostSnapshotMs: number | null;
  hostSnapshotSpawns: number | null;
  diskReadMs: number | null;
  diskReadSpawns: number | null;
  tightLoopUsPerTick: number | null;
}

// ---------------------------------------------------------------- child side

let spawned = 0;

/** Counts every process this process starts. Must run before systeminformation is imported. */
function countSpawns(): void {
  const require = createRequire(import.meta.url);
  // The CommonJS module object: the one systeminformation's require() gets, so patches reach it.
  const cp = require('node:child_process') as { ChildProcess: typeof ChildProcess };
  const proto = cp.ChildProcess.prototype as unknown as { spawn: (...a: unknown[]) => unknown };
  const original = proto.spawn;
  proto.spawn = function (this: unknown, ...a: unknown[]) {
    spawned++;
    return original.apply(this, a);
  };
  const exports = cp as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ['execSync', 'spawnSync', 'execFileSync']) {
    const fn = exports[name]!;
    exports[name] = (...a: unknown[]) => {
      spawned++;
      return fn(...a);
    };
  }
}

/** CPU time of our children that have exited (cutime + cstime in /proc/self/stat), in µs. */
function childrenCpuUs(): number {
  if (UNDER_WINE) return 0;
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17, in clock ticks (100 Hz)
  return (Number(fields[13]) + Number(fields[14])) * 10_000;
}

function machineForks(): number {
  if (UNDER_WINE) return 0;
  const match = /^processes (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
  return match ? Number(match[1]) : 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function median(times: number, fn: () => Promise<unknown>, gapMs = 0): Promise<{ ms: number; spawns: number }> {
  const samples: number[] = [];
  const spawnsBefore = spawned;
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
    if (gapMs) await sleep(gapMs);
  }
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(times / 2)]!, spawns: (spawned - spawnsBefore) / times };
}

/** With --ack-dir (under Wine): writes `marker` and waits for the parent's `<ack-dir>/<name>.ack`. */
async function handshake(marker: string, name: string): Promise<void> {
  const dir = arg('ack-dir', '');
  if (!dir) return;
  process.stdout.write(`${marker}\n`);
  const deadline = Date.now() + 120_000;
  while (!fs.existsSync(path.join(dir, `${name}.ack`))) {
    if (Date.now() > deadline) throw new Error(`no ${name}.ack from the parent within 120 s`);
    await sleep(10);
  }
}

async function child(mode: Mode): Promise<ChildReport> {
  countSpawns();
  let measuring = false;
  let insideUs = 0;
  let insideTicks = 0;
  let ticks = 0;
  let stop: () => Promise<void> = async () => {};
  let sources: MetricSources | null = null;
  if (mode !== 'idle' && mode !== 'wine-idle') {
    const { createMetricSources } = await import('../src/core/metrics/index.js');
    const { Sampler } = await import('../src/core/sampler.js');
    sources = await createMetricSources({ portable: mode === 'portable' });
    if (mode === 'windows' && sources.name !== 'windows native') throw new Error(`expected the windows native readers, got ${sources.name}`);
    // The tick calls the network reader first and emits the sample last: CPU between the two is
    // the tick's own cost.
    const network = sources.network;
    const readNetwork = network.read.bind(network);
    let tickStart: NodeJS.CpuUsage | null = null;
    network.read = () => {
      tickStart = process.cpuUsage();
      return readNetwork();
    };
    const sampler = new Sampler({ intervalMs: 1000, sources, diskIntervalMs: 3_600_000, hostCheckIntervalMs: 3_600_000 });
    sampler.on('sample', () => {
      ticks++;
      if (measuring && tickStart) {
        const used = process.cpuUsage(tickStart);
        insideUs += used.user + used.system;
        insideTicks++;
      }
    });
    sampler.start();
    stop = () => sampler.stop();
    // Warm-up: baseline, first systeminformation calls, the start-up host snapshot and disk
    // reading, and the JIT settling.
    while (ticks < 10) await sleep(50);
  } else {
    await sleep(11_000);
  }

  // Under Wine the parent measures this process from outside: it reads /proc when it sees each
  // marker, then answers with a file; waiting for it keeps the windows the same (and keeps this
  // process alive until its figures are read).
  await handshake('measure-start', 'start');
  measuring = true;
  const ticks0 = ticks;
  const spawns0 = spawned;
  const forks0 = machineForks();
  const cpu0 = process.cpuUsage();
  const children0 = childrenCpuUs();
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const cpu = process.cpuUsage(cpu0);
  const childrenUs = childrenCpuUs() - children0;
  const elapsed = (performance.now() - t0) / 1000;
  await handshake('measure-end', 'end');
  const forks = machineForks() - forks0;
  const tickCount = mode === 'idle' || mode === 'wine-idle' ? Math.round(elapsed) : ticks - ticks0;
  const spawns = spawned - spawns0;
  measuring = false;
  await stop();

  const rss = process.memoryUsage().rss;
  // VmHWM, not getrusage's maxRSS: on Linux the latter keeps the parent's peak across exec.
  const status = UNDER_WINE ? '' : fs.readFileSync('/proc/self/status', 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? 0) * 1024;
  const maxRss = kib('VmHWM');
  let host: { ms: number; spawns: number } | null = null;
  let disk: { ms: number; spawns: number } | null = null;
  let tight: number | null = null;
  if (sources) {
    const s = sources;
    host = await median(3, () => s.host.snapshot());
    disk = await median(3, async () => s.disk.read());
    if (mode === 'linux') tight = await tightLoop(s);
  }
  return {
    mode,
    ticks: tickCount,
    seconds: elapsed,
    cpuUsPerTick: (cpu.user + cpu.system) / Math.max(1, tickCount),
    insideTickUs: insideTicks ? insideUs / insideTicks : null,
    cpuPercentOfCore: ((cpu.user + cpu.system + childrenUs) / 1e6 / elapsed) * 100,
    childCpuUsPerTick: childrenUs / Math.max(1, tickCount),
    spawnsPerTick: spawns / Math.max(1, tickCount),
    forksPerSecondMachine: forks / elapsed,
    rssMb: rss / 2 ** 20,
    rssAnonMb: kib('RssAnon') / 2 ** 20,
    rssFileMb: kib('RssFile') / 2 ** 20,
    maxRssMb: maxRss / 2 ** 20,
    hostSnapshotMs: host?.ms ?? null,
    hostSnapshotSpawns: host?.spawns ?? null,
    diskReadMs: disk?.ms ?? null,
    diskReadSpawns: disk?.spawns ?? null,
    tightLoopUsPerTick: tight,
  };
}

/** The Linux tick without the timer: read the four files, parse, compute rates. */
async function tightLoop(sources: MetricSources): Promise<number> {
  const { CpuUsageComputer } = await import('../src/core/metrics/cpu.js');
  const { NetRateTracker } = await import('../src/core/metrics/network.js');
  const cpu = new CpuUsageComputer();
  const net = new NetRateTracker();
  const once = (): void => {
    const times = sources.cpu.read() as CpuTimes;
    sources.memory.read();
    sources.load.read();
    const counters = sources.network.read() as NetCounter[];
    cpu.update(times);
    net.update(counters, performance.now());
  };
  for (let i = 0; i < 500; i++) once();
  const n = 5000;
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) once();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

// ---------------------------------------------------------------- parent side

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'node_modules/.cache/vigil-bench');

/**
 * Transpiles what the child needs (no type check) into node_modules/.cache/vigil-bench, where
 * `systeminformation` still resolves from the project's node_modules.
 */
async function transpile(): Promise<string> {
  const ts = (await import('typescript')).default;
  fs.rmSync(OUT, { recursive: true, force: true });
  // Follow relative imports from this file (`'./x.js'` → x.ts), so the list never goes stale.
  const pending = ['bench/sampler.ts'];
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    for (const match of text.matchAll(/(?:from\s+|import\()\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      const dep = path.posix.normalize(path.posix.join(path.posix.dirname(file), `${match[1]}.ts`));
      if (fs.existsSync(path.join(ROOT, dep))) pending.push(dep);
    }
    const { outputText } = ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: file,
    });
    const out = path.join(OUT, file.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, outputText);
  }
  fs.writeFileSync(path.join(OUT, 'package.json'), '{ "type": "module" }\n');
  return path.join(OUT, 'bench/sampler.js');
}

function runChild(script: string, mode: Mode): ChildReport {
  const result = spawnSync(process.execPath, [script, '--child', mode, '--seconds', String(SECONDS)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: (SECONDS + 120) * 1000,
  });
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as ChildReport;
  } catch {
    throw new Error(`bench child ${mode} failed (status ${result.status}): ${result.stdout}`);
  }
}

function fmt(value: number | null, digits = 1): string {
  return value === null ? '—' : value.toFixed(digits);
}

interface WineFigures {
  /** The node.exe process's CPU (user + system, from Linux's /proc) per tick, µs. */
  nodeCpuUsPerTick: number;
  /** Wine's own processes of the prefix (wineserver, services.exe, winedevice.exe) per tick, µs. */
  wineCpuUsPerTick: number;
  /** The node.exe process's resident memory at the end (VmRSS), MB. */
  nodeRssMb: number;
}

type WineReport = ChildReport & WineFigures;

const CLOCK_TICK_US = 10_000; // USER_HZ = 100 on Linux

/** CPU ticks and RSS of every process of a Wine prefix (found by its WINEPREFIX), by pid. */
function wineProcesses(prefix: string): Map<number, { command: string; ticks: number; rssKb: number }> {
  const found = new Map<number, { command: string; ticks: number; rssKb: number }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!fs.readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`WINEPREFIX=${prefix}`)) continue;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1] ?? 0);
      const command = fs.readFileSync(`/proc/${entry}/cmdline`, 'latin1').replaceAll('\0', ' ');
      found.set(Number(entry), { command, ticks: Number(fields[11]) + Number(fields[12]), rssKb });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** The same child code under Wine with Windows' node.exe; its CPU read from outside. */
async function runWineChildren(script: string): Promise<{ idle: WineReport; windows: WineReport } | string> {
  const wineNode = await import('../scripts/wine-node.js');
  const wine = wineNode.findWine();
  if (!wine) return 'not run: wine64 is not installed (Debian: apt-get install wine64)';
  let nodeExe: string;
  try {
    nodeExe = wineNode.ensureWindowsNode();
  } catch (error) {
    return `not run: node.exe could not be fetched (${(error as Error).message})`;
  }
  if (!fs.existsSync(path.join(ROOT, 'dist', 'agent', 'main.js'))) return 'not run: dist/ is not built (npm run build)';
  // The staged app has koffi with its Windows binary; the transpiled bench goes beside dist/.
  const app = await wineNode.stageSampleApp({ koffiWin32: true });
  const benchDir = path.join(app.dir, 'bench-src');
  fs.cpSync(path.dirname(path.dirname(script)), benchDir, { recursive: true });
  process.stderr.write('  creating a Wine prefix (tens of seconds)…\n');
  const prefix = wineNode.createWinePrefix(wine);
  try {
    const ticksOf = (processes: ReturnType<typeof wineProcesses>) => [...processes.values()].reduce((sum, p) => sum + p.ticks, 0);
    // A new prefix keeps working for a while after wineboot (services.exe, plugplay, explorer):
    // wait until its processes are quiet (≤ 1 clock tick in 3 s), so that is not charged to a run.
    process.stderr.write('  waiting for the new Wine prefix to go quiet…\n');
    const settleDeadline = Date.now() + 90_000;
    for (let last = ticksOf(wineProcesses(prefix.dir)); ; ) {
      await new Promise((r) => setTimeout(r, 3000));
      const now = ticksOf(wineProcesses(prefix.dir));
      if (now - last <= 1) break;
      if (Date.now() > settleDeadline) {
        process.stderr.write(`  (still ${now - last} ticks per 3 s after 90 s: measuring anyway)\n`);
        break;
      }
      last = now;
    }
    const run = async (mode: 'wine-idle' | 'windows'): Promise<WineReport> => {
      process.stderr.write(`  running ${mode} under Wine…\n`);
      const ackDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-ack-'));
      const child = prefix.runNode(nodeExe, [path.relative(app.dir, path.join(benchDir, 'bench', 'sampler.js')), '--child', mode, '--seconds', String(SECONDS), '--ack-dir', wineNode.winePath(ackDir)], { cwd: app.dir });
      try {
        // Reads /proc when the child says so, then lets it go on (see handshake()).
        const at = async (marker: string, ack: string) => {
          const deadline = Date.now() + (SECONDS + 180) * 1000;
          while (!child.stdout().includes(`${marker}\n`)) {
            if (child.child.exitCode !== null || Date.now() > deadline) throw new Error(`bench child ${mode} under Wine: no ${marker} (exit ${child.child.exitCode}): ${child.stderr()}`);
            await new Promise((r) => setTimeout(r, 10));
          }
          const processes = wineProcesses(prefix.dir);
          fs.writeFileSync(path.join(ackDir, `${ack}.ack`), '');
          return processes;
        };
        const before = await at('measure-start', 'start');
        const after = await at('measure-end', 'end');
        await child.exited;
        const report = JSON.parse(child.stdout().trim().split('\n').at(-1)!) as ChildReport;
        let node = 0;
        let helpers = 0;
        let nodeRssKb = 0;
        const byCommand = new Map<string, number>();
        for (const [pid, now] of after) {
          const used = now.ticks - (before.get(pid)?.ticks ?? 0);
          const name = path.win32.basename(now.command.split(' ')[0] ?? '?');
          byCommand.set(name, (byCommand.get(name) ?? 0) + used);
          if (now.command.includes('node.exe')) {
            node += used;
            nodeRssKb = Math.max(nodeRssKb, now.rssKb);
          } else {
            helpers += used;
          }
        }
        process.stderr.write(`    clock ticks (10 ms) by process: ${[...byCommand].map(([name, t]) => `${name} ${t}`).join(', ')}\n`);
        const ticks = Math.max(1, report.ticks);
        return { ...report, nodeCpuUsPerTick: (node * CLOCK_TICK_US) / ticks, wineCpuUsPerTick: (helpers * CLOCK_TICK_US) / ticks, nodeRssMb: nodeRssKb / 1024 };
      } finally {
        if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
        fs.rmSync(ackDir, { recursive: true, force: true });
      }
    };
    return { idle: await run('wine-idle'), windows: await run('windows') };
  } finally {
    prefix.dispose();
  }
}

async function parent(): Promise<void> {
  if (process.platform !== 'linux') {
    console.log('bench/sampler.ts compares the Linux /proc path with the portable one (and Windows under Wine): run it on Linux.');
    return;
  }
  const script = await transpile();
  console.log(`Sampler benchmark — Node ${process.version}, ${SECONDS} s at 1 Hz per path, each in its own plain-Node process\n`);
  const reports = (['idle', 'linux', 'portable'] as const).map((mode) => {
    process.stderr.write(`  running ${mode}…\n`);
    return runChild(script, mode);
  });
  const [idle, linux, portable] = reports as [ChildReport, ChildReport, ChildReport];
  const wine = WINE ? await runWineChildren(script) : 'not run (--no-wine)';
  const wineIdle = typeof wine === 'string' ? null : wine.idle;
  const windows = typeof wine === 'string' ? null : wine.windows;

  type Column = { title: string; report: ChildReport | null; wine: WineReport | null };
  const columns: Column[] = [
    { title: 'idle node', report: idle, wine: null },
    { title: 'linux /proc', report: linux, wine: null },
    { title: 'portable (si)', report: portable, wine: null },
    { title: 'idle node.exe*', report: wineIdle, wine: wineIdle },
    { title: 'windows native*', report: windows, wine: windows },
  ];
  const linuxOnly = (get: (r: ChildReport) => string) => (c: Column) => (c.report && !c.wine ? get(c.report) : '—');
  const any = (get: (r: ChildReport) => string) => (c: Column) => (c.report ? get(c.report) : '—');
  const wineOnly = (get: (r: WineReport) => string) => (c: Column) => (c.wine ? get(c.wine) : '—');
  const rows: [string, (c: Column) => string][] = [
    ['ticks measured', any((r) => String(r.ticks))],
    ['CPU inside the tick (µs)', any((r) => fmt(r.insideTickUs, 0))],
    ['process CPU per tick (µs, user+sys)', any((r) => fmt(r.cpuUsPerTick, 0))],
    ['  minus idle Node (µs)', linuxOnly((r) => (r.mode === 'idle' ? '—' : fmt(r.cpuUsPerTick - idle.cpuUsPerTick, 0)))],
    ['node.exe CPU per tick, Linux /proc (µs)', wineOnly((r) => fmt(r.nodeCpuUsPerTick, 0))],
    ['  minus idle node.exe (µs)', wineOnly((r) => (r.mode === 'wine-idle' || !wineIdle ? '—' : fmt(r.nodeCpuUsPerTick - wineIdle.nodeCpuUsPerTick, 0)))],
    ["Wine's own processes per tick (µs)", wineOnly((r) => fmt(r.wineCpuUsPerTick, 0))],
    ['  minus idle (µs)', wineOnly((r) => (r.mode === 'wine-idle' || !wineIdle ? '—' : fmt(r.wineCpuUsPerTick - wineIdle.wineCpuUsPerTick, 0)))],
    ['spawned processes\' CPU per tick (µs)', linuxOnly((r) => fmt(r.childCpuUsPerTick, 0))],
    ['CPU incl. children (% of one core)', linuxOnly((r) => fmt(r.cpuPercentOfCore, 3))],
    ['processes spawned per tick (ours)', any((r) => fmt(r.spawnsPerTick, 2))],
    ['forks/s machine-wide (shared box)', linuxOnly((r) => fmt(r.forksPerSecondMachine, 2))],
    ['RSS at end (MB)', (c) => (c.wine ? fmt(c.wine.nodeRssMb) : c.report ? fmt(c.report.rssMb) : '—')],
    ['  anonymous (heap, stacks: ours)', linuxOnly((r) => fmt(r.rssAnonMb))],
    ['  file-backed (node binary pages)', linuxOnly((r) => fmt(r.rssFileMb))],
    ['peak RSS (MB)', linuxOnly((r) => fmt(r.maxRssMb))],
    ['host snapshot (ms, median of 3)', any((r) => fmt(r.hostSnapshotMs))],
    ['  processes spawned per snapshot', any((r) => fmt(r.hostSnapshotSpawns, 0))],
    ['disk reading (ms, median of 3)', any((r) => fmt(r.diskReadMs))],
    ['  processes spawned per reading', any((r) => fmt(r.diskReadSpawns, 0))],
    ['tick alone, tight loop (µs CPU)', linuxOnly((r) => fmt(r.tightLoopUsPerTick, 1))],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const widths = columns.map((c) => Math.max(12, c.title.length + 2));
  console.log(`${''.padEnd(width)}${columns.map((c, i) => c.title.padStart(widths[i]!)).join('')}`);
  for (const [label, get] of rows) console.log(`${label.padEnd(width)}${columns.map((c, i) => get(c).padStart(widths[i]!)).join('')}`);
  const ratio = (portable.insideTickUs ?? 0) / Math.max(1, linux.insideTickUs ?? 1);
  console.log(`\nportable / linux CPU inside the tick: ${ratio.toFixed(1)}×; RSS portable − linux: ${(portable.rssMb - linux.rssMb).toFixed(1)} MB; linux − idle Node: ${(linux.rssMb - idle.rssMb).toFixed(1)} MB`);
  console.log('Spawned processes\' CPU comes from cutime/cstime (10 ms resolution, exited children only).');
  console.log('File-backed RSS is pages of the node binary itself (e.g. the optimizing compiler once code gets hot): shared, reclaimable.');
  if (typeof wine === 'string') {
    console.log(`* windows native under Wine: ${wine}.`);
  } else {
    console.log(
      `* Under Wine, with Windows' node.exe (${process.versions.node.split('.')[0]}) and koffi's Windows binary: the cost is Wine's, not Windows'. Every Win32 call there is a round trip to wineserver and a device process, and /proc is read from outside (10 ms ticks), so compare these two columns with each other, not with Linux's.`,
    );
  }
}

const childIndex = args.indexOf('--child');
if (childIndex >= 0) {
  const report = await child(args[childIndex + 1] as Mode);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
} else {
  await parent();
}
