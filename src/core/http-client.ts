// Outgoing HTTP(S) for the core: sync to the hub or an InfluxDB, peer health checks, the public
// IP lookup. Built on node:http/https rather than the global fetch(): fetch's HTTP parser
// (undici's llhttp) is WebAssembly, which the agent would then keep compiled and resident;
// node:http parses with native code and costs less memory.
//
// Requests that leave the network (sync to a hub or InfluxDB, the public IP lookup) ask for
// `viaEnvProxy` and then honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY (http-proxy.ts, loaded only
// when such a variable is set). Peer health checks do not: they are LAN checks, and a proxy
// answering for a dead peer would hide that it is down.
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
  /** Go through the proxy named by HTTPS_PROXY / HTTP_PROXY / ALL_PROXY unless NO_PROXY names the host. */
  viaEnvProxy?: boolean;
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

/** Whether any proxy variable is set: without one, http-proxy.ts and its packages are never loaded. */
export function proxyVariableSet(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'].some((name) => Boolean(env[name]));
}

interface Route {
  agent: http.Agent;
  /** Set when the request goes through a proxy (named, redacted, in failures). */
  proxy?: URL;
  /** TLS options the route needs, before the request's own. */
  tls?: https.RequestOptions;
}

export function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new VigilError('invalid_argument', `Unsupported URL scheme ${url.protocol} (http or https only)`));
  }
  const direct: Route = { agent: agents[url.protocol] };
  if (!request.viaEnvProxy || !proxyVariableSet()) return send(request, url, direct);
  return proxiedRoute(request, url, direct).then((route) => send(request, url, route));
}

async function proxiedRoute(request: HttpRequest, url: URL, direct: Route): Promise<Route> {
  try {
    const { proxyRoute } = await import('./http-proxy.js');
    return proxyRoute(url) ?? direct;
  } catch (error) {
    // A proxy variable that is not a usable URL fails the request with a clear message (the sync
    // status shows it, the outbox keeps the samples), like a proxy that does not answer.
    throw new HttpRequestError('other', `${request.method ?? 'GET'} ${redact(url)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function send(request: HttpRequest, url: URL, route: Route): Promise<HttpResponse> {
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
      const through = route.proxy ? ` through the proxy ${redact(route.proxy)}` : '';
      reject(new HttpRequestError(failure, `${request.method ?? 'GET'} ${redact(url)}${through}: ${message}`, { cause }));
    };
    const req = transport.request(
      url,
      { method: request.method ?? 'GET', headers, agent: route.agent, ...(request.lookup ? { lookup: request.lookup } : {}), ...route.tls, ...request.tls },
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
