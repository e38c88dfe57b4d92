// The hub's fan-out (`vigil hub --influx URL`, or the `influx` section of the hub's settings):
// whatever the hub stores — every machine's samples, disk samples and host snapshots, and its own
// machine's when it samples itself — it also writes to InfluxDB or VictoriaMetrics, so a fleet
// can keep its long-term history in a store built for it while agents talk to the hub only.
//
// Nothing new is written for this: each machine gets the agent's own sync service
// (core/sync/service.ts) with the agent's InfluxDB target (core/sync/influx-target.ts), reading
// the machine's database on the hub as its outbox — the agent's semantics exactly:
//   - in order: oldest first, per machine, each machine at its own pace (a machine with a long
//     backlog does not hold the others back);
//   - at least once, idempotent: a cursor per machine moves only when the server accepted a
//     batch; a retried batch rewrites the same points (same series, same timestamps);
//   - retries with exponential backoff (sync.maxBackoffSeconds), 413 halves the batch, a refusal
//     (bad token, unknown database) is retried slowly and logged;
//   - persisted: the cursors are in <hub-data-dir>/fanout/<machine id>/sync-state.json (the hub's
//     own machine: <hub-data-dir>/sync-state.json, as an agent's), so a restarted hub resumes
//     where it stopped, and the outbox is the machine's database, which a restart keeps;
//   - bounded by the hub's retention (storage.rawRetentionDays): what retention deletes before
//     the server took it is lost to the server, and the hub says so in a warning naming the
//     machine and the count (see pruned()).
// At most MAX_SENDS_IN_FLIGHT writes are in flight at once, whatever the fleet's size: after an
// outage every machine has a backlog, and a thousand batches encoded and posted at once would
// hold their line protocol in memory together and hit the server all at the same moment; the
// others wait their turn (FIFO), each still in order for its machine.
// Points carry the machine's tags as its agent writes them (host = the agent's machine name,
// machine_id = the agent's id), so a dashboard sees one series per machine whether its points
// came from the agent or through the hub.
import path from 'node:path';
import type { Settings } from '../shared/settings.js';
import type { Clock } from '../core/clock.js';
import { makeDirs } from '../core/fs-util.js';
import type { MachineIdentity } from '../core/identity.js';
import type { LogFields, Logger } from '../core/log.js';
import { openSampleStore } from '../core/storage/sample-store.js';
import { SyncService } from '../core/sync/service.js';
import type { SyncTargetStatus } from '../core/sync/state.js';
import type { SendOutcome, SyncBatch, SyncTarget } from '../core/sync/types.js';

/** Writes to the server at once, across all machines. */
export const MAX_SENDS_IN_FLIGHT = 4;

export interface HubFanOutOptions {
  /** The hub's data folder: cursors go under <dataDir>/fanout/. */
  dataDir: string;
  /** The one target every machine's samples go to (an InfluxTarget). */
  target: SyncTarget;
  settings(): Settings;
  logger: Logger;
  clock: Clock;
  /** A machine's database on the hub (StorePool.fileOf). */
  storeFile(machineId: string): string;
  /** The tags of a machine's points: its agent's own id and name (read at every batch: an agent may be renamed). */
  labels(machineId: string): MachineIdentity;
}

/** What GET /metrics and GET /api/hub tell about the fan-out. */
export interface HubFanOutStatus {
  endpoint: string;
  /** Machines with a fan-out (the hub's own included). */
  machines: number;
  /** Samples stored on the hub that the server has not acknowledged yet, all machines. */
  pendingSamples: number;
  /** Machines whose last send failed. */
  failingMachines: number;
}

export class HubFanOut {
  private readonly services = new Map<string, SyncService>();
  private stopped = false;
  /** The server, behind the limit of writes in flight: what every machine's service sends to. */
  private readonly target: SyncTarget;

  constructor(private readonly options: HubFanOutOptions) {
    this.target = limitSendsInFlight(options.target, MAX_SENDS_IN_FLIGHT);
  }

  get endpoint(): string {
    return this.options.target.endpoint;
  }

  /** Starts delivering a machine's samples, from its cursor (from the oldest stored on first use). Idempotent. */
  track(machineId: string): void {
    if (this.stopped || this.services.has(machineId)) return;
    const { options } = this;
    const dir = path.join(options.dataDir, 'fanout', machineId);
    makeDirs(dir);
    const file = options.storeFile(machineId);
    const service = new SyncService({
      dataDir: dir,
      // Read at each batch: the agent's name may change, and its points follow it as the agent's own would.
      identity: {
        get id() {
          return options.labels(machineId).id;
        },
        get name() {
          return options.labels(machineId).name;
        },
      },
      logger: withFields(options.logger, { machine: machineId }),
      settings: () => options.settings(),
      // The machine's state is the hub's business, not the time-series database's.
      state: () => 'running',
      targets: [this.target],
      clock: options.clock,
      // A read-only connection of its own (as the agent's sync has): the pool's writer may be
      // closed when the pool evicts it, and reads never wait for ingest's writes (WAL).
      openStore: () => openSampleStore(file, { readonly: true, cacheKiB: 256, logger: options.logger }),
      // Ingest writes at once, nothing is pending: a clean stop still delivers what the server lacks.
      flush: () => {},
    });
    try {
      service.start();
    } catch (error) {
      // Ingest has stored the batch and must still answer it: the next batch of this machine tries again.
      // (Nothing to undo: start() fails on opening the store, before anything runs; a stop() would
      // rewrite the machine's cursor file without its cursor.)
      this.options.logger.warn('hub fan-out: cannot start for a machine; will try again at its next batch', { machine: machineId, error });
      return;
    }
    this.services.set(machineId, service);
  }

