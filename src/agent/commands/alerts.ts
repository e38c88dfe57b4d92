// `vigil alerts`: what is wrong now (open incidents), what was raised lately and whether each
// email went out, and the state of the outbox. Read-only; safe while the agent runs.
import { readAlertHistory } from '../../core/alerts/store.js';
import type { AlertView } from '../../core/alerts/types.js';
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
  const outbox = history.outbox;
  if (outbox.pending > 0) {
    lines.push(`Outbox   ${outbox.pending} email(s) waiting since ${formatLocalIso(outbox.oldestPendingAt ?? now)}${outbox.lastError ? `; last error: ${outbox.lastError}` : ''}`);
  }
  if (outbox.failed > 0) lines.push(`Outbox   ${outbox.failed} email(s) refused by the SMTP server for good${outbox.lastError ? `: ${outbox.lastError}` : ''}`);
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

function statusText(alert: AlertView): string {
  switch (alert.status) {
    case 'sent':
      return `emailed ${alert.sentAt !== null ? formatLocalIso(alert.sentAt).slice(11, 19) : ''}`.trim();
    case 'pending':
      return 'waiting (digest window or quiet hours)';
    case 'queued':
    case 'sending':
      return alert.error ? `not sent yet: ${alert.error}` : 'sending';
    case 'failed':
      return `refused: ${alert.error ?? 'by the SMTP server'}`;
    case 'unsent':
      return 'no SMTP configured';
  }
}
