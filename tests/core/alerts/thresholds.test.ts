import { describe, expect, it } from 'vitest';
import { ThresholdMonitor } from '../../../src/core/alerts/thresholds.js';
import type { AlertChange, AlertSink } from '../../../src/core/alerts/types.js';
import type { Sample } from '../../../src/shared/model.js';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const MIN = 60_000;

class Sink implements AlertSink {
  readonly changes: AlertChange[] = [];
  report(changes: AlertChange | readonly AlertChange[]): void {
    this.changes.push(...(Array.isArray(changes) ? changes : [changes as AlertChange]));
  }
}

function sample(ts: number, cpu: number, memoryUsedPercent = 10): Sample {
  const total = 16 * 1024 ** 3;
  const used = Math.round((total * memoryUsedPercent) / 100);
  return {
    ts,
    cpu: { total: cpu, cores: [cpu] },
    memory: { total, used, available: total - used, free: total - used, swapTotal: 0, swapUsed: 0 },
    load: null,
    net: [],
  };
}

/** One sample per second from `from` for `seconds`, CPU given by f(second). */
function feed(monitor: ThresholdMonitor, from: number, seconds: number, cpu: (s: number) => number, memory = () => 10): void {
  for (let s = 0; s < seconds; s++) monitor.onSample(sample(from + s * 1000, cpu(s), memory()));
}

describe('ThresholdMonitor', () => {
  it('CPU above X % for Y minutes → one problem; below for Y minutes → one recovery', () => {
    const sink = new Sink();
    const monitor = new ThresholdMonitor('laptop', { cpuPercent: 90, memoryPercent: 0, diskPercent: 0, forMs: 5 * MIN }, sink);
    feed(monitor, T0, 600, () => 95);
    feed(monitor, T0 + 600_000, 600, () => 20);
    expect(sink.changes.map((c) => [c.severity, c.kind, c.title, (c.at - T0) / 1000, (c.since - T0) / 1000])).toEqual([
      ['problem', 'cpu_high', 'CPU on laptop above 90 %', 300, 0],
      ['recovery', 'cpu_ok', 'CPU on laptop back below 90 %', 900, 600],
    ]);
    expect(sink.changes[0]!.details[0]).toContain('now 95.0 %, peak 95.0 %');
  });

  it('spikes shorter than Y minutes and a value hovering around the limit raise nothing', () => {
    const sink = new Sink();
    const monitor = new ThresholdMonitor('laptop', { cpuPercent: 90, memoryPercent: 0, diskPercent: 0, forMs: 5 * MIN }, sink);
    // 4 minutes above, a 1 s dip, 4 minutes above, and so on for an hour.
    feed(monitor, T0, 3600, (s) => (s % 241 === 240 ? 50 : 99));
    expect(sink.changes.filter((c) => c.severity === 'problem')).toEqual([]);
  });

  it('the first confirmed "below" after start is reported as a recovery (closes an incident left open before a restart)', () => {
    const sink = new Sink();
    const monitor = new ThresholdMonitor('laptop', { cpuPercent: 90, memoryPercent: 80, diskPercent: 0, forMs: 1 * MIN }, sink);
    feed(monitor, T0, 120, () => 10);
    expect(sink.changes.map((c) => c.kind)).toEqual(['cpu_ok', 'memory_ok']);
  });

  it('memory and each disk are judged separately; a sampling gap restarts the count', () => {
    const sink = new Sink();
    const monitor = new ThresholdMonitor('srv', { cpuPercent: 0, memoryPercent: 80, diskPercent: 90, forMs: 2 * MIN }, sink);
    feed(monitor, T0, 100, () => 5, () => 85);
    monitor.onGap();
    feed(monitor, T0 + 3600_000, 100, () => 5, () => 85);
    expect(sink.changes).toEqual([]);
    feed(monitor, T0 + 3700_000, 30, () => 5, () => 85);
    expect(sink.changes.map((c) => c.kind)).toEqual(['memory_high']);

    const disk = (ts: number, rootUsed: number) => ({
      ts,
      disks: [
        { device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', total: 100, used: rootUsed },
        { device: '/dev/sdb1', mountPoint: '/data', fsType: 'ext4', total: 100, used: 10 },
      ],
    });
    for (let m = 0; m <= 3; m++) monitor.onDisk(disk(T0 + m * MIN, 95));
    expect(sink.changes.map((c) => `${c.kind}:${c.key}`)).toEqual(['memory_high:memory', 'disk_high:disk:/', 'disk_ok:disk:/data']);
  });

  it("judges a disk by df's Use%, used / (used + available): a full disk with a root reserve is full", () => {
    const sink = new Sink();
    const monitor = new ThresholdMonitor('srv', { cpuPercent: 0, memoryPercent: 0, diskPercent: 95, forMs: 2 * MIN }, sink);
    // 93 % of the size used, 5 % reserved for root, 2 % left for users: df says 98 %.
    const reading = (ts: number) => ({ ts, disks: [{ device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', total: 100, used: 93, free: 7, available: 2 }] });
    for (let m = 0; m <= 3; m++) monitor.onDisk(reading(T0 + m * MIN));
    expect(sink.changes.map((c) => `${c.kind}:${c.key}`)).toEqual(['disk_high:disk:/']);
    expect(sink.changes[0]!.details.join('\n')).toMatch(/97\.9/);
  });
});
