// The engine: the one place that wires a sample's path —
//   sampler → daily CSV (every sample, at once) → SQLite (batched) → listeners (API, sync, alerts)
// plus retention and the data-dir lock. The headless agent and the tray app both run exactly
// this, so they cannot drift apart.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { dayOf } from '../shared/dates.js';
import { VigilError } from '../shared/errors.js';
import type { CounterSnapshot, DiskSample, HostRecord, PublicIpInfo, Sample } from '../shared/model.js';
import type { Settings } from '../shared/settings.js';
import { systemClock, type Clock } from './clock.js';
import { DailyCsvWriter } from './csv/daily-writer.js';
import { recoverFromCsv } from './csv/recover.js';
import { pruneCsvFiles } from './csv/retention.js';
import { acquireDataDirLock, type DataDirLock } from './lock.js';
import { silentLogger, type Logger } from './log.js';
import { createMetricSources, type MetricSources } from './metrics/index.js';
import { dataPaths, type DataPaths } from './paths.js';
import { PeriodicTask } from './periodic.js';
import { Sampler } from './sampler.js';
import { openSampleStore } from './storage/sample-store.js';
import type { SampleStore } from './storage/types.js';
import { makeDirs } from './fs-util.js';
import type { ProcessLister } from './metrics/processes.js';
import { TopRecorder } from './top-recorder.js';
import { deepEqual } from './metrics/host.js';

export interface EngineOptions {
  dataDir: string;
  settings: Settings;
  logger?: Logger;
  /** Metric readers; default: the fast path for this OS. */
  sources?: MetricSources;
  clock?: Clock;
  /** Who holds the data-dir lock ('agent', 'app'); shown to a second instance. */
  role?: string;
  /**
   * Keep the last recorded public IP in host snapshots until the lookup reports again (the
   * runtime sets this when `publicIp.enabled`), so a restart records no spurious change.
   */
  carryPublicIp?: boolean;
  /** The process lister of the once-a-minute top processes (processes.recordTop); default: this OS's. */
  processLister?: () => Promise<ProcessLister>;
}

export type EngineEvents = {
  sample: [Sample];
  disk: [DiskSample];
  host: [HostRecord];
  gap: [{ from: number; to: number; reason: string }];
  /** The database refused a batch (disk full, I/O error); samples are kept and retried. */
  storageError: [VigilError];
};

/**
 * Samples held in memory while the database (or the daily CSV) refuses writes: a day at 1 s,
 * then the oldest go.
 */
const MAX_PENDING_SAMPLES = 86_400;
const RETENTION_EVERY_MS = 60 * 60 * 1000;
/** Rows of the CSV backlog written per try: a day's backlog drains over a few ticks, not in one long stall. */
const CSV_BACKLOG_ROWS_PER_TRY = 10_000;

export class Engine extends EventEmitter<EngineEvents> {
  readonly paths: DataPaths;
  readonly store: SampleStore;
  private readonly sampler: Sampler;
  private readonly csv: DailyCsvWriter;
  /** The clock the engine samples by (the fake one in tests): loops beside it use the same. */
  readonly clock: Clock;
  private readonly logger: Logger;
  private readonly lock: DataDirLock;
  private settings: Settings;
  private pending: Sample[] = [];
  /**
   * Samples not yet in the daily CSV (it refused them: full disk…), oldest first. They are
   * written, in order, before any newer sample, as soon as the CSV takes writes again, so the
   * daily file and `vigil export` of the day agree again.
   */
  private csvBacklog: Sample[] = [];
  private latestSample: Sample | null = null;
  private latestHostRecord: HostRecord | null = null;
  /** Merged into every host snapshot (setPublicIp); undefined when the lookup is off. */
  private publicIp: PublicIpInfo | undefined;
  /**
   * Pending samples go to the database in one transaction per flush, every storage.flushSeconds:
   * when to commit is decided here, not in the store.
   */
  private readonly flushes: PeriodicTask;
  private readonly retention: PeriodicTask;
  /** The top processes of every minute, while processes.recordTop is on. */
  private readonly topRecorder: TopRecorder;
  private storageFailing = false;
  private csvFailing = false;
  /** ts of the last disk sample this run stored (they strictly increase). */
  private lastDiskTs = -Infinity;
  private stopped = false;

