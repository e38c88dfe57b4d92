// What the alert pipeline takes in and keeps. Sources (peer watch, local thresholds, the hub's
// stale-machine watch) describe *state changes*; the pipeline (pipeline.ts) turns them into
// incidents, history rows and emails, so every source gets the same digest, quiet hours,
// reminders and reliable delivery.

/**
 * problem: something went wrong; opens an incident for `key` (a second problem for a key that is
 *   already open is a duplicate and is not sent again, e.g. after this agent restarted).
 * recovery: closes the open incident for `key`; ignored when none is open (nothing was reported).
 * notice: a one-off fact (an unexpected reboot); no incident.
 */
export type AlertSeverity = 'problem' | 'recovery' | 'notice';

/** The local measurements a threshold watches (thresholds.ts); each gives a `_high` and an `_ok` kind. */
export type ThresholdMetric = 'cpu' | 'memory' | 'disk';

/**
 * Machine-readable kind of an alert, written to alerts.db and shown by `vigil alerts` and
 * GET /api/alerts. A new source adds its kinds here.
 * - peer_down / peer_up / peer_reboot: a watched peer (peers/peer-alerts.ts);
 * - network_down / network_up: this machine lost every peer at once (peers/watcher.ts);
 * - machine_stale / machine_up: a machine stopped or resumed sending to the hub (fleet-alerts.ts);
 * - cpu_high, memory_ok, disk_high…: a local threshold crossed (thresholds.ts);
 * - traffic_quota: an interface reached 80, 90 or 100 % of its traffic quota (traffic/quota-alerts.ts).
 */
export type AlertKind =
  | 'peer_down'
  | 'peer_up'
  | 'peer_reboot'
  | 'network_down'
  | 'network_up'
  | 'machine_stale'
  | 'machine_up'
  | `${ThresholdMetric}_high`
  | `${ThresholdMetric}_ok`
  | 'traffic_quota';

/** A state change reported by a source. */
export interface AlertChange {
  /**
   * What the change is about, stable over time: 'peer:web-1', 'machine:<id>', 'cpu', 'memory',
   * 'disk:/', 'network'. At most one incident is open per key.
   */
  key: string;
  severity: AlertSeverity;
  kind: AlertKind;
  /** The machine concerned (display name). */
  machine: string;
  /** One line for people, e.g. "web-1 is DOWN"; the subject of a single-alert email. */
  title: string;
  /** When the condition began: the first failed check, the first sample above the threshold, the recovery. */
  since: number;
  /** When it was detected (unix ms). */
  at: number;
  /** Body lines, plain text: why, last known CPU/RAM/network, where it was seen from. */
  details: string[];
  /**
   * false: a problem that stays open for long by nature (a traffic quota reached, open until the
   * billing period ends) gets no reminders; the next level is its own alert. Default true.
   */
  reminders?: boolean;
}

/**
 * Where an alert stands: waiting (digest window, quiet hours), in an email (queued, sending,
 * sent; refused: the SMTP server refused it (5xx) and it is tried again; failed: given up), or
 * history only (no SMTP).
 */
export type AlertStatus = 'pending' | 'queued' | 'sending' | 'sent' | 'refused' | 'failed' | 'unsent';

/** One alert as `vigil alerts` and GET /api/alerts show it. */
export interface AlertView {
  id: number;
  at: number;
  since: number;
  key: string;
  severity: AlertSeverity | 'reminder';
  kind: AlertKind;
  machine: string;
  title: string;
  details: string[];
  /** For a recovery: how long the incident lasted (ms). */
  durationMs: number | null;
  status: AlertStatus;
  /** The email's Message-ID, once the alert is in one. */
  messageId: string | null;
  sentAt: number | null;
  /** The last delivery error while the email is not sent yet. */
  error: string | null;
}

export interface IncidentView {
  key: string;
  kind: AlertKind;
  machine: string;
  title: string;
  openedAt: number;
  remindersSent: number;
}

export interface OutboxSummary {
  /** Emails not handed to the SMTP server yet. */
  pending: number;
  /** Emails the server refused for good (or that a recovery email superseded). */
  failed: number;
  oldestPendingAt: number | null;
  /** Of the pending ones, those the SMTP server refused (5xx) and that are tried again. */
  refused: number;
  /** When the server first refused the earliest of them: alert email has been failing since. */
  refusedSince: number | null;
  lastError: string | null;
}

export interface AlertHistory {
  alerts: AlertView[];
  open: IncidentView[];
  outbox: OutboxSummary;
}

/** The pipeline's entry point, as sources see it (the peer watcher, threshold monitor, hub). */
export interface AlertSink {
  report(changes: AlertChange | readonly AlertChange[]): void;
  /** Silently closes open incidents under `prefix` whose key is not in `keys` (a peer removed from the settings). */
  retain?(prefix: string, keys: ReadonlySet<string>): void;
}
