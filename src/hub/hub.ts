// The hub: a central Vigil that machines report to (`vigil hub`). One process holds
//   - the machine registry (hub.db: names, hashed tokens, last seen),
//   - one SampleStore per machine (machines/<id>.db), written by POST /api/ingest,
//   - its own machine, sampled by the same Engine an agent runs (vigil.db in the hub's data dir),
//   - the HTTP server: ingest, the read API (the agent's chart API per machine), a live feed,
//     OpenAPI + Swagger UI, the fleet page and each machine's chart page.
// A watcher re-derives every machine's state each second (up / stale / sleeping / new) and
// announces changes on the live feed (and to FleetAlerts: a stale machine is mailed about, one
// asleep past its announced deadline or past hub.maxSleepHours included).
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { VigilError } from '../shared/errors.js';
import type { FleetState, HubMachine, IngestResult } from '../shared/hub-api.js';
import type { Sample } from '../shared/model.js';
import type { Settings } from '../shared/settings.js';
import { FleetAlerts } from '../core/alerts/fleet-alerts.js';
import { systemClock, type Clock } from '../core/clock.js';
import { Engine } from '../core/engine.js';
import { machineIdentity, type MachineIdentity } from '../core/identity.js';
import type { Logger } from '../core/log.js';
import type { MetricSources } from '../core/metrics/index.js';
import { createHttpServer, listenOn } from '../core/server/http-server.js';
import { VERSION } from '../core/version.js';
import type { SyncBatch } from '../core/sync/types.js';
import { fleetState, stalePolicyOf } from './fleet-state.js';
import { LiveFeed } from './live.js';
import { MachineRegistry, type MachineRecord } from './registry.js';
import { StorePool } from './stores.js';

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
}

export function hubPaths(dataDir: string) {
  return {
    dataDir,
    registry: path.join(dataDir, 'hub.db'),
    machines: path.join(dataDir, 'machines'),
  };
}

const WATCH_EVERY_MS = 1000;
const FLUSH_SEEN_EVERY_MS = 2000;
const RETENTION_EVERY_MS = 60 * 60 * 1000;

export class Hub {
  readonly registry: MachineRegistry;
  readonly pool: StorePool;
  readonly live = new LiveFeed();
  readonly clock: Clock;
  readonly logger: Logger;
  readonly startedAt = Date.now();
  /** The hub's own machine: sampled here when settings.hub.sampleSelf (else null). */
  engine: Engine | null = null;
  readonly identity: MachineIdentity;
  private server: FastifyInstance | null = null;
  private serverUrl: string | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly states = new Map<string, FleetState>();
  /** Stale / back emails (the smtp and alerts settings; history in <data-dir>/alerts.db). */
  private alerts: FleetAlerts | null = null;
  private settings: Settings;
  private stats = { batches: 0, samples: 0, rejected: 0 };
  private cpu = { at: process.hrtime.bigint(), usage: process.cpuUsage(), percent: 0 };

  private constructor(private readonly options: HubOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.settings = options.settings;
    const paths = hubPaths(options.dataDir);
    this.registry = new MachineRegistry(paths.registry);
    this.pool = new StorePool({ dir: paths.machines, logger: options.logger, maxOpen: options.settings.hub.maxOpenStores });
    this.identity = machineIdentity(options.dataDir, options.settings.machine.name);
  }

