// The Windows reader set run for real: `vigil sample --json` with the Windows build of Node
// (node.exe from the npm registry) and koffi's Windows binary, under Wine, checked against this
// machine's ground truth, which Wine's Windows API reports from the same kernel:
// - loopback traffic from iperf3: the rate on `lo` within ±10 % of /proc/net/dev's delta over the
//   same seconds;
// - CPU: stress-ng pinned to one CPU: that CPU's busy share as /proc/stat says it over the same
//   seconds (Wine maps /proc/stat's user + nice, system and idle to the Windows times);
// - memory: the total exactly, available as Wine computes it (MemFree + Buffers + Cached), swap;
// - the interfaces, the fixed drives (Z: is the Linux root);
// - no process spawned, at start or per tick (a preload records every child_process call);
// - and with koffi's Windows package missing, the portable readers take over and say why.
// One Wine prefix for the file (making one takes tens of seconds). Skipped, with the reason,
// where Wine is missing, except under CI=true, where that is a failure.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SampleLine } from '../../src/agent/commands/sample.js';
import { createWinePrefix, ensureKoffiWin32, ensureWindowsNode, findWine, stageSampleApp, winePath, type StagedApp, type WinePrefix, type WineRun } from '../../scripts/wine-node.js';
import { freePort, hasBinary } from '../helpers/services.js';
import { tempDir } from '../helpers/tmp.js';

const COUNT_SPAWNS = path.resolve('tests/helpers/count-spawns.mjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

let skipReason: string | null = null;
let prefix: WinePrefix | null = null;
let nodeExe = '';
let app: StagedApp;
let appWithoutKoffi: StagedApp;
const started: ChildProcess[] = [];

function unavailable(reason: string): void {
  if (process.env.CI === 'true') throw new Error(`${reason}: the Wine suite must run in CI (.ci/run installs wine64 and fetches node.exe)`);
  skipReason = reason;
}

beforeAll(async () => {
  const wine = findWine();
  if (!wine) return unavailable('wine64 is not installed (Debian: apt-get install wine64)');
  for (const tool of ['iperf3', 'stress-ng']) if (!hasBinary(tool)) return unavailable(`${tool} is not installed`);
  try {
    nodeExe = ensureWindowsNode();
    ensureKoffiWin32();
  } catch (error) {
    return unavailable(`node.exe or koffi's Windows package could not be fetched with npm pack: ${(error as Error).message}`);
  }
  app = await stageSampleApp({ koffiWin32: true, extraFiles: [COUNT_SPAWNS] });
  appWithoutKoffi = await stageSampleApp({ koffiWin32: false, extraFiles: [COUNT_SPAWNS] });
  prefix = createWinePrefix(wine, { timeoutMs: 240_000 });
}, 300_000);

afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  prefix?.dispose();
});

/** `vigil sample ARGS` under Wine, every child process it starts recorded in a file. */
function sampleUnderWine(staged: StagedApp, args: string[]): WineRun & { spawnLog: string } {
  const spawnLog = path.join(tempDir(), 'spawns.log');
  fs.writeFileSync(spawnLog, '');
  const run = prefix!.runNode(nodeExe, ['bin/vigil.js', 'sample', ...args], {
    cwd: staged.dir,
    env: { NODE_OPTIONS: '--import ./count-spawns.mjs', VIGIL_SPAWN_LOG: winePath(spawnLog) },
  });
  started.push(run.child);
  return { ...run, spawnLog };
}

function linesOf(stdout: string): SampleLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as SampleLine);
}

/** stderr without Wine's own notes (it cannot read Z:'s volume label, and says so). */
function vigilStderr(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => line && !line.startsWith('wine:'))
    .join('\n');
}

// ---- ground truth, read by this process at every whole second, as the sampler's slots are ----

interface Truth {
  at: number;
  lo: { rx: number; tx: number };
  interfaces: string[];
  /** Per CPU, what Wine reports for it: busy = user + nice + system, total = busy + idle. */
  cpus: { busy: number; total: number }[];
  memTotal: number;
  winAvailable: number;
  swapTotal: number;
}

