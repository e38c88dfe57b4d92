// The hub: a central Vigil that machines report to (`vigil hub`). One process holds
//   - the machine registry (hub.db: names, hashed tokens, last seen),
//   - one SampleStore per machine (machines/<id>.db), written by POST /api/ingest,
//   - its own machine, sampled by the same Engine an agent runs (vigil.db in the hub's data dir),
//   - the HTTP server: ingest, the read API (the agent's chart API per machine), a live feed,
//     OpenAPI + Swagger UI, the fleet page and each machine's chart page.
// A watcher re-derives every machine's state each second (up / stale / sleeping / new) and
// announces changes on the live feed (and to FleetAlerts: a stale machine is mailed about, one
// asleep past its announced deadline or past hub.maxSleepHours included; state-watch.ts).
// With `influx` on (vigil hub --influx URL), everything stored is also written to InfluxDB or
// VictoriaMetrics, with the agent's sync semantics (fanout.ts, opened by fanout-open.ts).
import type { FastifyInstance } from 'fastify';
import { VigilError } from '../shared/errors.js';
import type { FleetState, HubMachine, IngestResult } from '../shared/hub-api.js';
import type { Sample } from '../shared/model.js';
import type { Settings } from '../shared/settings.js';
import { FleetAlerts } from '../core/alerts/fleet-alerts.js';
import { systemClock, type Clock } from '../core/clock.js';
import { machineIdentity, type MachineIdentity } from '../core/identity.js';
import type { Logger } from '../core/log.js';
import type { MetricSources } from '../core/metrics/index.js';
import { PeriodicTask } from '../core/periodic.js';
import { ChartService } from '../core/server/chart-service.js';
import type { HealthSource } from '../core/server/health.js';
import { createHttpServer, listenOn } from '../core/server/http-server.js';
import type { Point } from '../core/metrics-exposition/convention.js';
import { storeSnapshot, type MachineSnapshot } from '../core/server/prometheus.js';
import type { SampleStore } from '../core/storage/types.js';
import type { SyncBatch } from '../core/sync/types.js';
import { describeMachine, hubFleetState, stalePolicyOf, type HubRun } from './fleet-state.js';
import { hubPoints, ProcessCpu, storageStats, type IngestCounts } from './hub-stats.js';
import { LiveFeed } from './live.js';
import type { HubIngest, HubReadModel, HubStats } from './read-model.js';
import { MachineRegistry, type MachineRecord } from './registry.js';
import { PUBLIC_PATHS, PUBLIC_PREFIXES, registerHubRoutes } from './routes.js';
import type { HubFanOut } from './fanout.js';
import { openHubFanOut } from './fanout-open.js';
import { hubPaths } from './paths.js';
import { SelfMachine } from './self-machine.js';
import { StateWatch } from './state-watch.js';
import { StorePool } from './stores.js';
import { readTls } from './tls-files.js';

export interface HubOptions {
  dataDir: string;
  settings: Settings;
  logger: Logger;
  /** Overrides of settings.hub for this run (flags). */
  host?: string;
  port?: number;
  tokenHash?: string | null;
  clock?: Clock;
  /** Metric readers for the hub's own sampling (tests use fixtures). */
  sources?: MetricSources;
  /** Where the chart page bundle is (default dist/renderer). */
  rendererDir?: string;
  /** HTTPS certificate and key files (PEM); default settings.hub.tlsCertFile / tlsKeyFile. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** The InfluxDB token for this run (--influx-token, $VIGIL_INFLUX_TOKEN); else the influx token file. */
  influxToken?: string;
}

const WATCH_EVERY_MS = 1000;
const FLUSH_SEEN_EVERY_MS = 2000;
const RETENTION_EVERY_MS = 60 * 60 * 1000;

