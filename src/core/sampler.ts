// The one owner of collection: schedules ticks, calls the metric readers, turns counters into
// rates and emits samples. Nothing else calls the readers (systeminformation keeps module-level
// state, so two callers would skew each other).
//
// Time:
// - Ticks are aligned to the wall clock: with a 1 s interval every whole second, with 60 s every
//   whole minute. Each timeout is computed from the wall clock to the next boundary (never chained
//   from the previous timeout), so ticks do not drift; the next tick is scheduled only when the
//   current one has finished, so they never overlap; a tick that overran skips the slots it
//   missed instead of bursting to catch up.
// - Sample.ts is the slot's aligned time; rates use the real monotonic time between readings.
// - The first tick is a baseline (nothing emitted), and so is the first tick after resume(),
//   after a long gap (process stopped, machine suspended, wall clock jumped forward: more than
//   2.5 intervals) — then a `gap` event is emitted instead of a rate averaged over the gap.
// - If the wall clock goes backwards, ticks that would reuse a slot already emitted are skipped:
//   ts is strictly increasing. Across restarts too: the engine passes the newest stored sample
//   and disk ts (`resumeAfter`), so an agent restarted with its clock behind waits until the clock
//   passes them, exactly as within a run. Nothing is ever stamped at or below a sync cursor (the
//   ts of a stored sample), which is what keeps sync complete (src/core/sync/outbox.ts).
//
// Disk usage runs on its own aligned timer (default every minute); the host snapshot is taken at
// start and whenever it changes. Both are asynchronous, single-flight and never delay a tick.
// The three loops (ticks, disk, host check) are PeriodicTasks (periodic.ts): ticks and disk
// readings aligned to the wall clock, the host check a period after the previous one.
//
// Failures: a reader that throws is logged (warn the first time, debug while it keeps failing
// with the same message, info when it recovers: sampler-readers.ts) and skipped; `error` is
// emitted once per such episode, and only if someone listens. Without CPU or memory a tick emits no sample; without
// load the sample has load null; without network counters it has net [].
// Listeners that throw are logged; they do not stop sampling.
import { EventEmitter } from 'node:events';
import type { CounterSnapshot, HostSnapshot, LoadAverage, MemoryUsage, NetRate } from '../shared/model.js';
import { compareNames } from '../shared/series.js';
import { formatDuration } from '../shared/units.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import type { Logger } from './log.js';
import { silentLogger } from './log.js';
import { CpuUsageComputer } from './metrics/cpu.js';
import { deepEqual } from './metrics/host.js';
import { NetRateTracker } from './metrics/network.js';
import type { CpuTimes, MetricSources } from './metrics/types.js';
import { EARLY_FIRE_TOLERANCE_MS, PeriodicTask, alignDown } from './periodic.js';
import {
  DEFAULT_DISK_INTERVAL_MS,
  DEFAULT_HOST_CHECK_INTERVAL_MS,
  GAP_INTERVALS,
  STOP_WAIT_MS,
  validateInterval,
  validatePositiveMs,
  type SamplerEvents,
  type SamplerOptions,
} from './sampler-options.js';
import { GuardedReaders, isPromiseLike } from './sampler-readers.js';

export type { GapEvent, SamplerEvents, SamplerOptions } from './sampler-options.js';

export class Sampler extends EventEmitter<SamplerEvents> {
  private readonly sources: MetricSources;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly diskIntervalMs: number;
  private readonly hostCheckIntervalMs: number;
  private interval: number;

  private running = false;
  private isPaused = false;

  private readonly ticks: PeriodicTask;
  private readonly diskReadings: PeriodicTask;
  private readonly hostChecks: PeriodicTask;
  private hostInFlight: Promise<void> | null = null;
  private hostAgain = false;

  private readonly cpu = new CpuUsageComputer();
  private readonly net = new NetRateTracker();
  /** Slot, monotonic time and interval of the last reading (baseline or sample). */
  private last: { slot: number; mono: number; intervalMs: number } | null = null;
  private lastEmittedTs = -Infinity;
  private needBaseline = true;
  private pendingGapReason: string | null = null;
  private clockBehindSince: number | null = null;
  private interfaceSet: string | null = null;

