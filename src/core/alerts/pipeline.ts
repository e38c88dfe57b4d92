// The alert pipeline: state changes in, emails out, nothing lost, nothing twice.
//
//   report(change) ──► incident + alert rows (one transaction) ──► compose (digest window,
//   quiet hours) ──► message row in the outbox ──► send (backoff) ──► sent
//
// - Incidents make reporting idempotent: a "problem" for a key that already has an open
//   incident is a duplicate (a watcher that restarted and sees the same peer down again), and a
//   "recovery" without an open incident is ignored. So sources simply report what they see.
// - Digest: the first alert after a calm period goes out at once (fast is what matters for
//   an outage); alerts arriving within `digestMs` of the last email wait and leave together as
//   one email. While changes keep coming, the window doubles (up to 16×), so a flapping peer
//   produces a few emails an hour, not one a minute.
// - Quiet hours: alerts wait until the window ends, then go as one digest; reminders due in it
//   move to its end.
// - Reminders: while an incident stays open, every `reminderMs`, at most `maxReminders` times.
// - Delivery: the outbox is a table. A message is marked 'sending' (committed) before the SMTP
//   transaction and 'sent' right after the server's final 250. A crash in between leaves it
//   'sending': on start it is sent again with the same Message-ID — at-least-once, the
//   duplicate window being the milliseconds between the server's reply and our commit. SMTP has
//   no idempotency key, so exactly-once cannot be promised; mail stores that collapse copies by
//   Message-ID (Gmail, many clients) show one. The alternative (drop messages left in doubt)
//   could lose a DOWN email, which is worse for a watchdog.
// - Failures: a connection/TLS/auth/4xx failure means the server is unusable for every
//   message: sending pauses with exponential backoff (with jitter, capped at retryMaxMs), and
//   once a message goes through, everything waiting goes at once, in order. A 5xx refusal concerns
//   one email; the others go on, and it is tried again with the same backoff:
//   - an email telling of a problem whose incident is still open (DOWN, a reminder) is tried for
//     as long as the incident is open: a watchdog that gives up leaves an outage nobody hears of.
//     No reminder is added while it is not delivered (it would say the same thing again);
//   - when the incident closes, the recovery email tells the story: the refused DOWN email is
//     marked failed (superseded), never sent after the recovery, and the recovery says it was not
//     delivered;
//   - any other email (a recovery, a notice) is tried for a day after its first refusal, then
//     marked failed: old news by then, and the history keeps it.
//   vigil alerts, vigil status and the tray show an email that is being refused as failing.
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { silentLogger, type Logger } from '../log.js';
import { composeEmail } from './compose.js';
import { NotifierError, classifySmtpError } from './notifier.js';
import type { AlertPipelineOptions, AlertPolicy, MailRoute } from './pipeline-options.js';
import { isQuiet, quietEndsAt } from './quiet-hours.js';
import type { AlertStore } from './store.js';
import type { PendingAlert } from './store-rows.js';
import type { AlertChange, AlertSink } from './types.js';

export type { AlertPipelineOptions, AlertPolicy, MailRoute } from './pipeline-options.js';

/** A refused (5xx) email with no open incident is given up this long after its first refusal. */
const REFUSED_GIVE_UP_MS = 24 * 60 * 60 * 1000;
const MAX_DIGEST_DOUBLINGS = 4;
/** Timers are re-armed at least this often, so a long wait follows wall-clock changes. */
const MAX_TIMER_MS = 60 * 60 * 1000;
const PRUNE_EVERY_MS = 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How long stop() waits for an email being handed over. */
const STOP_WAIT_MS = 5000;

export class AlertPipeline implements AlertSink {
  /** The pipeline's database (history, peer memory); owned by the pipeline when ownsStore. */
  readonly store: AlertStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private policy: AlertPolicy;
  private mail: MailRoute | null;
  private timer: TimerHandle | null = null;
  private sending: Promise<void> | null = null;
  private transportFailures = 0;
  private transportRetryAt = 0;
  private lastPruneAt = 0;
  private started = false;
  private stopped = false;
  /** The store is closed: an email still in flight stays 'sending' (in doubt) for the next start. */
  private closed = false;

