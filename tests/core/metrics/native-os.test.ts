// The native reader sets on the OS they are for, against that OS's own tools: run by
// .github/workflows/readers.yml on windows-latest and macos-latest (skipped elsewhere; Windows also
// runs under Wine here, in tests/agent/sample-wine.test.ts). Each counter the OS tool prints is
// checked to lie between two of our readings taken around it, so moving counters cannot make the
// check flaky and a wrong offset cannot pass.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SampleLine } from '../../../src/agent/commands/sample.js';
import { createMetricSources } from '../../../src/core/metrics/index.js';
import type { CpuTimes, MetricSources, NetCounter } from '../../../src/core/metrics/types.js';
import { tempDir } from '../../helpers/tmp.js';

const MiB = 2 ** 20;
const COUNT_SPAWNS = path.resolve('tests/helpers/count-spawns.mjs');

function counters(sources: MetricSources): Map<string, NetCounter> {
  return new Map((sources.network.read() as NetCounter[]).map((c) => [c.iface, c]));
}

/**
 * `vigil sample --count 5 --json` on this machine (node bin/vigil.js: Windows cannot run the .js
 * itself), with every child process recorded.
 */
function sampleFive(): { lines: SampleLine[]; spawns: string } {
  const spawnLog = path.join(tempDir(), 'spawns.log');
  fs.writeFileSync(spawnLog, '');
  const result = spawnSync(process.execPath, [path.resolve('bin/vigil.js'), 'sample', '--count', '5', '--json'], {
    encoding: 'utf8',
    timeout: 60_000,
    // --import takes a URL: a Windows path (C:\…) would read as a URL scheme.
    env: { ...process.env, NODE_OPTIONS: `--import ${pathToFileURL(COUNT_SPAWNS).href}`, VIGIL_SPAWN_LOG: spawnLog },
  });
  expect(result.status, result.stderr).toBe(0);
  const lines = result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SampleLine);
  return { lines, spawns: fs.readFileSync(spawnLog, 'utf8') };
}

describe.skipIf(process.platform !== 'win32')('windows native, on Windows', () => {
  const powershell = (command: string) => execFileSync('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', command], { encoding: 'utf8', timeout: 60_000 });

  it('is the reader set chosen here, with load null', async () => {
    const sources = await createMetricSources();
    expect(sources).toMatchObject({ kind: 'windows', name: 'windows native' });
    expect(sources.load.read()).toBeNull();
  });

  it('CPU: one entry per logical CPU, as os.cpus() lists them', async () => {
    const sources = await createMetricSources();
    const times = sources.cpu.read() as CpuTimes;
    expect(times.cores).toHaveLength(os.cpus().length);
    for (const core of times.cores) expect(core!.total).toBeGreaterThan(core!.busy);
  });

  it('memory: the total Windows reports (os.totalmem), available as os.freemem, the page files as Win32_PageFileUsage', async () => {
    const sources = await createMetricSources();
    const memory = await sources.memory.read();
    expect(memory.total).toBe(os.totalmem());
    expect(Math.abs(memory.available - os.freemem()) / memory.total).toBeLessThan(0.02);
    const allocatedMiB = Number(powershell('(Get-CimInstance Win32_PageFileUsage | Measure-Object -Property AllocatedBaseSize -Sum).Sum') || 0);
    expect(Math.abs(memory.swapTotal - allocatedMiB * MiB)).toBeLessThanOrEqual(MiB);
  });

  it('network: every adapter os.networkInterfaces() lists, loopback flagged, byte counters as Get-NetAdapterStatistics reads them', async () => {
    const sources = await createMetricSources();
    const before = counters(sources);
    const stats = JSON.parse(powershell('Get-NetAdapterStatistics | Select-Object Name, ReceivedBytes, SentBytes | ConvertTo-Json -Compress')) as
      | { Name: string; ReceivedBytes: number; SentBytes: number }
      | { Name: string; ReceivedBytes: number; SentBytes: number }[];
    const after = counters(sources);
    for (const name of Object.keys(os.networkInterfaces())) expect([...after.keys()]).toContain(name);
    expect([...after.values()].some((c) => c.loopback)).toBe(true);
    const adapters = Array.isArray(stats) ? stats : [stats];
    expect(adapters.length).toBeGreaterThan(0);
    for (const adapter of adapters) {
      expect(before.get(adapter.Name), adapter.Name).toBeDefined();
      expect(adapter.ReceivedBytes).toBeGreaterThanOrEqual(before.get(adapter.Name)!.rxBytes);
      expect(adapter.ReceivedBytes).toBeLessThanOrEqual(after.get(adapter.Name)!.rxBytes);
      expect(adapter.SentBytes).toBeGreaterThanOrEqual(before.get(adapter.Name)!.txBytes);
      expect(adapter.SentBytes).toBeLessThanOrEqual(after.get(adapter.Name)!.txBytes);
    }
  });

  it('disk: C: with its file system, the size fs.statfs gives', async () => {
    const sources = await createMetricSources();
    const disks = await sources.disk.read();
    const c = disks.find((d) => d.mountPoint === 'C:');
    const st = fs.statfsSync('C:\\');
    expect(c).toMatchObject({ device: 'C:', fsType: 'NTFS', total: st.blocks * st.bsize });
  });

  it('vigil sample --count 5 --json: five windows native samples, no process spawned', async () => {
    const { lines, spawns } = sampleFive();
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatchObject({ readers: 'windows native', load: null });
    expect(spawns).toBe('');
  });
});

