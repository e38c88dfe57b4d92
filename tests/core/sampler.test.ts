import { afterEach, describe, expect, it } from 'vitest';
import type { CpuTimes, MetricSources, NetCounter } from '../../src/core/metrics/types.js';
import type { Logger } from '../../src/core/log.js';
import { Sampler, type GapEvent } from '../../src/core/sampler.js';
import type { DiskSample, HostRecord, HostSnapshot, Sample } from '../../src/shared/model.js';
import { VigilError } from '../../src/shared/errors.js';
import { FakeClock } from '../helpers/fake-clock.js';

// A scripted machine behind the MetricSources interface: counters integrate a configurable load
// and traffic over the fake monotonic clock, so expected rates are known exactly.
class FakeMachine {
  cpuShare = 0.25; // busy share of each of 2 CPUs
  private busy = 0;
  private total = 0;
  private lastMono: number;
  /** bytes per second, per interface */
  rates = new Map<string, number>([
    ['eth0', 1000],
    ['lo', 500],
  ]);
  counters = new Map<string, number>([
    ['eth0', 0],
    ['lo', 0],
  ]);
  networkDelayMs = 0;
  diskDelayMs = 0;
  failing = new Set<'cpu' | 'memory' | 'load' | 'network' | 'disk' | 'host'>();
  hostname = 'box';
  hostExtra = '';
  readSpendMs = 0;
  calls = { network: 0, disk: 0, snapshot: 0, fingerprint: 0, refresh: 0 };
  concurrent = { network: 0, maxNetwork: 0, disk: 0, maxDisk: 0 };

  constructor(private readonly clock: FakeClock) {
    this.lastMono = clock.monotonic();
  }

  /** Advance the counters to the current monotonic time. */
  private integrate(): void {
    const now = this.clock.monotonic();
    const dt = now - this.lastMono;
    this.lastMono = now;
    this.busy += (this.cpuShare * dt) / 10; // 10 ms ticks
    this.total += dt / 10;
    for (const [iface, bytesPerSecond] of this.rates) this.counters.set(iface, (this.counters.get(iface) ?? 0) + (bytesPerSecond * dt) / 1000);
  }

  private cpuTimes(): CpuTimes {
    this.integrate();
    const core = { busy: Math.round(this.busy), total: Math.round(this.total) };
    return { total: { busy: core.busy * 2, total: core.total * 2 }, cores: [core, { ...core }] };
  }

  private netCounters(): NetCounter[] {
    this.integrate();
    return [...this.counters].map(([iface, bytes]) => ({
      iface,
      rxBytes: Math.round(bytes),
      txBytes: Math.round(bytes / 2),
      loopback: iface === 'lo',
      virtual: false,
      linkSpeedMbps: null,
    }));
  }

  private after<T>(ms: number, value: () => T): Promise<T> {
    return new Promise((resolve, reject) =>
      this.clock.setTimeout(() => {
        try {
          resolve(value());
        } catch (error) {
          reject(error);
        }
      }, ms),
    );
  }

  private check(name: 'cpu' | 'memory' | 'load' | 'network' | 'disk' | 'host'): void {
    if (this.failing.has(name)) throw new Error(`${name} is unreadable`);
  }

  snapshot(): HostSnapshot {
    return {
      hostname: this.hostname,
      user: 'u',
      platform: 'linux',
      os: 'Test OS',
      kernel: '1.0',
      arch: 'x64',
      bootTime: 0,
      cpu: { model: `cpu${this.hostExtra}`, cores: 2, threads: 2, maxFrequencyMhz: null },
      interfaces: [...this.counters.keys()].sort().map((name) => ({ name, mtu: 1500, mac: null, ipv4: [], ipv6: [], loopback: name === 'lo', virtual: false })),
    };
  }