  constructor(private readonly options: AlertPipelineOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.random = options.random ?? Math.random;
    this.policy = options.policy;
    this.mail = options.mail;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const inDoubt = this.store.resetInDoubt();
    if (inDoubt.length > 0) {
      this.logger.warn('alert emails were being sent when Vigil stopped; sending them again with the same Message-ID', { messages: inDoubt });
    }
    this.tick();
  }

  /** Records state changes and sends what is due. Never throws for a bad change: it is logged. */
  report(changes: AlertChange | readonly AlertChange[]): void {
    const list = Array.isArray(changes) ? (changes as readonly AlertChange[]) : [changes as AlertChange];
    if (list.length === 0 || this.stopped) return;
    try {
      this.store.transaction(() => {
        for (const change of list) this.record(change);
      });
    } catch (error) {
      this.logger.error('could not record alerts', { error, alerts: list.map((c) => c.title) });
      return;
    }
    this.tick();
  }

  /** Closes, without an email, open incidents under `prefix` whose key is not in `keys`. */
  retain(prefix: string, keys: ReadonlySet<string>): void {
    const now = this.clock.now();
    this.store.transaction(() => {
      for (const incident of this.store.openIncidents()) {
        if (incident.key.startsWith(prefix) && !keys.has(incident.key)) {
          this.store.closeIncident(incident.id, now);
          this.logger.info('alert incident closed: no longer watched', { key: incident.key });
        }
      }
    });
    this.tick();
  }

  /** New settings: policy and/or mail route (a SIGHUP, the settings window). */
  configure(update: { policy?: AlertPolicy; mail?: MailRoute | null }): void {
    if (update.policy) {
      const before = this.policy;
      this.policy = update.policy;
      if (before.reminderMs !== update.policy.reminderMs || before.maxReminders !== update.policy.maxReminders) {
        // A traffic quota's incidents never remind (AlertChange.reminders).
        this.store.rescheduleReminders((incident) => (incident.kind === 'traffic_quota' ? null : this.reminderAfter(incident.remindersSent, this.clock.now())));
      }
    }
    if (update.mail !== undefined) {
      if (this.mail && this.mail.notifier !== update.mail?.notifier) this.mail.notifier.close();
      this.mail = update.mail;
      this.transportFailures = 0;
      this.transportRetryAt = 0;
    }
    this.tick();
  }

  /** Stops timers; waits (briefly) for an email being handed over, so it is marked sent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.sending) {
      await Promise.race([this.sending, new Promise<void>((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
    }
    this.closed = true;
    this.mail?.notifier.close();
    if (this.options.ownsStore) this.store.close();
  }

  /** Resolves once no email is being sent (tests and benchmarks). */
  async settled(): Promise<void> {
    while (this.sending) await this.sending;
  }

  // --- recording -------------------------------------------------------------------------

  private record(change: AlertChange): void {
    const base = {
      at: change.at,
      since: change.since,
      key: change.key,
      kind: change.kind,
      machine: change.machine,
      title: change.title,
      details: change.details,
    };
    const open = change.severity === 'notice' ? null : this.store.openIncident(change.key);
    if (change.severity === 'problem') {
      if (open) {
        this.logger.debug('alert already open: not sent again', { key: change.key, title: change.title });
        return;
      }
      const incident = this.store.insertIncident(change, change.reminders === false ? null : this.reminderAfter(0, change.at));
      this.store.insertAlert({ ...base, severity: 'problem', durationMs: null, incident, state: 'pending' });
    } else if (change.severity === 'recovery') {
      if (!open) return;
      this.store.closeIncident(open.id, change.since);
      const undelivered = this.store.supersedeRefused(open.id);
      if (undelivered.length > 0) this.logger.warn('alert email never delivered: the recovery email tells instead', { key: change.key, title: open.title, error: undelivered[0] });
      const details = undelivered.length > 0 ? [...change.details, `The email about "${open.title}" was never delivered: ${undelivered[0]}`] : change.details;
      this.store.insertAlert({ ...base, details, severity: 'recovery', durationMs: Math.max(0, change.since - open.openedAt), incident: open.id, state: 'pending' });
    } else {
      this.store.insertAlert({ ...base, severity: 'notice', durationMs: null, incident: null, state: 'pending' });
    }
    this.logger.info('alert', { severity: change.severity, key: change.key, title: change.title });
  }