  private lastCounters: CounterSnapshot | null = null;

  private lastDiskTs = -Infinity;
  private host: HostSnapshot | null = null;
  private hostFingerprint: string | null = null;
  private readonly readers: GuardedReaders;

  constructor(options: SamplerOptions) {
    super();
    this.interval = validateInterval(options.intervalMs, 'intervalMs');
    this.diskIntervalMs = validatePositiveMs(options.diskIntervalMs ?? DEFAULT_DISK_INTERVAL_MS, 'diskIntervalMs');
    this.hostCheckIntervalMs = validatePositiveMs(options.hostCheckIntervalMs ?? DEFAULT_HOST_CHECK_INTERVAL_MS, 'hostCheckIntervalMs');
    this.sources = options.sources;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.readers = new GuardedReaders(this.logger, (error) => {
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
    this.lastEmittedTs = options.resumeAfter?.sampleTs ?? -Infinity;
    this.lastDiskTs = options.resumeAfter?.diskTs ?? -Infinity;
    this.ticks = new PeriodicTask(this.clock, { name: 'sampler tick', logger: this.logger, everyMs: () => this.interval, align: 'wall' }, () => this.tick());
    this.diskReadings = new PeriodicTask(this.clock, { name: 'disk reading', logger: this.logger, everyMs: this.diskIntervalMs, align: 'wall' }, ({ slot }) =>
      // At start and resume, the reading belongs to the current sample slot.
      this.readDisk(slot ?? alignDown(this.clock.now(), this.interval)),
    );
    this.hostChecks = new PeriodicTask(this.clock, { name: 'host check', logger: this.logger, everyMs: this.hostCheckIntervalMs }, () => this.runHostCheck(false));
  }

  get intervalMs(): number {
    return this.interval;
  }

  /** The raw cumulative counters of the latest reading; null before the first one. */
  counters(): CounterSnapshot | null {
    return this.lastCounters;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.isPaused = false;
    this.needBaseline = true;
    this.pendingGapReason = null;
    this.startTimers();
  }

  /**
   * Stops every timer and waits for the work in flight (a tick, a disk read, a host snapshot),
   * at most STOP_WAIT_MS: a reader stuck on a hung process or mount must not block shutdown.
   */
  async stop(): Promise<void> {
    this.running = false;
    const inFlight = Promise.allSettled([this.ticks.stop(), this.diskReadings.stop(), this.hostChecks.stop(), this.hostInFlight]);
    let timer: TimerHandle | null = null;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = this.clock.setTimeout(() => resolve('timeout'), STOP_WAIT_MS);
    });
    const outcome = await Promise.race([inFlight, timedOut]);
    if (timer !== null) this.clock.clearTimeout(timer);
    if (outcome === 'timeout') this.logger.warn('sampler stopped with a reader still running', { waitedMs: STOP_WAIT_MS });
    this.cpu.reset();
    this.net.reset();
    this.last = null;
    this.interfaceSet = null;
    // A later start() reports the host again, changed or not.
    this.host = null;
    this.hostFingerprint = null;
  }

  pause(): void {
    if (!this.running || this.isPaused) return;
    this.isPaused = true;
    this.clearTimers();
    this.logger.info('sampling paused');
  }

  /** Resumes with a fresh baseline (the next tick emits nothing) and a `gap` event for the pause. */
  resume(): void {
    if (!this.running || !this.isPaused) return;
    this.isPaused = false;
    this.needBaseline = true;
    this.pendingGapReason = 'sampling was paused';
    this.logger.info('sampling resumed');
    this.startTimers();
  }

  /** Changes the interval from the next tick on (aligned to the new boundaries). */
  setIntervalMs(ms: number): void {
    this.interval = validateInterval(ms, 'intervalMs');
    // A tick in flight schedules the next with the new interval when it finishes.
    if (this.active) this.ticks.reschedule();
  }

