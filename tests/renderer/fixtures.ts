// Fixture databases for the chart page's browser tests and bench/charts.ts, built with the real
// SampleStore from seeded samples (tests/helpers/random.ts) shaped like a machine's day: a daily
// CPU curve with spikes, memory that breathes, traffic with bursts. Built in the machine zone the
// tests run the agent in (FIXTURE_TZ), since days are local days.
import fs from 'node:fs';
import path from 'node:path';
import { openSampleStore } from '../../src/core/storage/sample-store.js';
import { addDays, dayBounds, formatDay, parseDay } from '../../src/shared/dates.js';
import type { Sample } from '../../src/shared/model.js';
import type { TopMinute } from '../../src/shared/processes.js';
import { quantize } from '../../src/shared/series.js';
import { randomSample, seededRandom, type Iface } from '../helpers/random.js';

export const FIXTURE_TZ = 'Europe/Paris';

export const DAYS = {
  /** 86,400 samples at 1 s, four interfaces (one loopback, one virtual). */
  full: '14-11-2025',
  /** No samples at all, between days that have some. */
  empty: '13-11-2025',
  /** wlan0 appears at 12:00. Samples every 5 s. */
  midday: '12-11-2025',
  /** Europe/Paris leaves summer time: 25 hours, 02:00–03:00 twice. Samples every 10 s. */
  dst: '26-10-2025',
  /** Monday of a whole week of data (every 60 s, eth0 and lo), the week before the full day's. */
  weekStart: '03-11-2025',
} as const;

