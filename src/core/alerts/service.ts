// The alerts feature inside a running agent or app: the pipeline (alerts.db + SMTP), the peer
// watcher, the local threshold monitor and the hub peer list, started from settings and
// re-configured live (SIGHUP, the settings window). Imported only when one of them is wanted
// (see feature.ts), so a plain agent never loads any of it.
import net from 'node:net';
import type { Settings } from '../../shared/settings.js';
import type { DiskSample, Sample } from '../../shared/model.js';
import { httpRequest } from '../http-client.js';
import type { Logger } from '../log.js';
import { configuredPeers, peerWatchWanted } from '../peers/config.js';
import type { PeerHealth } from '../peers/health-check.js';
import { HubPeerLearner, hubConnection } from '../peers/hub-peers.js';
import { PeerWatcher, type PeerStatus, type Witness } from '../peers/watcher.js';
import type { RuntimeContext } from '../runtime.js';
import type { MachineState } from '../../shared/wire.js';
import { healthReport } from '../server/health.js';
import { isLoopbackHost } from '../server/http-server.js';
import { openAlertPipeline, alertPolicy, mailRoute, thresholdPolicy, watchTiming } from './setup.js';
import type { AlertPipeline } from './pipeline.js';
import { ThresholdMonitor } from './thresholds.js';
import { ChartService } from '../server/chart-service.js';
import { QuotaMonitor, quotasWanted } from '../traffic/quota-alerts.js';
import type { AlertHistory, OutboxSummary } from './types.js';

/** Secrets given for this run only (flags, environment), never written to settings. */
export interface AlertSecrets {
  /** The hub token (--sync-token), for learning peers from the hub. */
  hubToken?: string;
}

/** How long a sleep announcement to a peer may take (the machine is about to suspend). */
const ANNOUNCE_TIMEOUT_MS = 2000;

export class AlertService {
  private pipeline: AlertPipeline | null = null;
  private watcher: PeerWatcher | null = null;
  private thresholds: ThresholdMonitor | null = null;
  private learner: HubPeerLearner | null = null;
  private quotas: QuotaMonitor | null = null;
  private readonly logger: Logger;
  private readonly onSample = (sample: Sample) => this.thresholds?.onSample(sample);
  private readonly onDisk = (disk: DiskSample) => this.thresholds?.onDisk(disk);
  private readonly onGap = () => this.thresholds?.onGap();

  constructor(
    private readonly context: RuntimeContext,
    private readonly secrets: AlertSecrets = {},
  ) {
    this.logger = context.logger;
  }

  private get dataDir(): string {
    return this.context.engine.paths.dataDir;
  }

  async start(): Promise<void> {
    this.apply(this.context.settings());
  }

  applySettings(settings: Settings): void {
    this.apply(settings);
  }

  async stop(): Promise<void> {
    this.context.engine.off('sample', this.onSample);
    this.context.engine.off('disk', this.onDisk);
    this.context.engine.off('gap', this.onGap);
    await this.learner?.stop();
    await this.quotas?.stop();
    this.quotas = null;
    await this.watcher?.stop();
    await this.pipeline?.stop();
    this.learner = null;
    this.watcher = null;
    this.thresholds = null;
    this.pipeline = null;
  }

  /** This machine announced sleep or woke: tell the watcher, and push the news to the peers. */
  machineStateChanged(state: MachineState, sleepUntil: number | null): void {
    this.watcher?.machineStateChanged(state);
    if (state === 'sleeping') void this.announceToPeers(sleepUntil);
  }

  peers(): PeerStatus[] | null {
    return this.watcher?.statuses() ?? null;
  }

  announce(health: PeerHealth): boolean | null {
    return this.watcher ? this.watcher.announce(health) : null;
  }

  history(options: { limit?: number; beforeId?: number }): AlertHistory | null {
    return this.pipeline ? this.pipeline.store.history(options) : null;
  }

  /** The outbox alone (cheap enough for the tray's every refresh): emails waiting, refused, given up. */
  outbox(): OutboxSummary | null {
    return this.pipeline ? this.pipeline.store.outboxSummary() : null;
  }

  // ---------------------------------------------------------------------------------------

