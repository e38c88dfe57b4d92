// A machine's state on the fleet page, from what it last reported and when.
import type { FleetState, HubMachine } from '../shared/hub-api.js';
import { defaultSettings, type HubSettings } from '../shared/settings.js';
import { SYNC_BACKOFF_BASE_MS } from '../core/sync/backoff.js';
import type { MachineRecord } from './registry.js';

export interface StalePolicy {
  /** A machine is stale after this many of its send intervals without a request. */
  staleAfterIntervals: number;
  /**
   * hub.maxSleepHours: how long a machine that announced sleep without a deadline may stay
   * silent before it is stale (0 = for ever). Default DEFAULT_MAX_SLEEP_HOURS.
   */
  maxSleepHours?: number;
}

/** The policy the hub's settings set (the running hub and `vigil hub list` judge alike). */
export function stalePolicyOf(hub: Pick<HubSettings, 'staleAfterIntervals' | 'maxSleepHours'>): StalePolicy {
  return { staleAfterIntervals: hub.staleAfterIntervals, maxSleepHours: hub.maxSleepHours };
}

/** Slack for a batch's own transit and the agent's database flush before it is read. */
const GRACE_MS = 5_000;
/** The default of hub.maxSleepHours: a laptop closed overnight is not stale, one gone for a day is. */
export const DEFAULT_MAX_SLEEP_HOURS = 24;
const DEFAULT_MAX_BACKOFF_MS = defaultSettings().sync.maxBackoffSeconds * 1000;

type Judged = Pick<MachineRecord, 'lastSeen' | 'reportedState' | 'syncIntervalSeconds' | 'intervalSeconds'> & { sleepUntil?: number | null };

/** The silence after which a machine is stale: a few of its send intervals, plus transit slack. */
export function staleWindowMs(machine: Pick<Judged, 'syncIntervalSeconds' | 'intervalSeconds'>, policy: StalePolicy): number {
  const cadenceMs = Math.max(machine.syncIntervalSeconds ?? 10, machine.intervalSeconds ?? 1) * 1000;
  return policy.staleAfterIntervals * cadenceMs + GRACE_MS;
}

export function fleetState(machine: Judged, now: number, policy: StalePolicy): FleetState {
  if (machine.lastSeen === null) return 'new';
  const staleMs = staleWindowMs(machine, policy);
  if (machine.reportedState === 'sleeping') {
    // It said it was going to sleep (suspend, shutdown): silence is expected, not an outage —
    // until its own deadline, after which it has the usual stale window to report again (as
    // peers judge it); without a deadline, for hub.maxSleepHours.
    const sleepUntil = machine.sleepUntil ?? null;
    if (sleepUntil !== null) return now - Math.max(sleepUntil, machine.lastSeen) > staleMs ? 'stale' : 'sleeping';
    const maxSleepHours = policy.maxSleepHours ?? DEFAULT_MAX_SLEEP_HOURS;
    return maxSleepHours > 0 && now - machine.lastSeen > maxSleepHours * 3_600_000 ? 'stale' : 'sleeping';
  }
  return now - machine.lastSeen > staleMs ? 'stale' : 'up';
}

/** The running hub's own history, for judging silence across its restarts. */
export interface HubRun {
  /** When this hub started (its clock). */
  since: number;
  /** When the hub before it was last known to listen (null: never ran, or no record). */
  previousStop: number | null;
}

/**
 * A machine's state as the running hub judges it. Silence while the hub itself was down is not
 * the machine's: a machine not heard from since the hub started, and not already stale when the
 * previous run stopped, is stale only after one stale window from the start plus the time its
 * agent's backoff may take to find the hub back (restartAllowanceMs). Until then it keeps what it
 * said it was doing: up, or sleeping.
 */
export function hubFleetState(machine: Judged, now: number, policy: StalePolicy, run: HubRun): FleetState {
  const state = fleetState(machine, now, policy);
  if (state !== 'stale' || machine.lastSeen === null || machine.lastSeen >= run.since) return state;
  if (run.previousStop !== null && machine.lastSeen <= run.previousStop && fleetState(machine, run.previousStop, policy) === 'stale') return state;
  const downtimeMs = run.previousStop === null ? 0 : run.since - run.previousStop;
  if (now - run.since > staleWindowMs(machine, policy) + restartAllowanceMs(downtimeMs)) return state;
  return machine.reportedState === 'sleeping' ? 'sleeping' : 'up';
}

/**
 * After a restart, the time an agent in backoff may take to try the hub again, for a hub that was
 * away `downtimeMs` (core/sync/backoff.ts: each wait is at most base·2^(n-1), so the first try
 * after the hub is back comes within twice the time the agent has been failing, plus the base;
 * and never later than sync.maxBackoffSeconds, whose default is assumed for every agent).
 */
export function restartAllowanceMs(downtimeMs: number): number {
  return Math.min(2 * Math.max(0, downtimeMs) + SYNC_BACKOFF_BASE_MS, DEFAULT_MAX_BACKOFF_MS);
}

/** A registered machine as the API shows it, in the state the hub judged (revoked: always stale). */
export function describeMachine(record: MachineRecord, state: FleetState): HubMachine {
  return {
    id: record.id,
    name: record.name,
    agentId: record.agentId,
    self: false,
    state: record.revokedAt !== null ? 'stale' : state,
    reportedState: record.reportedState,
    lastSeen: record.lastSeen,
    lastSampleTs: record.lastSampleTs,
    healthUrl: record.healthUrl,
    version: record.version,
    intervalSeconds: record.intervalSeconds,
    timeZone: record.timeZone,
    createdAt: record.createdAt,
    revokedAt: record.revokedAt,
    sleepUntil: record.reportedState === 'sleeping' ? record.sleepUntil : null,
  };
}