  /** Use startEngine(); the constructor only assembles parts that are already open. */
  private constructor(parts: {
    paths: DataPaths;
    store: SampleStore;
    csv: DailyCsvWriter;
    sampler: Sampler;
    lock: DataDirLock;
    settings: Settings;
    clock: Clock;
    logger: Logger;
    processLister?: () => Promise<ProcessLister>;
  }) {
    super();
    this.paths = parts.paths;
    this.store = parts.store;
    this.csv = parts.csv;
    this.sampler = parts.sampler;
    this.lock = parts.lock;
    this.settings = parts.settings;
    this.clock = parts.clock;
    this.logger = parts.logger;
    this.flushes = new PeriodicTask(this.clock, { name: 'database flush', logger: this.logger, everyMs: () => this.settings.storage.flushSeconds * 1000 }, () => this.flush());
    this.retention = new PeriodicTask(this.clock, { name: 'retention', logger: this.logger, everyMs: RETENTION_EVERY_MS }, () => this.applyRetention());
    this.topRecorder = new TopRecorder({ store: this.store, clock: this.clock, logger: this.logger, lister: parts.processLister });
    this.sampler.on('sample', (sample) => this.onSample(sample));
    this.sampler.on('disk', (disk) => this.onDisk(disk));
    this.sampler.on('host', (host) => this.onHost(host));
    this.sampler.on('gap', (gap) => {
      this.logger.info('sampling gap', { ...gap });
      this.emit('gap', gap);
    });
    this.sampler.on('error', (error) => this.logger.warn('sampler error', { error }));
  }

  static async start(options: EngineOptions): Promise<Engine> {
    const logger = options.logger ?? silentLogger;
    const clock = options.clock ?? systemClock;
    const paths = dataPaths(options.dataDir);
    ensureWritableDir(paths.dataDir);
    const lock = await acquireDataDirLock(paths.lock, options.role ?? 'agent', paths.dataDir);
    let store: SampleStore | null = null;
    try {
      store = openSampleStore(paths.database, { logger });
      const recovered = recoverFromCsv(store, paths.telemetry, { logger });
      if (recovered > 0) logger.info('recovered samples from the CSV tail after an unclean stop', { samples: recovered });
      const csv = new DailyCsvWriter({ dir: paths.telemetry, logger });
      const sources = options.sources ?? (await createMetricSources({ logger }));
      const sampler = new Sampler({
        intervalMs: options.settings.sampling.intervalSeconds * 1000,
        diskIntervalMs: options.settings.sampling.diskIntervalSeconds * 1000,
        sources,
        clock,
        logger,
        // Timestamps go on from what is stored, even with the wall clock now behind it: a sample
        // stamped below a sync cursor would be kept here and never sent (the sampler says how
        // far behind the clock is and waits until it passes).
        resumeAfter: { sampleTs: store.lastTimestamp(), diskTs: store.latestDisks()?.ts ?? null },
      });
      const engine = new Engine({ paths, store, csv, sampler, lock, settings: options.settings, clock, logger, processLister: options.processLister });
      if (options.carryPublicIp) engine.publicIp = store.latestHost()?.host.publicIp;
      engine.retention.start({ now: true });
      engine.flushes.start();
      if (options.settings.processes.recordTop) engine.topRecorder.start();
      sampler.start();
      logger.info('sampling started', { dataDir: paths.dataDir, intervalSeconds: options.settings.sampling.intervalSeconds, sources: sources.name });
      return engine;
    } catch (error) {
      store?.close();
      await lock.release();
      throw error;
    }
  }

  /** Records the local server's URL with the data-dir lock, where `vigil sleep --data-dir` finds it. */
  recordServerUrl(url: string | null): void {
    if (!this.stopped) this.lock.setUrl(url);
  }

  /** The newest sample taken (flushed to the database or not). */
  latest(): Sample | null {
    return this.latestSample;
  }

  /** The raw cumulative CPU and network counters of the latest reading (live only: /metrics' counters). */
  counters(): CounterSnapshot | null {
    return this.sampler.counters();
  }