export class Hub implements HubReadModel, HubIngest {
  readonly registry: MachineRegistry;
  readonly pool: StorePool;
  readonly live = new LiveFeed();
  readonly clock: Clock;
  readonly logger: Logger;
  readonly identity: MachineIdentity;
  readonly health: HealthSource;
  private readonly startedAt = Date.now();
  /** The hub's own machine: sampled here when settings.hub.sampleSelf (else null). */
  private self: SelfMachine | null = null;
  private server: FastifyInstance | null = null;
  private serverUrl: string | null = null;
  private readonly timers: PeriodicTask[] = [];
  /** Stale / back emails (the smtp and alerts settings; history in <data-dir>/alerts.db). */
  private alerts: FleetAlerts | null = null;
  /** Everything stored also goes to InfluxDB / VictoriaMetrics (settings.influx); null when off. */
  private fanOut: HubFanOut | null = null;
  private readonly settings: Settings;
  private readonly counts: IngestCounts = { batches: 0, samples: 0, rejected: 0 };
  private readonly stateWatch: StateWatch;
  private readonly cpu = new ProcessCpu();
  /** This run's start and when the previous one stopped: silence while the hub was down is not a machine's. */
  private readonly run: HubRun;

  private constructor(private readonly options: HubOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.settings = options.settings;
    const paths = hubPaths(options.dataDir);
    this.registry = new MachineRegistry(paths.registry);
    this.run = { since: this.clock.now(), previousStop: this.registry.previousRunEnd() };
    this.pool = new StorePool({ dir: paths.machines, logger: options.logger, maxOpen: options.settings.hub.maxOpenStores, durability: options.settings.hub.durability });
    this.identity = machineIdentity(options.dataDir, options.settings.machine.name);
    this.health = {
      identity: this.identity,
      startedAt: this.startedAt,
      state: () => this.self?.state() ?? 'running',
      bootTime: () => this.self?.bootTime() ?? null,
      lastSampleTs: () => this.self?.latest()?.ts ?? null,
    };
    this.stateWatch = new StateWatch({ logger: this.logger, live: this.live, alerts: () => this.alerts });
  }

  static async start(options: HubOptions): Promise<Hub> {
    const hub = new Hub(options);
    try {
      // Before the server listens: the first batch may come at once, and is fanned out too.
      hub.fanOut = await openHubFanOut({
        dataDir: options.dataDir,
        settings: () => hub.settings,
        logger: options.logger,
        clock: hub.clock,
        influxToken: options.influxToken,
        registry: hub.registry,
        pool: hub.pool,
      });
      if (options.settings.hub.sampleSelf) {
        hub.self = await SelfMachine.start({
          dataDir: options.dataDir,
          settings: () => hub.settings,
          identity: hub.identity,
          logger: options.logger,
          clock: hub.clock,
          sources: options.sources,
          onSample: (sample) => hub.live.samples(hub.identity.id, [sample], hub.clock.now()),
        });
        const self = hub.self;
        hub.fanOut?.trackSelf(hub.identity, () => self.flush());
      }
      await hub.startServer();
      hub.alerts = FleetAlerts.open({
        dataDir: options.dataDir,
        settings: options.settings,
        origin: hub.identity,
        logger: options.logger,
        // One machine by id (O(1) on the cached registry; the whole list per change would make a fleet's first contact quadratic).
        describe: (id) => hub.describeById(id),
        latest: (id) => hub.pool.get(id).latestSample(),
        now: () => hub.clock.now(),
      });
      hub.startTimers();
    } catch (error) {
      await hub.stop();
      throw error;
    }
    return hub;
  }

  /** http://host:port of the running server. */
  get url(): string {
    return this.serverUrl ?? '';
  }

  now(): number {
    return this.clock.now();
  }

  authenticate(token: string): MachineRecord | null {
    return this.registry.authenticate(token);
  }

  bindAgent(machine: MachineRecord, agentId: string): boolean {
    return this.registry.bindAgent(machine, agentId);
  }