  // ---- scheduling -------------------------------------------------------------------------

  private startTimers(): void {
    this.ticks.start();
    if (this.diskReadings.inFlight) this.logger.debug('disk reading still running; slot skipped', { ts: alignDown(this.clock.now(), this.interval) });
    this.diskReadings.start({ now: true });
    this.runHostCheck(true);
    this.hostChecks.start();
  }

  /** Readings in flight go on (and are dropped, as the sampler is no longer active). */
  private clearTimers(): void {
    void this.ticks.stop();
    void this.diskReadings.stop();
    void this.hostChecks.stop();
  }

  private get active(): boolean {
    return this.running && !this.isPaused;
  }

  // ---- the tick -----------------------------------------------------------------------------

  private async tick(): Promise<void> {
    const now = this.clock.now();
    const slot = alignDown(now + Math.min(EARLY_FIRE_TOLERANCE_MS, this.interval / 10), this.interval);
    const previous = this.last;

    if (slot <= this.lastEmittedTs || (previous && slot <= previous.slot)) {
      // The wall clock is back on a slot already used (it was set backwards, or a timer fired
      // early): skip until it passes, so ts stays strictly increasing.
      // After a restart the last sample is the newest one stored (resumeAfter).
      const lastSlot = Math.max(this.lastEmittedTs, previous?.slot ?? -Infinity);
      if (now < lastSlot && this.clockBehindSince === null) {
        this.clockBehindSince = now;
        this.logger.warn(`wall clock is ${formatDuration(lastSlot - now)} behind the last sample; no sample until it passes it (timestamps only increase, so sync misses nothing)`, {
          behindMs: lastSlot - now,
          lastSample: new Date(lastSlot).toISOString(),
          now: new Date(now).toISOString(),
        });
      }
      return;
    }
    const wasBehind = this.clockBehindSince !== null;
    if (wasBehind) {
      this.logger.info('wall clock passed the last sample again; sampling continues');
      this.clockBehindSince = null;
    }

    const mono = this.clock.monotonic();
    let gapReason = this.pendingGapReason;
    if (previous && !this.needBaseline) {
      const limit = GAP_INTERVALS * Math.max(this.interval, previous.intervalMs);
      const elapsed = mono - previous.mono;
      const wallStep = slot - previous.slot;
      if (elapsed > limit && wasBehind) gapReason = `wall clock was set back; no sample for ${seconds(elapsed)} until it passed the last one`;
      else if (elapsed > limit) gapReason = `no reading for ${seconds(elapsed)} (process stopped, suspended or overloaded)`;
      else if (wallStep > limit) gapReason = `wall clock jumped ${seconds(wallStep - elapsed)} forward (clock set, or the machine was suspended)`;
    }
    const baseline = this.needBaseline || gapReason !== null;
    if (baseline) {
      this.cpu.reset();
      this.net.reset();
    }

    // Start the one asynchronous reader first (the portable network counters), then the
    // synchronous ones, so the tick is as short as its slowest reader.
    const netStart = this.clock.monotonic();
    const pendingNet = this.readers.read('network', () => this.sources.network.read());
    const cpuTimes = await this.readers.read<CpuTimes>('cpu', () => this.sources.cpu.read());
    const memory = await this.readers.read<MemoryUsage>('memory', () => this.sources.memory.read());
    const load = await this.readers.read<LoadAverage | null>('load', () => this.sources.load.read());
    const counters = await pendingNet;
    // Counters were read somewhere between start and now: the midpoint is the best estimate
    // (the Linux read is immediate; systeminformation spawns a process).
    const netAt = isPromiseLike(pendingNet) ? (netStart + this.clock.monotonic()) / 2 : netStart;

    if (!this.active) {
      // stop() or pause() arrived while an asynchronous reader was running: drop the reading
      // (resume() and start() take a new baseline anyway).
      return;
    }

    // The raw counters of every reading, baselines too (what /metrics exposes as counters); a
    // reader that failed keeps its previous ones.
    this.lastCounters = {
      ts: slot,
      cpu: cpuTimes ? cpuTimes.cores.map((core) => core?.modes ?? null) : (this.lastCounters?.cpu ?? []),
      net: counters ? [...counters].sort((a, b) => compareNames(a.iface, b.iface)) : (this.lastCounters?.net ?? []),
    };
    const cpu = cpuTimes ? this.cpu.update(cpuTimes) : null;
    const net = counters ? this.net.update(counters, netAt) : null;
    for (const iface of this.net.rejected) {
      this.logger.debug('network counter jump rejected as a reset', { iface });
      this.sources.network.recheck?.(iface);
    }
    if (net) this.noticeInterfaces(net);

    this.last = { slot, mono, intervalMs: this.interval };
    if (baseline) {
      this.needBaseline = false;
      this.pendingGapReason = null;
      if (gapReason !== null && previous) this.emitSafely('gap', { from: previous.slot, to: slot, reason: gapReason });
      if (gapReason !== null) this.logger.info('new baseline after a gap', { reason: gapReason });
      return;
    }
    // Without CPU or memory there is no sample (their readers failed and were logged, or the CPU
    // counters went backwards and this reading became the new baseline).
    if (!cpu || !memory) return;
    this.lastEmittedTs = slot;
    this.emitSafely('sample', { ts: slot, cpu, memory, load: load ?? null, net: net ?? [] });
  }

