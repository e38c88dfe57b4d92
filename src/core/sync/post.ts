// The one POST both sync targets make (the hub's ingest, InfluxDB's write): gzip above a few KB,
// the same timeout, response bound and TLS trust, and transport failures turned into SyncErrors.
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { HttpRequestError, httpRequest, type HttpResponse } from '../http-client.js';
import { SyncError } from './types.js';

const gzip = promisify(zlib.gzip);

/** Bodies smaller than this go uncompressed (gzip would cost more than it saves). */
const GZIP_ABOVE_BYTES = 8 * 1024;

export interface SyncPostOptions {
  ca?: string | Buffer;
  timeoutMs?: number;
  /** Put before a transport failure's message ("InfluxDB at …: "); none by default. */
  errorPrefix?: string;
}

/** POSTs `raw` (gzipped when large); the answer whatever its status, or a SyncError when none came. */
export async function postSyncBody(url: URL, raw: Buffer, headers: Record<string, string>, options: SyncPostOptions, signal: AbortSignal): Promise<HttpResponse> {
  const compress = raw.length > GZIP_ABOVE_BYTES;
  const body = compress ? await gzip(raw, { level: 6 }) : raw;
  const prefix = options.errorPrefix ?? '';
  try {
    return await httpRequest({
      url,
      method: 'POST',
      headers: compress ? { ...headers, 'content-encoding': 'gzip' } : headers,
      body,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxResponseBytes: 64 * 1024,
      tls: options.ca ? { ca: options.ca } : undefined,
      signal,
      // The hub or the database may be reachable only through the site's proxy.
      viaEnvProxy: true,
    });
  } catch (error) {
    if (error instanceof HttpRequestError) {
      // A certificate the agent does not trust will not fix itself: say so and retry slowly.
      throw new SyncError(error.failure === 'tls' ? 'permanent' : 'retryable', `${prefix}${error.message}`, { cause: error });
    }
    throw new SyncError('retryable', `${prefix}${String(error)}`, { cause: error });
  }
}
