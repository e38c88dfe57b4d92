// Seeded test data shared by tests and benchmarks: realistic-looking, quantized samples from a
// tiny PRNG, so a failing case (or a benchmark figure) reproduces run after run.
import type { NetRate, Sample } from '../../src/shared/model.js';
import { compareNames, quantize } from '../../src/shared/series.js';

/** mulberry32. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Iface {
  name: string;
  loopback?: boolean;
  virtual?: boolean;
}

export interface SampleShape {
  cores?: number;
  ifaces?: Iface[];
  /** Probability that a net value is null (a baseline tick, a counter reset). */
  nullRate?: number;
  load?: boolean;
}

/** Random quantized values over wide ranges (bitrates up to ~100 Gbit/s), some nulls. */
export function randomSample(ts: number, random: () => number, shape: SampleShape = {}): Sample {
  const cores = shape.cores ?? 4;
  const ifaces = shape.ifaces ?? [{ name: 'eth0' }, { name: 'lo', loopback: true }];
  const nullRate = shape.nullRate ?? 0.05;
  const pct = () => quantize(random() * 100, 0.1);
  const kib = (max: number) => Math.floor(random() * max) * 1024;
  const net: NetRate[] = [...ifaces]
    .sort((a, b) => compareNames(a.name, b.name))
    .map((i) => ({
      iface: i.name,
      loopback: i.loopback ?? false,
      virtual: i.virtual ?? false,
      rxBitsPerSecond: random() < nullRate ? null : Math.floor(random() * 2 ** (random() * 34)) * 8,
      txBitsPerSecond: random() < nullRate ? null : Math.floor(random() * 2 ** (random() * 30)) * 8,
    }));
  return {
    ts,
    cpu: { total: pct(), cores: Array.from({ length: cores }, pct) },
    memory: {
      total: 16 * 1024 ** 3,
      used: kib(16 * 1024 ** 2),
      available: kib(16 * 1024 ** 2),
      free: kib(4 * 1024 ** 2),
      swapTotal: 2 * 1024 ** 3,
      swapUsed: kib(1024),
    },
    load: shape.load === false ? null : { one: quantize(random() * 8, 0.01), five: quantize(random() * 8, 0.01), fifteen: quantize(random() * 8, 0.01) },
    net,
  };
}

export function randomSamples(from: number, count: number, stepMs: number, seed: number, shape?: SampleShape): Sample[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => randomSample(from + i * stepMs, random, shape));
}
