// The rows of alerts.db as the store hands them out, and as better-sqlite3 returns them (the
// records), with the mapping between the two.
import type { AlertKind, AlertSeverity, AlertStatus, AlertView } from './types.js';

export interface IncidentRow {
  id: number;
  key: string;
  kind: AlertKind;
  machine: string;
  title: string;
  openedAt: number;
  detectedAt: number;
  remindersSent: number;
  nextReminderAt: number | null;
}

/** An alert waiting for its email: what GET /api/alerts shows of it, without the email's state. */
export type PendingAlert = Omit<AlertView, 'status' | 'messageId' | 'sentAt' | 'error'>;

export type MessageState = 'pending' | 'sending' | 'sent' | 'failed';

export interface MessageRow {
  id: number;
  messageId: string;
  createdAt: number;
  subject: string;
  body: string;
  state: MessageState;
  attempts: number;
  nextAttemptAt: number;
  /** When the SMTP server first refused it (5xx), or null. */
  refusedAt: number | null;
  lastError: string | null;
}

export interface PeerMemory {
  machineId: string | null;
  lastSeen: number;
  health: unknown;
}

// The tables' rows as better-sqlite3 returns them: column names as written in the migration,
// INTEGER as number (no safeIntegers: ids and unix ms fit in 2^53), TEXT as string. The unions
// (kind, severity, state) hold because store.ts is the only writer.
export interface IncidentRecord {
  id: number;
  key: string;
  kind: AlertKind;
  machine: string;
  title: string;
  opened_at: number;
  detected_at: number;
  closed_at: number | null;
  reminders_sent: number;
  next_reminder_at: number | null;
}

export interface AlertRecord {
  id: number;
  at: number;
  since: number;
  key: string;
  severity: AlertSeverity | 'reminder';
  kind: AlertKind;
  machine: string;
  title: string;
  /** JSON array of strings. */
  details: string;
  duration_ms: number | null;
  incident: number | null;
  state: AlertStatus;
  message: number | null;
}

/** An alert joined with the email it went into (history). */
export interface AlertHistoryRecord extends AlertRecord {
  mid: string | null;
  sent_at: number | null;
  last_error: string | null;
}

export interface MessageRecord {
  id: number;
  message_id: string;
  created_at: number;
  subject: string;
  body: string;
  state: MessageState;
  attempts: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  last_error: string | null;
  sent_at: number | null;
  response: string | null;
  refused_at: number | null;
}

export interface PeerRecord {
  name: string;
  machine_id: string | null;
  last_seen: number;
  /** JSON. */
  health: string;
}

/** An aggregate over no rows is NULL. */
export interface EarliestRecord {
  t: number | null;
}

export function incidentRow(row: IncidentRecord): IncidentRow {
  return {
    id: row.id,
    key: row.key,
    kind: row.kind,
    machine: row.machine,
    title: row.title,
    openedAt: row.opened_at,
    detectedAt: row.detected_at,
    remindersSent: row.reminders_sent,
    nextReminderAt: row.next_reminder_at,
  };
}

export function pendingAlert(row: AlertRecord): PendingAlert {
  return {
    id: row.id,
    at: row.at,
    since: row.since,
    key: row.key,
    severity: row.severity,
    kind: row.kind,
    machine: row.machine,
    title: row.title,
    details: parseDetails(row.details),
    durationMs: row.duration_ms,
  };
}

export function messageRow(row: MessageRecord): MessageRow {
  return {
    id: row.id,
    messageId: row.message_id,
    createdAt: row.created_at,
    subject: row.subject,
    body: row.body,
    state: row.state,
    attempts: row.attempts,
    refusedAt: row.refused_at ?? null,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
  };
}

export function parseJson(text: string): unknown {
  return JSON.parse(text);
}

/** An alert's body lines, written by insertAlert as a JSON array of strings. */
export function parseDetails(text: string): string[] {
  const parsed = parseJson(text);
  return Array.isArray(parsed) ? parsed.map(String) : [];
}
