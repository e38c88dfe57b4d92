// Peers learned from the hub (peers.learnFromHub, with sync on): GET <hub>/api/machines with
// this agent's machine token lists every machine with the /health URL it reported; each one
// that is not this machine becomes a peer. Refreshed every minute; a failing hub keeps the last
// list (a hub outage must not make every peer vanish from the watch).
import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../../shared/settings.js';
import { systemClock, type Clock } from '../clock.js';
import { httpRequest } from '../http-client.js';
import type { Logger } from '../log.js';
import { PeriodicTask } from '../periodic.js';
import { checkToken, readSyncToken, syncTokenPath } from '../sync/token.js';
import { forbiddenPeerUrl } from './address-guard.js';
import { peerHealthUrl, type PeerConfig } from './config.js';

export interface HubConnection {
  url: string;
  token: string;
  /** PEM CA for an https hub with a private certificate. */
  ca: string | null;
}

/**
 * The hub the agent syncs to, or null (sync off, no token: logged). The token is found where
 * sync finds it: given (--token), $VIGIL_SYNC_TOKEN, else the token file.
 */
export function hubConnection(settings: Pick<Settings, 'sync'>, dataDir: string, logger: Logger, givenToken?: string): HubConnection | null {
  const sync = settings.sync;
  if (!sync.enabled || !sync.url) return null;
  try {
    const token = givenToken
      ? checkToken(givenToken, 'given with --token')
      : process.env.VIGIL_SYNC_TOKEN
        ? checkToken(process.env.VIGIL_SYNC_TOKEN, 'in VIGIL_SYNC_TOKEN')
        : readSyncToken(syncTokenPath(dataDir, sync.tokenFile));
    const ca = sync.caFile ? fs.readFileSync(path.resolve(sync.caFile), 'utf8') : null;
    return { url: sync.url, token, ca };
  } catch (error) {
    logger.warn('cannot learn peers from the hub', { error: error instanceof Error ? error.message : String(error) });
    return null;
  }
}

/** The machine list's fields peer watch uses (src/shared/hub-api.ts has the whole shape). */
interface ListedMachine {
  id?: unknown;
  name?: unknown;
  agentId?: unknown;
  healthUrl?: unknown;
  revokedAt?: unknown;
}

/** A machine of the hub's list that is not watched, and why (its health URL is link-local, say). */
export interface RefusedPeer {
  name: string;
  healthUrl: string;
  reason: string;
}

/**
 * Fetches the hub's machine list and keeps the machines a peer can be made of. A health URL at
 * a link-local or metadata address (address-guard.ts) is never watched, whatever the hub says:
 * `refused` hears of each.
 */
export async function fetchHubPeers(
  hub: HubConnection,
  selfId: string,
  options: { timeoutMs?: number; signal?: AbortSignal; refused?: (peer: RefusedPeer) => void } = {},
): Promise<PeerConfig[]> {
  const { timeoutMs = 10_000, signal } = options;
  const response = await httpRequest({
    url: new URL('api/machines', hub.url.endsWith('/') ? hub.url : `${hub.url}/`),
    headers: { authorization: `Bearer ${hub.token}`, accept: 'application/json' },
    timeoutMs,
    signal,
    tls: hub.ca ? { ca: hub.ca } : undefined,
    // The same hub that sync reaches, the same way (its proxy, if any).
    viaEnvProxy: true,
  });
  if (response.status !== 200) throw new Error(`the hub answered HTTP ${response.status} to GET /api/machines`);
  const body = response.json<{ machines?: unknown }>();
  const machines = Array.isArray(body) ? (body as unknown[]) : Array.isArray(body?.machines) ? body.machines : null;
  if (!machines) throw new Error('the hub did not answer with a machine list');
  const peers: PeerConfig[] = [];
  for (const entry of machines as ListedMachine[]) {
    if (!entry || typeof entry !== 'object') continue;
    if (typeof entry.name !== 'string' || !entry.name || typeof entry.healthUrl !== 'string' || !entry.healthUrl) continue;
    if (entry.revokedAt !== null && entry.revokedAt !== undefined) continue;
    const machineId = typeof entry.agentId === 'string' ? entry.agentId : null;
    if (machineId === selfId) continue;
    const refused = forbiddenPeerUrl(entry.healthUrl);
    if (refused) {
      options.refused?.({ name: entry.name, healthUrl: entry.healthUrl, reason: refused });
      continue;
    }
    let healthUrl: string;
    try {
      healthUrl = peerHealthUrl(entry.healthUrl).url;
    } catch {
      continue;
    }
    peers.push({ name: entry.name, healthUrl, token: null, origin: 'hub', machineId });
  }
  return peers;
}

const REFRESH_MS = 60_000;

export class HubPeerLearner {
  /** The first refresh at start, then one every refreshMs. */
  private readonly refreshes: PeriodicTask;
  private failing = false;
  /** Refused health URLs already logged (the list is read every minute). */
  private readonly refusedLogged = new Set<string>();
  private hub: HubConnection;

  constructor(
    private readonly options: {
      hub: HubConnection;
      selfId: string;
      logger: Logger;
      onPeers: (peers: PeerConfig[]) => void;
      refreshMs?: number;
      clock?: Clock;
    },
  ) {
    this.hub = options.hub;
    this.refreshes = new PeriodicTask(options.clock ?? systemClock, { name: 'hub machine list refresh', logger: options.logger, everyMs: options.refreshMs ?? REFRESH_MS }, ({ signal }) =>
      this.refresh(signal),
    );
  }

  start(): void {
    this.refreshes.start({ now: true });
  }

  setHub(hub: HubConnection): void {
    this.hub = hub;
  }

  /** Stops the refreshes; one in flight is cut short and its answer dropped. */
  stop(): Promise<void> {
    return this.refreshes.stop();
  }

  private async refresh(signal: AbortSignal): Promise<void> {
    try {
      const peers = await fetchHubPeers(this.hub, this.options.selfId, {
        signal,
        refused: (peer) => {
          if (this.refusedLogged.has(peer.healthUrl)) return;
          this.refusedLogged.add(peer.healthUrl);
          this.options.logger.warn('not watching a machine the hub lists: its health URL is not one peers may be watched at', { ...peer });
        },
      });
      if (signal.aborted) return;
      if (this.failing) this.options.logger.info('hub machine list readable again');
      this.failing = false;
      this.options.onPeers(peers);
      this.options.logger.debug('peers learned from the hub', { peers: peers.map((p) => p.name) });
    } catch (error) {
      if (signal.aborted) return;
      if (!this.failing) this.options.logger.warn('cannot read the hub machine list; keeping the peers learned before', { error: error instanceof Error ? error.message : String(error) });
      this.failing = true;
    }
  }
}
