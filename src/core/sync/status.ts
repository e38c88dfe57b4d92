// Sync as `vigil status` shows it: read from sync-state.json (written by the running agent) and
// the sample database (how far behind each target is), by a separate, read-only process.
import { formatLocalIso } from '../../shared/dates.js';
import { formatDuration } from '../../shared/units.js';
import type { SampleStore } from '../storage/types.js';
import { Outbox } from './outbox.js';
import { readSyncState, type SyncTargetState } from './state.js';
import { windowStart } from './windows.js';

export interface SyncTargetReport {
  name: string;
  endpoint: string;
  /** 'stopped' when no agent is running, whatever the file last said. */
  state: SyncTargetState;
  /** Newest sample the target has (unix ms), or null. */
  cursor: number | null;
  /** Samples stored here that the target does not have yet. */
  pendingSamples: number;
  /** Time between the newest stored sample and the newest delivered one, seconds (0 = caught up). */
  lagSeconds: number;
  lastSuccessAt: number | null;
  lastError: string | null;
  nextAttemptAt: number | null;
  /** Samples the target acknowledged but did not keep (older than the hub's raw retention). */
  notKeptSamples: number;
  /** sync.intervalSeconds: samples wait up to this long between sends, so a lag within two of it is normal batching. */
  sendIntervalSeconds: number | null;
}

export function syncReport(dataDir: string, store: SampleStore, agentRunning: boolean, sendIntervalSeconds: number | null = null): SyncTargetReport[] {
  const file = readSyncState(dataDir);
  if (!file) return [];
  const outbox = new Outbox(store);
  const newest = store.lastTimestamp();
  return Object.entries(file.targets).map(([name, t]) => {
    const pendingSamples = outbox.pending(t.cursor, t.windowMs);
    const oldestPending = t.cursor ?? store.firstTimestamp();
    // With windows, what is due ends where the window still filling begins.
    const newestDue = newest !== null && t.windowMs ? windowStart(newest, t.windowMs) - 1 : newest;
    return {
      name,
      endpoint: t.endpoint,
      state: agentRunning ? t.state : 'stopped',
      cursor: t.cursor,
      pendingSamples,
      lagSeconds: pendingSamples === 0 || newestDue === null || oldestPending === null ? 0 : Math.max(0, Math.round((newestDue - oldestPending) / 1000)),
      lastSuccessAt: t.lastSuccessAt,
      lastError: t.lastError,
      nextAttemptAt: agentRunning ? t.nextAttemptAt : null,
      notKeptSamples: t.notKept,
      sendIntervalSeconds,
    };
  });
}

/** "Sync     hub https://hub:7471: caught up, last sent 3 s ago" and the like, one line per target (plus its error). */
export function syncLines(reports: readonly SyncTargetReport[], now: number): string[] {
  if (reports.length === 0) return ['Sync     off'];
  const lines: string[] = [];
  for (const r of reports) {
    const last = r.lastSuccessAt === null ? 'nothing sent yet' : `last sent ${formatDuration(now - r.lastSuccessAt)} ago`;
    const behind = r.pendingSamples === 0 ? 'caught up' : `${r.pendingSamples} sample${r.pendingSamples === 1 ? '' : 's'} behind (lag ${formatDuration(r.lagSeconds * 1000)})`;
    // Samples wait up to one send interval by design: within two, the target is as current as it gets.
    const batching = r.sendIntervalSeconds !== null && r.lagSeconds <= 2 * r.sendIntervalSeconds;
    const current = r.pendingSamples === 0 ? 'caught up' : batching ? `up to date (sends every ${formatDuration(r.sendIntervalSeconds! * 1000)})` : behind;
    const what: Record<SyncTargetState, string> = {
      idle: current,
      sending: r.pendingSamples === 0 || batching ? current : `sending, ${behind}`,
      retrying: `unreachable, retrying${r.nextAttemptAt ? ` in ${formatDuration(Math.max(0, r.nextAttemptAt - now))}` : ''}; ${behind}`,
      error: `REFUSED${r.nextAttemptAt ? ` (retry in ${formatDuration(Math.max(0, r.nextAttemptAt - now))})` : ''}; ${behind}`,
      stopped: `not running; ${behind}`,
    };
    lines.push(`Sync     ${r.name} ${r.endpoint}: ${what[r.state]}, ${last}${r.cursor !== null ? ` (has samples up to ${formatLocalIso(r.cursor)})` : ''}`);
    if (r.lastError && r.state !== 'idle' && r.state !== 'sending') lines.push(`         last error: ${r.lastError}`);
    if (r.notKeptSamples > 0) {
      lines.push(`         ${r.notKeptSamples} sample${r.notKeptSamples === 1 ? ' was' : 's were'} older than the ${r.name}'s raw retention: acknowledged but not kept there (kept here)`);
    }
  }
  return lines;
}
