// The state machine of one peer, pure (no timers, no I/O): check results in, events out.
//
//   UNKNOWN ──ok──► UP ──fail──► PENDING ──fail × (K−1)──► DOWN ──ok──► UP
//                    ▲              │ok                       │
//                    └──────────────┘ (a blip: no alert)      └─ alerts: 'down' once, 'up' once
//
//   any ──ok, state 'sleeping'──► SLEEPING: failures are expected and not counted until the
//   deadline the peer announced (none = until it answers again). After the deadline it is
//   treated like UP: K failures → DOWN ("did not come back by …").
//
// A changed boot time with the agent restarted since we last saw it, without an outage or
// an announced sleep in between, is an unexpected reboot → a notice.
import type { CheckResult, PeerHealth } from './health-check.js';

export type PeerState = 'unknown' | 'up' | 'pending' | 'down' | 'sleeping';

export type PeerEvent =
  | { type: 'down'; at: number; since: number; lastSeen: number | null; reason: string; missedDeadline: number | null; health: PeerHealth | null }
  | {
      type: 'up';
      at: number;
      /** When the outage began (null: first answer since this watcher started; it may close an outage recorded before). */
      downSince: number | null;
      /** The boot time changed during the outage. */
      rebooted: boolean;
      health: PeerHealth;
    }
  | { type: 'reboot'; at: number; previousBoot: number; bootTime: number; health: PeerHealth }
  | { type: 'sleeping'; at: number; until: number | null }
  | { type: 'woke'; at: number };

export interface PeerTrackerOptions {
  /** K: consecutive failures before DOWN. */
  failuresBeforeDown: number;
  /** What the watcher knew before it started (its persisted memory of the peer). */
  lastSeen?: number | null;
  health?: PeerHealth | null;
}

/** Boot times are derived from the clock and uptime; they move a little (and with clock steps). */
const BOOT_TOLERANCE_MS = 60_000;

export class PeerTracker {
  state: PeerState = 'unknown';
  failures = 0;
  /** When the current run of failures began. */
  firstFailureAt: number | null = null;
  /** When DOWN began (the first failure of the run that made it DOWN). */
  downSince: number | null = null;
  lastSeen: number | null;
  lastFailure: string | null = null;
  health: PeerHealth | null;
  sleepUntil: number | null = null;
  /** The boot time we saw while it was UP (null until known). */
  private bootTime: number | null = null;
  /** The state PENDING falls back to on a reset (UP, UNKNOWN, or SLEEPING past its deadline). */
  private beforePending: PeerState = 'unknown';
  private missedDeadline: number | null = null;

  constructor(private options: PeerTrackerOptions) {
    this.lastSeen = options.lastSeen ?? null;
    this.health = options.health ?? null;
    // The boot time remembered from before this watcher restarted, so a reboot of the peer while
    // the watcher itself was away is still noticed.
    this.bootTime = options.health?.bootTime ?? null;
  }

  setFailuresBeforeDown(k: number): void {
    this.options = { ...this.options, failuresBeforeDown: k };
  }

  observe(result: CheckResult, now: number): PeerEvent[] {
    return result.ok ? this.answered(result.health, now) : this.failed(result.message, now);
  }

  /** This machine's own view cannot be trusted (it was asleep, or offline): forget the failures counted. */
  reset(): void {
    if (this.state === 'pending') this.state = this.beforePending;
    this.failures = 0;
    this.firstFailureAt = null;
  }

  private answered(health: PeerHealth, now: number): PeerEvent[] {
    const events: PeerEvent[] = [];
    const previous = this.state;
    const sinceLastSeen = this.lastSeen === null ? null : now - this.lastSeen;
    const bootChanged = this.bootTime !== null && health.bootTime !== null && Math.abs(health.bootTime - this.bootTime) > BOOT_TOLERANCE_MS;
    // Its agent restarted since we last saw it (uptime shorter than the silence), so the changed
    // boot time is a reboot and not a clock step.
    const restarted = sinceLastSeen !== null && health.uptimeSeconds !== null && health.uptimeSeconds * 1000 <= sinceLastSeen + 60_000;
    const rebooted = bootChanged && restarted;

    if (previous === 'down') {
      events.push({ type: 'up', at: now, downSince: this.downSince, rebooted, health });
    } else if (previous === 'unknown') {
      // A recovery (if an incident was open before the restart) that says it rebooted, and the
      // notice otherwise: the alert pipeline ignores a recovery without an open incident.
      events.push({ type: 'up', at: now, downSince: null, rebooted, health });
      if (rebooted) events.push({ type: 'reboot', at: now, previousBoot: this.bootTime!, bootTime: health.bootTime!, health });
    } else if (previous === 'sleeping' && health.state !== 'sleeping') {
      events.push({ type: 'woke', at: now });
    } else if (rebooted && (previous === 'up' || (previous === 'pending' && this.beforePending !== 'sleeping'))) {
      events.push({ type: 'reboot', at: now, previousBoot: this.bootTime!, bootTime: health.bootTime!, health });
    }

    this.failures = 0;
    this.firstFailureAt = null;
    this.downSince = null;
    this.lastFailure = null;
    this.missedDeadline = null;
    this.lastSeen = now;
    this.health = health;
    if (health.bootTime !== null) this.bootTime = health.bootTime;
    if (health.state === 'sleeping') {
      if (previous !== 'sleeping' || this.sleepUntil !== health.sleepUntil) events.push({ type: 'sleeping', at: now, until: health.sleepUntil });
      this.state = 'sleeping';
      this.sleepUntil = health.sleepUntil;
    } else {
      this.state = 'up';
      this.sleepUntil = null;
    }
    return events;
  }

  private failed(reason: string, now: number): PeerEvent[] {
    this.lastFailure = reason;
    switch (this.state) {
      case 'sleeping':
        // Silence is what it announced; it counts only once its own deadline has passed.
        if (this.sleepUntil === null || now < this.sleepUntil) return [];
        this.missedDeadline = this.sleepUntil;
        return this.countFailure(now, 'sleeping');
      case 'up':
      case 'unknown':
        return this.countFailure(now, this.state);
      case 'pending':
        return this.countFailure(now, this.beforePending);
      case 'down':
        return [];
    }
  }

  private countFailure(now: number, from: PeerState): PeerEvent[] {
    if (this.state !== 'pending') {
      this.beforePending = from;
      this.failures = 0;
      this.firstFailureAt = this.missedDeadline ?? now;
    }
    this.failures++;
    this.state = 'pending';
    if (this.failures < this.options.failuresBeforeDown) return [];
    this.state = 'down';
    this.downSince = this.firstFailureAt ?? now;
    this.sleepUntil = null;
    return [{ type: 'down', at: now, since: this.downSince, lastSeen: this.lastSeen, reason: this.lastFailure ?? 'no answer', missedDeadline: this.missedDeadline, health: this.health }];
  }
}
