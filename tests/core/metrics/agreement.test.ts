// The portable path (what macOS and Windows run) against the Linux /proc fast path, both on this
// machine at the same moment: they must describe the same machine.
import os from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuUsageComputer } from '../../../src/core/metrics/cpu.js';
import { createMetricSources } from '../../../src/core/metrics/index.js';
import type { CpuTimes, MetricSources, NetCounter } from '../../../src/core/metrics/types.js';

const onLinux = process.platform === 'linux';

describe.skipIf(!onLinux)('Linux fast path and portable path agree on this machine (Linux only)', () => {
  let linux: MetricSources;
  let portable: MetricSources;
  beforeAll(async () => {
    linux = await createMetricSources({ platform: 'linux' });
    portable = await createMetricSources({ platform: 'linux', portable: true });
  });

  it('are the two different implementations', () => {
    expect(linux.kind).toBe('linux');
    expect(portable.kind).toBe('portable');
  });

  it('CPU: same number of CPUs, and the same usage over the same second', async () => {
    const linuxCpu = new CpuUsageComputer();
    const portableCpu = new CpuUsageComputer();
    linuxCpu.update((await linux.cpu.read()) as CpuTimes);
    portableCpu.update(await portable.cpu.read());
    await new Promise((r) => setTimeout(r, 1000));
    const a = linuxCpu.update((await linux.cpu.read()) as CpuTimes)!;
    const b = portableCpu.update(await portable.cpu.read())!;
    expect(a.cores).toHaveLength(os.cpus().length);
    expect(b.cores).toHaveLength(a.cores.length);
    // libuv leaves softirq and steal out of busy and iowait out of idle: a few points apart at most
    expect(Math.abs(a.total - b.total)).toBeLessThan(6);
  });

  it('memory: same total and swap, available within 2 % of total', async () => {
    const a = await linux.memory.read();
    const b = await portable.memory.read();
    expect(b.total).toBe(a.total);
    expect(b.swapTotal).toBe(a.swapTotal);
    expect(Math.abs(a.swapUsed - b.swapUsed)).toBeLessThanOrEqual(0.02 * a.total);
    expect(Math.abs(a.available - b.available)).toBeLessThanOrEqual(0.02 * a.total);
    expect(Math.abs(a.free - b.free)).toBeLessThanOrEqual(0.02 * a.total);
  });

  it('load average: the same', async () => {
    const a = (await linux.load.read())!;
    const b = (await portable.load.read())!;
    expect(Math.abs(a.one - b.one)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(a.fifteen - b.fifteen)).toBeLessThanOrEqual(0.1);
  });

  it('network: the same interfaces (the portable path sees those with an address), flags and counters', async () => {
    const a = (await linux.network.read()) as NetCounter[];
    const b = await portable.network.read();
    const linuxNames = new Set(a.map((c) => c.iface));
    const withAddress = Object.keys(os.networkInterfaces());
    expect(b.map((c) => c.iface).every((n) => linuxNames.has(n))).toBe(true);
    for (const name of withAddress) expect(b.map((c) => c.iface), name).toContain(name);
    for (const c of b) {
      const l = a.find((x) => x.iface === c.iface)!;
      expect(c.loopback, c.iface).toBe(l.loopback);
      expect(c.virtual, c.iface).toBe(l.virtual);
      // read a moment later: never lower, and not far above
      expect(c.rxBytes).toBeGreaterThanOrEqual(l.rxBytes);
      expect(c.rxBytes - l.rxBytes).toBeLessThan(50_000_000);
    }
  });

  it('disk: the root filesystem with the same size', async () => {
    const a = await linux.disk.read();
    const b = await portable.disk.read();
    const ra = a.find((d) => d.mountPoint === '/')!;
    const rb = b.find((d) => d.mountPoint === '/')!;
    expect(rb.device).toBe(ra.device);
    expect(rb.fsType).toBe(ra.fsType);
    expect(Math.abs(rb.total - ra.total)).toBeLessThanOrEqual(0.01 * ra.total);
    expect(Math.abs(rb.used - ra.used)).toBeLessThanOrEqual(0.01 * ra.total);
    // every real filesystem the portable path (df) reports is one the Linux path reports
    for (const d of b) expect(a.map((x) => x.mountPoint), d.mountPoint).toContain(d.mountPoint);
  });

  it('host: same identity, OS, CPU and interface details', async () => {
    const a = await linux.host.snapshot();
    const b = await portable.host.snapshot();
    for (const key of ['hostname', 'user', 'platform', 'kernel', 'arch', 'os'] as const) expect(b[key], key).toBe(a[key]);
    expect(b.cpu.model).toBe(a.cpu.model);
    expect(b.cpu.threads).toBe(a.cpu.threads);
    expect(b.cpu.cores).toBe(a.cpu.cores);
    if (a.cpu.maxFrequencyMhz === null) expect(b.cpu.maxFrequencyMhz).toBeNull();
    else expect(Math.abs(b.cpu.maxFrequencyMhz! - a.cpu.maxFrequencyMhz)).toBeLessThanOrEqual(0.05 * a.cpu.maxFrequencyMhz);
    expect(Math.abs(b.bootTime - a.bootTime)).toBeLessThanOrEqual(2000);
    expect(b.interfaces.length).toBeGreaterThan(0);
    for (const i of b.interfaces) {
      const l = a.interfaces.find((x) => x.name === i.name);
      expect(l, i.name).toBeDefined();
      expect(i).toEqual(l);
    }
  });
});
