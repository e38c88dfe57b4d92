// Zoom arithmetic, apart from the page's state: where a zoom may go, the live window one step
// narrower or wider, where the newest data in a span ends.
import type { SeriesResult } from '../shared/api.js';
import { LIVE_STEPS, type Zoom } from './view.js';

/** Smallest span a zoom shows: a minute of raw seconds. */
export const MIN_SPAN_MS = 60_000;

/**
 * A zoom from `from` to `to` kept within `bounds` (at least a minute; a period view no wider than
 * itself). Null when it covers the whole period (the whole view, no zoom).
 */
export function clampZoom(from: number, to: number, bounds: Zoom, live: boolean): Zoom | null {
  let span = Math.max(MIN_SPAN_MS, to - from);
  if (!live) span = Math.min(span, bounds.to - bounds.from);
  from = Math.max(bounds.from, Math.min(from, bounds.to - span));
  to = from + span;
  if (!live && from <= bounds.from && to >= bounds.to) return null;
  return { from: Math.round(from), to: Math.round(to) };
}

/** The span `factor` times as wide as `current`, keeping `anchor` at the same place in it. */
export function zoomAround(current: Zoom, factor: number, anchor: number): Zoom {
  const span = current.to - current.from;
  const next = Math.max(MIN_SPAN_MS, span * factor);
  const from = anchor - ((anchor - current.from) / span) * next;
  return { from, to: from + next };
}

/** The live window one zoom step narrower (factor < 1) or wider, within 1 min – 6 h. */
export function nextWindow(windowMs: number, factor: number): number {
  const steps: readonly number[] = LIVE_STEPS;
  const index = Math.max(0, steps.indexOf(windowMs));
  return steps[factor < 1 ? Math.max(0, index - 1) : Math.min(steps.length - 1, index + 1)]!;
}

/** Where the newest data within a range ends (a bucket ends a bucket after its start), if any. */
export function latestIn(shown: SeriesResult | null, range: Zoom): number | null {
  const ts = shown?.timestamps;
  if (!ts?.length) return null;
  const width = shown?.bucketMs ?? 0;
  for (let i = ts.length - 1; i >= 0; i--) if (ts[i]! <= range.to) return ts[i]! >= range.from ? Math.min(range.to, ts[i]! + width) : null;
  return null;
}