describe.skipIf(process.platform !== 'darwin')('macos native, on macOS', () => {
  const run = (command: string, args: string[]) => execFileSync(command, args, { encoding: 'utf8', timeout: 30_000 });

  it('is the reader set chosen here, with a load average', async () => {
    const sources = await createMetricSources();
    expect(sources).toMatchObject({ kind: 'macos', name: 'macos native' });
    expect(sources.load.read()).not.toBeNull();
  });

  it("CPU: per core, the ticks os.cpus() reads from the same call (libuv counts 10 ms a tick)", async () => {
    const sources = await createMetricSources();
    const before = sources.cpu.read() as CpuTimes;
    const cpus = os.cpus();
    const after = sources.cpu.read() as CpuTimes;
    expect(after.cores).toHaveLength(cpus.length);
    cpus.forEach((cpu, i) => {
      const busy = (cpu.times.user + cpu.times.sys + cpu.times.nice) / 10;
      expect(busy).toBeGreaterThanOrEqual(before.cores[i]!.busy);
      expect(busy).toBeLessThanOrEqual(after.cores[i]!.busy);
    });
  });

  it("memory: the total (hw.memsize), used and free as vm_stat's page counts give them, swap as sysctl vm.swapusage", async () => {
    const sources = await createMetricSources();
    const memory = await sources.memory.read();
    expect(memory.total).toBe(os.totalmem());
    const vmStat = run('vm_stat', []);
    const pageSize = Number(/page size of (\d+) bytes/.exec(vmStat)![1]);
    const pages = (label: string) => Number(new RegExp(`^${label}:\\s+(\\d+)\\.`, 'm').exec(vmStat)![1]);
    const used =
      (pages('Pages active') + pages('Pages inactive') + pages('Pages speculative') + pages('Pages wired down') + pages('Pages occupied by compressor') - pages('Pages purgeable') - pages('File-backed pages')) *
      pageSize;
    expect(Math.abs(memory.used - used) / memory.total).toBeLessThan(0.05);
    expect(Math.abs(memory.free - pages('Pages free') * pageSize) / memory.total).toBeLessThan(0.05);
    const swap = /total = ([\d.]+)M/.exec(run('sysctl', ['-n', 'vm.swapusage']))!;
    expect(Math.abs(memory.swapTotal - Number(swap[1]) * MiB)).toBeLessThanOrEqual(MiB);
  });

  it('network: lo0 is loopback, and each interface counts the bytes netstat -ib prints', async () => {
    const sources = await createMetricSources();
    const before = counters(sources);
    const netstat = run('netstat', ['-ibn']);
    const after = counters(sources);
    expect(after.get('lo0')).toMatchObject({ loopback: true, virtual: false });
    // Name Mtu Network Address Ipkts Ierrs Ibytes Opkts Oerrs Obytes Coll, the <Link#n> row of each.
    const rows = netstat.split('\n').filter((line) => /<Link#\d+>/.test(line));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const fields = row.trim().split(/\s+/);
      const name = fields[0]!.replace(/\*$/, '');
      // Without a link-layer address the Address column is empty: count from the right.
      const [ibytes, obytes] = [Number(fields.at(-5)), Number(fields.at(-2))];
      expect(before.get(name), name).toBeDefined();
      expect(ibytes).toBeGreaterThanOrEqual(before.get(name)!.rxBytes);
      expect(ibytes).toBeLessThanOrEqual(after.get(name)!.rxBytes);
      expect(obytes).toBeGreaterThanOrEqual(before.get(name)!.txBytes);
      expect(obytes).toBeLessThanOrEqual(after.get(name)!.txBytes);
    }
  });

  it('disk: / and the data volume, with the sizes fs.statfs gives', async () => {
    const sources = await createMetricSources();
    const disks = await sources.disk.read();
    for (const mountPoint of ['/', '/System/Volumes/Data']) {
      const st = fs.statfsSync(mountPoint);
      expect(disks.find((d) => d.mountPoint === mountPoint), mountPoint).toMatchObject({ fsType: 'apfs', total: st.blocks * st.bsize });
    }
  });

  it('vigil sample --count 5 --json: five macos native samples, no process spawned', async () => {
    const { lines, spawns } = sampleFive();
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line.readers).toBe('macos native');
    expect(spawns).toBe('');
  });
});