  private apply(settings: Settings): void {
    const self = this.context.identity;
    // The pipeline: whenever anything may raise an alert (or mail is configured).
    const thresholdsWanted = settings.alerts.cpuPercent > 0 || settings.alerts.memoryPercent > 0 || settings.alerts.diskPercent > 0;
    const peersWanted = peerWatchWanted(settings);
    if (!this.pipeline && (peersWanted || thresholdsWanted || quotasWanted(settings) || settings.smtp.url)) {
      this.pipeline = openAlertPipeline({ dataDir: this.dataDir, settings, origin: self, logger: this.logger });
      this.pipeline.start();
    } else if (this.pipeline) {
      this.pipeline.configure({ policy: alertPolicy(settings.alerts), mail: mailRoute(settings, this.dataDir, this.logger) });
    }
    const pipeline = this.pipeline;

    // Local thresholds.
    if (pipeline && thresholdsWanted) {
      if (!this.thresholds) {
        this.thresholds = new ThresholdMonitor(self.name, thresholdPolicy(settings.alerts), pipeline);
        this.context.engine.on('sample', this.onSample);
        this.context.engine.on('disk', this.onDisk);
        this.context.engine.on('gap', this.onGap);
      } else {
        this.thresholds.setPolicy(thresholdPolicy(settings.alerts));
      }
    } else if (this.thresholds) {
      this.thresholds = null;
      this.context.engine.off('sample', this.onSample);
      this.context.engine.off('disk', this.onDisk);
      this.context.engine.off('gap', this.onGap);
    }

    // Traffic quotas: checked once a minute over the billing period holding today.
    if (pipeline && quotasWanted(settings)) {
      if (!this.quotas) {
        const engine = this.context.engine;
        const charts = new ChartService({
          store: engine.store,
          identity: self,
          intervalSeconds: () => this.context.settings().sampling.intervalSeconds,
          traffic: () => this.context.settings().traffic,
          now: () => engine.clock.now(),
        });
        this.quotas = new QuotaMonitor({ machine: self.name, report: () => charts.traffic(), sink: pipeline, clock: engine.clock, logger: this.logger });
        this.quotas.start();
      } else {
        void this.quotas.recheck();
      }
    } else if (this.quotas) {
      void this.quotas.stop();
      this.quotas = null;
      pipeline?.retain('quota:', new Set());
    }

    // Peers.
    if (pipeline && peersWanted) {
      let peers;
      try {
        peers = configuredPeers(settings);
      } catch (error) {
        this.logger.error('peer list not applied', { error: error instanceof Error ? error.message : String(error) });
        return;
      }
      if (!this.watcher) {
        const store = pipeline.store;
        this.watcher = new PeerWatcher({
          self,
          peers,
          timing: watchTiming(settings.peers),
          sink: pipeline,
          logger: this.logger,
          witnesses: () => this.witnesses(),
          learnsFromHub: settings.peers.learnFromHub && settings.sync.enabled && settings.sync.url !== '',
          memory: {
            recall: (name) => {
              const memory = store.peerMemory(name);
              return memory ? { lastSeen: memory.lastSeen, health: (memory.health as PeerHealth | null) ?? null } : null;
            },
            remember: (name, memory) => store.rememberPeer(name, memory),
          },
        });
        this.watcher.start();
      } else {
        this.watcher.setTiming(watchTiming(settings.peers));
        this.watcher.setPeers(peers);
      }
      const hub = settings.peers.learnFromHub ? hubConnection(settings, this.dataDir, this.logger, this.secrets.hubToken) : null;
      if (hub && !this.learner) {
        this.learner = new HubPeerLearner({ hub, selfId: self.id, logger: this.logger, onPeers: (list) => this.watcher?.setLearned(list) });
        this.learner.start();
      } else if (!hub && this.learner) {
        void this.learner.stop();
        this.learner = null;
        this.watcher.setLearned([]);
      } else if (hub && this.learner) {
        this.learner.setHub(hub);
      }
    } else if (this.watcher) {
      const watcher = this.watcher;
      this.watcher = null;
      void this.learner?.stop();
      this.learner = null;
      void watcher.stop();
      pipeline?.retain('peer:', new Set());
    }
  }

  /** Whoever else answering proves this machine is online: the hub, the SMTP server. */
  private witnesses(): Witness[] {
    const settings = this.context.settings();
    const witnesses: Witness[] = [];
    const hub = settings.sync.enabled && settings.sync.url ? settings.sync.url : null;
    if (hub) {
      witnesses.push({
        name: 'hub',
        probe: async (timeoutMs) => {
          try {
            await httpRequest({ url: new URL('health', hub.endsWith('/') ? hub : `${hub}/`), timeoutMs, maxResponseBytes: 64 * 1024 });
            return true;
          } catch (error) {
            return (error as { failure?: string }).failure === 'refused' || (error as { failure?: string }).failure === 'tls';
          }
        },
      });
    }
    if (settings.smtp.url) {
      try {
        const url = new URL(settings.smtp.url);
        const host = url.hostname.replace(/^\[|\]$/g, '');
        // A local relay (postfix on loopback) says nothing about the network.
        if (!isLoopbackHost(host)) {
          const port = url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587;
          witnesses.push({ name: 'smtp', probe: (timeoutMs) => tcpAnswers(host, port, timeoutMs) });
        }
      } catch {
        // An invalid SMTP URL is reported by the pipeline.
      }
    }
    return witnesses;
  }

  private async announceToPeers(sleepUntil: number | null): Promise<void> {
    const settings = this.context.settings();
    let peers;
    try {
      peers = configuredPeers(settings);
    } catch {
      return;
    }
    if (peers.length === 0) return;
    const engine = this.context.engine;
    const body = JSON.stringify(
      healthReport({
        identity: this.context.identity,
        startedAt: (this.context as RuntimeContext & { startedAt?: number }).startedAt ?? Date.now(),
        state: () => 'sleeping',
        bootTime: () => engine.host()?.host.bootTime ?? null,
        lastSampleTs: () => engine.latest()?.ts ?? null,
        sleepUntil: () => sleepUntil,
      }),
    );
    await Promise.all(
      peers.map(async (peer) => {
        const url = peer.healthUrl.replace(/\/health$/, '/api/peers/announce');
        try {
          const response = await httpRequest({
            url,
            method: 'POST',
            body,
            timeoutMs: ANNOUNCE_TIMEOUT_MS,
            headers: { 'content-type': 'application/json', ...(peer.token ? { authorization: `Bearer ${peer.token}` } : {}) },
          });
          this.logger.info('told a peer this machine is going to sleep', { peer: peer.name, status: response.status });
        } catch (error) {
          this.logger.info('could not tell a peer this machine is going to sleep', { peer: peer.name, error: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
  }
}

/** Resolves true when host:port answered at all (accepted or refused the connection). */
function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
  });
}