  /** Samples taken and not yet written to the database (the batch flush() writes). */
  unflushed(): readonly Sample[] {
    return this.pending;
  }

  /** The newest host snapshot (this run's, or the stored one until the sampler reports). */
  host(): HostRecord | null {
    return this.latestHostRecord ?? this.store.latestHost();
  }

  /**
   * The public IP lookup (public-ip.ts) reports here; undefined when it is off. The address is
   * part of the host snapshot, so a change is recorded in the host history like any other.
   * The sampler knows nothing of it: it is merged into the snapshots the sampler reports.
   */
  setPublicIp(info: PublicIpInfo | undefined): void {
    if (deepEqual(info, this.publicIp)) return;
    this.publicIp = info;
    // Before this run's first snapshot there is nothing to amend: the sampler's will carry it.
    if (this.latestHostRecord && !this.stopped) this.onHost({ ts: this.clock.now(), host: this.latestHostRecord.host });
  }

  get paused(): boolean {
    return this.sampler.paused;
  }

  get intervalMs(): number {
    return this.sampler.intervalMs;
  }

  pause(): void {
    this.sampler.pause();
    this.flush();
    this.logger.info('sampling paused');
  }

  resume(): void {
    this.sampler.resume();
    this.logger.info('sampling resumed');
  }

  /** Applies changed settings live: interval, retention, flush cadence and the top processes' recording. */
  applySettings(settings: Settings): void {
    const previous = this.settings;
    this.settings = settings;
    if (settings.sampling.intervalSeconds !== previous.sampling.intervalSeconds) {
      this.sampler.setIntervalMs(settings.sampling.intervalSeconds * 1000);
    }
    if (settings.storage.flushSeconds !== previous.storage.flushSeconds) this.flushes.reschedule();
    if (settings.processes.recordTop && !this.stopped) this.topRecorder.start();
    else void this.topRecorder.stop();
    if (JSON.stringify(settings.storage) !== JSON.stringify(previous.storage) || settings.csv.retentionDays !== previous.csv.retentionDays) {
      void this.retention.runNow();
    }
  }

