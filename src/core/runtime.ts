// The running product on one machine: the engine, the optional local HTTP server and the
// feature services (sync, peers, alerts, …) started from settings. The headless agent and the
// tray app both start exactly this, so they behave the same; only their shells differ.
import type { FastifyInstance } from 'fastify';
import type { Settings } from '../shared/settings.js';
import type { Clock } from './clock.js';
import { Engine } from './engine.js';
import { machineIdentity, type MachineIdentity } from './identity.js';
import type { Logger } from './log.js';
import type { MetricSources } from './metrics/index.js';
import { peerWatchWanted } from './peers/config.js';
import type { MachineState } from '../shared/wire.js';

/** A feature that runs beside the engine (sync, peer watch, alerts, public IP …). */
export interface Service {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
  /** Settings changed (settings window, SIGHUP); apply what this service uses. */
  applySettings?(settings: Settings): void;
  /** The machine announced sleep (with its deadline, null = none) or woke up: see Runtime.setSleeping. */
  machineStateChanged?(state: MachineState, sleepUntil: number | null): void;
}

/** Everything a route module or a service may use. */
export interface RuntimeContext {
  engine: Engine;
  identity: MachineIdentity;
  logger: Logger;
  settings(): Settings;
  state(): MachineState;
  /** See Runtime.setSleeping. */
  setSleeping(sleeping: boolean, until?: number | null): void;
  /** The announced deadline while sleeping (unix ms), else null. */
  sleepUntil(): number | null;
}

/** Registers routes on the server; added to the runtime by feature modules. */
export type RouteModule = (app: FastifyInstance, context: RuntimeContext) => void | Promise<void>;

export interface RuntimeOptions {
  dataDir: string;
  settings: Settings;
  logger: Logger;
  role: 'agent' | 'app';
  sources?: MetricSources;
  clock?: Clock;
  /** Route modules mounted when the server runs (the chart API and page, /metrics …). */
  routes?: RouteModule[];
  /** Services started after the engine, stopped before it, in reverse order. */
  services?: ((context: RuntimeContext) => Service | null)[];
}

export class Runtime implements RuntimeContext {
  readonly startedAt = Date.now();
  private current: Settings;
  private machineState: MachineState = 'running';
  private sleepDeadline: number | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private server: FastifyInstance | null = null;
  private serverUrl: string | null = null;
  /** A server start asked for by a settings change, still under way (stop() waits for it). */
  private serverStarting: Promise<void> | null = null;
  private routes: RouteModule[] = [];
  private stopped = false;
  private readonly services: Service[] = [];

  private constructor(
    readonly engine: Engine,
    readonly identity: MachineIdentity,
    readonly logger: Logger,
    settings: Settings,
  ) {
    this.current = settings;
  }

  static async start(options: RuntimeOptions): Promise<Runtime> {
    const engine = await Engine.start({
      dataDir: options.dataDir,
      settings: options.settings,
      logger: options.logger,
      role: options.role,
      sources: options.sources,
      clock: options.clock,
      carryPublicIp: options.settings.publicIp.enabled,
    });
    const runtime = new Runtime(engine, machineIdentity(options.dataDir, options.settings.machine.name), options.logger, options.settings);
    runtime.routes = options.routes ?? [];
    try {
      if (serverWanted(options.settings)) await runtime.startServer();
      for (const create of options.services ?? []) {
        const service = create(runtime);
        if (!service) continue;
        await service.start();
        runtime.services.push(service);
        options.logger.info('service started', { service: service.name });
      }
    } catch (error) {
      await runtime.stop();
      throw error;
    }
    return runtime;
  }

  settings(): Settings {
    return this.current;
  }

  state(): MachineState {
    if (this.machineState === 'sleeping') return 'sleeping';
    return this.engine.paused ? 'paused' : 'running';
  }

  /** The local server's base URL (http://127.0.0.1:7470), or null when it is not running. */
  get url(): string | null {
    return this.serverUrl;
  }

