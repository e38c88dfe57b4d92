// What was running: once a minute, on the wall clock's whole minutes (the engine's Clock), the
// top 5 processes by CPU and by memory go to the store beside the 1-minute rollups
// (storage/top-table.ts), kept as long as they are. The agent and the tray app both get it from
// the engine.
//
// The lister is the in-process one (metrics/processes.ts: /proc on Linux, ~4 ms a call, no
// process spawned), kept between runs so each minute's CPU % spans the whole minute: the reading
// at 10:01:00 is measured from the one at 10:00:00 and stored as the minute 10:00. The first
// reading after a start only primes the lister; its minute is not recorded (a 500 ms window is
// not "the minute"). A lister that fails skips its minute, says so once in the log, and the
// schedule goes on.
import { TOP_PER_MINUTE } from '../shared/processes.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import type { ProcessLister } from './metrics/processes.js';
import { PeriodicTask, alignDown } from './periodic.js';
import type { SampleStore } from './storage/types.js';

export const TOP_EVERY_MS = 60_000;
/**
 * A previous reading up to this old still measures the minute (a run delayed by a busy machine);
 * older (a missed minute, a suspend), the lister measures a fresh short window instead.
 */
export const TOP_MAX_WINDOW_MS = 90_000;

export interface TopRecorderOptions {
  store: SampleStore;
  clock: Clock;
  logger: Logger;
  /** The lister, created on the first start (default: this OS's in-process lister). */
  lister?: () => Promise<ProcessLister>;
}

export class TopRecorder {
  private readonly task: PeriodicTask;
  private lister: Promise<ProcessLister> | null = null;
  /** Monotonic ms of the lister's last reading, or null: the next reading only primes it. */
  private primedAt: number | null = null;
  private failing = false;

  constructor(private readonly options: TopRecorderOptions) {
    this.task = new PeriodicTask(options.clock, { name: 'top processes', logger: options.logger, everyMs: TOP_EVERY_MS, align: 'wall' }, (context) => this.record(context.slot, context.signal));
  }

  get started(): boolean {
    return this.task.started;
  }

  /** Primes the lister now, then records at every whole minute. */
  start(): void {
    if (this.task.started) return;
    this.primedAt = null;
    this.task.start({ now: true });
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** For tests and benches: the run in flight, if any. */
  get inFlight(): Promise<void> | null {
    return this.task.inFlight;
  }

  private async record(slot: number | null, signal: AbortSignal): Promise<void> {
    const { clock, store, logger } = this.options;
    const started = clock.monotonic();
    const previous = this.primedAt;
    let top;
    try {
      this.lister ??= (this.options.lister ?? defaultLister)();
      top = await (await this.lister).top(TOP_PER_MINUTE);
    } catch (error) {
      this.lister = null; // a lister that could not be created is tried afresh next minute
      this.primedAt = null;
      if (!this.failing) logger.warn('cannot list processes; the top processes of this minute are not recorded (retried every minute)', { error });
      this.failing = true;
      return;
    }
    if (signal.aborted) return;
    this.primedAt = started;
    // Recorded only when this reading is measured from the previous one, over about a minute.
    if (previous === null || started - previous > TOP_MAX_WINDOW_MS) return;
    // The minute that just ended: the run at 10:01:00 (its slot) stores 10:00.
    const minute = alignDown((slot ?? clock.now()) - 1, TOP_EVERY_MS);
    try {
      store.insertTopMinute({ ts: minute, windowMs: top.windowMs, byCpu: top.byCpu, byMemory: top.byMemory });
      if (this.failing) logger.info('top processes recorded again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) logger.warn('cannot store the top processes of a minute (retried every minute)', { error });
      this.failing = true;
    }
  }
}

const defaultLister = async (): Promise<ProcessLister> => {
  // Loaded only when recording is on: the agent with it off never pays for the module.
  const { createProcessLister } = await import('./metrics/processes.js');
  return createProcessLister({ maxWindowMs: TOP_MAX_WINDOW_MS });
};
