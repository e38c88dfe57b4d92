// alerts.db's schema (see store.ts): its tables and how each came to be.
import type { Migration } from '../storage/schema.js';

/** Append only: a released migration is never edited. */
export const ALERT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'alerts: incidents, alert history, email outbox, peer memory, meta',
    up(db) {
      db.exec(`
        -- Something that went wrong and is not over: a peer DOWN, CPU high. One open per key.
        CREATE TABLE incident (
          id               INTEGER PRIMARY KEY,
          key              TEXT    NOT NULL,
          kind             TEXT    NOT NULL,
          machine          TEXT    NOT NULL,
          title            TEXT    NOT NULL,
          opened_at        INTEGER NOT NULL,
          detected_at      INTEGER NOT NULL,
          closed_at        INTEGER,
          reminders_sent   INTEGER NOT NULL DEFAULT 0,
          next_reminder_at INTEGER
        );
        CREATE UNIQUE INDEX incident_open ON incident (key) WHERE closed_at IS NULL;

        -- Every alert, sent or not. message is the email it went into (NULL while it waits
        -- for the digest window or the end of quiet hours, or when no SMTP is configured).
        CREATE TABLE alert (
          id          INTEGER PRIMARY KEY,
          at          INTEGER NOT NULL,
          since       INTEGER NOT NULL,
          key         TEXT    NOT NULL,
          severity    TEXT    NOT NULL,
          kind        TEXT    NOT NULL,
          machine     TEXT    NOT NULL,
          title       TEXT    NOT NULL,
          details     TEXT    NOT NULL,
          duration_ms INTEGER,
          incident    INTEGER,
          state       TEXT    NOT NULL,
          message     INTEGER
        );
        CREATE INDEX alert_at ON alert (at);
        CREATE INDEX alert_waiting ON alert (id) WHERE state = 'pending';

        -- The outbox. message_id is the RFC 5322 Message-ID, fixed when the email is composed,
        -- so a resend after a crash is the same email to the recipient's mail store.
        CREATE TABLE message (
          id              INTEGER PRIMARY KEY,
          message_id      TEXT    NOT NULL UNIQUE,
          created_at      INTEGER NOT NULL,
          subject         TEXT    NOT NULL,
          body            TEXT    NOT NULL,
          state           TEXT    NOT NULL,
          attempts        INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL,
          last_attempt_at INTEGER,
          last_error      TEXT,
          sent_at         INTEGER,
          response        TEXT
        );
        CREATE INDEX message_unsent ON message (id) WHERE state IN ('pending', 'sending');

        -- The last thing each peer told us (its latest CPU/RAM/network), so a DOWN email after
        -- this agent restarted still says how the peer was doing.
        CREATE TABLE peer (
          name       TEXT PRIMARY KEY,
          machine_id TEXT,
          last_seen  INTEGER NOT NULL,
          health     TEXT    NOT NULL
        );

        CREATE TABLE meta (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 2,
    description: 'alerts: when the SMTP server first refused each unsent email (5xx)',
    up(db) {
      // A refused email is retried (a DOWN email for as long as its incident is open), so the
      // outbox says since when it fails: vigil alerts, vigil status and the tray show it.
      db.exec('ALTER TABLE message ADD COLUMN refused_at INTEGER');
    },
  },
];
