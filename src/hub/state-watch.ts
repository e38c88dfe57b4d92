// The machines' states as last announced. The hub re-derives every machine's state each second
// (and one machine's on each of its batches); only a change is announced: logged, published on
// the live feed, and told to the fleet alerts. The first state seen of a machine is told to the
// alerts too (FleetAlerts.changed takes every observation), but not published as a change: there
// was nothing before it.
import type { FleetState } from '../shared/hub-api.js';
import type { FleetAlerts } from '../core/alerts/fleet-alerts.js';
import type { Logger } from '../core/log.js';
import type { LiveFeed } from './live.js';

export class StateWatch {
  private readonly states = new Map<string, FleetState>();

  constructor(private readonly options: { logger: Logger; live: LiveFeed; alerts: () => FleetAlerts | null }) {}

  observe(machineId: string, state: FleetState, lastSeen: number | null): void {
    const previous = this.states.get(machineId);
    if (previous === state) return;
    this.states.set(machineId, state);
    this.options.alerts()?.changed(machineId, previous, state);
    if (previous !== undefined) {
      this.options.logger.info('hub: machine state changed', { machine: machineId, from: previous, to: state });
      this.options.live.publish({ type: 'state', machineId, state, lastSeen });
    }
  }
}
