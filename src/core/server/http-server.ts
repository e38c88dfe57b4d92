// The HTTP server shared by the agent (charts API, /health, /metrics) and the hub: Fastify with
// Vigil's conventions in one place —
// - errors are `{ "error": { "code", "message" } }` with the VigilError's status (4xx for bad
//   input, never a stack trace);
// - loopback by default; binding any other address requires an access token, and only its hash
//   is kept (tokens are random and long, so SHA-256 is the right cost; passwords would want scrypt);
// - without a token, only Host names that are loopback, the bound address or configured by the
//   user are answered: a web page whose DNS name is re-pointed at 127.0.0.1 (DNS rebinding) must
//   not read this machine's data or silence its alerts;
// - a body size limit on every route;
// - every response, refusals included, carries the pages' security headers (CSP, nosniff, no
//   referrer, no framing), and so do the refusals Node's HTTP parser makes before any route runs
//   (malformed requests, conflicting lengths, headers over 16 KB: clientErrorHandler);
// - a known path asked with the wrong method is 405 with `Allow`, not 404.
// Loaded lazily: Fastify costs ~10 MB of resident memory, which a plain agent without a server
// does not pay.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VigilError, type ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../log.js';

export interface HttpServerOptions {
  host: string;
  port: number;
  /** SHA-256 (hex) of the access token. Required unless the host is a loopback address. */
  tokenHash?: string | null;
  logger: Logger;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Paths reachable without the token even when one is set (exact match), e.g. /health. */
  publicPaths?: readonly string[];
  /**
   * Path prefixes reachable without the token (e.g. '/docs/' for Swagger UI's assets). The hub
   * also lists routes that check credentials of their own (machine tokens on /api/ingest).
   */
  publicPrefixes?: readonly string[];
  /** Serve HTTPS with this certificate chain and key (PEM) instead of plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Host names a server without a token answers besides loopback ones and the bound address
   * (`server.allowedHosts`, `hub.allowedHosts`, `--allowed-host`), e.g. a name in /etc/hosts.
   */
  allowedHosts?: readonly string[];
}

/**
 * The pages' Content-Security-Policy (the chart page, the fleet page, Swagger UI): scripts and
 * styles from this origin only, no inline code, no eval, requests to this origin only, no frames.
 * JSON and text answers carry it too: a response opened as a document can then run nothing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every response of the agent's and the hub's servers. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Node's limit on a request's headers (16 KB unless --max-http-header-size says); larger ones get 431. */
const MAX_HEADER_BYTES = maxHeaderSize;

const METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;

export const DEFAULT_HUB_PORT = 7471;

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * The host name of a Host header or of a configured name: lowercased, without its port, brackets
 * or trailing dot; null when it is not a plain name or address (`a:80@b`, spaces, empty). A bare
 * IPv6 address (configured as `fd00::7`) is taken whole.
 */
export function hostNameOf(value: string): string | null {
  const text = value.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return bracketed[1]!;
  if (/^[0-9a-f:.]+$/.test(text) && (text.match(/:/g) ?? []).length > 1) return text;
  const named = /^([a-z0-9_.-]+?)\.?(?::\d{1,5})?$/.exec(text);
  return named ? named[1]! : null;
}

/** Whether a server bound to `boundHost` without a token answers a request whose Host is `hostHeader`. */
export function hostAllowed(hostHeader: string | undefined, boundHost: string, allowedHosts: readonly string[] = []): boolean {
  const name = hostHeader === undefined ? null : hostNameOf(hostHeader);
  if (name === null) return false;
  if (name === 'localhost' || isLoopbackHost(name)) return true;
  const bound = hostNameOf(boundHost);
  if (bound !== null && !WILDCARD_HOSTS.has(bound) && name === bound) return true;
  return allowedHosts.some((allowed) => hostNameOf(allowed) === name);
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new random access token (URL-safe, 256 bits). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenMatches(presented: string, tokenHash: string): boolean {
  const a = Buffer.from(hashToken(presented), 'hex');
  const b = Buffer.from(tokenHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The bearer token of a request, from `Authorization: Bearer …`. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1]! : null;
}

/** Creates (not yet listening) a Fastify instance with Vigil's error, auth and limit conventions. */
export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  if (!isLoopbackHost(options.host) && !options.tokenHash) {
    throw new VigilError('invalid_argument', `Refusing to listen on ${options.host} without an access token: set one (vigil agent: --ui-token or $VIGIL_TOKEN; vigil hub: --token or $VIGIL_HUB_TOKEN), or listen on 127.0.0.1`);
  }
  const { default: Fastify } = await import('fastify');
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Query strings like ?iface=eth0&iface=wlan0 arrive as arrays.
    routerOptions: { ignoreTrailingSlash: true },
    // A path that is not valid percent-encoding (/%E0%A4%A): the one error format, not Fastify's.
    frameworkErrors: (error, _request, reply) => {
      void sendError(reply, new VigilError('invalid_argument', error.code === 'FST_ERR_BAD_URL' ? `Invalid URL: ${error.message}` : error.message), error.statusCode ?? 400);
    },
    clientErrorHandler: answerClientError,
    // Routes do not care whether the socket is TLS: one instance type for both.
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
  }) as unknown as FastifyInstance;

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) void reply.header(name, value);
    return payload;
  });

  if (!options.tokenHash) {
    const allowedHosts = options.allowedHosts ?? [];
    // First of all hooks: a refused Host learns nothing, not even which paths exist.
    app.addHook('onRequest', async (request, reply) => {
      const host = request.headers.host;
      if (hostAllowed(host, options.host, allowedHosts)) return;
      await sendError(
        reply,
        new VigilError(
          'host_not_allowed',
          `This server has no access token, so it answers only loopback names (127.0.0.1, localhost, [::1]), not ${JSON.stringify(host ?? '')}: add the name to server.allowedHosts (vigil hub: hub.allowedHosts), or pass --allowed-host NAME`,
        ),
      );
    });
  }

  const publicPaths = new Set(options.publicPaths ?? []);
  const publicPrefixes = options.publicPrefixes ?? [];
  if (options.tokenHash) {
    const tokenHash = options.tokenHash;
    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0]!;
      if (publicPaths.has(path) || publicPrefixes.some((prefix) => path.startsWith(prefix))) return;
      const token = bearerToken(request);
      if (!token || !tokenMatches(token, tokenHash)) {
        await sendError(reply, new VigilError('unauthorized', token ? 'Wrong access token' : 'An access token is required (Authorization: Bearer <token>)'));
      }
    });
  }

  app.setErrorHandler(async (error: FastifyError | VigilError, request, reply) => {
    if (error instanceof VigilError) return sendError(reply, error);
    if ((error as FastifyError).validation) return sendError(reply, new VigilError('invalid_argument', `Invalid request: ${error.message}`));
    const status = (error as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      return sendError(reply, new VigilError(codeForStatus(status), error.message), status);
    }
    options.logger.error('http handler failed', { method: request.method, url: request.url, error });
    return sendError(reply, new VigilError('internal', 'Internal error'));
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0]!;
    // A path that exists under other methods: 405 with the methods it has (RFC 9110 §15.5.6).
    const allowed = METHODS.filter((method) => method !== request.method && app.findRoute({ method, url: path }) !== null);
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      return sendError(reply, new VigilError('method_not_allowed', `${request.method} is not allowed on ${path}: use ${allowed.join(' or ')}`));
    }
    return sendError(reply, new VigilError('not_found', `No route for ${request.method} ${path}`));
  });
  return app;
}