  private reminderAfter(remindersSent: number, from: number): number | null {
    const { reminderMs, maxReminders } = this.policy;
    return reminderMs > 0 && remindersSent < maxReminders ? from + reminderMs : null;
  }

  // --- the loop --------------------------------------------------------------------------

  private tick(): void {
    if (this.stopped || !this.started) return;
    const now = this.clock.now();
    try {
      this.prune(now);
      this.remind(now);
      this.compose(now);
    } catch (error) {
      this.logger.error('alert pipeline step failed', { error });
    }
    this.kickSender();
    this.schedule();
  }

  private remind(now: number): void {
    const due = this.store.dueReminders(now);
    if (due.length === 0) return;
    this.store.transaction(() => {
      for (const incident of due) {
        if (incident.remindersSent >= this.policy.maxReminders || this.policy.reminderMs <= 0) {
          this.store.setReminder(incident.id, incident.remindersSent, null);
        } else if (isQuiet(this.policy.quiet, now)) {
          this.store.setReminder(incident.id, incident.remindersSent, quietEndsAt(this.policy.quiet, now));
        } else if (this.store.incidentHasUndeliveredAlert(incident.id)) {
          // Its own alert has not reached anyone yet (waiting, refused): a reminder would say the
          // same thing twice, and pile up behind it.
          this.store.setReminder(incident.id, incident.remindersSent, now + this.policy.reminderMs);
        } else {
          const sent = incident.remindersSent + 1;
          this.store.insertAlert({
            at: now,
            since: incident.openedAt,
            key: incident.key,
            severity: 'reminder',
            kind: incident.kind,
            machine: incident.machine,
            title: incident.title,
            details: [`Reminder ${sent} of at most ${this.policy.maxReminders}.`],
            durationMs: null,
            incident: incident.id,
            state: 'pending',
          });
          this.store.setReminder(incident.id, sent, this.reminderAfter(sent, now));
        }
      }
    });
  }

  /** When the waiting alerts may leave: after the digest window and outside quiet hours. */
  private releaseAt(now: number): number {
    const last = Number(this.store.getMeta('last_composed_at') ?? Number.NEGATIVE_INFINITY);
    const windowMs = this.policy.digestMs * 2 ** Number(this.store.getMeta('digest_level') ?? 0);
    const afterDigest = Math.max(now, last + windowMs);
    return quietEndsAt(this.policy.quiet, afterDigest);
  }

  private compose(now: number): void {
    const pending = this.store.pendingAlerts();
    if (pending.length === 0) return;
    if (!this.mail) {
      this.store.transaction(() => this.store.assignAlerts(pending.map((a) => a.id), null, 'unsent'));
      return;
    }
    if (now < this.releaseAt(now)) return;
    const email = composeEmail(pending, { origin: this.options.origin.name });
    const messageId = `<alert.${randomUUID()}@${this.options.origin.id}.vigil>`;
    this.store.transaction(() => {
      const last = Number(this.store.getMeta('last_composed_at') ?? Number.NEGATIVE_INFINITY);
      const level = Number(this.store.getMeta('digest_level') ?? 0);
      const windowMs = this.policy.digestMs * 2 ** level;
      // Still busy (this email follows the last one closely): widen the next window.
      const nextLevel = this.policy.digestMs > 0 && now - last < 2 * windowMs ? Math.min(level + 1, MAX_DIGEST_DOUBLINGS) : 0;
      const id = this.store.insertMessage({ messageId, createdAt: now, subject: email.subject, body: email.body });
      this.store.assignAlerts(
        pending.map((a: PendingAlert) => a.id),
        id,
        'queued',
      );
      this.store.setMeta('last_composed_at', String(now));
      this.store.setMeta('digest_level', String(nextLevel));
    });
    this.logger.info('alert email queued', { subject: email.subject, alerts: pending.length, messageId });
  }

  private kickSender(): void {
    if (this.sending || !this.mail || this.stopped) return;
    const run = this.sendDue()
      .catch((error: unknown) => {
        if (!this.closed) this.logger.error('alert email delivery step failed', { error });
      })
      .finally(() => {
        this.sending = null;
        this.schedule();
      });
    this.sending = run;
  }

