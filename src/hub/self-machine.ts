// The hub's own machine (settings.hub.sampleSelf): sampled by the same Engine an agent runs, into
// vigil.db in the hub's data folder. The engine stays private here: the hub and its routes see a
// machine, its store, its charts and its health, never the engine itself.
import type { HubMachine } from '../shared/hub-api.js';
import type { Sample } from '../shared/model.js';
import type { Settings } from '../shared/settings.js';
import { runtimeTimeZone } from '../shared/time-zone.js';
import type { MachineState } from '../shared/wire.js';
import type { Clock } from '../core/clock.js';
import { Engine } from '../core/engine.js';
import type { MachineIdentity } from '../core/identity.js';
import type { Logger } from '../core/log.js';
import type { MetricSources } from '../core/metrics/index.js';
import { ChartService } from '../core/server/chart-service.js';
import { storeSnapshot, type MachineSnapshot } from '../core/server/prometheus.js';
import type { SampleStore } from '../core/storage/types.js';
import { VERSION } from '../core/version.js';

export interface SelfMachineOptions {
  dataDir: string;
  settings: () => Settings;
  identity: MachineIdentity;
  logger: Logger;
  clock: Clock;
  sources?: MetricSources;
  /** Each new sample (the hub puts it on its live feed). */
  onSample(sample: Sample): void;
}

export class SelfMachine {
  private constructor(
    private readonly engine: Engine,
    private readonly options: SelfMachineOptions,
    private readonly startedAt: number,
  ) {}

  static async start(options: SelfMachineOptions): Promise<SelfMachine> {
    const engine = await Engine.start({ dataDir: options.dataDir, settings: options.settings(), logger: options.logger, role: 'hub', sources: options.sources, clock: options.clock });
    engine.on('sample', (sample) => options.onSample(sample));
    return new SelfMachine(engine, options, options.clock.now());
  }

  get store(): SampleStore {
    return this.engine.store;
  }

  latest(): Sample | null {
    return this.engine.latest();
  }

  state(): MachineState {
    return this.engine.paused ? 'paused' : 'running';
  }

  bootTime(): number | null {
    return this.engine.host()?.host.bootTime ?? null;
  }

  /** The hub's own row in the machine list (always up: it is this process). */
  describe(healthUrl: string | null): HubMachine {
    const { identity, clock } = this.options;
    return {
      id: identity.id,
      name: identity.name,
      agentId: identity.id,
      self: true,
      state: 'up',
      reportedState: this.state(),
      lastSeen: clock.now(),
      lastSampleTs: this.engine.latest()?.ts ?? this.engine.store.lastTimestamp(),
      healthUrl,
      version: VERSION,
      intervalSeconds: this.options.settings().sampling.intervalSeconds,
      timeZone: runtimeTimeZone(),
      createdAt: this.startedAt,
      revokedAt: null,
      sleepUntil: null,
    };
  }

  charts(): ChartService {
    const engine = this.engine;
    return new ChartService({
      store: engine.store,
      identity: this.options.identity,
      latest: () => engine.latest(),
      host: () => engine.host(),
      intervalSeconds: () => this.options.settings().sampling.intervalSeconds,
    });
  }

  /** For GET /metrics: the store's disks and host, with the engine's fresher sample. */
  snapshot(labels: { machineId: string; name: string }): MachineSnapshot {
    return { ...storeSnapshot(labels, this.engine.store), sample: this.engine.latest() };
  }

  /** Writes the engine's pending samples to vigil.db (the fan-out delivers them on a clean stop). */
  flush(): void {
    this.engine.flush();
  }

  sizeOnDisk(): number {
    return this.engine.store.sizeOnDisk();
  }

  stop(): Promise<void> {
    return this.engine.stop();
  }
}
