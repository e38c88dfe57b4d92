// Traffic fixtures made the way the agent makes samples: /proc/net/dev texts read by the real Linux
// reader (createLinuxNetworkReader on a temporary root) and turned into rates by the real
// NetRateTracker, so a counter reset (a reboot) goes through the code that must keep it from
// becoming a fake spike. The other metrics are seeded random values.
import fs from 'node:fs';
import path from 'node:path';
import { NetRateTracker, createLinuxNetworkReader } from '../../../src/core/metrics/network.js';
import type { NetCounter } from '../../../src/core/metrics/types.js';
import type { Sample } from '../../../src/shared/model.js';
import { randomSample, seededRandom } from '../../helpers/random.js';
import { tempDir } from '../../helpers/tmp.js';

export interface TrafficFixture {
  samples: Sample[];
  /** Bytes the counters really moved between two readings that both counted (what rates can see). */
  counted: Map<string, { rx: number; tx: number }>;
  /** The largest per-tick rate the fixture really had, bit/s. */
  truePeak: number;
}

export interface Segment {
  /** First reading (a baseline: no rates), unix ms. */
  from: number;
  /** Readings every stepMs until (excluded). */
  to: number;
  /** Counters start here for this segment: 0 after a reboot, or where the previous one ended. */
  restartCounters: boolean;
}

/**
 * Samples every `stepMs` over the segments. Between segments the agent was down (a new tracker:
 * the first reading is a baseline); with restartCounters the machine rebooted and its counters
 * start again from near zero.
 */
export function trafficFixture(segments: Segment[], stepMs: number, seed: number): TrafficFixture {
  const root = tempDir('vigil-traffic-');
  fs.mkdirSync(path.join(root, 'proc/net'), { recursive: true });
  fs.mkdirSync(path.join(root, 'sys/class/net'), { recursive: true });
  const devFile = path.join(root, 'proc/net/dev');
  const random = seededRandom(seed);
  const counters = { eth0: { rx: 5e9, tx: 1e9 }, lo: { rx: 2e8, tx: 2e8 } };
  const samples: Sample[] = [];
  const counted = new Map<string, { rx: number; tx: number }>([
    ['eth0', { rx: 0, tx: 0 }],
    ['lo', { rx: 0, tx: 0 }],
  ]);
  let truePeak = 0;
  for (const segment of segments) {
    if (segment.restartCounters) {
      counters.eth0 = { rx: 1000, tx: 500 };
      counters.lo = { rx: 100, tx: 100 };
    }
    const reader = createLinuxNetworkReader(root);
    const tracker = new NetRateTracker();
    let first = true;
    for (let ts = segment.from; ts < segment.to; ts += stepMs) {
      if (!first) {
        // What moved during this tick: bursts now and then, like real traffic.
        const burst = random() < 0.02 ? 40 : 1;
        const eth0Rx = Math.floor(random() * 2e6 * burst) * (stepMs / 1000);
        const eth0Tx = Math.floor(random() * 4e5 * burst) * (stepMs / 1000);
        const lo = Math.floor(random() * 1e5) * (stepMs / 1000);
        counters.eth0.rx += eth0Rx;
        counters.eth0.tx += eth0Tx;
        counters.lo.rx += lo;
        counters.lo.tx += lo;
        counted.get('eth0')!.rx += eth0Rx;
        counted.get('eth0')!.tx += eth0Tx;
        counted.get('lo')!.rx += lo;
        counted.get('lo')!.tx += lo;
        truePeak = Math.max(truePeak, (eth0Rx * 8) / (stepMs / 1000));
      }
      fs.writeFileSync(devFile, procNetDev(counters));
      // The Linux reader answers at once (a NetworkReader may be asynchronous elsewhere).
      const rates = tracker.update(reader.read() as NetCounter[], ts);
      first = false;
      const sample = randomSample(ts, random, { ifaces: [] });
      sample.net = rates;
      samples.push(sample);
    }
  }
  fs.rmSync(root, { recursive: true, force: true });
  return { samples, counted, truePeak };
}

function procNetDev(counters: Record<'eth0' | 'lo', { rx: number; tx: number }>): string {
  const line = (name: string, c: { rx: number; tx: number }) => `${name.padStart(6)}: ${c.rx} 1 0 0 0 0 0 0 ${c.tx} 1 0 0 0 0 0 0`;
  return ['Inter-|   Receive                                                |  Transmit', ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed', line('eth0', counters.eth0), line('lo', counters.lo), ''].join('\n');
}

/** Σ rate × step over the samples in [from, to), in bytes: "the sum of the samples". */
export function sumOfSamples(samples: readonly Sample[], from: number, to: number, stepMs: number): Map<string, { rx: number; tx: number }> {
  const out = new Map<string, { rx: number; tx: number }>();
  for (const s of samples) {
    if (s.ts < from || s.ts >= to) continue;
    for (const rate of s.net) {
      const entry = out.get(rate.iface) ?? { rx: 0, tx: 0 };
      entry.rx += ((rate.rxBitsPerSecond ?? 0) * stepMs) / 1000 / 8;
      entry.tx += ((rate.txBitsPerSecond ?? 0) * stepMs) / 1000 / 8;
      out.set(rate.iface, entry);
    }
  }
  return out;
}

/** Samples with eth0 and lo rates drawn directly (no counters): many days, fast. */
export function rateSamples(from: number, to: number, stepMs: number, seed: number): Sample[] {
  const random = seededRandom(seed);
  const samples: Sample[] = [];
  for (let ts = from; ts < to; ts += stepMs) samples.push(randomSample(ts, random, { ifaces: [{ name: 'eth0' }, { name: 'lo', loopback: true }], nullRate: 0.01 }));
  return samples;
}