function readTruth(): Truth {
  const netDev = fs.readFileSync('/proc/net/dev', 'utf8');
  const interfaces: string[] = [];
  let lo = { rx: 0, tx: 0 };
  for (const line of netDev.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    interfaces.push(name);
    if (name === 'lo') lo = { rx: fields[0]!, tx: fields[8]! };
  }
  const cpus: { busy: number; total: number }[] = [];
  for (const line of fs.readFileSync('/proc/stat', 'utf8').split('\n')) {
    const match = /^cpu(\d+) (\d+) (\d+) (\d+) (\d+)/.exec(line);
    if (!match) continue;
    const [user, nice, system, idle] = match.slice(2).map(Number) as [number, number, number, number];
    cpus[Number(match[1])] = { busy: user + nice + system, total: user + nice + system + idle };
  }
  const meminfo = fs.readFileSync('/proc/meminfo', 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(meminfo)?.[1] ?? 0) * 1024;
  return {
    at: Date.now(),
    lo,
    interfaces: interfaces.sort(),
    cpus,
    memTotal: kib('MemTotal'),
    winAvailable: kib('MemFree') + kib('Buffers') + kib('Cached'),
    swapTotal: kib('SwapTotal'),
  };
}

/** Reads the truth at every whole second until stopped; keyed by the second's boundary (ms). */
function recordTruth(): { bySlot: Map<number, Truth>; stop: () => void } {
  const bySlot = new Map<number, Truth>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const next = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      const truth = readTruth();
      bySlot.set(Math.round(truth.at / 1000) * 1000, truth);
      next();
    }, 1000 - (Date.now() % 1000));
  };
  next();
  return {
    bySlot,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Whether 127.0.0.1:port is in LISTEN state (/proc/net/tcp), without connecting to it. */
function isListening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return fs
    .readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .some((line) => {
      const [, local, , state] = line.trim().split(/\s+/);
      return local === `0100007F:${hexPort}` && state === '0A';
    });
}

function runTool(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function waitForLines(run: WineRun, count: number, timeoutMs: number): Promise<SampleLine[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = linesOf(run.stdout());
    if (lines.length >= count) return lines;
    if (run.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`expected ${count} samples, got ${lines.length} (exit ${run.child.exitCode}); stderr:\n${run.stderr()}`);
    }
    await sleep(100);
  }
}

