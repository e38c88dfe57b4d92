// A machine's state on the fleet page, from what it last reported and when.
import type { FleetState } from '../shared/hub-api.js';
import type { MachineRecord } from './registry.js';

export interface StalePolicy {
  /** A machine is stale after this many of its send intervals without a request. */
  staleAfterIntervals: number;
}

/** Slack for a batch's own transit and the agent's database flush before it is read. */
const GRACE_MS = 5_000;

export function fleetState(machine: Pick<MachineRecord, 'lastSeen' | 'reportedState' | 'syncIntervalSeconds' | 'intervalSeconds'>, now: number, policy: StalePolicy): FleetState {
  if (machine.lastSeen === null) return 'new';
  // It said it was going to sleep (suspend, shutdown): silence is expected, not an outage.
  if (machine.reportedState === 'sleeping') return 'sleeping';
  const cadenceMs = Math.max(machine.syncIntervalSeconds ?? 10, machine.intervalSeconds ?? 1) * 1000;
  return now - machine.lastSeen > policy.staleAfterIntervals * cadenceMs + GRACE_MS ? 'stale' : 'up';
}
