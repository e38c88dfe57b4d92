// Traffic totals: the bytes each network interface received and sent over a local day, from the
// per-tick rates the store keeps. A day's total is Σ rate × the time each sample stands for, taken
// from the minute rollups (their sum and count per series: the same numbers as the samples, about
// 1,440 rows a day instead of 86,400).
//
// The time a sample stands for is the sampling interval. The rollups do not record it, but the
// samples of a full minute say it: a minute holding n samples was sampled every 60 s / n. Each
// hour takes the largest count of its minutes (a minute the agent started or stopped in holds
// fewer); an hour without two samples in any minute (intervals of 30 s and more) takes the
// shortest distance between two of its minutes with data, and a lone minute the interval the
// machine reports. Beyond the minute rollups' retention, hour rollups answer the same way.
//
// Counter resets (a reboot, a driver reloading) never make a fake spike: the sampler turns a
// counter that went backwards, and the first reading after a start or a gap, into a baseline with
// no rate (network.ts, sampler.ts), so no sample carries the jump. Traffic while nothing sampled
// (the agent stopped, the machine off) is not counted: no one saw it.
import type { SeriesColumn } from '../../shared/query.js';
import { SeriesFlag, parseNetKey } from '../../shared/series.js';
import type { SampleStore } from '../storage/types.js';

export interface InterfaceTraffic {
  name: string;
  loopback: boolean;
  virtual: boolean;
  /** Bytes received and sent. */
  rx: number;
  tx: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Totals of a span that ended lately are kept this long (a hub may still receive a late batch for it)… */
const RECENT_SPAN_TTL_MS = 10 * 60_000;
/** …and of a span that ended two days ago or more, this long: late data is rare there, and a month's report (the quota check, the tray) reads 30 of them. */
const OLD_SPAN_TTL_MS = 6 * 3_600_000;
const OLD_SPAN_AFTER_MS = 2 * 86_400_000;

export interface TrafficCounterOptions {
  store: SampleStore;
  /** Seconds between samples when the data does not say (intervals of 30 s and more); default 1. */
  intervalSeconds?: () => number | null;
  now?: () => number;
}

/** Bytes per interface over [from, to), with past days remembered for a while. */
export class TrafficCounter {
  private readonly cache = new Map<string, { at: number; totals: InterfaceTraffic[] }>();
  private readonly now: () => number;

  constructor(private readonly options: TrafficCounterOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Totals of one span of time (a local day), every interface with data, in name order. */
  span(from: number, to: number): InterfaceTraffic[] {
    const now = this.now();
    const key = `${from}-${to}`;
    const cached = this.cache.get(key);
    // A span that has ended changes only if late samples arrive; the current one changes all the time.
    if (cached && to <= cached.at && now - cached.at < (now - to >= OLD_SPAN_AFTER_MS ? OLD_SPAN_TTL_MS : RECENT_SPAN_TTL_MS)) return cached.totals;
    const totals = this.compute(from, to);
    if (to <= now) {
      if (this.cache.size > 512) this.cache.clear();
      this.cache.set(key, { at: now, totals });
    }
    return totals;
  }

  private compute(from: number, to: number): InterfaceTraffic[] {
    const store = this.options.store;
    let width = MINUTE_MS;
    let result = store.query({ from, to, bucketMs: width, keys: ['cpu', 'net.'], counts: true });
    // Only hour rollups are left for (part of) this span: count per hour instead.
    if (result.resolution === '1h') {
      width = HOUR_MS;
      result = store.query({ from, to, bucketMs: width, keys: ['cpu', 'net.'], counts: true });
    }
    const steps = stepsOf(result.timestamps, result.series.find((c) => c.key === 'cpu'), width, (this.options.intervalSeconds?.() ?? 1) * 1000);
    const byName = new Map<string, InterfaceTraffic>();
    for (const column of result.series) {
      const net = parseNetKey(column.key);
      if (!net) continue;
      let entry = byName.get(net.iface);
      if (!entry) {
        entry = { name: net.iface, loopback: (column.flags & SeriesFlag.loopback) !== 0, virtual: (column.flags & SeriesFlag.virtual) !== 0, rx: 0, tx: 0 };
        byName.set(net.iface, entry);
      }
      entry[net.direction] += bytesOf(column, steps);
    }
    return [...byName.values()].map((t) => ({ ...t, rx: Math.round(t.rx), tx: Math.round(t.tx) })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/**
 * The time each bucket's samples stand for (ms per sample), per hour (per day for hour buckets):
 * the bucket width over the largest number of samples one of its buckets holds; where none holds
 * two (intervals of 30 s and more), the shortest distance between two buckets with data; where
 * a lone bucket says nothing, `fallbackMs`.
 */
function stepsOf(timestamps: readonly number[], cpu: SeriesColumn | undefined, width: number, fallbackMs: number): Float64Array {
  const steps = new Float64Array(timestamps.length).fill(fallbackMs);
  if (!cpu?.count) return steps;
  const group = width === MINUTE_MS ? HOUR_MS : 24 * HOUR_MS;
  let start = 0;
  while (start < timestamps.length) {
    const hour = Math.floor(timestamps[start]! / group);
    let end = start;
    let most = 0;
    let shortest = Infinity;
    while (end < timestamps.length && Math.floor(timestamps[end]! / group) === hour) {
      most = Math.max(most, cpu.count[end] ?? 0);
      if (end > start) shortest = Math.min(shortest, timestamps[end]! - timestamps[end - 1]!);
      end++;
    }
    if (most >= 2) steps.fill(width / most, start, end);
    else if (Number.isFinite(shortest)) steps.fill(shortest, start, end);
    start = end;
  }
  return steps;
}

/** Σ average × count × step: the bits each sample's rate moved over its interval, in bytes. */
function bytesOf(column: SeriesColumn, steps: Float64Array): number {
  let bits = 0;
  const counts = column.count!;
  for (let i = 0; i < column.avg.length; i++) {
    const avg = column.avg[i];
    if (avg === null || avg === undefined) continue;
    bits += avg * counts[i]! * (steps[i]! / 1000);
  }
  return bits / 8;
}