  static async start(options: HubOptions): Promise<Hub> {
    const hub = new Hub(options);
    try {
      if (options.settings.hub.sampleSelf) {
        hub.engine = await Engine.start({ dataDir: options.dataDir, settings: options.settings, logger: options.logger, role: 'hub', sources: options.sources, clock: options.clock });
        hub.engine.on('sample', (sample) => hub.live.publish({ type: 'sample', machineId: hub.identity.id, sample }));
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

  get settingsNow(): Settings {
    return this.settings;
  }

  /** Stores a validated batch (ingest.ts has checked it); idempotent. */
  ingest(machine: MachineRecord, batch: SyncBatch): IngestResult {
    const store = this.pool.get(machine.id);
    for (const host of batch.hosts) store.insertHostSnapshot(host);
    for (const disk of batch.disks) store.insertDiskSample(disk);
    // The store ignores samples older than what its retention already deleted; the agent is told
    // how many, since it moves its cursor past them all the same.
    const { inserted: accepted, tooOld } = store.storeSamples(batch.samples);
    let newest: Sample | null = null;
    for (const sample of batch.samples) if (!newest || sample.ts > newest.ts) newest = sample;
    const previousTs = machine.lastSampleTs;
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
    });
    this.stats.batches++;
    this.stats.samples += accepted;
    if (newest && (previousTs === null || newest.ts > previousTs)) this.live.publish({ type: 'sample', machineId: machine.id, sample: newest });
    this.watch(machine.id);
    return { machineId: machine.id, accepted, ignored: batch.samples.length - accepted, tooOld };
  }

  countRejected(): void {
    this.stats.rejected++;
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

  private describe(record: MachineRecord, now: number): HubMachine {
    return {
      id: record.id,
      name: record.name,
      agentId: record.agentId,
      self: false,
      state: record.revokedAt !== null ? 'stale' : fleetState(record, now, stalePolicyOf(this.settings.hub)),
      reportedState: record.reportedState,
      lastSeen: record.lastSeen,
      lastSampleTs: record.lastSampleTs,
      healthUrl: record.healthUrl,
      version: record.version,
      intervalSeconds: record.intervalSeconds,
      timeZone: record.timeZone,
      createdAt: record.createdAt,
      revokedAt: record.revokedAt,
      sleepUntil: record.reportedState === 'sleeping' ? record.sleepUntil : null,
    };
  }

  /** The hub process's own figures (GET /api/hub). */
  processStats(): { cpuPercent: number; rssBytes: number; heapUsedBytes: number; batches: number; samples: number; rejected: number; openStores: number; liveClients: number } {
    const memory = process.memoryUsage();
    return {
      cpuPercent: this.cpu.percent,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      ...this.stats,
      openStores: this.pool.openCount,
      liveClients: this.live.size,
    };
  }

  /** Bytes on disk: the registry, the hub's own database and every machine's. */
  storageStats(): { registryBytes: number; selfBytes: number; machinesBytes: number; machineFiles: number; freeBytes: number | null } {
    const paths = hubPaths(this.options.dataDir);
    const sizeOf = (file: string) => ['', '-wal', '-shm'].reduce((sum, suffix) => sum + fileSize(`${file}${suffix}`), 0);
    let machinesBytes = 0;
    let machineFiles = 0;
    try {
      for (const name of fs.readdirSync(paths.machines)) {
        if (!name.endsWith('.db')) continue;
        machineFiles++;
        machinesBytes += sizeOf(path.join(paths.machines, name));
      }
    } catch {
      // No machine has reported yet.
    }
    let freeBytes: number | null = null;
    try {
      const stat = fs.statfsSync(this.options.dataDir);
      freeBytes = stat.bavail * stat.bsize;
    } catch {
      // statfs is not available everywhere.
    }
    return {
      registryBytes: sizeOf(paths.registry),
      selfBytes: this.engine ? this.engine.store.sizeOnDisk() : 0,
      machinesBytes,
      machineFiles,
      freeBytes,
    };
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
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
    if (this.engine) await this.engine.stop();
    this.engine = null;
    this.pool.close();
    this.registry.close();
  }

  private selfMachine(): HubMachine | null {
    if (!this.engine) return null;
    const latest = this.engine.latest();
    return {
      id: this.identity.id,
      name: this.identity.name,
      agentId: this.identity.id,
      self: true,
      state: 'up',
      reportedState: this.engine.paused ? 'paused' : 'running',
      lastSeen: this.clock.now(),
      lastSampleTs: latest?.ts ?? this.engine.store.lastTimestamp(),
      healthUrl: this.serverUrl ? `${this.serverUrl}/health` : null,
      version: VERSION,
      intervalSeconds: this.settings.sampling.intervalSeconds,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
      createdAt: this.startedAt,
      revokedAt: null,
      sleepUntil: null,
    };
  }

  private async startServer(): Promise<void> {
    const hubSettings = this.settings.hub;
    const host = this.options.host ?? hubSettings.host;
    const port = this.options.port ?? hubSettings.port;
    const tokenHash = this.options.tokenHash !== undefined ? this.options.tokenHash : hubSettings.tokenHash || null;
    const { PUBLIC_PATHS, PUBLIC_PREFIXES, registerHubRoutes } = await import('./routes.js');
    const tls = readTls(this.options.tlsCertFile ?? hubSettings.tlsCertFile, this.options.tlsKeyFile ?? hubSettings.tlsKeyFile);
    const app = await createHttpServer({ host, port, tokenHash, logger: this.logger, publicPaths: PUBLIC_PATHS, publicPrefixes: PUBLIC_PREFIXES, tls, allowedHosts: hubSettings.allowedHosts });
    await registerHubRoutes(app, this, { tokenHash, rendererDir: this.options.rendererDir });
    this.serverUrl = await listenOn(app, host, port, tls ? 'https' : 'http');
    this.server = app;
    this.logger.info('hub listening', { url: this.serverUrl });
  }

  private startTimers(): void {
    const every = (ms: number, fn: () => void) => {
      const timer = setInterval(() => {
        try {
          fn();
        } catch (error) {
          this.logger.warn('hub: periodic task failed', { error });
        }
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(WATCH_EVERY_MS, () => {
      this.sampleCpu();
      this.watchAll();
    });
    every(FLUSH_SEEN_EVERY_MS, () => this.registry.flush());
    every(RETENTION_EVERY_MS, () => this.runRetention());
    this.watchAll();
  }

  private runRetention(): void {
    const deleted = this.pool.applyRetention(this.clock.now(), { rawDays: this.settings.storage.rawRetentionDays, minuteDays: this.settings.storage.minuteRetentionDays });
    if (deleted.raw + deleted.minute > 0) this.logger.info('hub: retention applied to machines', deleted);
  }

  /** Re-derives every machine's state and announces the changes. */
  private watchAll(): void {
    for (const machine of this.machines()) this.announce(machine.id, machine.state, machine.lastSeen);
  }

  private watch(machineId: string): void {
    const record = this.registry.get(machineId);
    if (!record) return;
    this.announce(machineId, fleetState(record, this.clock.now(), stalePolicyOf(this.settings.hub)), record.lastSeen);
  }

  private announce(machineId: string, state: FleetState, lastSeen: number | null): void {
    const previous = this.states.get(machineId);
    if (previous === state) return;
    this.states.set(machineId, state);
    this.alerts?.changed(machineId, previous, state);
    if (previous !== undefined) {
      this.logger.info('hub: machine state changed', { machine: machineId, from: previous, to: state });
      this.live.publish({ type: 'state', machineId, state, lastSeen });
    }
  }

  private sampleCpu(): void {
    const at = process.hrtime.bigint();
    const usage = process.cpuUsage();
    const elapsedUs = Number(at - this.cpu.at) / 1000;
    const busyUs = usage.user - this.cpu.usage.user + (usage.system - this.cpu.usage.system);
    this.cpu = { at, usage, percent: elapsedUs > 0 ? Math.round((busyUs / elapsedUs) * 1000) / 10 : 0 };
  }
}

function readTls(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } | undefined {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new VigilError('invalid_settings', 'HTTPS needs both a certificate and a key (hub.tlsCertFile and hub.tlsKeyFile, or --tls-cert and --tls-key)');
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new VigilError('invalid_settings', `Cannot read the TLS ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
  };
  return { cert: read(certFile, 'certificate'), key: read(keyFile, 'key') };
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
