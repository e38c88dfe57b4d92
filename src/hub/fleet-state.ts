// A machine's state on the fleet page, from what it last reported and when.
import type { FleetState } from '../shared/hub-api.js';
import type { HubSettings } from '../shared/settings.js';
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

export function fleetState(
  machine: Pick<MachineRecord, 'lastSeen' | 'reportedState' | 'syncIntervalSeconds' | 'intervalSeconds'> & { sleepUntil?: number | null },
  now: number,
  policy: StalePolicy,
): FleetState {
  if (machine.lastSeen === null) return 'new';
  const cadenceMs = Math.max(machine.syncIntervalSeconds ?? 10, machine.intervalSeconds ?? 1) * 1000;
  const staleMs = policy.staleAfterIntervals * cadenceMs + GRACE_MS;
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
