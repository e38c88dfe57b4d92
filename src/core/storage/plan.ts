// Which table answers which part of a query, and bucket widths.
//
// Buckets start at `from` (bucket i = [from + i·w, from + (i+1)·w)): for a local day, `from` is
// local midnight, so buckets line up with the clock the user reads, on DST days too. Rollup rows
// cover whole UTC minutes / hours, so they can answer a bucket exactly only when every bucket
// boundary falls on a minute (hour) boundary: w is a multiple of 60 s (1 h) and `from` is too.
// Local midnight is always on a whole minute (UTC offsets are whole minutes), but not always on a
// whole hour (India +5:30, Nepal +5:45, Lord Howe +10:30): there, hour buckets read minute rows.
import type { Resolution } from '../../shared/query.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** What each table holds, as half-open ranges of unix ms. */
export interface Coverage {
  /** Raw samples exist from here on (earlier ones were deleted by retention). */
  rawFloor: number;
  /** Minute rollups exist for [minuteFloor, minuteEnd): minuteEnd is the minute watermark. */
  minuteFloor: number;
  minuteEnd: number;
  /** Hour rollups exist for everything before hourEnd (they are never deleted). */
  hourEnd: number;
}

export interface Segment {
  level: Resolution;
  from: number;
  to: number;
  /**
   * False when the rows are coarser than the buckets asked for (raw deleted by retention, or
   * boundaries that do not line up): each rollup row then counts in the bucket its start is in.
   */
  exact: boolean;
}

export function floorTo(ts: number, unit: number): number {
  return ts - mod(ts, unit);
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/**
 * The bucket width query() uses for a requested one. Widths of a minute or more are rounded up
 * to whole minutes so that minute rollups can answer them: a full day at 144 s (600 buckets)
 * would otherwise read 86,400 raw rows (~110 ms here) instead of 1,440 minute rows (~3 ms).
 * Rounding up never returns more buckets than asked for. Shorter widths are kept (raw rows).
 */
export function effectiveBucketMs(requested: number): number {
  return requested < MINUTE_MS ? requested : Math.ceil(requested / MINUTE_MS) * MINUTE_MS;
}

/**
 * Splits [from, to) into consecutive segments, each read from one table: the coarsest table
 * that answers the buckets exactly, where it holds data; raw rows for the rest (the minute not
 * yet rolled up, a range end inside a minute); and where retention has deleted the raw rows and
 * no exact rollup applies, the finest rollup still kept.
 */
export function planSegments(from: number, to: number, bucketMs: number | null, c: Coverage): Segment[] {
  const hourExact = bucketMs !== null && bucketMs % HOUR_MS === 0 && mod(from, HOUR_MS) === 0;
  const minuteExact = bucketMs !== null && bucketMs % MINUTE_MS === 0 && mod(from, MINUTE_MS) === 0;
  const minutesAt = (t: number): boolean => t >= c.minuteFloor && t < c.minuteEnd;
  const segments: Segment[] = [];
  let cur = from;
  const push = (level: Resolution, end: number, exact: boolean): void => {
    const last = segments[segments.length - 1];
    if (last && last.level === level && last.exact === exact && last.to === cur) last.to = end;
    else segments.push({ level, from: cur, to: end, exact });
    cur = end;
  };
  while (cur < to) {
    if (hourExact && cur < c.hourEnd) {
      const end = Math.min(c.hourEnd, floorTo(to, HOUR_MS));
      if (end > cur) {
        push('1h', end, true);
        continue;
      }
    }
    if (minuteExact && minutesAt(cur)) {
      const end = Math.min(c.minuteEnd, floorTo(to, MINUTE_MS));
      if (end > cur) {
        push('1m', end, true);
        continue;
      }
    }
    if (cur >= c.rawFloor) {
      push('raw', to, true);
      break;
    }
    // Raw rows are gone here and no rollup lines up with the buckets: approximate.
    if (minutesAt(cur)) {
      push('1m', Math.min(c.minuteEnd, c.rawFloor, to), false);
      continue;
    }
    if (cur < c.hourEnd) {
      const finer = c.minuteFloor > cur && c.minuteFloor < c.minuteEnd ? Math.min(c.minuteFloor, c.rawFloor) : c.rawFloor;
      push('1h', Math.min(c.hourEnd, finer, to), false);
      continue;
    }
    // Nothing is kept at `cur` (cannot happen with consistent coverage): skip to what is.
    const next = c.minuteFloor > cur && c.minuteFloor < c.minuteEnd ? Math.min(c.minuteFloor, c.rawFloor) : c.rawFloor;
    cur = Math.min(next, to);
  }
  return segments;
}
