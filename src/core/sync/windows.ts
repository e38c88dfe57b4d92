// Coarser points for a time-series store (influx.intervalSeconds, issue 14): one point per window
// of N seconds instead of one per sample, as Telegraf's basicstats aggregator would give.
//
// - Windows are aligned to wall-clock multiples of N (Unix epoch, UTC): [k·N, (k+1)·N). A
//   window's point carries the window's START as its timestamp, so every machine's points of a
//   window line up, whatever its sampling phase.
// - A gauge gets the mean of the window's values (missing values left out; none at all: no
//   value). A counter (TYPE counter in the metric table) gets the window's last value, the only
//   value of a counter that means something on its own. Today every stored series is a gauge
//   (the *_total counters are on /metrics only, not stored), so all are means.
// - Filesystem readings (sampled apart, less often) are averaged per filesystem over the same
//   windows; a window without one has no filesystem point. Host snapshots are facts, not values:
//   they keep their own timestamp.
// Completeness (which windows may be sent) is the outbox's business (outbox.ts, nextWindows).
import type { DiskSample, DiskUsage } from '../../shared/model.js';
import { parseSeriesKey } from '../../shared/metrics/catalog.js';
import type { SeriesInfo } from '../../shared/series.js';
import type { StoredRow } from '../storage/types.js';

/** The start of the window holding `ts`. */
export function windowStart(ts: number, windowMs: number): number {
  return Math.floor(ts / windowMs) * windowMs;
}

/** Whether a series takes the window's last value (a counter) rather than its mean. */
function takesLast(key: string): boolean {
  return parseSeriesKey(key)?.family.descriptor.prometheus.type === 'counter';
}

interface Accumulator {
  info: SeriesInfo;
  sum: number;
  count: number;
  last: number | null;
  counter: boolean;
}

/**
 * The rows of one window as one row at `ts` (the window's start): per series, the mean of its
 * values (the last one for a counter), in the order the series first appeared.
 */
export function aggregateRows(ts: number, rows: readonly StoredRow[]): StoredRow {
  const bySeries = new Map<string, Accumulator>();
  for (const row of rows) {
    for (let i = 0; i < row.series.length; i++) {
      const info = row.series[i]!;
      let acc = bySeries.get(info.key);
      if (!acc) bySeries.set(info.key, (acc = { info, sum: 0, count: 0, last: null, counter: takesLast(info.key) }));
      // The newest flags (an interface may turn virtual) describe the series.
      acc.info = info;
      const value = row.values[i];
      if (value == null) continue;
      acc.sum += value;
      acc.count++;
      acc.last = value;
    }
  }
  const series: SeriesInfo[] = [];
  const values: (number | null)[] = [];
  for (const acc of bySeries.values()) {
    series.push(acc.info);
    values.push(acc.count === 0 ? null : acc.counter ? acc.last : acc.sum / acc.count);
  }
  return { ts, series, values };
}

const DISK_VALUES = ['total', 'used', 'free', 'available'] as const satisfies readonly (keyof DiskUsage)[];

/**
 * Filesystem readings averaged per window and filesystem (device, mount point, type), one
 * DiskSample per window that has any, at the window's start. A value absent from some readings
 * (free and available, in readings from an older agent) is the mean of those that have it.
 */
export function aggregateDisks(readings: readonly DiskSample[], windowMs: number): DiskSample[] {
  const windows = new Map<number, Map<string, { disk: DiskUsage; sums: Record<string, number>; counts: Record<string, number> }>>();
  for (const reading of readings) {
    const start = windowStart(reading.ts, windowMs);
    let disks = windows.get(start);
    if (!disks) windows.set(start, (disks = new Map()));
    for (const disk of reading.disks) {
      const id = JSON.stringify([disk.device, disk.mountPoint, disk.fsType]);
      let acc = disks.get(id);
      if (!acc) disks.set(id, (acc = { disk, sums: {}, counts: {} }));
      for (const field of DISK_VALUES) {
        const value = disk[field];
        if (value === undefined || !Number.isFinite(value)) continue;
        acc.sums[field] = (acc.sums[field] ?? 0) + value;
        acc.counts[field] = (acc.counts[field] ?? 0) + 1;
      }
    }
  }
  const out: DiskSample[] = [];
  for (const [ts, disks] of windows) {
    out.push({
      ts,
      disks: [...disks.values()].map(({ disk, sums, counts }) => {
        const mean = (field: (typeof DISK_VALUES)[number]) => (counts[field] ? Math.round(sums[field]! / counts[field]!) : undefined);
        const averaged: DiskUsage = { device: disk.device, mountPoint: disk.mountPoint, fsType: disk.fsType, total: mean('total') ?? 0, used: mean('used') ?? 0 };
        const free = mean('free');
        const available = mean('available');
        if (free !== undefined) averaged.free = free;
        if (available !== undefined) averaged.available = available;
        return averaged;
      }),
    });
  }
  return out.sort((a, b) => a.ts - b.ts);
}
