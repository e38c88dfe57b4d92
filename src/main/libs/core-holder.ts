// The running core (runtime: engine + server + services; its features; the chart API over its
// store), held in one place because a settings change or a move of the data folder replaces it.
// Both go through replaceCore, the one stop → start → roll back → re-wire sequence.
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { MetricSources } from '../../core/metrics/index.js';
import { Runtime } from '../../core/runtime.js';
import { ChartService } from '../../core/server/chart-service.js';
import type { Settings } from '../../shared/settings.js';
import type { AppFeatures, FeatureEnv } from '../features.js';

export interface Core {
  runtime: Runtime;
  features: AppFeatures;
  chart: ChartService;
}

export interface CoreFactoryOptions {
  features: (env: FeatureEnv) => AppFeatures | Promise<AppFeatures>;
  /** The settings as saved now (features read them live). */
  currentSettings: () => Settings;
  logger: Logger;
  now: () => number;
  sources?: MetricSources;
  clock?: Clock;
}

/** Starts a core on `dataDir` with `settings` (role 'app': the lock names the app). */
export function coreFactory(options: CoreFactoryOptions): (settings: Settings, dataDir: string) => Promise<Core> {
  return async (settings, dataDir) => {
    const features = await options.features({ dataDir, settings, currentSettings: options.currentSettings, logger: options.logger, now: options.now });
    const runtime = await Runtime.start({
      dataDir,
      settings,
      logger: options.logger,
      role: 'app',
      routes: features.routes,
      services: features.services,
      sources: options.sources,
      clock: options.clock,
    });
    const chart = new ChartService({
      store: runtime.engine.store,
      identity: runtime.identity,
      latest: () => runtime.engine.latest(),
      host: () => runtime.engine.host(),
      intervalSeconds: () => runtime.engine.intervalMs / 1000,
      traffic: () => options.currentSettings().traffic,
    });
    return { runtime, features, chart };
  };
}

export interface CoreWiring {
  /** Called with every sample of the core in use (the tray's live figures). */
  onSample: () => void;
  /** The machine is going to sleep: a new core must say so too. */
  sleeping: () => boolean;
  /** After a replacement, whatever it gave. */
  onReplaced: () => void;
}

export class CoreHolder {
  private current: Core;

  constructor(
    core: Core,
    private readonly wiring: CoreWiring,
  ) {
    this.current = core;
    core.runtime.engine.on('sample', wiring.onSample);
  }

  get core(): Core {
    return this.current;
  }

  /**
   * Replaces the running core: the old one stops (samples flushed, lock released), `start` makes
   * the new one; if it throws, `rollback` starts one again as it was, and the error goes on to
   * the caller. Either way the core in use is wired (sample listener, sleeping state) again.
   */
  async replaceCore(start: () => Promise<Core>, rollback: (error: unknown) => Promise<Core>): Promise<void> {
    const old = this.current;
    old.runtime.engine.off('sample', this.wiring.onSample);
    await old.runtime.stop();
    try {
      this.current = await start();
    } catch (error) {
      this.current = await rollback(error);
      throw error;
    } finally {
      this.current.runtime.engine.on('sample', this.wiring.onSample);
      if (this.wiring.sleeping()) this.current.runtime.setSleeping(true);
      this.wiring.onReplaced();
    }
  }

  /** Quit: the core stops for good. */
  async stop(): Promise<void> {
    this.current.runtime.engine.off('sample', this.wiring.onSample);
    await this.current.runtime.stop();
  }
}