describe('vigil sample under Wine: the Windows readers against ground truth', () => {
  it('windows native: loopback traffic, CPU, memory, interfaces and drives as the kernel counts them, nothing spawned', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    // A first sample, 8 s of traffic, 7 s of CPU load, with a few seconds of margin.
    const SAMPLES = 22;
    const run = sampleUnderWine(app, ['--json', '--count', String(SAMPLES), '--interval', '1']);
    const truth = recordTruth();
    const iperf = { start: 0, end: 0 };
    let stress = { start: 0, end: 0, target: os.cpus().length - 1, share: 0 };
    try {
      // node.exe starts, takes its baseline, then a first sample: traffic starts after that.
      await waitForLines(run, 1, 90_000);

      const port = await freePort();
      const server = runTool('iperf3', ['-s', '-1', '-B', '127.0.0.1', '-p', String(port)]);
      // Wait for its listening socket without connecting to it (-1 serves one connection).
      for (let i = 0; i < 200 && !isListening(port); i++) await sleep(50);
      iperf.start = Date.now();
      const client = await runTool('iperf3', ['-c', '127.0.0.1', '-p', String(port), '-u', '-b', '200M', '-l', '1400', '-t', '8', '-J']);
      iperf.end = Date.now();
      expect(client.code, client.stderr || client.stdout).toBe(0);
      await server;

      const yaml = path.join(tempDir(), 'stress.yaml');
      stress = { ...stress, start: Date.now() };
      const stressed = await runTool('stress-ng', ['--cpu', '1', '--cpu-load', '100', '--taskset', String(stress.target), '-t', '7s', '--metrics', '--yaml', yaml]);
      stress.end = Date.now();
      expect(stressed.code, stressed.stderr).toBe(0);
      stress.share = Number(/cpu-usage-per-instance:\s*([\d.]+)/.exec(fs.readFileSync(yaml, 'utf8'))![1]);

      await waitForLines(run, SAMPLES, 60_000);
      expect(await run.exited).toBe(0);
    } finally {
      truth.stop();
    }
    const lines = linesOf(run.stdout());
    expect(vigilStderr(run.stderr())).toBe('');

    // The reader set, and what Windows has no figure for.
    for (const line of lines) {
      expect(line.readers).toBe('windows native');
      expect(line.load).toBeNull();
    }

    // Interfaces: this machine's, as the kernel lists them; lo is loopback.
    const anyTruth = [...truth.bySlot.values()][0]!;
    expect(lines[0]!.net.map((n) => n.iface).sort()).toEqual(anyTruth.interfaces);
    expect(lines[0]!.net.find((n) => n.iface === 'lo')).toMatchObject({ loopback: true, virtual: false });

    // Network: bytes received on lo over the whole seconds inside the iperf3 run, as Vigil's rates
    // add up and as /proc/net/dev's counter moved between the same boundaries.
    const slotsOf = (from: number, to: number) => lines.filter((l) => l.ts - 1000 >= from && l.ts <= to && truth.bySlot.has(l.ts) && truth.bySlot.has(l.ts - 1000));
    const traffic = slotsOf(iperf.start + 1000, iperf.end - 1000);
    expect(traffic.length).toBeGreaterThanOrEqual(3);
    const vigilBytes = traffic.reduce((sum, l) => sum + l.net.find((n) => n.iface === 'lo')!.rxBitsPerSecond! / 8, 0);
    const kernelBytes = traffic.reduce((sum, l) => sum + (truth.bySlot.get(l.ts)!.lo.rx - truth.bySlot.get(l.ts - 1000)!.lo.rx), 0);
    expect(kernelBytes).toBeGreaterThan(traffic.length * 5e6);
    expect(Math.abs(vigilBytes - kernelBytes) / kernelBytes).toBeLessThan(0.1);

    // CPU: the pinned CPU's busy share over the stress-ng seconds, as /proc/stat counts it.
    const busySlots = slotsOf(stress.start + 1000, stress.end - 1000);
    expect(busySlots.length).toBeGreaterThanOrEqual(3);
    const share = (l: SampleLine) => {
      const [before, after] = [truth.bySlot.get(l.ts - 1000)!.cpus[stress.target]!, truth.bySlot.get(l.ts)!.cpus[stress.target]!];
      return ((after.busy - before.busy) / Math.max(1, after.total - before.total)) * 100;
    };
    const vigilCpu = mean(busySlots.map((l) => l.cpu.cores[stress.target]!));
    const kernelCpu = mean(busySlots.map(share));
    expect(Math.abs(vigilCpu - kernelCpu)).toBeLessThan(10);
    // At least what stress-ng itself says its worker used there (the CPU may do more besides).
    expect(vigilCpu).toBeGreaterThan(stress.share - 10);
    for (const line of lines) expect(line.cpu.cores).toHaveLength(os.cpus().length);

    // Memory: the total (Wine counts it in whole pages, from sysinfo(2)); available as Wine
    // derives it from /proc/meminfo, read at that moment.
    for (const line of lines) {
      const t = truth.bySlot.get(line.ts) ?? anyTruth;
      expect(Math.abs(line.memory.total - t.memTotal)).toBeLessThan(2 ** 20);
      expect(Math.abs(line.memory.available - t.winAvailable) / t.memTotal).toBeLessThan(0.03);
      expect(Math.abs(line.memory.swapTotal - t.swapTotal)).toBeLessThan(2 ** 20);
    }

    // Drives: Wine's Z: is the Linux root.
    const z = lines[0]!.disks?.find((d) => d.mountPoint === 'Z:');
    const root = fs.statfsSync('/');
    expect(z).toMatchObject({ device: 'Z:', total: root.blocks * root.bsize });

    // Nothing spawned, at start or on any tick.
    expect(fs.readFileSync(run.spawnLog, 'utf8')).toBe('');
  }, 240_000);

  it('koffi missing for this OS: the portable readers take over, the log says why, and they spawn (the check above can fail)', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const run = sampleUnderWine(appWithoutKoffi, ['--json', '--count', '1']);
    expect(await run.exited).toBe(0);
    const [line] = linesOf(run.stdout());
    expect(line).toMatchObject({ readers: 'portable', load: null });
    expect(vigilStderr(run.stderr())).toMatch(
      /WARN +windows native readers unavailable, using the portable readers: koffi did not load \(@koromix\/koffi-win32-x64 missing or unloadable: .+\)/,
    );
    // systeminformation runs PowerShell and friends on Windows.
    expect(fs.readFileSync(run.spawnLog, 'utf8').trim().split('\n').length).toBeGreaterThan(0);
  }, 180_000);

  it("the staged app holds only what vigil sample's import graph reaches; its only native binary is koffi's Windows build", (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    expect(app.packages).toEqual(['@koromix/koffi-win32-x64', 'commander', 'koffi', 'systeminformation']);
    const binaries: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.(node|dll|so|dylib)$/.test(entry.name)) binaries.push(path.relative(app.dir, full));
      }
    };
    walk(app.dir);
    expect(binaries).toEqual([path.join('node_modules', '@koromix', 'koffi-win32-x64', 'win32_x64', 'koffi.node')]);
  });
});
