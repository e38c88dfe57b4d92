// `vigil alerts`: what is wrong now (open incidents), what was raised lately and whether each
// email went out, and the state of the outbox. Read-only; safe while the agent runs.
import { readAlertHistory } from '../../core/alerts/store.js';
import type { AlertHistory, AlertView } from '../../core/alerts/types.js';
import { dataPaths } from '../../core/paths.js';
import { formatLocalIso } from '../../shared/dates.js';
import { formatDuration } from '../../shared/units.js';
import { resolveDataDir } from '../options.js';

export interface AlertsOptions {
  dataDir?: string;
  limit?: number;
  json?: boolean;
}

const LABEL: Record<AlertView['severity'], string> = { problem: 'PROBLEM', recovery: 'RECOVERY', notice: 'NOTICE', reminder: 'REMINDER' };

export async function runAlerts(options: AlertsOptions, now = Date.now()): Promise<number> {
  const paths = dataPaths(resolveDataDir(options.dataDir));
  const history = readAlertHistory(paths.dataDir, { limit: options.limit ?? 20 });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(history, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [];
  if (history.open.length === 0) lines.push('Open     nothing is wrong');
  for (const incident of history.open) {
    const reminders = incident.remindersSent > 0 ? `, ${incident.remindersSent} reminder(s) sent` : '';
    lines.push(`Open     ${incident.title} since ${formatLocalIso(incident.openedAt)} (${formatDuration(now - incident.openedAt)}${reminders})`);
  }
  lines.push(...outboxLines(history, now).map((line) => `Outbox   ${line}`));
  lines.push('');
  if (history.alerts.length === 0) {
    lines.push('No alerts yet.');
  } else {
    lines.push(`Latest ${history.alerts.length} alert(s), newest first:`);
    for (const alert of history.alerts) {
      const duration = alert.durationMs !== null ? ` (lasted ${formatDuration(alert.durationMs)})` : '';
      lines.push(`  ${formatLocalIso(alert.at)}  ${LABEL[alert.severity].padEnd(8)}  ${alert.title}${duration}  [${statusText(alert)}]`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** What the outbox says about delivery: emails being refused first (a watchdog that cannot mail). */
export function outboxLines(history: Pick<AlertHistory, 'open' | 'outbox'>, now: number): string[] {
  const { outbox } = history;
  const lines: string[] = [];
  if (outbox.refused > 0) {
    const why = history.open.length > 0 ? 'still retrying while its incident is open' : 'still retrying (for a day after the first refusal)';
    lines.push(`FAILING: ${plural(outbox.refused, 'email')} refused by the SMTP server since ${formatLocalIso(outbox.refusedSince ?? now)}, ${why}: ${outbox.lastError ?? 'refused'}`);
  }
  const waiting = outbox.pending - outbox.refused;
  if (waiting > 0) lines.push(`${plural(waiting, 'email')} waiting since ${formatLocalIso(outbox.oldestPendingAt ?? now)}${outbox.lastError ? `; last error: ${outbox.lastError}` : ''}`);
  if (outbox.failed > 0) lines.push(`${plural(outbox.failed, 'email')} never delivered (refused for a day, or superseded by a recovery email)`);
  return lines;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function statusText(alert: AlertView): string {
  switch (alert.status) {
    case 'sent':
      return `emailed ${alert.sentAt !== null ? formatLocalIso(alert.sentAt).slice(11, 19) : ''}`.trim();
    case 'pending':
      return 'waiting (digest window or quiet hours)';
    case 'queued':
    case 'sending':
      return alert.error ? `not sent yet: ${alert.error}` : 'sending';
    case 'refused':
      return `refused, retrying: ${alert.error ?? 'by the SMTP server'}`;
    case 'failed':
      return `not delivered: ${alert.error ?? 'refused by the SMTP server'}`;
    case 'unsent':
      return 'no SMTP configured';
  }
}
