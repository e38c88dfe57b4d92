// What the alert pipeline (pipeline.ts) is given: its policy (digest, reminders, quiet hours,
// retries, history), the mail route, and the rest of its options.
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Notifier } from './notifier.js';
import type { QuietHours } from './quiet-hours.js';
import type { AlertStore } from './store.js';

export interface AlertPolicy {
  /** Base digest window (ms); 0 sends every change at once. */
  digestMs: number;
  /** Between reminders while an incident is open (ms); 0: none. */
  reminderMs: number;
  maxReminders: number;
  quiet: QuietHours | null;
  /** Longest wait between two delivery attempts (ms). */
  retryMaxMs: number;
  /** Alert history kept (days). */
  historyDays: number;
}

export interface MailRoute {
  notifier: Notifier;
  from: string;
  to: readonly string[];
}

export interface AlertPipelineOptions {
  store: AlertStore;
  /** This machine: named in every email's footer; its id goes into the Message-IDs. */
  origin: { id: string; name: string };
  policy: AlertPolicy;
  /** null: no SMTP configured — alerts are kept in the history only. */
  mail: MailRoute | null;
  clock?: Clock;
  logger?: Logger;
  /** 0..1, for the backoff jitter (tests pass a constant). */
  random?: () => number;
  /** The pipeline closes the store when it stops. */
  ownsStore?: boolean;
}
