// The sampler's options, events and limits (sampler.ts), and the checks of its intervals.
import type { DiskSample, HostRecord, Sample } from '../shared/model.js';
import { VigilError } from '../shared/errors.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import type { MetricSources } from './metrics/types.js';

export interface SamplerOptions {
  intervalMs: number;
  /** Default 60_000. */
  diskIntervalMs?: number;
  /** How often the cheap host fingerprint is checked (and the portable path's slow values refreshed). Default 60_000. */
  hostCheckIntervalMs?: number;
  sources: MetricSources;
  clock?: Clock;
  logger?: Logger;
  /**
   * The newest sample and disk sample ts an earlier run already stored (null: none). The first
   * samples of this run come after them, as if the sampler had never stopped.
   */
  resumeAfter?: { sampleTs: number | null; diskTs: number | null };
}

export interface GapEvent {
  /** Slot of the last reading before the gap. */
  from: number;
  /** Slot of the new baseline. */
  to: number;
  reason: string;
}

export type SamplerEvents = {
  sample: [Sample];
  disk: [DiskSample];
  host: [HostRecord];
  gap: [GapEvent];
  error: [Error];
};

export const MIN_INTERVAL_MS = 1000;
export const MAX_INTERVAL_MS = 3_600_000;
export const DEFAULT_DISK_INTERVAL_MS = 60_000;
export const DEFAULT_HOST_CHECK_INTERVAL_MS = 60_000;
/** More than this many intervals between two readings is a gap, not a slow tick. */
export const GAP_INTERVALS = 2.5;
/** stop() waits this long at most for readers in flight. */
export const STOP_WAIT_MS = 5000;

export function validateInterval(ms: number, name: string): number {
  if (!Number.isInteger(ms) || ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) {
    throw new VigilError('invalid_argument', `${name} must be a whole number of milliseconds from ${MIN_INTERVAL_MS} (1 s) to ${MAX_INTERVAL_MS} (3600 s), got ${ms}`);
  }
  return ms;
}

export function validatePositiveMs(ms: number, name: string): number {
  if (!Number.isInteger(ms) || ms < MIN_INTERVAL_MS) {
    throw new VigilError('invalid_argument', `${name} must be a whole number of milliseconds ≥ ${MIN_INTERVAL_MS}, got ${ms}`);
  }
  return ms;
}