export async function sendError(reply: FastifyReply, error: VigilError, status = error.httpStatus): Promise<FastifyReply> {
  // Set here too: some refusals (a bad URL) are sent where no onSend hook runs.
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) void reply.header(name, value);
  return reply.code(status).type('application/json; charset=utf-8').send(error.toJSON());
}

/** What the HTTP parser objected to, in words (llhttp's reason when it gives one). */
const PARSE_ERRORS: Record<string, string> = {
  HPE_UNEXPECTED_CONTENT_LENGTH: 'conflicting Content-Length headers',
  HPE_INVALID_CONTENT_LENGTH: 'an invalid Content-Length',
  HPE_INVALID_TRANSFER_ENCODING: 'Transfer-Encoding together with Content-Length, or a Transfer-Encoding other than chunked',
  HPE_INVALID_CHUNK_SIZE: 'an invalid chunk size',
  HPE_INVALID_EOF_STATE: 'the connection was closed before the end of the body',
  HPE_INVALID_METHOD: 'an unknown method or a malformed request line',
  HPE_INVALID_URL: 'an invalid URL',
  HPE_INVALID_HEADER_TOKEN: 'an invalid character in a header',
};

/**
 * Requests Node's HTTP parser refuses before Fastify sees them get the one error format too
 * (Fastify's default answers with a body of its own shape). The connection is closed after it:
 * the parser's position in the stream is lost.
 */
function answerClientError(error: NodeJS.ErrnoException & { reason?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, `The request headers are larger than ${MAX_HEADER_BYTES / 1024} KB`]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request did not arrive in time']
        : [400, `Malformed HTTP request: ${PARSE_ERRORS[error.code ?? ''] ?? error.reason ?? error.code ?? 'unreadable'}`];
  const body = JSON.stringify(new VigilError('invalid_argument', message).toJSON());
  if (socket.writable) {
    const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), connection: 'close', ...SECURITY_HEADERS };
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`);
  }
  socket.destroy();
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  return 'invalid_argument';
}

/**
 * Starts listening and returns the server's base URL (with the port actually bound, for port 0).
 * A port in use or an address we cannot bind is a VigilError a person can act on; the server is
 * closed on failure.
 */
export async function listenOn(app: FastifyInstance, host: string, port: number, scheme: 'http' | 'https' = 'http'): Promise<string> {
  // `[::1]` is how URLs (and people) write an IPv6 address; the socket wants `::1`.
  const bindHost = bareHost(host);
  try {
    await app.listen({ host: bindHost, port });
  } catch (error) {
    await app.close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new VigilError(
      code === 'EADDRINUSE' ? 'already_running' : 'io_error',
      code === 'EADDRINUSE' ? `Port ${port} on ${host} is already in use: pass --port` : `Cannot listen on ${host}:${port}: ${code ?? String(error)}`,
      { cause: error },
    );
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return `${scheme}://${urlHost(bindHost)}:${boundPort}`;
}

/** An address without the brackets a URL puts around IPv6: `[::1]` → `::1`. */
export function bareHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}

/** An address as a URL's host: IPv6 in brackets (`::1` and `[::1]` → `[::1]`). */
export function urlHost(host: string): string {
  const bare = bareHost(host);
  return bare.includes(':') ? `[${bare}]` : bare;
}
