// Quota alerts: once a minute, where each traffic quota (traffic.quotas) stands in the billing
// period holding today; an alert through the alert pipeline (digest, quiet hours, queue, retries)
// when it reaches 80, 90 or 100 %, with the pace's projection to the period's end.
//
// One incident per interface, period and level reached, keyed `quota:<iface>:<period start>:<level>`.
// Only the highest level reached is open: reaching 90 % closes the 80 % incident silently (the
// 90 % email says more), and a quota already at 95 % when first seen sends one email, not two.
// An agent restarted mid-period finds its incident still open in alerts.db, so nothing is sent
// twice. A new billing period (or a quota removed or raised) closes what no longer holds, silently:
// a period starting over is no news worth an email. No reminders either: the next level is the news.
import type { QuotaStatus, TrafficReport } from '../../shared/api.js';
import { formatPercent, formatVolume } from '../../shared/units.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { PeriodicTask } from '../periodic.js';
import type { AlertChange, AlertSink } from '../alerts/types.js';
import type { Settings } from '../../shared/settings.js';

/** Whether a traffic quota is set (its alerts need the alert pipeline). */
export function quotasWanted(settings: Settings): boolean {
  return Object.keys(settings.traffic.quotas).length > 0;
}

/** The levels that raise an alert, in % of the quota. */
export const QUOTA_LEVELS = [80, 90, 100] as const;

const CHECK_EVERY_MS = 60_000;

export interface QuotaMonitorOptions {
  /** The machine's name, in the alerts. */
  machine: string;
  /** The traffic report of the billing period holding today (its quotas). */
  report: () => Promise<TrafficReport>;
  sink: AlertSink;
  clock: Clock;
  logger: Logger;
}

export class QuotaMonitor {
  private readonly task: PeriodicTask;

  constructor(private readonly options: QuotaMonitorOptions) {
    this.task = new PeriodicTask(options.clock, { name: 'traffic quota check', logger: options.logger, everyMs: CHECK_EVERY_MS, align: 'wall' }, () => this.check());
  }

  start(): void {
    this.task.start({ now: true });
  }

  /** Settings changed (a quota added, raised, removed): look again now. */
  recheck(): Promise<void> {
    return this.task.runNow();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  async check(): Promise<void> {
    const report = await this.options.report();
    const at = this.options.clock.now();
    const open = new Set<string>();
    const changes: AlertChange[] = [];
    for (const quota of report.quotas) {
      const level = [...QUOTA_LEVELS].reverse().find((l) => quota.percent >= l);
      if (level === undefined) continue;
      const key = `quota:${quota.iface}:${report.from}:${level}`;
      open.add(key);
      changes.push(quotaAlert(quota, level, key, report, this.options.machine, at));
    }
    // First what no longer holds (a lower level, a past period, a quota removed), then what does:
    // a problem already open is a duplicate the pipeline ignores.
    this.options.sink.retain?.('quota:', open);
    if (changes.length > 0) this.options.sink.report(changes);
  }
}

function quotaAlert(quota: QuotaStatus, level: number, key: string, report: TrafficReport, machine: string, at: number): AlertChange {
  const counted = quota.direction === 'rx' ? 'received' : quota.direction === 'tx' ? 'sent' : 'received + sent';
  const reached = level >= 100 ? 'has used up its traffic quota' : `reached ${level} % of its traffic quota`;
  const details = [
    `${quota.iface} has moved ${formatVolume(quota.used)} of its ${formatVolume(quota.bytes)} quota (${counted}) in the billing period ${report.from} to ${report.to}: ${formatPercent(quota.percent)}.`,
  ];
  if (quota.projected > quota.used) details.push(`At this pace: ${formatVolume(quota.projected)} of ${formatVolume(quota.bytes)} by ${report.to}.`);
  return { key, severity: 'problem', kind: 'traffic_quota', reminders: false, machine, title: `${quota.iface} on ${machine} ${reached} (${formatVolume(quota.used)} of ${formatVolume(quota.bytes)})`, since: at, at, details };
}