  /** The hub's own machine: its vigil.db in the hub's data folder, as an agent's sync reads it. */
  trackSelf(identity: MachineIdentity, flush: () => void): void {
    if (this.stopped || this.services.has(identity.id)) return;
    const { options } = this;
    const service = new SyncService({
      dataDir: options.dataDir,
      identity,
      logger: options.logger,
      settings: () => options.settings(),
      state: () => 'running',
      targets: [this.target],
      clock: options.clock,
      flush,
    });
    service.start();
    this.services.set(identity.id, service);
  }

  /** Samples each machine's server copy still lacks. */
  pending(): Map<string, number> {
    const pending = new Map<string, number>();
    for (const [machineId, service] of this.services) {
      try {
        pending.set(machineId, Object.values(service.pending()).reduce((a, b) => a + b, 0));
      } catch (error) {
        this.options.logger.debug('hub fan-out: cannot count pending samples', { machine: machineId, error });
      }
    }
    return pending;
  }

  /**
   * After retention ran on the hub's databases: `before` is pending() from just before. A machine
   * with fewer pending samples than before lost them to retention (no send can resolve in
   * between: retention runs synchronously), and the server will never have them: say so.
   */
  pruned(before: Map<string, number>): void {
    const after = this.pending();
    for (const [machineId, count] of before) {
      const lost = count - (after.get(machineId) ?? count);
      if (lost <= 0) continue;
      this.options.logger.warn(
        `hub fan-out: the outbox is full — retention deleted ${lost} samples of a machine before ${this.endpoint} accepted them; that server will never have them (bring it back, or keep more: storage.rawRetentionDays)`,
        { machine: machineId, endpoint: this.endpoint, lost, stillPending: after.get(machineId) ?? 0 },
      );
    }
  }

  status(): HubFanOutStatus {
    let pendingSamples = 0;
    for (const count of this.pending().values()) pendingSamples += count;
    let failingMachines = 0;
    for (const service of this.services.values()) {
      if (Object.values(service.status()).some((target: SyncTargetStatus) => target.consecutiveFailures > 0)) failingMachines++;
    }
    return { endpoint: this.endpoint, machines: this.services.size, pendingSamples, failingMachines };
  }

  /** Stops every machine's delivery; each makes a last attempt for what its server lacks (a few seconds at most). */
  async stop(): Promise<void> {
    this.stopped = true;
    const services = [...this.services.values()];
    this.services.clear();
    // Each service closes the shared target when it stops (InfluxTarget holds nothing to close).
    await Promise.all(services.map((service) => service.stop()));
  }
}

/**
 * The target, with at most `limit` sends running at once; the others wait in order of arrival.
 * A send waiting for its turn stops waiting when its signal aborts (the hub is stopping).
 */
export function limitSendsInFlight(target: SyncTarget, limit: number): SyncTarget {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  const turn = (signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (running < limit) {
        running++;
        resolve();
        return;
      }
      const go = () => {
        signal.removeEventListener('abort', abort);
        running++;
        resolve();
      };
      const abort = () => {
        const at = waiting.indexOf(go);
        if (at >= 0) waiting.splice(at, 1);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal.aborted) return abort();
      signal.addEventListener('abort', abort, { once: true });
      waiting.push(go);
    });
  return {
    name: target.name,
    endpoint: target.endpoint,
    maxBatchSamples: target.maxBatchSamples,
    windowMs: target.windowMs,
    async send(batch: SyncBatch, signal: AbortSignal): Promise<void | SendOutcome> {
      await turn(signal);
      try {
        return await target.send(batch, signal);
      } finally {
        release();
      }
    },
    close: target.close ? () => target.close!() : undefined,
  };
}

/** The sync service's log lines, with the machine they are about. */
function withFields(logger: Logger, extra: LogFields): Logger {
  return {
    error: (message, fields) => logger.error(message, { ...extra, ...fields }),
    warn: (message, fields) => logger.warn(message, { ...extra, ...fields }),
    info: (message, fields) => logger.info(message, { ...extra, ...fields }),
    debug: (message, fields) => logger.debug(message, { ...extra, ...fields }),
    setLevel: (level) => logger.setLevel(level),
    close: () => {},
  };
}
