// Email text from alerts: one alert → its own email; several (a digest) → one email listing
// them in order. Plain text only: it reads the same in every client and in a terminal, and a
// text-only message is byte-for-byte the same when it has to be sent again.
import { formatLocalIso } from '../../shared/dates.js';
import { formatDuration } from '../../shared/units.js';
import type { PendingAlert } from './store-rows.js';

export interface ComposedEmail {
  subject: string;
  body: string;
}

export interface ComposeContext {
  /** The machine sending (the watcher), for the footer. */
  origin: string;
}

const SUBJECT_PREFIX = '[Vigil]';
const MAX_SUBJECT = 160;

/** The headline of one alert as a subject or digest line: "web-1 is DOWN (since 14:03)". */
export function headline(alert: PendingAlert): string {
  switch (alert.severity) {
    case 'problem':
      return `${alert.title} (since ${shortTime(alert.since)})`;
    case 'recovery':
      return alert.durationMs !== null ? `${alert.title} after ${formatDuration(alert.durationMs)}` : alert.title;
    case 'reminder':
      return `Reminder: ${alert.title} (for ${formatDuration(alert.at - alert.since)})`;
    default:
      return alert.title;
  }
}

export function composeEmail(alerts: readonly PendingAlert[], context: ComposeContext): ComposedEmail {
  if (alerts.length === 0) throw new Error('composeEmail: no alerts');
  if (alerts.length === 1) {
    const alert = alerts[0]!;
    return { subject: subjectOf(headline(alert)), body: [...section(alert), '', ...footer(context)].join('\n') + '\n' };
  }
  const subject = subjectOf(`${alerts.length} alerts: ${alerts.map(shortHeadline).join('; ')}`);
  const lines = [`${alerts.length} changes, oldest first:`, ''];
  for (const [index, alert] of alerts.entries()) {
    lines.push(`${index + 1}. ${headline(alert)}`);
  }
  for (const alert of alerts) {
    lines.push('', '—'.repeat(40), '', ...section(alert));
  }
  lines.push('', ...footer(context));
  return { subject, body: lines.join('\n') + '\n' };
}

function section(alert: PendingAlert): string[] {
  const lines = [headline(alert), ''];
  switch (alert.severity) {
    case 'problem':
      lines.push(`Since:    ${formatLocalIso(alert.since)}`, `Detected: ${formatLocalIso(alert.at)}`);
      break;
    case 'recovery':
      lines.push(`Back at:  ${formatLocalIso(alert.since)}`);
      if (alert.durationMs !== null) {
        lines.push(`Lasted:   ${formatDuration(alert.durationMs)} (from ${formatLocalIso(alert.since - alert.durationMs)})`);
      }
      break;
    case 'reminder':
      lines.push(`Since:    ${formatLocalIso(alert.since)} (${formatDuration(alert.at - alert.since)} ago)`);
      break;
    default:
      lines.push(`At:       ${formatLocalIso(alert.since)}`);
  }
  if (alert.details.length > 0) lines.push('', ...alert.details);
  return lines;
}

function footer(context: ComposeContext): string[] {
  return [`— Vigil on ${context.origin}. History: \`vigil alerts\` on that machine.`];
}

function shortHeadline(alert: PendingAlert): string {
  return alert.severity === 'reminder' ? `still: ${alert.title}` : alert.title;
}

function subjectOf(text: string): string {
  const subject = `${SUBJECT_PREFIX} ${text.replace(/\s+/g, ' ')}`;
  return subject.length <= MAX_SUBJECT ? subject : `${subject.slice(0, MAX_SUBJECT - 1)}…`;
}

/** "14:03" local. */
function shortTime(ts: number): string {
  return formatLocalIso(ts).slice(11, 16);
}
