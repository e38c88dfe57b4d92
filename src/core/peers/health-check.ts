// One check of one peer: GET its /health with a deadline, through node:http (never fetch(),
// whose WebAssembly parser would stay resident in the agent). The result also says what the failure
// proves about *this* machine's network, which decides between "the peer is down" and "I am
// offline" (watcher.ts).
import type { LookupFunction } from 'node:net';
import { httpRequest, HttpRequestError, type HttpFailure } from '../http-client.js';
import { isMachineState, type MachineState } from '../../shared/wire.js';
import type { LatestSummary } from '../server/health.js';

/** What a peer's /health told us (the fields peer watch uses). */
export interface PeerHealth {
  id: string;
  name: string;
  state: MachineState;
  bootTime: number | null;
  uptimeSeconds: number | null;
  sleepUntil: number | null;
  latest: LatestSummary | null;
}

export type CheckFailure = HttpFailure | 'http_status' | 'bad_response';

export type CheckResult =
  | { ok: true; health: PeerHealth; latencyMs: number }
  | {
      ok: false;
      failure: CheckFailure;
      /** For people: "connection refused", "no answer within 5 s", "HTTP 503". */
      message: string;
      /** Something answered (an HTTP status, a TLS handshake, a refused connection): this machine's network works. */
      reached: boolean;
      /** The failure is about this machine's own network: no route (ENETUNREACH/ENETDOWN), DNS not answering (EAI_AGAIN). */
      localNetwork: boolean;
    };

export async function checkPeerHealth(url: string, options: { token?: string | null; timeoutMs: number; signal?: AbortSignal; lookup?: LookupFunction }): Promise<CheckResult> {
  const started = performance.now();
  let response;
  try {
    response = await httpRequest({
      url,
      timeoutMs: options.timeoutMs,
      maxResponseBytes: 64 * 1024,
      headers: options.token ? { authorization: `Bearer ${options.token}`, accept: 'application/json' } : { accept: 'application/json' },
      signal: options.signal,
      lookup: options.lookup,
    });
  } catch (error) {
    return failureOf(error, options.timeoutMs);
  }
  if (response.status !== 200) {
    return { ok: false, failure: 'http_status', message: `HTTP ${response.status} from ${url}`, reached: true, localNetwork: false };
  }
  let health: PeerHealth | null;
  try {
    health = parseHealth(response.json());
  } catch {
    health = null;
  }
  if (!health) return { ok: false, failure: 'bad_response', message: `${url} did not answer with a Vigil health report`, reached: true, localNetwork: false };
  return { ok: true, health, latencyMs: performance.now() - started };
}

/** Validates a /health body (or a pushed announcement); null when it is not one. */
export function parseHealth(body: unknown): PeerHealth | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  if (typeof b.id !== 'string' || !b.id || typeof b.name !== 'string') return null;
  if (!isMachineState(b.state)) return null;
  const time = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  return {
    id: b.id,
    name: b.name,
    state: b.state,
    bootTime: time(b.bootTime),
    uptimeSeconds: time(b.uptimeSeconds),
    sleepUntil: time(b.sleepUntil),
    latest: parseLatest(b.latest),
  };
}

function parseLatest(value: unknown): LatestSummary | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  const keys = ['ts', 'cpuPercent', 'memoryUsedBytes', 'memoryTotalBytes', 'netRxBitsPerSecond', 'netTxBitsPerSecond'] as const;
  for (const key of keys) if (typeof v[key] !== 'number' || !Number.isFinite(v[key])) return null;
  return Object.fromEntries(keys.map((key) => [key, v[key]])) as unknown as LatestSummary;
}

function failureOf(error: unknown, timeoutMs: number): CheckResult {
  if (!(error instanceof HttpRequestError)) {
    return { ok: false, failure: 'other', message: error instanceof Error ? error.message : String(error), reached: false, localNetwork: false };
  }
  const errno = ((error.cause as NodeJS.ErrnoException | undefined)?.code ?? '').toUpperCase();
  const message =
    error.failure === 'timeout'
      ? `no answer within ${formatSeconds(timeoutMs)}`
      : error.failure === 'refused'
        ? 'connection refused'
        : errno === 'EFORBIDDEN'
          ? (error.cause as Error).message
          : errno === 'ENOTFOUND'
            ? 'host name not found'
            : errno === 'EHOSTUNREACH'
              ? 'host unreachable'
              : errno === 'ENETUNREACH' || errno === 'ENETDOWN'
                ? 'no route to the network'
                : error.failure === 'tls'
                  ? `TLS failed (${errno || 'certificate'})`
                  : errno || error.failure;
  return {
    ok: false,
    failure: error.failure,
    message,
    // A refused connection or a TLS handshake means packets went to the peer's host and back.
    reached: error.failure === 'refused' || error.failure === 'tls',
    localNetwork: errno === 'ENETUNREACH' || errno === 'ENETDOWN' || errno === 'EAI_AGAIN',
  };
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
