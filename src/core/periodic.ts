// The one way the core runs something again and again (a flush, a retention pass, a peer round,
// a public IP check, the sampler's disk reading…), on the injected Clock so tests drive it with
// the fake one. The rules every loop used to re-implement by hand:
// - single-flight: the next run is scheduled only when the previous one has finished, so runs
//   never overlap, and a run that overran is not followed by a burst catching up;
// - a run that throws or rejects is logged and the schedule goes on;
// - stop() clears the timer, aborts the run in flight's signal and waits for that run to end;
// - 'wall' alignment: runs on the wall clock's multiples of the period (every whole minute for
//   60 s), each timeout computed afresh from the wall clock, so runs do not drift and slots
//   missed during an overrun are skipped. Otherwise the next run comes one period after the
//   previous one began (monotonic clock), at once if it took longer than that.
import type { Clock, TimerHandle } from './clock.js';
import type { Logger } from './log.js';

/**
 * A timer may fire a hair before the boundary on the wall clock (timers run on the monotonic
 * clock; NTP slews the wall clock by up to 500 ppm). Within this much, it belongs to that slot.
 */
export const EARLY_FIRE_TOLERANCE_MS = 25;

/** The start of the slot that contains t. */
export function alignDown(t: number, intervalMs: number): number {
  return Math.floor(t / intervalMs) * intervalMs;
}

/** The first slot boundary strictly after t (allowing for a timer that fires a hair early). */
export function nextBoundary(t: number, intervalMs: number): number {
  return alignDown(t + Math.min(EARLY_FIRE_TOLERANCE_MS, intervalMs / 10), intervalMs) + intervalMs;
}

export interface PeriodicRunContext {
  /** Aborted by stop() and restart(): a run waiting on I/O should give up (its results are not wanted). */
  signal: AbortSignal;
  /** With 'wall' alignment, the boundary (wall ms) this run was scheduled for; null for a run asked for by runNow(), restart() or start({ now }), and without alignment. */
  slot: number | null;
}

export interface PeriodicTaskOptions {
  /** Names the task in the log line of a failed run ("<name> failed"). */
  name: string;
  logger: Logger;
  /** The period in ms, read again each time a run is scheduled: a changed setting applies from the next run on. */
  everyMs: number | (() => number);
  /** 'wall': on the wall clock's multiples of the period. Default 'monotonic': one period after the previous run began. */
  align?: 'monotonic' | 'wall';
}

export interface PeriodicStartOptions {
  /** Run once at once (synchronously up to its first await), then on schedule. */
  now?: boolean;
  /** The first run after this many ms instead of one period (or, with 'wall', the next boundary). */
  firstRunInMs?: number;
}

/** A synchronous function, or an async one (a native Promise: single-flight waits for it). */
type Run = (context: PeriodicRunContext) => void | Promise<void>;

interface InFlight {
  promise: Promise<void>;
  abort: AbortController;
}

export class PeriodicTask {
  private timer: TimerHandle | null = null;
  private scheduledAt: number | null = null;
  private current: InFlight | null = null;
  private restarting: Promise<void> | null = null;
  private active = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: PeriodicTaskOptions,
    private readonly run: Run,
  ) {}

  /** Between start() (or restart()) and stop(). */
  get started(): boolean {
    return this.active;
  }

  /** The run in flight, if any. */
  get inFlight(): Promise<void> | null {
    return this.current?.promise ?? null;
  }

  /** Wall ms the latest scheduled run is (or was) due at; null before the first scheduling and after stop(). */
  get nextRunAt(): number | null {
    return this.scheduledAt;
  }

  /**
   * Starts the schedule. Does nothing when already started. A run still in flight from before a
   * stop() schedules the next one when it ends, as any run does.
   */
  start(options: PeriodicStartOptions = {}): void {
    if (this.active) return;
    this.active = true;
    if (options.now) void this.runNow();
    else if (!this.current) this.scheduleNext(options.firstRunInMs ?? null, null);
  }

  /**
   * Runs now, unless a run is in flight: that run is awaited instead. The next run is scheduled
   * from this one (the armed timer is dropped). Stopped, it runs once and schedules nothing.
   */
  runNow(): Promise<void> {
    if (this.restarting) return this.restarting;
    if (this.current) return this.current.promise;
    return this.launch(null);
  }

  /** The period changed: re-arms the timer from now. A run in flight schedules the next itself when it ends. */
  reschedule(): void {
    if (!this.active || this.current) return;
    this.cancelTimer();
    this.scheduleNext(null, null);
  }

  /**
   * What the run works with changed (a new URL): the run in flight is abandoned (its signal is
   * aborted, and it is waited for, so runs still never overlap), then a run starts at once.
   * Starts the schedule if it was stopped.
   */
  restart(): Promise<void> {
    this.active = true;
    this.cancelTimer();
    if (this.restarting) return this.restarting;
    const previous = this.current;
    if (!previous) return this.launch(null);
    previous.abort.abort();
    const restarting = previous.promise.then(() => {
      this.restarting = null;
      return this.active ? this.runNow() : undefined;
    });
    this.restarting = restarting;
    return restarting;
  }

  /** No more runs: the timer is cleared at once; the run in flight is aborted and waited for. */
  stop(): Promise<void> {
    this.active = false;
    this.cancelTimer();
    this.scheduledAt = null;
    const current = this.current;
    if (!current) return this.restarting ?? Promise.resolve();
    current.abort.abort();
    return current.promise;
  }

  private period(): number {
    const every = this.options.everyMs;
    return typeof every === 'function' ? every() : every;
  }

  private launch(slot: number | null): Promise<void> {
    this.cancelTimer();
    const abort = new AbortController();
    const startedAt = this.clock.monotonic();
    const entry: InFlight = { abort, promise: Promise.resolve() };
    this.current = entry;
    let result: void | Promise<void> = undefined;
    try {
      result = this.run({ signal: abort.signal, slot });
    } catch (error) {
      this.failed(error);
    }
    // A synchronous run (a flush) has finished here: the next is scheduled at once, so a second
    // runNow() right after it runs again rather than joining a run that is over.
    if (!(result instanceof Promise)) {
      this.finished(entry, startedAt);
      return entry.promise;
    }
    entry.promise = result.then(
      () => this.finished(entry, startedAt),
      (error: unknown) => {
        this.failed(error);
        this.finished(entry, startedAt);
      },
    );
    return entry.promise;
  }

  private failed(error: unknown): void {
    this.options.logger.error(`${this.options.name} failed`, { error });
  }

  private finished(entry: InFlight, startedAt: number): void {
    if (this.current !== entry) return;
    this.current = null;
    if (this.active) this.scheduleNext(null, startedAt);
  }

  /** Arms the timer: after `delayMs` when given, else by the alignment rule (`startedAt`: monotonic start of the run just ended). */
  private scheduleNext(delayMs: number | null, startedAt: number | null): void {
    const every = this.period();
    const now = this.clock.now();
    let delay: number;
    let slot: number | null = null;
    if (delayMs !== null) {
      delay = Math.max(0, delayMs);
    } else if (this.options.align === 'wall') {
      slot = nextBoundary(now, every);
      delay = slot - now;
    } else {
      delay = Math.max(0, every - (startedAt === null ? 0 : this.clock.monotonic() - startedAt));
    }
    this.scheduledAt = now + delay;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.launch(slot);
    }, delay);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
