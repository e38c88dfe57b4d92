// Per-target sync progress, persisted in <data-dir>/sync-state.json: the outbox cursor (the ts of
// the newest sample the target acknowledged) and what `vigil status` — a separate process — shows
// (state, last success, last error, next retry). A small JSON file rather than a table in
// vigil.db: the sync service only ever reads the sample database (it never takes the writer),
// and a status reader needs no SQLite to read it. Written atomically (temp file + rename), so a
// crash leaves the previous version; a cursor that is a little behind only re-sends samples the
// target then ignores as duplicates.
import fs from 'node:fs';
import path from 'node:path';

export const SYNC_STATE_FILE = 'sync-state.json';

/**
 * idle: caught up, waiting for new samples; sending: a batch in flight or more to send
 * (backfilling); retrying: the last send failed and will be retried; error: the target refused
 * (wrong token, wrong URL) — retried slowly until someone fixes it; stopped: the agent is not syncing.
 */
export type SyncTargetState = 'idle' | 'sending' | 'retrying' | 'error' | 'stopped';

export interface SyncTargetStatus {
  endpoint: string;
  /** Newest sample ts the target acknowledged; null = nothing sent yet (starts from the oldest retained). */
  cursor: number | null;
  state: SyncTargetState;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  /** When the next attempt is due (unix ms), while retrying. */
  nextAttemptAt: number | null;
  /** Samples and batches delivered since this agent started. */
  samplesSent: number;
  batchesSent: number;
  /**
   * Samples the target acknowledged but did not keep (older than the hub's raw retention), in
   * total for this endpoint, across restarts: the target's copy lacks them for good.
   */
  notKept: number;
  /**
   * Set when the target takes one point per window of this many ms (influx.intervalSeconds): the
   * samples of the window still filling are then not pending (`vigil status` reads it here).
   */
  windowMs?: number;
}

export interface SyncStateFile {
  version: 1;
  /** PID of the agent that wrote the file, and when. */
  pid: number;
  updatedAt: number;
  targets: Record<string, SyncTargetStatus>;
}

export function syncStatePath(dataDir: string): string {
  return path.join(dataDir, SYNC_STATE_FILE);
}

/** The state file, or null when there is none or it cannot be read (never throws). */
export function readSyncState(dataDir: string): SyncStateFile | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(syncStatePath(dataDir), 'utf8')) as Partial<SyncStateFile>;
    if (parsed.version !== 1 || typeof parsed.targets !== 'object' || parsed.targets === null) return null;
    const targets: Record<string, SyncTargetStatus> = {};
    for (const [name, value] of Object.entries(parsed.targets)) {
      const status = sanitize(value);
      if (status) targets[name] = status;
    }
    return { version: 1, pid: Number(parsed.pid) || 0, updatedAt: Number(parsed.updatedAt) || 0, targets };
  } catch {
    return null;
  }
}

export function writeSyncState(dataDir: string, state: SyncStateFile): void {
  const file = syncStatePath(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(temporary, file);
}

export function initialTargetStatus(endpoint: string, cursor: number | null = null, windowMs?: number): SyncTargetStatus {
  const status: SyncTargetStatus = {
    endpoint,
    cursor,
    state: 'idle',
    lastAttemptAt: null,
    lastSuccessAt: null,
    lastError: null,
    consecutiveFailures: 0,
    nextAttemptAt: null,
    samplesSent: 0,
    batchesSent: 0,
    notKept: 0,
  };
  if (windowMs) status.windowMs = windowMs;
  return status;
}

const STATES: readonly SyncTargetState[] = ['idle', 'sending', 'retrying', 'error', 'stopped'];

function sanitize(value: unknown): SyncTargetStatus | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
  if (typeof v.endpoint !== 'string') return null;
  const windowMs = num(v.windowMs);
  return {
    endpoint: v.endpoint,
    cursor: num(v.cursor) !== null && Number.isSafeInteger(v.cursor) ? (v.cursor as number) : null,
    state: STATES.includes(v.state as SyncTargetState) ? (v.state as SyncTargetState) : 'stopped',
    lastAttemptAt: num(v.lastAttemptAt),
    lastSuccessAt: num(v.lastSuccessAt),
    lastError: typeof v.lastError === 'string' ? v.lastError : null,
    consecutiveFailures: num(v.consecutiveFailures) ?? 0,
    nextAttemptAt: num(v.nextAttemptAt),
    samplesSent: num(v.samplesSent) ?? 0,
    batchesSent: num(v.batchesSent) ?? 0,
    notKept: num(v.notKept) ?? 0,
    ...(windowMs !== null && windowMs > 0 ? { windowMs } : {}),
  };
}