  /** Stores a validated batch (ingest.ts has checked it); idempotent. */
  ingest(machine: MachineRecord, batch: SyncBatch): IngestResult {
    const store = this.pool.get(machine.id);
    for (const host of batch.hosts) store.insertHostSnapshot(host);
    for (const disk of batch.disks) store.insertDiskSample(disk);
    // The store ignores samples older than what its retention already deleted; the agent is told
    // how many, since it moves its cursor past them all the same.
    const { inserted: accepted, tooOld } = store.storeSamples(batch.samples);
    // What is newer than anything the machine sent before, oldest first: for the live feed.
    const previousTs = machine.lastSampleTs ?? -Infinity;
    const fresh = batch.samples.filter((sample) => sample.ts > previousTs).sort((a, b) => a.ts - b.ts);
    const newest: Sample | null = batch.samples.reduce<Sample | null>((max, sample) => (!max || sample.ts > max.ts ? sample : max), null);
    const now = this.clock.now();
    this.registry.recordSeen(machine.id, {
      lastSeen: now,
      lastSampleTs: newest?.ts ?? null,
      reportedState: batch.agent.state,
      intervalSeconds: batch.agent.intervalSeconds,
      syncIntervalSeconds: batch.agent.syncIntervalSeconds,
      healthUrl: batch.agent.healthUrl,
      version: batch.agent.version,
      timeZone: batch.agent.timeZone ?? null,
      sleepUntil: batch.agent.state === 'sleeping' ? (batch.agent.sleepUntil ?? null) : null,
      agentName: batch.machine.name,
    });
    this.counts.batches++;
    this.counts.samples += accepted;
    this.fanOut?.track(machine.id);
    this.live.samples(machine.id, fresh, now);
    this.watch(machine.id);
    return { machineId: machine.id, accepted, ignored: batch.samples.length - accepted, tooOld };
  }

  countRejected(): void {
    this.counts.rejected++;
  }

  /** Every machine (the hub's own first), with its state now. */
  machines(includeRevoked = false): HubMachine[] {
    const now = this.clock.now();
    const self = this.selfMachine();
    return [...(self ? [self] : []), ...this.registry.list(includeRevoked).map((record) => this.describe(record, now))];
  }

  /** A machine (or the hub itself) by id; null when there is none. */
  describeById(id: string): HubMachine | null {
    const self = this.selfMachine();
    if (self && id === self.id) return self;
    const record = this.registry.get(id);
    return record ? this.describe(record, this.clock.now()) : null;
  }

  /** A machine (or the hub itself) by id or name; not_found otherwise. */
  machine(idOrName: string): HubMachine {
    const self = this.selfMachine();
    if (self && (idOrName === self.id || idOrName === self.name)) return self;
    const record = this.registry.find(idOrName);
    if (!record) throw new VigilError('not_found', `No machine ${idOrName}`);
    return this.describe(record, this.clock.now());
  }

  store(machine: HubMachine): SampleStore {
    if (!machine.self) return this.pool.get(machine.id);
    if (!this.self) throw new VigilError('not_found', 'The hub does not sample its own machine');
    return this.self.store;
  }

  charts(machine: HubMachine): ChartService {
    if (machine.self && this.self) return this.self.charts();
    return new ChartService({
      store: this.store(machine),
      identity: { id: machine.id, name: machine.name },
      intervalSeconds: () => machine.intervalSeconds,
      // A machine's days are its own local days (DD-MM-YYYY where it stands), not the hub's.
      timeZone: machine.timeZone ?? undefined,
    });
  }

  snapshots(): MachineSnapshot[] {
    const now = this.clock.now();
    return this.machines().flatMap((m) => {
      // The agent's own id and name (host label), so series match whichever way they came (its
      // own /metrics or the hub's); the registry name until its first batch.
      const labels = { machineId: m.agentId ?? m.id, name: (m.self ? null : this.registry.get(m.id)?.agentName) ?? m.name };
      const status = { state: m.state, lastSeen: m.lastSeen, lastSampleTs: m.lastSampleTs, now };
      if (m.self) return this.self ? [{ ...this.self.snapshot(labels), status }] : [];
      // A machine that never reported has no database yet: only its state (and nothing created).
      const store = this.pool.existing(m.id);
      return [store ? { ...storeSnapshot(labels, store), status } : { machine: labels, sample: null, status }];
    });
  }

  ownPoints(): Point[] {
    return hubPoints(this.counts, this.fanOut?.status() ?? null, this.clock.now());
  }

