// GET /health: small and fast, for peers, the hub, load balancers and people. Always public
// (no token): it tells that the machine is alive and who it is, nothing more.
//
// One exception, for peer alerts: a caller that presents the server's access token (or any
// caller when the server has no token, i.e. it listens on loopback only) also gets `latest`, a
// few figures of the newest sample, so a DOWN email can say how the machine was doing just
// before. One request per check instead of two, and load figures never reach anonymous callers.
import type { FastifyInstance } from 'fastify';
import type { Sample } from '../../shared/model.js';
import type { MachineState } from '../../shared/wire.js';
import type { MachineIdentity } from '../identity.js';
import { VERSION } from '../version.js';
import { bearerToken, tokenMatches } from './http-server.js';

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
  /**
   * With state 'sleeping': the unix ms by which the machine says it will be back (peers alert
   * only if it misses it); null = no deadline (e.g. a laptop lid closed). null otherwise.
   */
  sleepUntil: number | null;
  /** Only for callers with the access token (see above). */
  latest?: LatestSummary | null;
}

/** The newest sample in a few numbers (network: physical interfaces only). */
export interface LatestSummary {
  ts: number;
  cpuPercent: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  netRxBitsPerSecond: number;
  netTxBitsPerSecond: number;
}

export function summarizeSample(sample: Sample): LatestSummary {
  let rx = 0;
  let tx = 0;
  for (const rate of sample.net) {
    if (rate.loopback || rate.virtual) continue;
    rx += rate.rxBitsPerSecond ?? 0;
    tx += rate.txBitsPerSecond ?? 0;
  }
  return {
    ts: sample.ts,
    cpuPercent: sample.cpu.total,
    memoryUsedBytes: sample.memory.used,
    memoryTotalBytes: sample.memory.total,
    netRxBitsPerSecond: rx,
    netTxBitsPerSecond: tx,
  };
}

export interface HealthSource {
  identity: MachineIdentity;
  startedAt: number;
  state(): MachineState;
  bootTime(): number | null;
  lastSampleTs(): number | null;
  /** See HealthReport.sleepUntil (absent: never sleeping). */
  sleepUntil?(): number | null;
  /** The newest sample, for `latest` (absent: never included). */
  latest?(): Sample | null;
  /** SHA-256 of the server's access token; null/absent: loopback server, every caller may see `latest`. */
  tokenHash?: string | null;
}

export function healthReport(source: HealthSource, now = Date.now(), options: { withLatest?: boolean } = {}): HealthReport {
  const state = source.state();
  const report: HealthReport = {
    id: source.identity.id,
    name: source.identity.name,
    version: VERSION,
    state,
    time: now,
    uptimeSeconds: Math.round((now - source.startedAt) / 1000),
    bootTime: source.bootTime(),
    lastSampleTs: source.lastSampleTs(),
    sleepUntil: state === 'sleeping' ? (source.sleepUntil?.() ?? null) : null,
  };
  if (options.withLatest && source.latest) {
    const sample = source.latest();
    report.latest = sample ? summarizeSample(sample) : null;
  }
  return report;
}

export function registerHealthRoute(app: FastifyInstance, source: HealthSource): void {
  app.get('/health', { schema: { summary: 'Whether the machine is up, with its identity and state (public: no token needed)', tags: ['meta'] } }, async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    const token = source.tokenHash ? bearerToken(request) : null;
    const withLatest = !source.tokenHash || (token !== null && tokenMatches(token, source.tokenHash));
    return healthReport(source, Date.now(), { withLatest });
  });
}
