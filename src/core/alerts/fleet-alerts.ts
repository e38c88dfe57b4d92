// The hub's alerts: it watches the machines that report to it (a machine with no news for N of
// its send intervals is stale, src/hub/fleet-state.ts) and mails through the same pipeline as
// an agent's peer watch, from <hub-data-dir>/alerts.db with the hub's smtp/alerts settings.
//
//   const alerts = FleetAlerts.open({ dataDir, settings, origin, describe, latest, logger });
//   … on every state the hub derives (first observation included): alerts.changed(id, from, to)
//
// Idempotent like everything reported to the pipeline: a hub restarted while a machine is
// stale does not mail again (the incident is still open), and a machine found up after a
// restart closes an incident left open with its recovery email.
import type { FleetState, HubMachine } from '../../shared/hub-api.js';
import { formatLocalIso } from '../../shared/dates.js';
import type { Sample } from '../../shared/model.js';
import type { Settings } from '../../shared/settings.js';
import { formatDuration } from '../../shared/units.js';
import type { Logger } from '../log.js';
import { figures } from '../peers/peer-alerts.js';
import { summarizeSample } from '../server/health.js';
import type { AlertPipeline } from './pipeline.js';
import { openAlertPipeline } from './setup.js';

export interface FleetAlertsOptions {
  pipeline: AlertPipeline;
  /** The hub's view of a machine now (null: unknown). */
  describe(machineId: string): HubMachine | null;
  /** The machine's newest stored sample, for "how it was doing". */
  latest?(machineId: string): Sample | null;
  staleAfterIntervals: number;
  /** The hub's own name, for "seen from". */
  hubName: string;
  now?: () => number;
}

export const machineKey = (id: string): string => `machine:${id}`;

export class FleetAlerts {
  constructor(private readonly options: FleetAlertsOptions) {}

  static open(options: {
    dataDir: string;
    settings: Pick<Settings, 'smtp' | 'alerts' | 'hub'>;
    origin: { id: string; name: string };
    logger: Logger;
    describe: FleetAlertsOptions['describe'];
    latest?: FleetAlertsOptions['latest'];
    now?: () => number;
  }): FleetAlerts {
    const pipeline = openAlertPipeline({ dataDir: options.dataDir, settings: options.settings, origin: options.origin, logger: options.logger });
    pipeline.start();
    return new FleetAlerts({
      pipeline,
      describe: options.describe,
      latest: options.latest,
      staleAfterIntervals: options.settings.hub.staleAfterIntervals,
      hubName: options.origin.name,
      now: options.now,
    });
  }

  get pipeline(): AlertPipeline {
    return this.options.pipeline;
  }

  /** The hub derived `to` for a machine (`from` undefined: first time since the hub started). */
  changed(machineId: string, from: FleetState | undefined, to: FleetState): void {
    if (from === to) return;
    const machine = this.options.describe(machineId);
    if (!machine || machine.self || machine.revokedAt !== null) return;
    const now = this.options.now?.() ?? Date.now();
    const key = machineKey(machine.id);
    const seenFrom = `Seen from the hub (${this.options.hubName}).`;
    if (to === 'stale') {
      const since = machine.lastSeen ?? now;
      const cadence =
        machine.reportedState === 'sleeping'
          ? machine.sleepUntil !== null
            ? ` It announced sleep until ${formatLocalIso(machine.sleepUntil)} and has not reported since.`
            : ' It announced sleep without a deadline and has been silent for longer than the hub allows (hub.maxSleepHours).'
          : machine.intervalSeconds
            ? ` It reports at least every ${machine.intervalSeconds} s; the hub calls it stale after ${this.options.staleAfterIntervals} send intervals without news.`
            : '';
      this.options.pipeline.report({
        key,
        severity: 'problem',
        kind: 'machine_stale',
        machine: machine.name,
        title: `${machine.name} is STALE`,
        since,
        at: now,
        details: [
          machine.lastSeen !== null ? `The hub has had no news from ${machine.name} since ${formatLocalIso(machine.lastSeen)} (${formatDuration(now - machine.lastSeen)}).${cadence}` : `${machine.name} never reported.`,
          this.lastKnown(machine.id),
          seenFrom,
        ],
      });
    } else if (to === 'up') {
      this.options.pipeline.report({
        key,
        severity: 'recovery',
        kind: 'machine_up',
        machine: machine.name,
        title: `${machine.name} reports again`,
        since: now,
        at: now,
        details: [`The hub has news from ${machine.name} again.`, this.lastKnown(machine.id, 'Now'), seenFrom],
      });
    }
    // 'sleeping' (it announced suspend/shutdown) and 'new' (never reported) raise nothing.
  }

  async stop(): Promise<void> {
    await this.options.pipeline.stop();
  }

  private lastKnown(machineId: string, label = 'Last known'): string {
    let sample: Sample | null;
    try {
      sample = this.options.latest?.(machineId) ?? null;
    } catch {
      sample = null;
    }
    return sample ? `${label}, at ${formatLocalIso(sample.ts)}: ${figures(summarizeSample(sample))}.` : `${label} CPU/RAM/network: no sample stored.`;
  }
}