  private async sendDue(): Promise<void> {
    while (!this.stopped && this.mail) {
      const mail = this.mail;
      const now = this.clock.now();
      if (now < this.transportRetryAt) return;
      const message = this.store.nextMessage(now);
      if (!message) return;
      this.store.markSending(message.id, now);
      try {
        const result = await mail.notifier.send({
          messageId: message.messageId,
          date: message.createdAt,
          from: mail.from,
          to: mail.to,
          subject: message.subject,
          text: message.body,
        });
        if (this.closed) return;
        const at = this.clock.now();
        this.store.markSent(message.id, at, result.response);
        if (this.transportFailures > 0) {
          this.logger.info('SMTP server reachable again: sending what waited', { after: this.transportFailures });
          this.store.releaseMessages(at);
        }
        this.transportFailures = 0;
        this.transportRetryAt = 0;
        this.logger.info('alert email sent', { subject: message.subject, to: mail.to, messageId: message.messageId, rejected: result.rejected.length ? result.rejected : undefined });
      } catch (caught) {
        if (this.closed) return;
        const error = caught instanceof NotifierError ? caught : classifySmtpError(caught, mail.notifier.description);
        const at = this.clock.now();
        const attempts = message.attempts + 1;
        if (error.scope === 'message') {
          const open = this.store.messageHasOpenIncident(message.id);
          if (!open && at - (message.refusedAt ?? at) >= REFUSED_GIVE_UP_MS) {
            this.store.markFailed(message.id, `${error.message}; gave up after ${REFUSED_GIVE_UP_MS / 3_600_000} h`);
            this.logger.error('alert email refused by the SMTP server for a day: given up', { subject: message.subject, attempts, error: error.message });
          } else {
            const retryAt = at + this.backoff(attempts);
            // Refused since the attempt began (`now`), as the history reads it.
            this.store.markRefused(message.id, now, retryAt, error.message);
            const fields = { subject: message.subject, attempts, retryInMs: retryAt - at, error: error.message };
            const why = open ? 'retrying while its incident is open' : 'retrying for a day';
            // Said at the first refusals, then at every doubling: the log stays readable through a long outage.
            if ((attempts & (attempts - 1)) === 0) this.logger.warn(`alert email refused by the SMTP server; ${why}`, fields);
            else this.logger.debug(`alert email refused by the SMTP server again; ${why}`, fields);
          }
          continue;
        }
        this.transportFailures++;
        this.transportRetryAt = at + this.backoff(this.transportFailures);
        this.store.markRetry(message.id, this.transportRetryAt, error.message);
        const fields = { error: error.message, retryInMs: this.transportRetryAt - at, failures: this.transportFailures };
        if (this.transportFailures === 1) this.logger.warn('cannot send alert email now; will retry', fields);
        else this.logger.debug('still cannot send alert email; will retry', fields);
        return;
      }
    }
  }

  private backoff(failures: number): number {
    const ceiling = Math.min(this.policy.retryMaxMs, 1000 * 2 ** Math.min(failures - 1, 30));
    return Math.round(ceiling * (0.5 + 0.5 * this.random()));
  }

  private schedule(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    const now = this.clock.now();
    const candidates: number[] = [];
    try {
      if (this.mail && this.store.pendingAlerts().length > 0) candidates.push(this.releaseAt(now));
      const reminder = this.store.nextReminderAt();
      if (reminder !== null) candidates.push(reminder);
      if (this.mail && !this.sending) {
        const next = this.store.nextAttemptAt();
        if (next !== null) candidates.push(Math.max(next, this.transportRetryAt));
      }
    } catch (error) {
      this.logger.error('alert pipeline cannot read its queue', { error });
      candidates.push(now + 60_000);
    }
    candidates.push(this.lastPruneAt + PRUNE_EVERY_MS);
    const at = Math.min(...candidates);
    const delay = Math.min(Math.max(0, at - now), MAX_TIMER_MS);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.tick();
    }, delay);
  }

  private prune(now: number): void {
    if (now - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now;
    const deleted = this.store.prune(now - this.policy.historyDays * DAY_MS);
    if (deleted > 0) this.logger.info('alert history pruned', { alerts: deleted });
  }
}
