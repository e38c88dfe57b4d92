// The sync Service: delivers the agent's samples to every configured target (the hub, InfluxDB…),
// each at its own pace with its own cursor, so a slow or absent target never holds back another.
//
// Per target, a loop:
//   read the next slice after the cursor (read-only connection, short transaction)
//   → send it → on success move the cursor to the slice's last ts; a full slice means a backlog,
//     so go on at once (yielding to the event loop between batches); otherwise wait
//     sync.intervalSeconds (or until the machine's state changes, e.g. it announces sleep);
//   → a change of the machine's state (machineStateChanged: sleep announced, with its deadline,
//     or woken up) is sent at once, whatever the wait: one immediate attempt, even in the middle
//     of a backoff (the backoff then goes on as before if that attempt fails too);
//   → on failure keep the cursor, wait (exponential backoff with jitter, up to
//     sync.maxBackoffSeconds) and send the same window again; a 413 halves the batch.
// At least once: the hub ignores a ts it has, InfluxDB overwrites the point; VictoriaMetrics keeps
// a re-sent batch twice unless run with -dedup.minScrapeInterval=1ms (docs/integrations.md).
// Sampling never waits for sync: the engine keeps writing to the database, which is the queue.
import type { Settings } from '../../shared/settings.js';
import type { MachineState } from '../../shared/wire.js';
import { systemClock, type Clock } from '../clock.js';
import { dataPaths } from '../paths.js';
import { PeriodicTask } from '../periodic.js';
import type { Service } from '../runtime.js';
import { openSampleStore } from '../storage/sample-store.js';
import type { SampleStore } from '../storage/types.js';
import { VERSION } from '../version.js';
import { SYNC_BACKOFF_BASE_MS, backoffDelay } from './backoff.js';
import { Outbox } from './outbox.js';
import type { SyncServiceOptions, Worker } from './service-options.js';
import { initialTargetStatus, readSyncState, writeSyncState, type SyncStateFile, type SyncTargetStatus } from './state.js';
import { SyncError, type SendOutcome, type SyncBatch, type SyncTarget } from './types.js';

export type { SyncServiceOptions } from './service-options.js';

/**
 * State is also checked this often, for changes that come without machineStateChanged (pause,
 * resume) and as a safety net.
 */
const STATE_POLL_MS = 1000;
/** The state file is rewritten at most this often while batches flow (and at once on errors). */
const PERSIST_EVERY_MS = 1000;

export class SyncService implements Service {
  readonly name = 'sync';
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly workers: Worker[] = [];
  private readonly abort = new AbortController();
  private store: SampleStore | null = null;
  private outbox: Outbox | null = null;
  private stopped = false;
  /** Checks the machine's state every STATE_POLL_MS (pause and resume have no hook). */
  private readonly statePoll: PeriodicTask;
  private lastPersist = 0;
  private persistDirty = false;

  constructor(private readonly options: SyncServiceOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.statePoll = new PeriodicTask(this.clock, { name: 'sync state poll', logger: options.logger, everyMs: STATE_POLL_MS }, () => this.announceChanges());
    const names = new Set<string>();
    for (const target of options.targets) {
      if (names.has(target.name)) throw new SyncError('permanent', `Two sync targets are named ${target.name}: names key the cursors and must be unique`);
      names.add(target.name);
    }
  }