  /**
   * Announces suspend/shutdown (peers and the hub then expect silence) or the return from it.
   * `until`: unix ms by which this machine says it will be back; peers raise DOWN only if it is
   * still silent then. null (the default) = no deadline, e.g. a laptop lid closed for the
   * weekend. A deadline that passes while this process still runs ends the sleeping state.
   */
  setSleeping(sleeping: boolean, until: number | null = null): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.machineState = sleeping ? 'sleeping' : 'running';
    this.sleepDeadline = sleeping ? until : null;
    if (sleeping && until !== null) this.armWakeTimer(until);
    this.logger.info(sleeping ? 'announced sleep' : 'awake', sleeping ? { until: until === null ? 'no deadline' : new Date(until).toISOString() } : {});
    for (const service of this.services) {
      try {
        service.machineStateChanged?.(this.state(), this.sleepDeadline);
      } catch (error) {
        this.logger.warn('service failed to take the machine state', { service: service.name, error });
      }
    }
  }

  sleepUntil(): number | null {
    return this.machineState === 'sleeping' ? this.sleepDeadline : null;
  }

  private armWakeTimer(until: number): void {
    // setTimeout holds at most ~24.8 days; a later deadline re-arms.
    const delay = Math.min(Math.max(0, until - Date.now()), 2 ** 31 - 1);
    this.wakeTimer = setTimeout(() => {
      if (Date.now() >= until) this.setSleeping(false);
      else this.armWakeTimer(until);
    }, delay);
    this.wakeTimer.unref();
  }

  /**
   * Applies changed settings live. A change that now wants the server (peers added, so they will
   * check this machine's /health in turn; server.enabled) starts it in the background: a failure
   * (port in use, a public address without a token) is logged and the rest keeps running. A server
   * already running keeps its address and token until a restart.
   */
  applySettings(settings: Settings): void {
    this.current = settings;
    this.engine.applySettings(settings);
    for (const service of this.services) service.applySettings?.(settings);
    if (!this.server && !this.serverStarting && !this.stopped && serverWanted(settings)) {
      this.serverStarting = this.startServer()
        .catch((error: unknown) => this.logger.error('http server could not start (the next settings change tries again)', { error: error instanceof Error ? error.message : String(error) }))
        .finally(() => (this.serverStarting = null));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.serverStarting;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    for (const service of [...this.services].reverse()) {
      try {
        await service.stop();
      } catch (error) {
        this.logger.warn('service did not stop cleanly', { service: service.name, error });
      }
    }
    this.services.length = 0;
    if (this.server) await this.server.close();
    this.server = null;
    await this.engine.stop();
  }

  private async startServer(): Promise<void> {
    const { host, port, tokenHash, allowedHosts } = this.current.server;
    // The server's modules (Fastify, node:crypto) load only when a server runs: the plain
    // agent's memory budget has no room for them.
    const [{ createHttpServer, listenOn }, { registerHealthRoute }, { PAGE_PATHS, PAGE_PREFIXES }] = await Promise.all([
      import('./server/http-server.js'),
      import('./server/health.js'),
      import('./server/page-paths.js'),
    ]);
    const { ui } = this.current.server;
    // The OpenAPI document holds no data (like the hub's); Swagger UI comes with the chart page.
    const publicPaths = ['/health', '/openapi.json', ...(ui ? PAGE_PATHS : [])];
    const publicPrefixes = ui ? ['/docs', ...PAGE_PREFIXES] : [];
    const app = await createHttpServer({ host, port, tokenHash: tokenHash || null, logger: this.logger, publicPaths, publicPrefixes, allowedHosts });
    registerHealthRoute(app, {
      identity: this.identity,
      startedAt: this.startedAt,
      state: () => this.state(),
      bootTime: () => this.engine.host()?.host.bootTime ?? null,
      lastSampleTs: () => this.engine.latest()?.ts ?? null,
      sleepUntil: () => this.sleepUntil(),
      latest: () => this.engine.latest(),
      tokenHash: tokenHash || null,
    });
    await (await import('./server/openapi-routes.js')).registerOpenApiRoutes(app, { ui });
    for (const register of this.routes) await register(app, this);
    this.serverUrl = await listenOn(app, host, port);
    this.server = app;
    // With the lock, so `vigil sleep --data-dir D` finds a server started on any --port.
    this.engine.recordServerUrl(this.serverUrl);
    this.logger.info('http server listening', { url: this.serverUrl });
  }
}

/** Watching peers means being watched back: they check this machine's /health. */
function serverWanted(settings: Settings): boolean {
  return settings.server.enabled || peerWatchWanted(settings);
}