  /** Emits without letting a throwing listener break the sampler. */
  private emitSafely<K extends keyof SamplerEvents>(event: K, ...args: SamplerEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: SamplerEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.logger.error(`a ${event} listener threw`, { error });
    }
  }

  /** A new or vanished interface in the counters changes the host snapshot: refresh it now. */
  private noticeInterfaces(rates: readonly NetRate[]): void {
    // Rates are sorted by name, so the joined names are a stable key for the set.
    let key = '';
    for (const rate of rates) key += `${rate.iface}\n`;
    if (this.interfaceSet !== null && key !== this.interfaceSet) {
      this.logger.info('network interfaces changed', { interfaces: rates.map((r) => r.iface) });
      this.refreshHost();
    }
    this.interfaceSet = key;
  }

  // ---- disk -----------------------------------------------------------------------------------

  private async readDisk(ts: number): Promise<void> {
    const disks = await this.readers.read('disk', () => this.sources.disk.read());
    // A backwards wall clock must not produce an older disk sample after a newer one.
    if (disks && this.active && ts > this.lastDiskTs) {
      this.lastDiskTs = ts;
      this.emitSafely('disk', { ts, disks });
    }
  }

  // ---- host -----------------------------------------------------------------------------------

  private runHostCheck(force: boolean): void {
    const refresh = this.sources.refresh;
    if (!force && refresh) {
      // The portable path's slow values (swap); single-flight through the reader itself.
      void this.readers.read('refresh', () => refresh.call(this.sources));
    }
    let fingerprint: string | null = null;
    try {
      fingerprint = this.sources.host.fingerprint();
    } catch (error) {
      this.readers.failed('host', error);
    }
    if (force || fingerprint === null || fingerprint !== this.hostFingerprint) this.refreshHost();
  }

  /** Takes a snapshot (single-flight; a request during one in flight runs once more after it). */
  private refreshHost(): void {
    if (this.hostInFlight) {
      this.hostAgain = true;
      return;
    }
    const run = (async () => {
      let fingerprint: string | null = null;
      try {
        fingerprint = this.sources.host.fingerprint();
      } catch {
        // Reported by runHostCheck; the snapshot may still work.
      }
      const snapshot = await this.readers.read('host', () => this.sources.host.snapshot());
      if (!snapshot || !this.running) return;
      this.hostFingerprint = fingerprint;
      if (this.host && deepEqual(this.host, snapshot)) return;
      this.host = snapshot;
      this.emitSafely('host', { ts: this.clock.now(), host: snapshot });
    })().finally(() => {
      this.hostInFlight = null;
      if (this.hostAgain && this.running) {
        this.hostAgain = false;
        this.refreshHost();
      }
    });
    this.hostInFlight = run;
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
