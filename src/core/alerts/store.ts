// <data-dir>/alerts.db: the alert history, the open incidents and the email outbox, in their own
// SQLite file with their own migrations — apart from vigil.db, so the samples schema never
// changes for alerts and a hub or `vigil test-email` can use the pipeline without a sample store.
//
// Why one database for all three: an alert, the incident it opens and the email it goes into
// change together, in one transaction; after a crash they are never out of step.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { VigilError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../log.js';
import { migrate } from '../storage/schema.js';
import { toVigilError } from '../storage/sqlite-errors.js';
import { ALERT_MIGRATIONS } from './store-migrations.js';
import {
  incidentRow,
  messageRow,
  parseJson,
  pendingAlert,
  type AlertHistoryRecord,
  type AlertRecord,
  type EarliestRecord,
  type IncidentRecord,
  type IncidentRow,
  type MessageRecord,
  type MessageRow,
  type PeerMemory,
  type PeerRecord,
  type PendingAlert,
} from './store-rows.js';
import type { AlertChange, AlertHistory, AlertKind, AlertView, IncidentView, OutboxSummary } from './types.js';

export const ALERTS_DB_FILE = 'alerts.db';

export function alertsDatabasePath(dataDir: string): string {
  return path.join(dataDir, ALERTS_DB_FILE);
}

