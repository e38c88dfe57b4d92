// The contract between the sync service (src/core/sync/service.ts) and the places it sends to:
// the Vigil hub, an InfluxDB / VictoriaMetrics (line protocol), or any future target.
//
// How sync works, in one paragraph: the agent's own SQLite samples table IS the outbox. Each
// target has its own cursor (the ts of the newest sample it has acknowledged), persisted in
// <data-dir>/sync-state.json. The service reads the next slice after the cursor from the
// database (read-only, in small slices, never holding the writer), turns it into a SyncBatch,
// and calls target.send(). Only when send() resolves does the cursor move past the batch. If
// send() throws, the same batch (or a smaller one) is sent again later, so a target sees each
// batch AT LEAST once: targets must be idempotent on (machine, ts) — the hub ignores a ts it
// already has; InfluxDB overwrites a point with the same series and timestamp (VictoriaMetrics
// with -dedup.minScrapeInterval=1ms keeps one).
import { VigilError } from '../../shared/errors.js';
import type { DiskSample, HostRecord, Sample } from '../../shared/model.js';
import type { MachineState } from '../../shared/wire.js';

/** What the agent says about itself with every batch (the hub shows it on the fleet page). */
export interface SyncAgentInfo {
  /** 'sleeping': suspend/shutdown was announced; the hub then expects silence and does not mark the machine stale. */
  state: MachineState;
  /** The agent's sampling interval, seconds. */
  intervalSeconds: number;
  /** Seconds between the agent's sends once caught up; the hub marks a machine stale after a few of these without news. */
  syncIntervalSeconds: number;
  /** Vigil version of the agent. */
  version: string;
  /** The agent's /health URL when its local server runs and is reachable by others; else null. */
  healthUrl: string | null;
  /** The machine's IANA time zone (e.g. Europe/Paris): the hub resolves the machine's days in it. Optional (added later; older agents omit it). */
  timeZone?: string;
  /**
   * With state 'sleeping': unix ms (the agent's clock) by which the machine said it would be
   * back. The hub marks it stale if it is still silent after that (plus its usual stale
   * window); without one, after hub.maxSleepHours. Sent only when there is a deadline (added
   * later: older hubs refuse the field, and older agents never send it).
   */
  sleepUntil?: number;
}

/**
 * One unit of delivery, oldest first. `samples` are the agent's raw samples with
 * `fromTs < ts <= toTs`, in ascending ts; `disks` and `hosts` are the disk samples and host
 * snapshots recorded in the same window (a batch may carry only those, or nothing but `agent`:
 * an empty batch is a heartbeat, sent when the agent is caught up so the hub sees it alive).
 */
export interface SyncBatch {
  machine: { id: string; name: string };
  agent: SyncAgentInfo;
  /** Exclusive lower bound of the window (the target's cursor before this batch). */
  fromTs: number;
  /** Inclusive upper bound of the window; the cursor becomes this when send() resolves. */
  toTs: number;
  samples: Sample[];
  disks: DiskSample[];
  hosts: HostRecord[];
}

/**
 * Why a send failed, which decides what the service does next:
 * - 'retryable': network error, timeout, 5xx, 429, 408. The same batch is retried with
 *   exponential backoff and jitter (capped at sync.maxBackoffSeconds); the target may set
 *   `retryAfterMs` (e.g. from a Retry-After header) as the minimum wait.
 * - 'too_large': 413. The service halves the batch and retries at once (down to 1 sample).
 * - 'permanent': the target refuses this agent or this data (401/403: bad token; 400/404/422:
 *   wrong URL or rejected payload). Retrying at once cannot help, but a person may fix the
 *   token or the hub, so the service keeps the batch, reports the error in `vigil status`, and
 *   retries at the maximum backoff. Data is never skipped.
 */
export type SyncErrorKind = 'retryable' | 'too_large' | 'permanent';

export class SyncError extends VigilError {
  constructor(
    readonly kind: SyncErrorKind,
    message: string,
    options?: { cause?: unknown; status?: number; retryAfterMs?: number },
  ) {
    super(kind === 'permanent' && (options?.status === 401 || options?.status === 403) ? 'unauthorized' : 'io_error', message, options);
    this.name = 'SyncError';
    this.status = options?.status ?? null;
    this.retryAfterMs = options?.retryAfterMs ?? null;
  }

  /** HTTP status when the target answered, else null. */
  readonly status: number | null;
  /** The target's own minimum wait before a retry (Retry-After), in ms. */
  readonly retryAfterMs: number | null;
}

/** What a target may tell about a batch it accepted. */
export interface SendOutcome {
  /**
   * Samples the target acknowledged but did not keep: the hub ignores samples older than its own
   * raw retention. The cursor moves past them all the same (re-sending cannot change that); the
   * service logs it and `vigil status` shows the count.
   */
  notKept?: number;
}

/** A place samples are delivered to. One instance per configured target. */
export interface SyncTarget {
  /**
   * Stable, unique among targets ('hub', 'influx'): the key of this target's cursor in
   * sync-state.json and its label in `vigil status`. Renaming it restarts delivery from the
   * oldest retained sample (harmless: targets are idempotent).
   */
  readonly name: string;
  /** Where it sends to, for status and logs (credentials redacted). */
  readonly endpoint: string;
  /** Largest number of samples per batch this target wants (the service may send fewer). */
  readonly maxBatchSamples?: number;
  /**
   * Set: the target takes one point per window of this many ms (influx.intervalSeconds), not
   * every sample. Its batches then carry one averaged sample per complete window, at the
   * window's start (Outbox.nextWindows), and its cursor moves window by window.
   */
  readonly windowMs?: number;
  /**
   * Delivers one batch. Resolves only when the target has durably accepted all of it. Throws a
   * SyncError (anything else thrown counts as 'retryable'). Must stop promptly when `signal`
   * aborts (the agent is stopping). Use src/core/http-client.ts (never fetch: its WebAssembly parser stays resident).
   */
  send(batch: SyncBatch, signal: AbortSignal): Promise<void | SendOutcome>;
  /** Releases connections; called once when the service stops. */
  close?(): void | Promise<void>;
}

/** Maps an HTTP answer to success (null) or the SyncError the service understands. */
export function syncErrorForStatus(status: number, detail: string, retryAfterHeader?: string | string[] | undefined): SyncError | null {
  if (status >= 200 && status < 300) return null;
  const retryAfterMs = parseRetryAfter(retryAfterHeader);
  const message = `HTTP ${status}${detail ? `: ${detail.slice(0, 300)}` : ''}`;
  if (status === 413) return new SyncError('too_large', message, { status });
  if (status === 408 || status === 429 || status >= 500) return new SyncError('retryable', message, { status, retryAfterMs: retryAfterMs ?? undefined });
  return new SyncError('permanent', message, { status });
}

function parseRetryAfter(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 3600) * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.min(date - Date.now(), 3600_000)) : null;
}
