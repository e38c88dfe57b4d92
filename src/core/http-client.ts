// Outgoing HTTP(S) for the core: sync to the hub or an InfluxDB, peer health checks, the public
// IP lookup. Built on node:http/https rather than the global fetch(): fetch's HTTP parser
// (undici's llhttp) is WebAssembly, which the agent would then keep compiled and resident;
// node:http parses with native code and costs less memory.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { VigilError } from '../shared/errors.js';

export interface HttpRequest {
  url: string | URL;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Whole-request deadline in ms (connect + response); default 10 s. */
  timeoutMs?: number;
  /** Largest response body kept, in bytes; default 4 MiB (longer bodies fail the request). */
  maxResponseBytes?: number;
  /** Extra TLS options (e.g. a CA for a self-signed hub certificate). */
  tls?: https.RequestOptions;
  signal?: AbortSignal;
  /** Resolves the host name (default dns.lookup); peer checks refuse some addresses through it. */
  lookup?: LookupFunction;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

/** Failures before an HTTP status arrives (refused, reset, DNS, timeout) carry this code. */
export type HttpFailure = 'timeout' | 'refused' | 'unreachable' | 'reset' | 'tls' | 'too_large' | 'aborted' | 'other';

export class HttpRequestError extends VigilError {
  constructor(
    readonly failure: HttpFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('io_error', message, options);
    this.name = 'HttpRequestError';
  }
}

/** Keep-alive agents: a hub or a peer polled every few seconds reuses one connection. */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 4 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 4 }),
};

export function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new VigilError('invalid_argument', `Unsupported URL scheme ${url.protocol} (http or https only)`));
  }
  const timeoutMs = request.timeoutMs ?? 10_000;
  const maxBytes = request.maxResponseBytes ?? 4 * 1024 * 1024;
  const transport = url.protocol === 'https:' ? https : http;
  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body);
  const headers: Record<string, string> = { ...request.headers };
  if (body) headers['content-length'] = String(body.length);

  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    // A long-lived signal (a sync service's, for every request it makes) must not collect one
    // listener per request: each is removed when its request settles.
    const onAbort = () => fail('aborted', 'aborted');
    const fail = (failure: HttpFailure, message: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(new HttpRequestError(failure, `${request.method ?? 'GET'} ${redact(url)}: ${message}`, { cause }));
    };
    const req = transport.request(
      url,
      { method: request.method ?? 'GET', headers, agent: agents[url.protocol as 'http:' | 'https:'], ...(request.lookup ? { lookup: request.lookup } : {}), ...request.tls },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) fail('too_large', `response larger than ${maxBytes} bytes`);
          else chunks.push(chunk);
        });
        res.on('error', (error) => fail('reset', error.message, error));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          request.signal?.removeEventListener('abort', onAbort);
          const data = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: data,
            text: () => data.toString('utf8'),
            json: <T>() => JSON.parse(data.toString('utf8')) as T,
          });
        });
      },
    );
    const timer = setTimeout(() => fail('timeout', `no answer within ${timeoutMs} ms`), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => fail(classify(error), error.code ?? error.message, error));
    if (request.signal?.aborted) {
      fail('aborted', 'aborted');
      return;
    }
    request.signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}

function classify(error: NodeJS.ErrnoException): HttpFailure {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return 'unreachable';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    default:
      return error.code?.startsWith('ERR_TLS') || /certificate|SSL|TLS/i.test(error.message) ? 'tls' : 'other';
  }
}

/** URLs in messages and logs never show credentials. */
export function redact(url: URL): string {
  if (!url.username && !url.password) return url.toString();
  const copy = new URL(url.toString());
  copy.username = copy.username ? '***' : '';
  copy.password = copy.password ? '***' : '';
  return copy.toString();
}