  sources(): MetricSources {
    return {
      kind: 'linux',
      name: 'fake',
      platform: 'linux',
      cpu: {
        read: () => {
          this.check('cpu');
          this.clock.spend(this.readSpendMs);
          return this.cpuTimes();
        },
      },
      memory: {
        read: () => {
          this.check('memory');
          return { total: 8192, used: 4096, available: 4096, free: 1024, swapTotal: 0, swapUsed: 0 };
        },
      },
      load: {
        read: () => {
          this.check('load');
          return { one: 0.5, five: 0.25, fifteen: 0.1 };
        },
      },
      network: {
        read: () => {
          this.calls.network++;
          if (this.networkDelayMs === 0) {
            this.check('network');
            return this.netCounters();
          }
          this.concurrent.network++;
          this.concurrent.maxNetwork = Math.max(this.concurrent.maxNetwork, this.concurrent.network);
          return this.after(this.networkDelayMs, () => {
            this.concurrent.network--;
            this.check('network');
            return this.netCounters();
          });
        },
      },
      disk: {
        read: () => {
          this.calls.disk++;
          this.check('disk');
          const disks = [{ device: '/dev/x', mountPoint: '/', fsType: 'ext4', total: 100, used: 50 }];
          if (this.diskDelayMs === 0) return disks;
          this.concurrent.disk++;
          this.concurrent.maxDisk = Math.max(this.concurrent.maxDisk, this.concurrent.disk);
          return this.after(this.diskDelayMs, () => {
            this.concurrent.disk--;
            return disks;
          });
        },
      },
      host: {
        fingerprint: () => {
          this.calls.fingerprint++;
          return `${this.hostname}|${[...this.counters.keys()].join(',')}`;
        },
        snapshot: async () => {
          this.calls.snapshot++;
          this.check('host');
          return this.snapshot();
        },
      },
      refresh: async () => {
        this.calls.refresh++;
      },
    };
  }
}

interface Recorded {
  samples: Sample[];
  disks: DiskSample[];
  hosts: HostRecord[];
  gaps: GapEvent[];
  errors: Error[];
}