  start(): void {
    this.store = this.options.openStore ? this.options.openStore() : openSampleStore(dataPaths(this.options.dataDir).database, { readonly: true, cacheKiB: 256 });
    this.outbox = new Outbox(this.store);
    const saved = readSyncState(this.options.dataDir);
    for (const target of this.options.targets) {
      const previous = saved?.targets[target.name];
      // A new endpoint (another hub) gets everything still retained, from the oldest sample.
      const cursor = previous && previous.endpoint === target.endpoint ? previous.cursor : null;
      const status = initialTargetStatus(target.endpoint, cursor, target.windowMs);
      if (previous && previous.endpoint === target.endpoint) {
        status.lastSuccessAt = previous.lastSuccessAt;
        status.lastError = previous.lastError;
        status.notKept = previous.notKept;
      }
      this.workers.push({
        target,
        status,
        batchSize: this.batchLimit(target),
        lastSentAt: -Infinity,
        lastSentState: null,
        lastAttemptedState: null,
        announce: false,
        warnedNotKept: false,
        wake: null,
        timer: null,
        loop: null,
      });
    }
    for (const worker of this.workers) worker.loop = this.run(worker);
    this.statePoll.start();
    this.persist(true);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.statePoll.stop();
    for (const worker of this.workers) this.wakeUp(worker);
    // Sends in flight may finish within the grace period; then they are cut.
    const graceMs = this.options.stopGraceMs ?? 3000;
    const deadline = Date.now() + graceMs;
    const loops = Promise.all(this.workers.map((w) => w.loop));
    let graceTimer: NodeJS.Timeout | undefined;
    await Promise.race([loops, new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, graceMs)))]);
    clearTimeout(graceTimer);
    this.abort.abort();
    await loops;
    await this.deliverLast(deadline);
    for (const worker of this.workers) {
      worker.status.state = 'stopped';
      worker.status.nextAttemptAt = null;
    }
    this.persist(true);
    for (const worker of this.workers) {
      try {
        await worker.target.close?.();
      } catch (error) {
        this.options.logger.debug('sync target did not close cleanly', { target: worker.target.name, error });
      }
    }
    this.store?.close();
    this.store = null;
  }

  applySettings(settings: Settings): void {
    // Batch size and pacing are read at each step; URL or token changes need a restart (logged by the caller).
    for (const worker of this.workers) worker.batchSize = Math.min(worker.batchSize, this.batchLimit(worker.target, settings));
    this.nudge();
  }

  /** Send now (tests). */
  nudge(): void {
    for (const worker of this.workers) this.wakeUp(worker);
  }

  /**
   * The machine announced sleep (with its deadline, or none) or woke up (Runtime.setSleeping):
   * every target is told at once — a waiting worker is woken, one in a backoff makes one
   * immediate attempt, one with a send in flight follows up as soon as it returns. The state is
   * read from options.state()/sleepUntil() when the batch is made; nothing here waits.
   */
  machineStateChanged(): void {
    if (!this.stopped) this.announceChanges();
  }

  /** A copy of every target's status (for /metrics and tests). */
  status(): Record<string, SyncTargetStatus> {
    return Object.fromEntries(this.workers.map((w) => [w.target.name, { ...w.status }]));
  }

  /** Samples each target still lacks. */
  pending(): Record<string, number> {
    const outbox = this.outbox;
    return Object.fromEntries(this.workers.map((w) => [w.target.name, outbox ? outbox.pending(w.status.cursor, w.target.windowMs) : 0]));
  }

  /**
   * On a clean stop: the engine's pending samples go to the database, and every target that was
   * answering gets what it still lacks, within the deadline. A target that was failing is left
   * alone (the next start resumes from its cursor); nothing here delays a stop for long.
   */
  private async deliverLast(deadline: number): Promise<void> {
    if (!this.options.flush || !this.outbox) return;
    try {
      this.options.flush();
    } catch (error) {
      this.options.logger.debug('sync: final flush failed', { error });
      return;
    }
    await Promise.all(
      this.workers
        .filter((worker) => worker.status.consecutiveFailures === 0 && worker.status.lastSuccessAt !== null)
        .map(async (worker) => {
          while (Date.now() < deadline) {
            let batch: SyncBatch, raw: number;
            try {
              ({ batch, raw } = this.nextBatch(worker));
            } catch {
              return;
            }
            if (batch.samples.length === 0) return;
            let outcome: void | SendOutcome;
            try {
              outcome = await worker.target.send(batch, AbortSignal.timeout(Math.max(1, deadline - Date.now())));
            } catch (error) {
              this.options.logger.info('sync: last samples not delivered before stopping; they go at the next start', { target: worker.target.name, error: String(error) });
              return;
            }
            this.noteNotKept(worker, outcome);
            worker.status.cursor = batch.toTs;
            worker.status.samplesSent += raw;
            worker.status.batchesSent++;
            worker.status.lastSuccessAt = this.clock.now();
          }
        }),
    );
  }

  private batchLimit(target: SyncTarget, settings = this.options.settings()): number {
    return Math.max(1, Math.min(settings.sync.batchSamples, target.maxBatchSamples ?? Infinity));
  }

  private async run(worker: Worker): Promise<void> {
    const { logger } = this.options;
    const { target, status } = worker;
    while (!this.stopped) {
      const settings = this.options.settings();
      const intervalMs = settings.sync.intervalSeconds * 1000;
      const now = this.clock.now();
      let batch: SyncBatch, raw: number;
      try {
        ({ batch, raw } = this.nextBatch(worker));
      } catch (error) {
        // The database could not be read (locked for long, damaged): try again later, never crash.
        logger.warn('sync: cannot read the outbox', { target: target.name, error });
        await this.sleep(worker, intervalMs);
        continue;
      }
      const machineState = stateKeyOf(batch.agent.state, batch.agent.sleepUntil ?? null);
      // This batch carries the newest state: a change announced before now is being told.
      worker.announce = false;
      worker.lastAttemptedState = machineState;
      const hasData = batch.samples.length + batch.disks.length + batch.hosts.length > 0;
      const heartbeatDue = now - worker.lastSentAt >= intervalMs || machineState !== worker.lastSentState;
      if (!hasData && !heartbeatDue) {
        this.setState(worker, 'idle');
        await this.sleep(worker, worker.lastSentAt + intervalMs - now);
        continue;
      }
      this.setState(worker, 'sending');
      status.lastAttemptAt = now;
      let outcome: void | SendOutcome;
      try {
        outcome = await target.send(batch, this.abort.signal);
      } catch (error) {
        if (this.stopped) break;
        const failure = asSyncError(error);
        if (failure.kind === 'too_large' && worker.batchSize > 1 && batch.samples.length > 1) {
          worker.batchSize = Math.max(1, Math.floor(raw / 2));
          logger.info('sync: batch too large for the target; halving it', { target: target.name, batchSamples: worker.batchSize });
          continue;
        }
        status.consecutiveFailures++;
        const maxMs = settings.sync.maxBackoffSeconds * 1000;
        const delay =
          failure.kind === 'retryable'
            ? Math.min(maxMs, Math.max(failure.retryAfterMs ?? 0, backoffDelay(status.consecutiveFailures, { baseMs: this.options.backoffBaseMs ?? SYNC_BACKOFF_BASE_MS, maxMs }, this.random)))
            : maxMs;
        status.lastError = failure.message;
        status.nextAttemptAt = this.clock.now() + delay;
        this.setState(worker, failure.kind === 'retryable' ? 'retrying' : 'error');
        if (status.consecutiveFailures === 1 || failure.kind !== 'retryable') {
          logger.warn('sync: send failed; will retry', { target: target.name, endpoint: target.endpoint, error: failure.message, retryInMs: delay });
        } else {
          logger.debug('sync: send failed again', { target: target.name, failures: status.consecutiveFailures, error: failure.message, retryInMs: delay });
        }
        this.persist(true);
        // A state change came while this attempt was under way: tell it now, once.
        if (!worker.announce) await this.sleep(worker, delay);
        continue;
      }
      // Delivered.
      this.noteNotKept(worker, outcome);
      if (status.consecutiveFailures > 0) {
        logger.info('sync: target reachable again', { target: target.name, failures: status.consecutiveFailures });
      }
      if (batch.samples.length > 0) status.cursor = batch.toTs;
      status.samplesSent += raw;
      status.batchesSent++;
      status.consecutiveFailures = 0;
      status.lastError = null;
      status.nextAttemptAt = null;
      status.lastSuccessAt = this.clock.now();
      worker.lastSentAt = status.lastSuccessAt;
      worker.lastSentState = machineState;
      const full = raw >= worker.batchSize;
      // After a 413 the batch grows back step by step, so one odd sample does not slow everything for ever.
      worker.batchSize = Math.min(this.batchLimit(target, settings), worker.batchSize * 2);
      if (full) {
        this.setState(worker, 'sending');
        this.persist(false);
        await yieldToEventLoop();
        continue;
      }
      this.setState(worker, 'idle');
      this.persist(false);
      await this.sleep(worker, intervalMs);
    }
  }

  /** The next batch for a worker, and how many stored samples it covers (`raw`: more than it carries when the target takes windows). */
  private nextBatch(worker: Worker): { batch: SyncBatch; raw: number } {
    const { raw, ...slice } = this.outbox!.nextFor(worker.target, worker.status.cursor, worker.batchSize);
    const settings = this.options.settings();
    const state = this.options.state();
    const sleepUntil = state === 'sleeping' ? (this.options.sleepUntil?.() ?? null) : null;
    const batch: SyncBatch = {
      machine: { id: this.options.identity.id, name: this.options.identity.name },
      agent: {
        state,
        intervalSeconds: settings.sampling.intervalSeconds,
        syncIntervalSeconds: settings.sync.intervalSeconds,
        version: VERSION,
        healthUrl: this.options.healthUrl?.() ?? null,
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
        // Only when there is one: a hub older than the field refuses batches that carry it.
        ...(sleepUntil !== null ? { sleepUntil } : {}),
      },
      ...slice,
    };
    return { batch, raw };
  }

  /** The target acknowledged samples it did not keep (older than its raw retention): say so, once per run. */
  private noteNotKept(worker: Worker, outcome: void | SendOutcome): void {
    const notKept = outcome?.notKept ?? 0;
    if (notKept <= 0) return;
    worker.status.notKept += notKept;
    this.persistDirty = true;
    const fields = { target: worker.target.name, endpoint: worker.target.endpoint, samples: notKept, total: worker.status.notKept };
    if (worker.warnedNotKept) {
      this.options.logger.debug('sync: more samples older than the target keeps', fields);
      return;
    }
    worker.warnedNotKept = true;
    this.options.logger.warn('sync: the target did not keep samples older than its raw retention (they stay here; vigil status shows the count)', fields);
  }

  private setState(worker: Worker, state: SyncTargetStatus['state']): void {
    if (worker.status.state !== state) this.persistDirty = true;
    worker.status.state = state;
  }

  private sleep(worker: Worker, ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      worker.wake = () => {
        worker.wake = null;
        if (worker.timer !== null) this.clock.clearTimeout(worker.timer);
        worker.timer = null;
        resolve();
      };
      worker.timer = this.clock.setTimeout(() => worker.wake?.(), Math.max(0, ms));
    });
  }

  private wakeUp(worker: Worker): void {
    worker.wake?.();
  }

  /**
   * Every worker that has not yet tried to tell the current state makes one attempt now: woken
   * from any wait (idle or backoff), or right after the send in flight. Once it tried, a failure
   * goes back to the normal backoff: a hub that stays away is not hammered.
   */
  private announceChanges(): void {
    const state = stateKeyOf(this.options.state(), this.options.sleepUntil?.() ?? null);
    for (const worker of this.workers) {
      if (worker.lastAttemptedState === null || worker.lastAttemptedState === state) continue;
      worker.announce = true;
      this.wakeUp(worker);
    }
  }

  private persist(force: boolean): void {
    const now = this.clock.now();
    if (!force && !this.persistDirty && now - this.lastPersist < PERSIST_EVERY_MS) return;
    const file: SyncStateFile = { version: 1, pid: process.pid, updatedAt: now, targets: {} };
    for (const worker of this.workers) file.targets[worker.target.name] = { ...worker.status };
    try {
      writeSyncState(this.options.dataDir, file);
      this.lastPersist = now;
      this.persistDirty = false;
    } catch (error) {
      this.options.logger.warn('sync: cannot write the sync state file', { error });
    }
  }
}

/** The machine's state as the targets see it, deadline included: a new deadline is news too. */
function stateKeyOf(state: MachineState, sleepUntil: number | null): string {
  return state === 'sleeping' && sleepUntil !== null ? `${state}:${sleepUntil}` : state;
}

function asSyncError(error: unknown): SyncError {
  if (error instanceof SyncError) return error;
  return new SyncError('retryable', error instanceof Error ? error.message : String(error), { cause: error });
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
