// Sends batches to a Vigil hub: POST <url>/api/ingest, JSON (gzip above a few KB: a backfill batch
// of 500 samples is ~200 KB of JSON and ~25 KB compressed), Authorization: Bearer <machine token>.
// The hub validates the whole batch before storing any of it and ignores samples it already has,
// so a batch re-sent after a lost answer never duplicates.
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { HttpRequestError, httpRequest, redact } from '../http-client.js';
import { SyncError, syncErrorForStatus, type SendOutcome, type SyncBatch, type SyncTarget } from './types.js';

const gzip = promisify(zlib.gzip);

/** Bodies smaller than this go uncompressed (gzip would cost more than it saves). */
const GZIP_ABOVE_BYTES = 8 * 1024;

export interface HubTargetOptions {
  /** The hub's base URL (http or https), e.g. https://hub.example:7471 or https://example/vigil/. */
  url: string;
  token: string;
  /** PEM CA(s) to trust, for a hub with a private or self-signed certificate. */
  ca?: string | Buffer;
  timeoutMs?: number;
}

export class HubTarget implements SyncTarget {
  readonly name = 'hub';
  readonly endpoint: string;
  private readonly ingestUrl: URL;

  constructor(private readonly options: HubTargetOptions) {
    const base = new URL(options.url);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new SyncError('permanent', `The hub URL must be http:// or https://, not ${base.protocol}`);
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.ingestUrl = new URL('api/ingest', base);
    this.endpoint = redact(base);
  }

  async send(batch: SyncBatch, signal: AbortSignal): Promise<SendOutcome> {
    const json = Buffer.from(JSON.stringify(batch));
    const compress = json.length > GZIP_ABOVE_BYTES;
    const body = compress ? await gzip(json, { level: 6 }) : json;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.token}`,
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (compress) headers['content-encoding'] = 'gzip';
    let response;
    try {
      response = await httpRequest({
        url: this.ingestUrl,
        method: 'POST',
        headers,
        body,
        timeoutMs: this.options.timeoutMs ?? 30_000,
        maxResponseBytes: 64 * 1024,
        tls: this.options.ca ? { ca: this.options.ca } : undefined,
        signal,
      });
    } catch (error) {
      if (error instanceof HttpRequestError) {
        // A certificate the agent does not trust will not fix itself: say so and retry slowly.
        const kind = error.failure === 'tls' ? 'permanent' : 'retryable';
        throw new SyncError(kind, error.message, { cause: error });
      }
      throw new SyncError('retryable', String(error), { cause: error });
    }
    const failure = syncErrorForStatus(response.status, errorDetail(response.text()), response.headers['retry-after']);
    if (failure) throw failure;
    return { notKept: tooOld(response.text()) };
  }
}

/** The ingest answer's `tooOld` (samples older than the hub's raw retention); 0 from older hubs. */
function tooOld(text: string): number {
  try {
    const value = (JSON.parse(text) as { tooOld?: unknown }).tooOld;
    return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
  } catch {
    return 0;
  }
}

/** The hub's `{ "error": { "message" } }`, or the start of whatever else answered (a proxy's page). */
function errorDetail(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // Not JSON.
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}