  stats(): HubStats {
    const memory = process.memoryUsage();
    return {
      selfLatest: this.self?.latest() ?? null,
      process: { cpuPercent: this.cpu.percent, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, ...this.counts, openStores: this.pool.openCount, liveClients: this.live.size },
      storage: storageStats(hubPaths(this.options.dataDir), this.self?.sizeOnDisk() ?? 0),
      fanOut: this.fanOut?.status() ?? null,
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.timers.map((timer) => timer.stop()));
    this.timers.length = 0;
    await this.alerts?.stop();
    this.alerts = null;
    this.live.close();
    if (this.server) {
      // Agents keep their connections alive between batches: a request in flight may finish
      // (1 s), then every connection is cut, rather than waiting for the agents to hang up.
      const server = this.server.server;
      const force = setTimeout(() => server.closeAllConnections(), 1000);
      force.unref();
      await this.server.close();
      clearTimeout(force);
    }
    this.server = null;
    // No more ingest: each machine's fan-out makes its last delivery, then the stores close.
    await this.fanOut?.stop();
    this.fanOut = null;
    await this.self?.stop();
    this.self = null;
    this.pool.close();
    // The next run measures its downtime from here (a run that never listened leaves the last mark).
    if (this.serverUrl) this.registry.markAlive(this.clock.now());
    this.registry.close();
  }

  private describe(record: MachineRecord, now: number): HubMachine {
    return describeMachine(record, this.judge(record, now));
  }

  private selfMachine(): HubMachine | null {
    return this.self?.describe(this.serverUrl ? `${this.serverUrl}/health` : null) ?? null;
  }

  private async startServer(): Promise<void> {
    const hubSettings = this.settings.hub;
    const host = this.options.host ?? hubSettings.host;
    const port = this.options.port ?? hubSettings.port;
    const tokenHash = this.options.tokenHash !== undefined ? this.options.tokenHash : hubSettings.tokenHash || null;
    const tls = readTls(this.options.tlsCertFile ?? hubSettings.tlsCertFile, this.options.tlsKeyFile ?? hubSettings.tlsKeyFile);
    const app = await createHttpServer({ host, port, tokenHash, logger: this.logger, publicPaths: PUBLIC_PATHS, publicPrefixes: PUBLIC_PREFIXES, tls, allowedHosts: hubSettings.allowedHosts });
    await registerHubRoutes(app, { read: this, ingest: this, live: this.live, tokenHash, rendererDir: this.options.rendererDir });
    this.serverUrl = await listenOn(app, host, port, tls ? 'https' : 'http');
    this.server = app;
    this.logger.info('hub listening', { url: this.serverUrl });
  }

  private startTimers(): void {
    const every = (name: string, everyMs: number, run: () => void) => {
      const timer = new PeriodicTask(this.clock, { name: `hub: ${name}`, logger: this.logger, everyMs }, run);
      timer.start();
      this.timers.push(timer);
    };
    every('machine state watch', WATCH_EVERY_MS, () => {
      this.cpu.sample();
      this.watchAll();
    });
    every('last-seen flush', FLUSH_SEEN_EVERY_MS, () => {
      this.registry.flush();
      this.registry.markAlive(this.clock.now());
    });
    every('retention', RETENTION_EVERY_MS, () => this.applyRetention());
    this.watchAll();
  }

  /** Deletes what every machine's retention says to (hourly; tests call it). */
  applyRetention(): void {
    // What retention deletes before the fan-out's server took it is lost to that server: counted and logged.
    const pendingBefore = this.fanOut?.pending();
    const deleted = this.pool.applyRetention(this.clock.now(), { rawDays: this.settings.storage.rawRetentionDays, minuteDays: this.settings.storage.minuteRetentionDays });
    if (pendingBefore) this.fanOut?.pruned(pendingBefore);
    if (deleted.raw + deleted.minute > 0) this.logger.info('hub: retention applied to machines', deleted);
  }

  private judge(record: MachineRecord, now: number): FleetState {
    return hubFleetState(record, now, stalePolicyOf(this.settings.hub), this.run);
  }

  /** Re-derives every machine's state and announces the changes. */
  private watchAll(): void {
    for (const machine of this.machines()) this.stateWatch.observe(machine.id, machine.state, machine.lastSeen);
  }

  private watch(machineId: string): void {
    const record = this.registry.get(machineId);
    if (!record) return;
    this.stateWatch.observe(machineId, this.judge(record, this.clock.now()), record.lastSeen);
  }
}
