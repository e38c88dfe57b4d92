// GET /health: small and fast, for peers, the hub, load balancers and people. Always public
// (no token): it tells that the machine is alive and who it is, nothing more.
import type { FastifyInstance } from 'fastify';
import type { MachineIdentity } from '../identity.js';
import { VERSION } from '../version.js';

/** running: sampling; sleeping: announced suspend or shutdown (peers must not alarm); paused: sampling paused by the user. */
export type MachineState = 'running' | 'paused' | 'sleeping';

export interface HealthReport {
  id: string;
  name: string;
  version: string;
  state: MachineState;
  /** Unix ms now, on this machine's clock. */
  time: number;
  /** Seconds since the agent (or app) started. */
  uptimeSeconds: number;
  /** Unix ms the machine booted; a change means it rebooted. */
  bootTime: number | null;
  /** The newest sample's ts, so a watcher sees a sampler that stalls. */
  lastSampleTs: number | null;
}

export interface HealthSource {
  identity: MachineIdentity;
  startedAt: number;
  state(): MachineState;
  bootTime(): number | null;
  lastSampleTs(): number | null;
}

export function healthReport(source: HealthSource, now = Date.now()): HealthReport {
  return {
    id: source.identity.id,
    name: source.identity.name,
    version: VERSION,
    state: source.state(),
    time: now,
    uptimeSeconds: Math.round((now - source.startedAt) / 1000),
    bootTime: source.bootTime(),
    lastSampleTs: source.lastSampleTs(),
  };
}

export function registerHealthRoute(app: FastifyInstance, source: HealthSource): void {
  app.get('/health', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
    return healthReport(source);
  });
}