  /**
   * Writes pending samples to the database now, and any the daily CSV refused to it. On failure
   * they stay pending for the next try.
   */
  flush(): void {
    this.writeCsvBacklog();
    if (this.pending.length === 0) return;
    const batch = this.pending;
    try {
      this.store.insertSamples(batch);
      this.pending = [];
      if (this.storageFailing) {
        this.storageFailing = false;
        this.logger.info('database writes work again', { samples: batch.length });
      }
    } catch (error) {
      const vigilError = error instanceof VigilError ? error : new VigilError('io_error', `Database write failed: ${String(error)}`, { cause: error });
      if (!this.storageFailing) {
        this.storageFailing = true;
        this.logger.error('database write failed; samples are kept in memory and retried', { error: vigilError.message, pending: batch.length });
      }
      this.emit('storageError', vigilError);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.sampler.stop();
    await Promise.all([this.flushes.stop(), this.retention.stop(), this.topRecorder.stop()]);
    this.flush();
    if (this.pending.length > 0) this.logger.error('stopping with samples the database refused', { lost: this.pending.length });
    if (this.csvBacklog.length > 0) this.logger.error('stopping with samples the daily CSV refused (they are in the database: vigil export gives the day)', { samples: this.csvBacklog.length });
    this.csv.close();
    this.store.close();
    await this.lock.release();
    this.logger.info('sampling stopped');
  }

  private onSample(sample: Sample): void {
    this.latestSample = sample;
    this.csvBacklog.push(sample);
    if (this.csvBacklog.length > MAX_PENDING_SAMPLES) {
      const dropped = this.csvBacklog.splice(0, this.csvBacklog.length - MAX_PENDING_SAMPLES);
      this.logger.error('daily CSV unwritable for too long: the oldest samples will be missing from it (not from the database)', { dropped: dropped.length });
    }
    this.writeCsvBacklog();
    this.pending.push(sample);
    if (this.pending.length > MAX_PENDING_SAMPLES) {
      const dropped = this.pending.splice(0, this.pending.length - MAX_PENDING_SAMPLES);
      this.logger.error('database unwritable for too long: dropping the oldest pending samples', { dropped: dropped.length });
    }
    this.emit('sample', sample);
  }

  /**
   * Appends the samples the CSV has not taken yet, oldest first; stops at the first refusal
   * (the writer leaves the file as it was: no partial row) and keeps the rest for the next try.
   */
  private writeCsvBacklog(): void {
    let written = 0;
    try {
      const count = Math.min(this.csvBacklog.length, CSV_BACKLOG_ROWS_PER_TRY);
      for (; written < count; written++) this.csv.append(this.csvBacklog[written]!);
    } catch (error) {
      // The database stays the source of truth: a day's CSV can be re-exported from it.
      if (!this.csvFailing) {
        this.csvFailing = true;
        this.logger.error('CSV write failed; samples still go to the database, and to the CSV once it takes writes again', { error });
      }
    } finally {
      if (written > 0) this.csvBacklog.splice(0, written);
    }
    if (this.csvFailing && this.csvBacklog.length === 0) {
      this.csvFailing = false;
      this.logger.info('CSV writes work again', { samples: written });
    }
  }

  private onDisk(reading: DiskSample): void {
    // Stamped at its slot's start but stored when the reading returns (df can take seconds on a
    // slow mount): if samples newer than the slot were stored meanwhile, sync may already have
    // moved past the slot, so the reading takes the next ts after them instead and is sent.
    const ts = this.afterStored(reading.ts, this.lastDiskTs);
    const disk: DiskSample = ts === reading.ts ? reading : { ...reading, ts };
    if (ts !== reading.ts) this.logger.debug('disk reading returned after newer samples were stored; stamped just after them', { slot: reading.ts, ts });
    this.lastDiskTs = ts;
    try {
      this.store.insertDiskSample(disk);
    } catch (error) {
      this.logger.warn('could not store disk usage', { error });
    }
    this.emit('disk', disk);
  }

  /**
   * `ts`, or the first ms after the newest stored sample (and after `previous`) when it is not
   * past them: sync sends what lies after its cursor, and the cursor is a stored sample's ts.
   */
  private afterStored(ts: number, previous: number): number {
    let stored: number | null = null;
    try {
      stored = this.store.lastTimestamp();
    } catch {
      // Unreadable for now: the write below fails too and is logged there.
    }
    return Math.max(ts, (stored ?? -Infinity) + 1, previous + 1);
  }

  private onHost(record: HostRecord): void {
    const { publicIp: _previous, ...snapshot } = record.host;
    // A snapshot taken while the wall clock is behind the stored samples (set back, or a restart
    // behind them) is stamped after them, so sync still sends it.
    const host: HostRecord = { ts: this.afterStored(record.ts, this.host()?.ts ?? -Infinity), host: this.publicIp ? { ...snapshot, publicIp: this.publicIp } : snapshot };
    this.latestHostRecord = host;
    try {
      if (this.store.insertHostSnapshot(host)) this.logger.info('host snapshot recorded', { hostname: host.host.hostname });
    } catch (error) {
      this.logger.warn('could not store host snapshot', { error });
    }
    this.emit('host', host);
  }

  private applyRetention(): void {
    const now = this.clock.now();
    try {
      const deleted = this.store.applyRetention(now, {
        rawDays: this.settings.storage.rawRetentionDays,
        minuteDays: this.settings.storage.minuteRetentionDays,
      });
      const pruned = pruneCsvFiles(this.paths.telemetry, this.settings.csv.retentionDays, dayOf(now));
      if (deleted.raw + deleted.minute + pruned.length > 0) this.logger.info('retention applied', { ...deleted, csvFiles: pruned.length });
    } catch (error) {
      this.logger.warn('retention failed; will retry', { error });
    }
  }
}

export const startEngine = (options: EngineOptions): Promise<Engine> => Engine.start(options);

/** Creates the data dir if needed and proves we can write there, with a message a person can act on. */
export function ensureWritableDir(dir: string): void {
  try {
    makeDirs(dir);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new VigilError('data_dir_unwritable', `Data dir ${dir} is not writable (${code}); pass --data-dir or set VIGIL_DATA_DIR`, { cause: error });
  }
}
