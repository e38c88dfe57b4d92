// What the hub's HTTP routes need from the hub, as interfaces: the routes (routes.ts, ingest.ts,
// pages.ts) depend on these, never on the Hub class, so the hub and its routes do not import each
// other, and a route cannot reach into the hub's engine, pool or timers.
//   HubReadModel: machines and their state, a machine's store and charts, the hub's own figures;
//   HubIngest:    the write side of POST /api/ingest.
import type { HubMachine, IngestResult } from '../shared/hub-api.js';
import type { Sample } from '../shared/model.js';
import type { MachineIdentity } from '../core/identity.js';
import type { Logger } from '../core/log.js';
import type { ChartService } from '../core/server/chart-service.js';
import type { HealthSource } from '../core/server/health.js';
import type { Point } from '../core/metrics-exposition/convention.js';
import type { MachineSnapshot } from '../core/server/prometheus.js';
import type { SampleStore } from '../core/storage/types.js';
import type { SyncBatch } from '../core/sync/types.js';
import type { HubFanOutStatus } from './fanout.js';
import type { MachineRecord } from './registry.js';

/** The hub process's own figures (GET /api/hub). */
export interface HubProcessStats {
  cpuPercent: number;
  rssBytes: number;
  heapUsedBytes: number;
  batches: number;
  samples: number;
  rejected: number;
  openStores: number;
  liveClients: number;
}

/** Bytes on disk: the registry, the hub's own database and every machine's. */
export interface HubStorageStats {
  registryBytes: number;
  selfBytes: number;
  machinesBytes: number;
  machineFiles: number;
  freeBytes: number | null;
}

export interface HubStats {
  /** The newest sample of the hub's own machine (null when it does not sample itself, or not yet). */
  selfLatest: Sample | null;
  process: HubProcessStats;
  storage: HubStorageStats;
  /** The fan-out to InfluxDB / VictoriaMetrics (vigil hub --influx); null when off. */
  fanOut: HubFanOutStatus | null;
}

export interface HubReadModel {
  /** The hub's own machine (its id and name, whether it samples itself or not). */
  readonly identity: MachineIdentity;
  readonly logger: Logger;
  /** The hub's clock, unix ms (states are relative to it). */
  now(): number;
  /** What GET /health reports about the hub. */
  readonly health: HealthSource;
  /** Every machine (the hub's own first), with its state now. */
  machines(includeRevoked?: boolean): HubMachine[];
  /** A machine (or the hub itself) by id or name; throws VigilError('not_found') otherwise. */
  machine(idOrName: string): HubMachine;
  /** The machine's samples (throws not_found for the hub itself when it does not sample). */
  store(machine: HubMachine): SampleStore;
  /** The chart API of one machine, its days resolved in its own time zone. */
  charts(machine: HubMachine): ChartService;
  /**
   * Every machine for GET /metrics, with its state; the latest values only of a machine that is
   * up (a machine that never reported has no database, and only its state).
   */
  snapshots(): MachineSnapshot[];
  /** The hub's own counters for GET /metrics (vigil_hub_*). */
  ownPoints(): Point[];
  stats(): HubStats;
  /** The active machine holding this machine token, or null. */
  authenticate(token: string): MachineRecord | null;
}

export interface HubIngest {
  now(): number;
  authenticate(token: string): MachineRecord | null;
  /** Binds the agent id on a machine's first batch; false when another agent holds the token. */
  bindAgent(machine: MachineRecord, agentId: string): boolean;
  /** Stores a validated batch (idempotent). */
  ingest(machine: MachineRecord, batch: SyncBatch): IngestResult;
  /** Counts a refused ingest request (GET /api/hub shows it). */
  countRejected(): void;
}