/** The disks of the full day, read every 60 s: / fills up by 1 GiB over the day, /home stays. */
export const FIXTURE_DISKS = [
  { device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', total: 100 * 1024 ** 3, usedAtStart: 40 * 1024 ** 3, growth: 1024 ** 3 },
  { device: '/dev/sdb1', mountPoint: '/home', fsType: 'xfs', total: 500 * 1024 ** 3, usedAtStart: 300 * 1024 ** 3, growth: 0 },
] as const;

export const FULL_DAY_IFACES: Iface[] = [{ name: 'docker0', virtual: true }, { name: 'eth0' }, { name: 'lo', loopback: true }, { name: 'wlan0' }];
/** When wlan0 starts on the midday fixture: 12:00 local. */
export const MIDDAY_APPEARS_HOUR = 12;

const GiB = 1024 ** 3;

/** The fixture machine's billing: periods from the 1st, a 10 TB quota on eth0 (both directions). */
export const TRAFFIC_SETTINGS = { resetDay: 1, quotas: { eth0: { bytes: 10e12, direction: 'total' } } } as const;

/**
 * The top processes recorded for a minute of the full day: named after the minute's index in the
 * day (build-0 … build-1439), so a test can tell which minute the page shows.
 */
export function fixtureTopMinute(ts: number): TopMinute {
  const i = Math.round((ts - dayBounds(parseDay(DAYS.full)).from) / 60_000);
  return {
    ts,
    windowMs: 60_000,
    byCpu: [0, 1, 2, 3, 4].map((k) => ({ pid: 10_000 + k, name: k === 0 ? `build-${i}` : `worker-${k}`, cpuPercent: 190 - k * 30 - (i % 10), memoryBytes: (k + 1) * 64 * 1024 ** 2 })),
    byMemory: [0, 1, 2, 3, 4].map((k) => ({ pid: 20_000 + k, name: k === 0 ? `db-${i}` : `cache-${k}`, cpuPercent: k, memoryBytes: (5 - k) * GiB + i * 1024 * 1024 })),
  };
}

/** A plausible sample at `ts`; `hour` is the local hour of day (0–25), for the daily shape. */
export function shapedSample(ts: number, hour: number, random: () => number, ifaces: Iface[]): Sample {
  const sample = randomSample(ts, random, { cores: 4, ifaces, nullRate: 0 });
  const day = Math.sin(((hour - 8) / 24) * 2 * Math.PI);
  const spike = random() < 0.002 ? 50 + random() * 45 : 0;
  const cpu = Math.min(100, Math.max(0, 22 + 14 * day + 8 * random() + spike));
  sample.cpu.total = quantize(cpu, 0.1);
  sample.cpu.cores = sample.cpu.cores.map(() => quantize(Math.min(100, cpu * (0.6 + 0.8 * random())), 0.1));
  const used = (6 + 1.5 * day + 0.3 * random()) * GiB;
  sample.memory.total = 16 * GiB;
  sample.memory.used = quantize(used, 1024);
  sample.memory.available = quantize(16 * GiB - used, 1024);
  sample.memory.free = quantize((2 + 0.5 * random()) * GiB, 1024);
  for (const rate of sample.net) {
    const base = rate.loopback ? 2e6 : rate.virtual ? 5e5 : rate.iface === 'wlan0' ? 8e6 : 40e6;
    const burst = random() < 0.01 ? 20 * random() : 1;
    rate.rxBitsPerSecond = quantize(base * (1.2 + day) * (0.5 + random()) * burst, 8);
    // Loopback sends itself what it receives.
    rate.txBitsPerSecond = rate.loopback ? rate.rxBitsPerSecond : quantize(base * 0.3 * (1.2 + day) * (0.5 + random()) * burst, 8);
  }
  return sample;
}

export function daySamples(day: string, stepMs: number, seed: number, ifacesAt: (hour: number) => Iface[]): Sample[] {
  const { from, to } = dayBounds(parseDay(day));
  const random = seededRandom(seed);
  const samples: Sample[] = [];
  for (let ts = from; ts < to; ts += stepMs) {
    const hour = (ts - from) / 3_600_000;
    samples.push(shapedSample(ts, hour, random, ifacesAt(hour)));
  }
  return samples;
}

export interface FixtureOptions {
  /** Leave out the 86,400-sample day (faster to build). */
  skipFullDay?: boolean;
}

/**
 * Writes <dataDir>/vigil.db with the fixture days, and a settings file whose retention keeps them
 * raw (the fixture days are fixed dates: the agent's default 30 days would roll them up at start).
 * Returns the sample count. Run with TZ=FIXTURE_TZ.
 */
export function buildFixtureDatabase(dataDir: string, options: FixtureOptions = {}): number {
  fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ storage: { rawRetentionDays: 3650, minuteRetentionDays: 36500 }, traffic: TRAFFIC_SETTINGS }, null, 2));
  const store = openSampleStore(path.join(dataDir, 'vigil.db'));
  let count = 0;
  try {
    const put = (samples: Sample[]): void => {
      for (let i = 0; i < samples.length; i += 20_000) count += store.insertSamples(samples.slice(i, i + 20_000));
    };
    put(daySamples(DAYS.dst, 10_000, 26, () => [{ name: 'eth0' }, { name: 'lo', loopback: true }]));
    put(daySamples(DAYS.midday, 5_000, 12, (hour) => (hour >= MIDDAY_APPEARS_HOUR ? [{ name: 'eth0' }, { name: 'lo', loopback: true }, { name: 'wlan0' }] : [{ name: 'eth0' }, { name: 'lo', loopback: true }])));
    if (!options.skipFullDay) put(daySamples(DAYS.full, 1_000, 14, () => FULL_DAY_IFACES));
    for (let d = 0; d < 7; d++) put(daySamples(formatDay(addDays(parseDay(DAYS.weekStart), d)), 60_000, 300 + d, () => [{ name: 'eth0' }, { name: 'lo', loopback: true }]));
    const { from, to } = dayBounds(parseDay(DAYS.full));
    for (let ts = from; ts < to && !options.skipFullDay; ts += 60_000) {
      const progress = (ts - from) / (to - from);
      store.insertDiskSample({
        ts,
        disks: FIXTURE_DISKS.map((d) => ({ device: d.device, mountPoint: d.mountPoint, fsType: d.fsType, total: d.total, used: Math.round((d.usedAtStart + d.growth * progress) / 4096) * 4096 })),
      });
      store.insertTopMinute(fixtureTopMinute(ts));
    }
  } finally {
    store.close();
  }
  return count;
}
