// Peer watch: checks every peer's /health in rounds, feeds each peer's state machine
// (tracker.ts) and reports DOWN / UP / reboot to the alert pipeline.
//
// Rounds, not one timer per peer: every check of a round runs in parallel, and the results are
// judged together. If *nothing* answered — no peer and none of the witnesses (the hub, the SMTP
// server), or the failures themselves say this machine has no route — the fault is ours: this
// machine is offline. Then nobody is marked DOWN; after K such rounds it says so, once.
//
// Timing: a round starts every check interval (measured on the monotonic clock) or, if it took
// longer (timeouts), right after the previous one. A peer that dies is DOWN after K failed
// checks: at most interval × K + timeout after its death.
//
// This machine's own sleep: if the wall clock moved much further than the monotonic clock
// between two rounds, this process was suspended; failures counted before are dropped, and for
// a short grace period after waking (or after Runtime.setSleeping(false)) failures are not
// counted, because Wi-Fi and DHCP take a few seconds to come back.
import os from 'node:os';
import { formatLocalIso } from '../../shared/dates.js';
import { formatDuration } from '../../shared/units.js';
import type { AlertChange, AlertSink } from '../alerts/types.js';
import { systemClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../log.js';
import { PeriodicTask } from '../periodic.js';
import type { MachineState } from '../../shared/wire.js';
import { peerLookup } from './address-guard.js';
import type { PeerConfig } from './config.js';
import { checkPeerHealth, type CheckResult, type PeerHealth } from './health-check.js';
import { peerAlert, peerKey, type PeerAlertContext } from './peer-alerts.js';
import { PeerTracker, type PeerEvent, type PeerState } from './tracker.js';

const hubPeerLookup = peerLookup();

export interface PeerWatchTiming {
  intervalMs: number;
  timeoutMs: number;
  failuresBeforeDown: number;
  rebootNotice: boolean;
}

/** Something that proves this machine's network works when it answers (the hub, the SMTP server). */
export interface Witness {
  name: string;
  /** Resolves true when something answered (any HTTP status, an SMTP greeting, a refused connection). */
  probe(timeoutMs: number): Promise<boolean>;
}

export interface PeerMemoryStore {
  recall(name: string): { lastSeen: number; health: PeerHealth | null } | null;
  remember(name: string, memory: { machineId: string; lastSeen: number; health: PeerHealth }): void;
}

export interface PeerWatcherOptions {
  self: { id: string; name: string };
  peers: PeerConfig[];
  timing: PeerWatchTiming;
  sink: AlertSink;
  clock?: Clock;
  logger?: Logger;
  /** The check (default: GET /health over node:http); its signal is aborted when the watcher stops. */
  check?: (peer: PeerConfig, timeoutMs: number, signal: AbortSignal) => Promise<CheckResult>;
  witnesses?: () => Witness[];
  /** Whether this machine has any non-loopback address (default: os.networkInterfaces()). */
  hasNetworkInterface?: () => boolean;
  memory?: PeerMemoryStore;
  /** Peers will also come from the hub: until its first list arrives, incidents of unknown peers stay open. */
  learnsFromHub?: boolean;
}

export interface PeerStatus {
  name: string;
  url: string;
  origin: PeerConfig['origin'];
  state: PeerState;
  failures: number;
  lastSeen: number | null;
  lastFailure: string | null;
  downSince: number | null;
  sleepUntil: number | null;
  machineId: string | null;
}

/** The wall clock ran this much further than the monotonic one between rounds: we were suspended. */
const SUSPEND_JUMP_MS = 10_000;
/** After waking, failures are not counted for this long. */
export const WAKE_GRACE_MS = 30_000;
/** The persisted memory of a peer (its latest figures) is refreshed at most this often. */
const REMEMBER_EVERY_MS = 60_000;

interface Watched {
  config: PeerConfig;
  tracker: PeerTracker;
  rememberedAt: number;
}

export class PeerWatcher {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly check: (peer: PeerConfig, timeoutMs: number, signal: AbortSignal) => Promise<CheckResult>;
  private timing: PeerWatchTiming;
  private configured: PeerConfig[];
  private learned: PeerConfig[] = [];
  private learnedKnown: boolean;
  private readonly watched = new Map<string, Watched>();
  /** One round every timing.intervalMs, start to start (a slow round is followed at once by the next). */
  private readonly rounds: PeriodicTask;
  private stopped = false;
  private lastRound: { wall: number; mono: number } | null = null;
  private graceUntil = 0;
  private offlineRounds = 0;
  private offlineSince: number | null = null;
  private offlineReported = false;
  private ownState: MachineState = 'running';

  constructor(private readonly options: PeerWatcherOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    // A peer the hub listed is checked only at addresses peers may be watched at, whatever its name resolves to.
    this.check =
      options.check ??
      ((peer, timeoutMs, signal) => checkPeerHealth(peer.healthUrl, { token: peer.token, timeoutMs, signal, lookup: peer.origin === 'hub' ? hubPeerLookup : undefined }));
    this.timing = options.timing;
    this.configured = options.peers;
    this.learnedKnown = !options.learnsFromHub;
    this.rounds = new PeriodicTask(this.clock, { name: 'peer check round', logger: this.logger, everyMs: () => this.timing.intervalMs }, ({ signal }) => this.round(signal));
    this.sync();
  }

  start(): void {
    if (this.rounds.started || this.stopped) return;
    this.logger.info('peer watch started', { peers: [...this.watched.keys()], intervalSeconds: this.timing.intervalMs / 1000, failuresBeforeDown: this.timing.failuresBeforeDown });
    this.rounds.start({ firstRunInMs: 0 });
  }

  /** Stops the rounds. A round in flight ends at once without waiting for its checks: its results are dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.rounds.stop();
  }

  setTiming(timing: PeerWatchTiming): void {
    this.timing = timing;
    for (const w of this.watched.values()) w.tracker.setFailuresBeforeDown(timing.failuresBeforeDown);
  }

  setPeers(peers: PeerConfig[]): void {
    this.configured = peers;
    this.sync();
  }

  /** Peers learned from the hub's machine list (replaces the previous list). */
  setLearned(peers: PeerConfig[]): void {
    this.learned = peers;
    this.learnedKnown = true;
    this.sync();
  }

  /** A peer pushed its own health report (it is going to sleep, with its deadline). */
  announce(health: PeerHealth): boolean {
    const now = this.clock.now();
    for (const [name, w] of this.watched) {
      if (w.tracker.health?.id === health.id || (w.config.machineId && w.config.machineId === health.id)) {
        this.logger.info('peer announced its state', { peer: name, state: health.state, until: health.sleepUntil });
        this.handle(w, w.tracker.observe({ ok: true, health, latencyMs: 0 }, now), now);
        return true;
      }
    }
    return false;
  }

  /** This machine announced sleep or woke up (Runtime.setSleeping). */
  machineStateChanged(state: MachineState): void {
    const was = this.ownState;
    this.ownState = state;
    if (was === 'sleeping' && state !== 'sleeping') this.ownWake('announced wake-up');
  }

  statuses(): PeerStatus[] {
    return [...this.watched.entries()].map(([name, w]) => ({
      name,
      url: w.config.healthUrl,
      origin: w.config.origin,
      state: w.tracker.state,
      failures: w.tracker.failures,
      lastSeen: w.tracker.lastSeen,
      lastFailure: w.tracker.lastFailure,
      downSince: w.tracker.downSince,
      sleepUntil: w.tracker.sleepUntil,
      machineId: w.tracker.health?.id ?? w.config.machineId ?? null,
    }));
  }

  /** Whether this machine currently believes it is offline. */
  get offline(): boolean {
    return this.offlineReported;
  }

  // ---------------------------------------------------------------------------------------

  private sync(): void {
    const wanted = new Map<string, PeerConfig>();
    for (const peer of this.configured) wanted.set(peer.name, peer);
    for (const peer of this.learned) {
      const sameUrl = [...wanted.values()].some((p) => p.healthUrl === peer.healthUrl);
      if (sameUrl || peer.machineId === this.options.self.id) continue;
      wanted.set(wanted.has(peer.name) ? `${peer.name} (hub)` : peer.name, peer);
    }
    for (const name of [...this.watched.keys()]) if (!wanted.has(name)) this.watched.delete(name);
    for (const [name, config] of wanted) {
      const existing = this.watched.get(name);
      if (existing) {
        existing.config = config.name === name ? config : { ...config, name };
        continue;
      }
      const memory = this.options.memory?.recall(name) ?? null;
      this.watched.set(name, {
        config: config.name === name ? config : { ...config, name },
        tracker: new PeerTracker({ failuresBeforeDown: this.timing.failuresBeforeDown, lastSeen: memory?.lastSeen ?? null, health: memory?.health ?? null }),
        rememberedAt: memory?.lastSeen ?? 0,
      });
    }
    // Incidents of peers that are no longer watched are closed quietly (once the whole list is known).
    if (this.learnedKnown) this.options.sink.retain?.('peer:', new Set([...this.watched.keys()].map(peerKey)));
  }

  private async round(signal: AbortSignal): Promise<void> {
    const wall = this.clock.now();
    const mono = this.clock.monotonic();
    if (this.lastRound && wall - this.lastRound.wall - (mono - this.lastRound.mono) > SUSPEND_JUMP_MS) {
      this.ownWake('this machine was suspended');
    }
    this.lastRound = { wall, mono };
    const entries = [...this.watched.values()];
    if (entries.length === 0) return;
    const timeoutMs = this.timing.timeoutMs;
    const results = await unlessAborted(
      signal,
      Promise.all(
        entries.map((w) =>
          this.check(w.config, timeoutMs, signal).catch(
            (error: unknown): CheckResult => ({ ok: false, failure: 'other', message: error instanceof Error ? error.message : String(error), reached: false, localNetwork: false }),
          ),
        ),
      ),
    );
    if (results === null || this.stopped) return;
    const now = this.clock.now();
    const offline = await unlessAborted(signal, this.judgeOwnNetwork(results, timeoutMs));
    if (offline === null || this.stopped) return;
    const changes: AlertChange[] = [];
    if (offline) {
      changes.push(...this.wentOffline(now, entries.length));
    } else {
      changes.push(...this.backOnline(now));
      const inGrace = now < this.graceUntil;
      entries.forEach((w, i) => {
        const result = results[i]!;
        if (!result.ok && inGrace) return;
        // The peer may have been removed while its check ran.
        if (this.watched.get(w.config.name) !== w) return;
        changes.push(...this.toChanges(w, w.tracker.observe(result, now), now));
      });
    }
    if (changes.length > 0) this.options.sink.report(changes);
  }

  /** True when the failures are this machine's own: nothing answered at all. */
  private async judgeOwnNetwork(results: CheckResult[], timeoutMs: number): Promise<boolean> {
    if (results.some((r) => r.ok || r.reached)) return false;
    if (results.some((r) => !r.ok && r.localNetwork)) return true;
    const hasInterface = this.options.hasNetworkInterface ?? defaultHasNetworkInterface;
    if (!hasInterface()) return true;
    const witnesses = this.options.witnesses?.() ?? [];
    const answers = await Promise.all(witnesses.map((w) => w.probe(timeoutMs).catch(() => false)));
    if (answers.some(Boolean)) return false;
    // With one peer and nothing else to ask, "it does not answer" cannot be told apart from
    // "I am offline": report the peer (an email about it waits in the queue if we are offline).
    return results.length + witnesses.length >= 2;
  }

  private wentOffline(now: number, peers: number): AlertChange[] {
    this.offlineSince ??= now;
    this.offlineRounds++;
    // Failures seen just before may have been ours too.
    for (const w of this.watched.values()) w.tracker.reset();
    if (this.offlineReported || this.offlineRounds < this.timing.failuresBeforeDown) return [];
    this.offlineReported = true;
    const self = this.options.self.name;
    this.logger.warn('this machine seems offline: no peer answers (nor the hub or SMTP server); peers are not marked DOWN meanwhile', { since: new Date(this.offlineSince).toISOString() });
    return [
      {
        key: 'network',
        severity: 'problem',
        kind: 'network_down',
        machine: self,
        title: `${self} has no network`,
        since: this.offlineSince,
        at: now,
        details: [
          `${self} could reach none of its ${peers} peer(s), nor the hub or the SMTP server, ${this.offlineRounds} rounds in a row. ` +
            'Its peers are not reported DOWN while this lasts: from here, nobody can tell.',
        ],
      },
    ];
  }

  private backOnline(now: number): AlertChange[] {
    const wasReported = this.offlineReported;
    const since = this.offlineSince;
    this.offlineRounds = 0;
    this.offlineSince = null;
    this.offlineReported = false;
    if (!wasReported || since === null) return [];
    const self = this.options.self.name;
    this.logger.info('this machine is online again', { offlineFor: formatDuration(now - since) });
    return [
      {
        key: 'network',
        severity: 'recovery',
        kind: 'network_up',
        machine: self,
        title: `${self} has network again`,
        since: now,
        at: now,
        details: [`${self} was offline from ${formatLocalIso(since)}.`],
      },
    ];
  }

  private ownWake(reason: string): void {
    this.graceUntil = this.clock.now() + WAKE_GRACE_MS;
    for (const w of this.watched.values()) w.tracker.reset();
    this.logger.info('peer watch: failures are not counted for a moment', { reason, graceSeconds: WAKE_GRACE_MS / 1000 });
  }

  private handle(w: Watched, events: PeerEvent[], now: number): void {
    const changes = this.toChanges(w, events, now);
    if (changes.length > 0) this.options.sink.report(changes);
  }

  private toChanges(w: Watched, events: PeerEvent[], now: number): AlertChange[] {
    const context: PeerAlertContext = { self: this.options.self.name, ...this.timing };
    const changes: AlertChange[] = [];
    for (const event of events) {
      if (event.type === 'sleeping') this.logger.info('peer is sleeping', { peer: w.config.name, until: event.until === null ? 'no deadline' : new Date(event.until).toISOString() });
      else if (event.type === 'woke') this.logger.info('peer woke up', { peer: w.config.name });
      else this.logger.info(`peer ${event.type}`, { peer: w.config.name });
      const change = peerAlert(w.config, event, context);
      if (change) changes.push(change);
    }
    const health = w.tracker.health;
    if (health && w.tracker.lastSeen === now && (events.length > 0 || now - w.rememberedAt >= REMEMBER_EVERY_MS)) {
      w.rememberedAt = now;
      try {
        this.options.memory?.remember(w.config.name, { machineId: health.id, lastSeen: now, health });
      } catch (error) {
        this.logger.debug('could not remember a peer', { error });
      }
    }
    return changes;
  }
}

function defaultHasNetworkInterface(): boolean {
  return Object.values(os.networkInterfaces()).some((addresses) => addresses?.some((a) => !a.internal));
}

/** The work's result, or null as soon as the signal is aborted (stop() does not wait for slow checks). */
function unlessAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise<T | null>((resolve, reject) => {
    const onAbort = () => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