export class AlertStore {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    readonly readonly: boolean,
  ) {}

  /** Opens (creating and migrating unless readonly) the alerts database. */
  static open(file: string, options: { readonly?: boolean; logger?: Logger } = {}): AlertStore {
    const readonly = options.readonly ?? false;
    let db: Database.Database | null = null;
    try {
      if (readonly && file !== ':memory:' && !fs.existsSync(file)) {
        throw new VigilError('not_found', `No alert history yet (${file} does not exist)`);
      }
      db = new Database(file, readonly ? { readonly: true, fileMustExist: true } : {});
      // Another process (the agent; `vigil alerts`; `vigil test-email`) may hold the write lock
      // for a moment: wait rather than fail.
      db.pragma('busy_timeout = 5000');
      if (!readonly) {
        db.pragma('journal_mode = WAL');
        // FULL, not NORMAL: a committed "sent" must survive a power cut, or the email goes twice.
        db.pragma('synchronous = FULL');
        migrate(db, file, options.logger ?? silentLogger, ALERT_MIGRATIONS);
      }
      return new AlertStore(db, file, readonly);
    } catch (error) {
      db?.close();
      throw toVigilError(error, file, 'opening the alert history');
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // --- incidents -------------------------------------------------------------------------

  openIncident(key: string): IncidentRow | null {
    const row = this.db.prepare<[string], IncidentRecord>('SELECT * FROM incident WHERE key = ? AND closed_at IS NULL').get(key);
    return row ? incidentRow(row) : null;
  }

  openIncidents(): IncidentRow[] {
    return this.db.prepare<[], IncidentRecord>('SELECT * FROM incident WHERE closed_at IS NULL ORDER BY opened_at, id').all().map(incidentRow);
  }

  insertIncident(change: AlertChange, nextReminderAt: number | null): number {
    return Number(
      this.db
        .prepare<[string, AlertKind, string, string, number, number, number | null]>(
          'INSERT INTO incident (key, kind, machine, title, opened_at, detected_at, next_reminder_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(change.key, change.kind, change.machine, change.title, change.since, change.at, nextReminderAt).lastInsertRowid,
    );
  }

  closeIncident(id: number, closedAt: number): void {
    this.db.prepare<[number, number]>('UPDATE incident SET closed_at = ?, next_reminder_at = NULL WHERE id = ?').run(closedAt, id);
  }

  setReminder(id: number, remindersSent: number, nextReminderAt: number | null): void {
    this.db.prepare<[number, number | null, number]>('UPDATE incident SET reminders_sent = ?, next_reminder_at = ? WHERE id = ?').run(remindersSent, nextReminderAt, id);
  }

  /** Every open incident's next reminder, moved to `first` when it was later or unset (policy change). */
  rescheduleReminders(nextFor: (incident: IncidentRow) => number | null): void {
    const update = this.db.prepare<[number | null, number]>('UPDATE incident SET next_reminder_at = ? WHERE id = ?');
    for (const incident of this.openIncidents()) update.run(nextFor(incident), incident.id);
  }

  nextReminderAt(): number | null {
    return this.db.prepare<[], EarliestRecord>('SELECT MIN(next_reminder_at) AS t FROM incident WHERE closed_at IS NULL').get()?.t ?? null;
  }

  dueReminders(now: number): IncidentRow[] {
    return this.db.prepare<[number], IncidentRecord>('SELECT * FROM incident WHERE closed_at IS NULL AND next_reminder_at <= ? ORDER BY next_reminder_at, id').all(now).map(incidentRow);
  }

  // --- alerts ----------------------------------------------------------------------------

  insertAlert(alert: Omit<PendingAlert, 'id'> & { incident: number | null; state: 'pending' | 'unsent' }): number {
    return Number(
      this.db
        .prepare<[number, number, string, AlertRecord['severity'], AlertKind, string, string, string, number | null, number | null, 'pending' | 'unsent']>(
          `INSERT INTO alert (at, since, key, severity, kind, machine, title, details, duration_ms, incident, state)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          alert.at,
          alert.since,
          alert.key,
          alert.severity,
          alert.kind,
          alert.machine,
          alert.title,
          JSON.stringify(alert.details),
          alert.durationMs,
          alert.incident,
          alert.state,
        ).lastInsertRowid,
    );
  }

  pendingAlerts(): PendingAlert[] {
    return this.db.prepare<[], AlertRecord>("SELECT * FROM alert WHERE state = 'pending' ORDER BY id").all().map(pendingAlert);
  }

  /** True when the incident's own alerts have not gone out yet (a reminder would repeat them). */
  /** An alert of the incident has not reached the recipient yet: waiting, queued, being sent or refused. */
  incidentHasUndeliveredAlert(incident: number): boolean {
    return this.db.prepare<[number]>("SELECT 1 FROM alert WHERE incident = ? AND state IN ('pending', 'queued', 'sending', 'refused') LIMIT 1").get(incident) !== undefined;
  }

  /** Whether the message tells of a problem (or reminds of one) whose incident is still open. */
  messageHasOpenIncident(message: number): boolean {
    return (
      this.db
        .prepare<[number]>(
          "SELECT 1 FROM alert a JOIN incident i ON i.id = a.incident WHERE a.message = ? AND a.severity IN ('problem', 'reminder') AND i.closed_at IS NULL LIMIT 1",
        )
        .get(message) !== undefined
    );
  }

  /**
   * The incident closed (a recovery): its refused, still unsent emails that tell of nothing else
   * still open are marked failed — the recovery email tells the story, and a DOWN email
   * arriving after it would mislead. Returns what the server last answered to them.
   */
  supersedeRefused(incident: number): string[] {
    const rows = this.db
      .prepare<[number], Pick<MessageRecord, 'id' | 'last_error'>>(
        `SELECT DISTINCT m.id, m.last_error FROM message m JOIN alert a ON a.message = m.id
          WHERE a.incident = ? AND a.severity IN ('problem', 'reminder') AND m.state = 'pending' AND m.refused_at IS NOT NULL`,
      )
      .all(incident)
      .filter((row) => !this.messageHasOpenIncident(row.id));
    for (const row of rows) this.markFailed(row.id, `${row.last_error ?? 'refused'}; not retried: superseded by the recovery email`);
    return rows.map((row) => row.last_error ?? 'refused by the SMTP server');
  }

  assignAlerts(ids: readonly number[], message: number | null, state: 'queued' | 'unsent'): void {
    const update = this.db.prepare<[number | null, 'queued' | 'unsent', number]>('UPDATE alert SET message = ?, state = ? WHERE id = ?');
    for (const id of ids) update.run(message, state, id);
  }

  // --- outbox ----------------------------------------------------------------------------

  insertMessage(message: { messageId: string; createdAt: number; subject: string; body: string }): number {
    return Number(
      this.db
        .prepare<[string, number, string, string, number]>("INSERT INTO message (message_id, created_at, subject, body, state, next_attempt_at) VALUES (?, ?, ?, ?, 'pending', ?)")
        .run(message.messageId, message.createdAt, message.subject, message.body, message.createdAt).lastInsertRowid,
    );
  }

  /** The oldest unsent message that may be tried at `now`. */
  nextMessage(now: number): MessageRow | null {
    const row = this.db.prepare<[number], MessageRecord>("SELECT * FROM message WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT 1").get(now);
    return row ? messageRow(row) : null;
  }

  nextAttemptAt(): number | null {
    return this.db.prepare<[], EarliestRecord>("SELECT MIN(next_attempt_at) AS t FROM message WHERE state = 'pending'").get()?.t ?? null;
  }

  /** Committed before the SMTP transaction starts: a crash from here on leaves the message "in doubt". */
  markSending(id: number, now: number): void {
    this.transaction(() => {
      this.db.prepare<[number, number]>("UPDATE message SET state = 'sending', attempts = attempts + 1, last_attempt_at = ? WHERE id = ?").run(now, id);
      this.db.prepare<[number]>("UPDATE alert SET state = 'sending' WHERE message = ?").run(id);
    });
  }

  markSent(id: number, now: number, response: string): void {
    this.transaction(() => {
      this.db.prepare<[number, string, number]>("UPDATE message SET state = 'sent', sent_at = ?, response = ?, last_error = NULL WHERE id = ?").run(now, response.slice(0, 500), id);
      this.db.prepare<[number]>("UPDATE alert SET state = 'sent' WHERE message = ?").run(id);
    });
  }

  markRetry(id: number, nextAttemptAt: number, error: string): void {
    this.transaction(() => {
      this.db.prepare<[number, string, number]>("UPDATE message SET state = 'pending', next_attempt_at = ?, last_error = ? WHERE id = ?").run(nextAttemptAt, error.slice(0, 500), id);
      this.db.prepare<[number]>("UPDATE alert SET state = 'queued' WHERE message = ?").run(id);
    });
  }

  /** The SMTP server refused this email (5xx): tried again at `nextAttemptAt`. */
  markRefused(id: number, now: number, nextAttemptAt: number, error: string): void {
    this.transaction(() => {
      this.db
        .prepare<[number, string, number, number]>("UPDATE message SET state = 'pending', next_attempt_at = ?, last_error = ?, refused_at = COALESCE(refused_at, ?) WHERE id = ?")
        .run(nextAttemptAt, error.slice(0, 500), now, id);
      this.db.prepare<[number]>("UPDATE alert SET state = 'refused' WHERE message = ?").run(id);
    });
  }

  markFailed(id: number, error: string): void {
    this.transaction(() => {
      this.db.prepare<[string, number]>("UPDATE message SET state = 'failed', last_error = ? WHERE id = ?").run(error.slice(0, 500), id);
      this.db.prepare<[number]>("UPDATE alert SET state = 'failed' WHERE message = ?").run(id);
    });
  }

  /** The SMTP server works again: every waiting message may go now, in order. */
  releaseMessages(now: number): void {
    this.db.prepare<[number, number]>("UPDATE message SET next_attempt_at = ? WHERE state = 'pending' AND next_attempt_at > ?").run(now, now);
  }

  /**
   * Messages left 'sending' by a crash: the server may or may not have accepted them. They go
   * back to 'pending' and are sent again with the same Message-ID (at-least-once; see docs/alerts.md).
   */
  resetInDoubt(): string[] {
    const ids = this.db.prepare<[], Pick<MessageRecord, 'message_id'>>("SELECT message_id FROM message WHERE state = 'sending'").all().map((r) => r.message_id);
    if (ids.length > 0) {
      this.transaction(() => {
        this.db.prepare("UPDATE alert SET state = 'queued' WHERE message IN (SELECT id FROM message WHERE state = 'sending')").run();
        this.db.prepare("UPDATE message SET state = 'pending' WHERE state = 'sending'").run();
      });
    }
    return ids;
  }

  message(id: number): MessageRow | null {
    const row = this.db.prepare<[number], MessageRecord>('SELECT * FROM message WHERE id = ?').get(id);
    return row ? messageRow(row) : null;
  }

  // --- peers, meta -----------------------------------------------------------------------

  peerMemory(name: string): PeerMemory | null {
    const row = this.db.prepare<[string], PeerRecord>('SELECT * FROM peer WHERE name = ?').get(name);
    return row ? { machineId: row.machine_id, lastSeen: row.last_seen, health: parseJson(row.health) } : null;
  }

  rememberPeer(name: string, memory: PeerMemory): void {
    this.db
      .prepare<[string, string | null, number, string]>(
        'INSERT INTO peer (name, machine_id, last_seen, health) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET machine_id = excluded.machine_id, last_seen = excluded.last_seen, health = excluded.health',
      )
      .run(name, memory.machineId, memory.lastSeen, JSON.stringify(memory.health));
  }

  getMeta(key: string): string | null {
    return this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  // --- reading ---------------------------------------------------------------------------

  history(options: { limit?: number; beforeId?: number } = {}): AlertHistory {
    const limit = Math.max(1, Math.min(options.limit ?? 50, 1000));
    const rows = this.db
      .prepare<[number, number], AlertHistoryRecord>(
        `SELECT a.*, m.message_id AS mid, m.sent_at AS sent_at, m.last_error AS last_error
           FROM alert a LEFT JOIN message m ON m.id = a.message
          WHERE a.id < ? ORDER BY a.id DESC LIMIT ?`,
      )
      .all(options.beforeId ?? Number.MAX_SAFE_INTEGER, limit);
    const alerts: AlertView[] = rows.map((row) => ({
      ...pendingAlert(row),
      status: row.state,
      messageId: row.mid,
      sentAt: row.sent_at,
      error: row.state === 'sent' ? null : row.last_error,
    }));
    const open: IncidentView[] = this.openIncidents().map((i) => ({ key: i.key, kind: i.kind, machine: i.machine, title: i.title, openedAt: i.openedAt, remindersSent: i.remindersSent }));
    return { alerts, open, outbox: this.outboxSummary() };
  }

  outboxSummary(): OutboxSummary {
    // SUM and MIN over no rows are NULL. A file not migrated yet (read-only, by `vigil alerts`
    // of a newer Vigil before the agent restarted) has no refused_at: nothing refused then.
    const refusedAt = this.hasColumn('message', 'refused_at') ? 'refused_at' : 'NULL';
    const counts = this.db
      .prepare<[], { pending: number | null; failed: number | null; oldest: number | null; refused: number | null; refused_since: number | null }>(
        `SELECT SUM(state IN ('pending', 'sending')) AS pending, SUM(state = 'failed') AS failed,
                MIN(CASE WHEN state IN ('pending', 'sending') THEN created_at END) AS oldest,
                SUM(state IN ('pending', 'sending') AND ${refusedAt} IS NOT NULL) AS refused,
                MIN(CASE WHEN state IN ('pending', 'sending') THEN ${refusedAt} END) AS refused_since
           FROM message`,
      )
      .get();
    const last = this.db
      .prepare<[], { last_error: string }>("SELECT last_error FROM message WHERE state IN ('pending', 'sending', 'failed') AND last_error IS NOT NULL ORDER BY last_attempt_at DESC LIMIT 1")
      .get();
    return {
      pending: counts?.pending ?? 0,
      failed: counts?.failed ?? 0,
      oldestPendingAt: counts?.oldest ?? null,
      refused: counts?.refused ?? 0,
      refusedSince: counts?.refused_since ?? null,
      lastError: last?.last_error ?? null,
    };
  }

  private readonly columns = new Map<string, boolean>();

  private hasColumn(table: string, column: string): boolean {
    const key = `${table}.${column}`;
    let has = this.columns.get(key);
    if (has === undefined) {
      has = this.db.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all().some((c) => c.name === column);
      // Only a yes is for good: a read-only reader may see the agent migrate the file later.
      if (has) this.columns.set(key, has);
    }
    return has;
  }

  /** Deletes history older than `before` (closed incidents, alerts, emails no longer waiting). */
  prune(before: number): number {
    return this.transaction(() => {
      const alerts = this.db.prepare<[number]>("DELETE FROM alert WHERE at < ? AND state IN ('sent', 'failed', 'unsent')").run(before).changes;
      this.db.prepare<[number]>("DELETE FROM message WHERE created_at < ? AND state IN ('sent', 'failed') AND id NOT IN (SELECT message FROM alert WHERE message IS NOT NULL)").run(before);
      this.db.prepare<[number]>('DELETE FROM incident WHERE closed_at IS NOT NULL AND closed_at < ?').run(before);
      return alerts;
    });
  }
}

/** Reads the history of a data dir (`vigil alerts`, GET /api/alerts); empty when there is none yet. */
export function readAlertHistory(dataDir: string, options: { limit?: number; beforeId?: number } = {}): AlertHistory {
  const file = alertsDatabasePath(dataDir);
  if (!fs.existsSync(file)) return { alerts: [], open: [], outbox: { pending: 0, failed: 0, oldestPendingAt: null, refused: 0, refusedSince: null, lastError: null } };
  const store = AlertStore.open(file, { readonly: true });
  try {
    return store.history(options);
  } finally {
    store.close();
  }
}