function record(sampler: Sampler, withErrorListener = true): Recorded {
  const r: Recorded = { samples: [], disks: [], hosts: [], gaps: [], errors: [] };
  sampler.on('sample', (s) => r.samples.push(s));
  sampler.on('disk', (d) => r.disks.push(d));
  sampler.on('host', (h) => r.hosts.push(h));
  sampler.on('gap', (g) => r.gaps.push(g));
  if (withErrorListener) sampler.on('error', (e) => r.errors.push(e));
  return r;
}

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message}${fields?.error instanceof Error ? `: ${fields.error.message}` : ''}`);
  };
  return { lines, error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), setLevel() {}, close() {} };
}

const T0 = Date.UTC(2026, 2, 14, 12, 0, 0, 300); // a wall clock 300 ms past a whole second

let running: { sampler: Sampler; clock: FakeClock }[] = [];
afterEach(async () => {
  // stop() waits for readers in flight, which wait on the fake clock: keep it moving.
  await Promise.all(
    running.map(async ({ sampler, clock }) => {
      const stopping = sampler.stop();
      await clock.advance(10_000);
      await stopping;
    }),
  );
  running = [];
});

function setup(
  options: {
    intervalMs?: number;
    wall?: number;
    latency?: (n: number) => number;
    diskIntervalMs?: number;
    hostCheckIntervalMs?: number;
    errorListener?: boolean;
    resumeAfter?: { sampleTs: number | null; diskTs: number | null };
  } = {},
) {
  const clock = new FakeClock({ wall: options.wall ?? T0, ...(options.latency ? { latency: options.latency } : {}) });
  const machine = new FakeMachine(clock);
  const logger = memoryLogger();
  const sampler = new Sampler({
    intervalMs: options.intervalMs ?? 1000,
    diskIntervalMs: options.diskIntervalMs ?? 60_000,
    hostCheckIntervalMs: options.hostCheckIntervalMs ?? 60_000,
    sources: machine.sources(),
    clock,
    logger,
    resumeAfter: options.resumeAfter,
  });
  running.push({ sampler, clock });
  const rec = record(sampler, options.errorListener ?? true);
  return { clock, machine, sampler, rec, logger };
}

const tsOf = (samples: Sample[]) => samples.map((s) => s.ts);

describe('Sampler: options', () => {
  it('accepts 1 s to 3600 s and rejects anything else with invalid_argument', () => {
    const sources = new FakeMachine(new FakeClock()).sources();
    for (const bad of [999, 3_600_001, 0, -1000, 1500.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new Sampler({ intervalMs: bad, sources }), String(bad)).toThrow(VigilError);
      try {
        new Sampler({ intervalMs: bad, sources });
      } catch (error) {
        expect((error as VigilError).code).toBe('invalid_argument');
      }
    }
    expect(new Sampler({ intervalMs: 1000, sources }).intervalMs).toBe(1000);
    expect(new Sampler({ intervalMs: 3_600_000, sources }).intervalMs).toBe(3_600_000);
    const sampler = new Sampler({ intervalMs: 1000, sources });
    expect(() => sampler.setIntervalMs(500)).toThrow(VigilError);
    expect(sampler.intervalMs).toBe(1000);
    expect(() => new Sampler({ intervalMs: 1000, diskIntervalMs: 10, sources })).toThrow(VigilError);
  });
});

describe('Sampler: ticks', () => {
  it('1 s interval: ticks on whole seconds; the first is a baseline; rates and CPU from the counters', async () => {
    const { clock, sampler, rec } = setup();
    sampler.start();
    await clock.advance(700); // 12:00:01.000 → baseline, nothing emitted
    expect(rec.samples).toEqual([]);
    await clock.advance(5000);
    expect(tsOf(rec.samples)).toEqual([2, 3, 4, 5, 6].map((s) => Date.UTC(2026, 2, 14, 12, 0, s)));
    const sample = rec.samples[0]!;
    expect(sample.cpu).toEqual({ total: 25, cores: [25, 25] });
    expect(sample.net).toEqual([
      { iface: 'eth0', rxBitsPerSecond: 8000, txBitsPerSecond: 4000, loopback: false, virtual: false },
      { iface: 'lo', rxBitsPerSecond: 4000, txBitsPerSecond: 2000, loopback: true, virtual: false },
    ]);
    expect(sample.load).toEqual({ one: 0.5, five: 0.25, fifteen: 0.1 });
    expect(sample.memory.total).toBe(8192);
  });

  it('60 s interval: ticks on whole minutes', async () => {
    const { clock, sampler, rec } = setup({ intervalMs: 60_000, wall: Date.UTC(2026, 2, 14, 12, 0, 17, 250) });
    sampler.start();
    await clock.advance(5 * 60_000);
    expect(tsOf(rec.samples)).toEqual([2, 3, 4, 5].map((m) => Date.UTC(2026, 2, 14, 12, m, 0)));
    expect(rec.samples[0]!.net[0]!.rxBitsPerSecond).toBe(8000);
  });

  it('does not drift over many ticks, even with late timers and readers that take time', async () => {
    // Timers fire 0–40 ms late and each tick spends 5 ms reading: chained 1 s timeouts would
    // drift by ~25 ms a tick (25 s over 1000 ticks).
    const { clock, machine, sampler, rec } = setup({ latency: (n) => (n * 7919) % 41 });
    machine.readSpendMs = 5;
    sampler.start();
    await clock.advance(1000 * 1000);
    const ts = tsOf(rec.samples);
    expect(ts.length).toBeGreaterThanOrEqual(998);
    for (let i = 1; i < ts.length; i++) expect(ts[i]! - ts[i - 1]!).toBe(1000);
    expect(ts.every((t) => t % 1000 === 0)).toBe(true);
    // real elapsed time is used for rates: jitter does not show up in them
    expect(new Set(rec.samples.map((s) => s.net[0]!.rxBitsPerSecond))).toEqual(new Set([8000]));
    // the timeouts were computed from the wall clock, not a constant 1000
    expect(new Set(clock.requested.slice(2, 50)).size).toBeGreaterThan(5);
  });

  it('never overlaps: a slow asynchronous reader makes it skip slots instead of bursting', async () => {
    const { clock, machine, sampler, rec } = setup();
    machine.networkDelayMs = 1500;
    sampler.start();
    await clock.advance(20_000);
    expect(machine.concurrent.maxNetwork).toBe(1);
    const ts = tsOf(rec.samples);
    expect(ts.length).toBeGreaterThan(5);
    for (let i = 1; i < ts.length; i++) expect(ts[i]! - ts[i - 1]!).toBe(2000); // every other slot
    // rates over the real 2 s between readings, not the 1 s interval
    expect(rec.samples.every((s) => s.net.find((n) => n.iface === 'eth0')!.rxBitsPerSecond === 8000)).toBe(true);
    expect(rec.gaps).toEqual([]);
  });

  it('a wall clock set backwards never produces a ts at or before the last one', async () => {
    const { clock, sampler, rec, logger } = setup();
    sampler.start();
    await clock.advance(5500);
    const before = tsOf(rec.samples);
    expect(before).toHaveLength(4);
    clock.jumpWall(-10_000);
    await clock.advance(20_000);
    const ts = tsOf(rec.samples);
    for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThan(ts[i - 1]!);
    expect(ts.length).toBeGreaterThan(before.length + 5); // sampling resumed once the clock passed the last sample
    expect(logger.lines.some((l) => /^warn wall clock is \d+ s behind the last sample/.test(l))).toBe(true);
    expect(rec.gaps).toHaveLength(1);
    expect(rec.gaps[0]!.reason).toMatch(/set back/);
    expect(rec.gaps[0]!.from).toBe(before.at(-1));
  });

  it('after a restart behind the stored samples (resumeAfter), waits like within a run, and says how far behind', async () => {
    // The newest stored sample is 30 s ahead of the clock (T0 = 12:00:00.300; the first tick, at
    // 12:00:01, finds it 29 s behind); the newest disk sample is 12:00:00.
    const stored = Date.UTC(2026, 2, 14, 12, 0, 30);
    const storedDisk = Date.UTC(2026, 2, 14, 12, 0, 0);
    const { clock, sampler, rec, logger } = setup({ resumeAfter: { sampleTs: stored, diskTs: storedDisk } });
    sampler.start();
    await clock.advance(29_000);
    expect(rec.samples).toEqual([]);
    expect(logger.lines.filter((l) => l.startsWith('warn wall clock'))).toEqual([expect.stringMatching(/^warn wall clock is 29 s behind the last sample; no sample until it passes it/)]);
    await clock.advance(36_000); // to 12:01:05.300
    const ts = tsOf(rec.samples);
    // 12:00:31 is the new baseline; from 12:00:32 on, every second, all after what was stored.
    expect(ts[0]).toBe(stored + 2000);
    expect(ts).toHaveLength(34);
    for (let i = 1; i < ts.length; i++) expect(ts[i]! - ts[i - 1]!).toBe(1000);
    // The disk reading at start (slot 12:00:00, already stored) is dropped; the next one is new.
    expect(rec.disks.map((d) => d.ts)).toEqual([Date.UTC(2026, 2, 14, 12, 1, 0)]);
    expect(logger.lines.some((l) => l.startsWith('info wall clock passed the last sample again'))).toBe(true);
  });

  it('after a long stop (debugger, SIGSTOP) takes a new baseline and emits a gap instead of an averaged rate', async () => {
    const { clock, machine, sampler, rec } = setup();
    sampler.start();
    await clock.advance(3700); // samples at :02 :03 :04
    const last = rec.samples.at(-1)!.ts;
    machine.counters.set('eth0', machine.counters.get('eth0')! + 50_000_000); // a burst while we were stopped
    await clock.stall(30_000);
    await clock.advance(3000);
    expect(rec.gaps).toHaveLength(1);
    expect(rec.gaps[0]).toMatchObject({ from: last });
    expect(rec.gaps[0]!.reason).toMatch(/no reading for 30/);
    const after = rec.samples.filter((s) => s.ts > last);
    expect(after[0]!.ts).toBe(rec.gaps[0]!.to + 1000); // the gap tick itself is a baseline
    expect(after.every((s) => s.net[0]!.rxBitsPerSecond === 8000)).toBe(true);
  });

  it('a suspend (wall clock moves, monotonic does not) or a forward clock jump is a gap too', async () => {
    const { clock, sampler, rec } = setup();
    sampler.start();
    await clock.advance(3700);
    const last = rec.samples.at(-1)!.ts;
    clock.suspend(3_600_000);
    await clock.advance(3000);
    expect(rec.gaps).toHaveLength(1);
    expect(rec.gaps[0]!.reason).toMatch(/jumped 3600 s forward/);
    expect(rec.gaps[0]!.to - last).toBeGreaterThan(3_600_000);
    expect(tsOf(rec.samples).filter((t) => t > last)).toEqual([rec.gaps[0]!.to + 1000, rec.gaps[0]!.to + 2000]);
  });

  it('a slightly late tick (one skipped slot) is not a gap', async () => {
    const { clock, machine, sampler, rec } = setup();
    sampler.start();
    await clock.advance(2700);
    machine.readSpendMs = 1200; // the next reading overruns its slot
    await clock.advance(1000);
    machine.readSpendMs = 0;
    await clock.advance(3000);
    expect(rec.gaps).toEqual([]);
    const ts = tsOf(rec.samples);
    expect(ts.slice(1).map((t, i) => t - ts[i]!)).toContain(2000);
  });

  it('pause() stops ticking; resume() starts from a fresh baseline and reports the pause as a gap', async () => {
    const { clock, sampler, rec } = setup();
    sampler.start();
    await clock.advance(3700);
    const count = rec.samples.length;
    sampler.pause();
    expect(sampler.paused).toBe(true);
    expect(clock.pending).toBe(0);
    await clock.advance(10_000);
    expect(rec.samples).toHaveLength(count);
    sampler.resume();
    expect(sampler.paused).toBe(false);
    await clock.advance(1000); // baseline
    expect(rec.samples).toHaveLength(count);
    expect(rec.gaps).toEqual([{ from: rec.samples.at(-1)!.ts, to: rec.samples.at(-1)!.ts + 11_000, reason: 'sampling was paused' }]);
    await clock.advance(2000);
    expect(rec.samples).toHaveLength(count + 2);
  });

  it('changes the interval live, aligned to the new boundaries', async () => {
    const { clock, sampler, rec } = setup();
    sampler.start();
    await clock.advance(3700); // :02 :03 :04
    sampler.setIntervalMs(5000);
    expect(sampler.intervalMs).toBe(5000);
    await clock.advance(16_000);
    const ts = tsOf(rec.samples).map((t) => (t - Date.UTC(2026, 2, 14, 12, 0, 0)) / 1000);
    expect(ts).toEqual([2, 3, 4, 5, 10, 15, 20]);
    expect(rec.samples.at(-1)!.net[0]!.rxBitsPerSecond).toBe(8000);
    sampler.setIntervalMs(1000);
    await clock.advance(2000);
    expect(tsOf(rec.samples).length).toBe(9);
    expect(rec.gaps).toEqual([]);
  });

  it('a throwing reader is logged once and skipped; sampling goes on', async () => {
    const { clock, machine, sampler, rec, logger } = setup();
    machine.failing.add('load');
    sampler.start();
    await clock.advance(3700);
    expect(rec.samples).toHaveLength(3);
    expect(rec.samples.every((s) => s.load === null)).toBe(true);
    expect(logger.lines.filter((l) => l.startsWith('warn load reader failed'))).toHaveLength(1);
    expect(rec.errors.map((e) => e.message)).toEqual(['load is unreadable']);

    machine.failing.add('cpu'); // no CPU, no sample
    await clock.advance(2000);
    expect(rec.samples).toHaveLength(3);
    machine.failing.delete('cpu');
    machine.failing.delete('load');
    await clock.advance(3000);
    expect(rec.samples.length).toBeGreaterThanOrEqual(5);
    expect(rec.samples.at(-1)!.load).not.toBeNull();
    expect(logger.lines).toContain('info cpu reader recovered');

    machine.failing.add('network');
    await clock.advance(1000);
    expect(rec.samples.at(-1)!.net).toEqual([]);
  });

  it('a throwing reader does not crash the sampler when nobody listens to error, nor does a throwing listener', async () => {
    const { clock, machine, sampler, rec } = setup({ errorListener: false });
    machine.failing.add('memory');
    let thrown = 0;
    sampler.on('sample', () => {
      thrown++;
      throw new Error('listener bug');
    });
    sampler.start();
    await clock.advance(3700);
    expect(rec.samples).toHaveLength(0);
    machine.failing.delete('memory');
    await clock.advance(3000);
    expect(rec.samples).toHaveLength(3);
    expect(thrown).toBe(3);
  });

  it('stop() waits for the tick in flight, then nothing more happens', async () => {
    const { clock, machine, sampler, rec } = setup();
    machine.networkDelayMs = 500;
    sampler.start();
    await clock.advance(2800); // a reading is in flight
    let stopped = false;
    const stopping = sampler.stop().then(() => (stopped = true));
    await clock.advance(100);
    expect(stopped).toBe(false);
    await clock.advance(500);
    await stopping;
    expect(stopped).toBe(true);
    const count = rec.samples.length;
    await clock.advance(10_000);
    expect(rec.samples).toHaveLength(count);
    expect(clock.pending).toBe(0);
  });
});

describe('Sampler: disk and host', () => {
  it('reads disks at start and then on whole minutes, never two at once', async () => {
    const { clock, machine, sampler, rec } = setup({ wall: Date.UTC(2026, 2, 14, 12, 0, 17, 250) });
    sampler.start();
    await clock.advance(180_000);
    expect(rec.disks.map((d) => (d.ts - Date.UTC(2026, 2, 14, 12, 0, 0)) / 1000)).toEqual([17, 60, 120, 180]);
    expect(rec.disks[0]!.disks[0]).toMatchObject({ mountPoint: '/' });

    // a disk read slower than its interval: no overlap, the missed minute is skipped, ticks go on
    machine.diskDelayMs = 90_000;
    const samplesBefore = rec.samples.length;
    await clock.advance(300_000);
    expect(machine.concurrent.maxDisk).toBe(1);
    const minutes = rec.disks.map((d) => (d.ts - Date.UTC(2026, 2, 14, 12, 0, 0)) / 60_000).slice(3);
    // 12:04 starts, ends 12:05:30 → 12:05 skipped; 12:06 ends 12:07:30 → 12:07 skipped
    expect(minutes).toEqual([3, 4, 6]);
    expect(rec.samples.length - samplesBefore).toBeGreaterThanOrEqual(299);
  });

  it('emits the host snapshot at start and only when it changes', async () => {
    const { clock, machine, sampler, rec } = setup({ hostCheckIntervalMs: 10_000 });
    sampler.start();
    await clock.advance(100);
    expect(rec.hosts).toHaveLength(1);
    expect(rec.hosts[0]!.host.hostname).toBe('box');
    await clock.advance(60_000);
    expect(rec.hosts).toHaveLength(1);
    expect(machine.calls.snapshot).toBe(1); // fingerprint unchanged: no snapshot taken
    expect(machine.calls.fingerprint).toBeGreaterThanOrEqual(6);

    machine.hostname = 'renamed';
    await clock.advance(10_000);
    expect(rec.hosts.map((h) => h.host.hostname)).toEqual(['box', 'renamed']);

    // an interface appears in the network counters: a snapshot right away, not at the next check
    const snapshots = machine.calls.snapshot;
    machine.counters.set('tmp0', 0);
    machine.rates.set('tmp0', 0);
    await clock.advance(1000);
    expect(machine.calls.snapshot).toBe(snapshots + 1);
    expect(rec.hosts).toHaveLength(3);
    expect(rec.hosts[2]!.host.interfaces.map((i) => i.name)).toContain('tmp0');
  });

  it('a host snapshot identical to the previous one is not emitted again', async () => {
    const { clock, machine, sampler, rec } = setup({ hostCheckIntervalMs: 10_000 });
    sampler.start();
    await clock.advance(100);
    machine.hostname = 'other';
    const real = machine.snapshot.bind(machine);
    machine.snapshot = () => ({ ...real(), hostname: 'box' }); // the snapshot does not see the change
    await clock.advance(10_000);
    expect(machine.calls.snapshot).toBe(2);
    expect(rec.hosts).toHaveLength(1);
  });

  it('refreshes the slow values (portable swap) on the host-check cadence, not on ticks', async () => {
    const { clock, machine, sampler } = setup({ hostCheckIntervalMs: 30_000 });
    sampler.start();
    await clock.advance(95_000);
    expect(machine.calls.refresh).toBe(3);
  });

  it('after stop() and start() the host is reported again even if unchanged', async () => {
    const { clock, sampler, rec } = setup();
    sampler.start();
    await clock.advance(100);
    const stopping = sampler.stop();
    await clock.advance(100);
    await stopping;
    sampler.start();
    await clock.advance(3000);
    expect(rec.hosts).toHaveLength(2);
    expect(rec.samples).toHaveLength(2); // a fresh baseline after the restart
  });

  it('a failing host snapshot is retried on the next check', async () => {
    const { clock, machine, sampler, rec } = setup({ hostCheckIntervalMs: 10_000 });
    machine.failing.add('host');
    sampler.start();
    await clock.advance(100);
    expect(rec.hosts).toHaveLength(0);
    machine.failing.delete('host');
    await clock.advance(10_000);
    expect(rec.hosts).toHaveLength(1);
  });
});
