// Sends batches to a Vigil hub: POST <url>/api/ingest, JSON (gzip above a few KB: a backfill batch
// of 500 samples is ~200 KB of JSON and ~25 KB compressed), Authorization: Bearer <machine token>.
// The hub validates the whole batch before storing any of it and ignores samples it already has,
// so a batch re-sent after a lost answer never duplicates.
import { redact } from '../http-client.js';
import { postSyncBody } from './post.js';
import { SyncError, syncErrorForStatus, type SendOutcome, type SyncBatch, type SyncTarget } from './types.js';

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
    const headers = { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json', accept: 'application/json' };
    const response = await postSyncBody(this.ingestUrl, json, headers, this.options, signal);
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
