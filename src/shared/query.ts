// Shapes of history queries, shared by storage, the HTTP/IPC API and the charts.
import type { SeriesKey } from './series.js';

/** Which table answered: raw samples, or a rollup of min/avg/max per minute or per hour. */
export type Resolution = 'raw' | '1m' | '1h';

export interface SeriesQuery {
  /** Unix ms, inclusive. */
  from: number;
  /** Unix ms, exclusive. */
  to: number;
  /**
   * Bucket width in ms: each bucket gives min/avg/max. Omitted or null: raw samples, as stored
   * (or the finest resolution still kept for that period, see `resolution` in the result).
   */
  bucketMs?: number | null;
  /**
   * Only these series: exact keys, or prefixes ending in '.' (a SeriesSelector, e.g. 'net.eth0.');
   * default all. Plain strings: a selector that names nothing selects nothing.
   */
  keys?: readonly string[];
  /** Also give each column the number of values behind each bucket (`count`): totals need it. */
  counts?: boolean;
}

/** Columnar, so a chart can hand the arrays straight to its datasets. */
export interface SeriesQueryResult {
  from: number;
  to: number;
  /** The bucket width actually used; null for raw samples. */
  bucketMs: number | null;
  resolution: Resolution;
  /** Bucket starts (or sample times for raw), ascending; only buckets that hold data. */
  timestamps: number[];
  series: SeriesColumn[];
}

export interface SeriesColumn {
  key: SeriesKey;
  flags: number;
  /** Average per bucket (the value itself for raw samples); null where the series had no value. */
  avg: (number | null)[];
  /** Per-bucket extremes; absent for raw samples, where they equal `avg`. */
  min?: (number | null)[];
  max?: (number | null)[];
  /** Values behind each bucket (0 where `avg` is null); only when the query asked for `counts`. */
  count?: number[];
}

const NICE_WIDTHS = [
  1, 2, 5, 10, 15, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 14400, 21600, 28800, 43200, 86400,
].map((s) => s * 1000);

/**
 * A round bucket width (1 s, 2 s, 5 s … 1 min, 2 min … 1 h … 1 day, then whole days) giving at
 * most `maxPoints` buckets over `rangeMs`; what a chart should ask query() for.
 */
export function chooseBucketMs(rangeMs: number, maxPoints: number): number {
  const wanted = rangeMs / Math.max(1, maxPoints);
  for (const width of NICE_WIDTHS) if (width >= wanted) return width;
  return Math.ceil(wanted / 86_400_000) * 86_400_000;
}
