// Requests as raw bytes over a TCP socket: what fetch() and node:http refuse to send (any Host
// header, bad URL encodings, conflicting lengths, truncated bodies, huge headers). The response is
// parsed once the server closes the connection or a full body has arrived.
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The whole response as received. */
  raw: string;
}

/** Sends `request` (e.g. 'GET / HTTP/1.1\r\nHost: x\r\n\r\n') and reads one response. */
export function rawRequest(port: number, request: string | Buffer, options: { host?: string; timeoutMs?: number; halfClose?: boolean } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: options.host ?? '127.0.0.1' });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) return reject(error);
      const parsed = parseResponse(Buffer.concat(chunks).toString('latin1'));
      if (!parsed) return reject(new Error(`no HTTP response (received ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 200))})`));
      resolve(parsed);
    };
    const timer = setTimeout(() => finish(new Error(`no complete response within ${options.timeoutMs ?? 10_000} ms: ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 300))}`)), options.timeoutMs ?? 10_000);
    socket.on('connect', () => {
      socket.write(request);
      if (options.halfClose) socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const parsed = parseResponse(Buffer.concat(chunks).toString('latin1'));
      if (parsed && complete(parsed)) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (error) => (chunks.length ? finish() : finish(error)));
  });
}

/** A GET with only a Host header (and Connection: close). */
export function getWithHost(port: number, path: string, host: string | null, extraHeaders = ''): Promise<RawResponse> {
  const hostLine = host === null ? '' : `Host: ${host}\r\n`;
  return rawRequest(port, `GET ${path} HTTP/1.1\r\n${hostLine}${extraHeaders}Connection: close\r\n\r\n`);
}

function parseResponse(text: string): RawResponse | null {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  if (!match) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(end + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body) ?? body;
  return { status: Number(match[1]), headers, body, raw: text };
}

function complete(response: RawResponse): boolean {
  const length = response.headers['content-length'];
  if (length !== undefined) return Buffer.byteLength(response.body, 'latin1') >= Number(length);
  if (response.headers['transfer-encoding'] === 'chunked') return /(^|\r\n)0\r\n\r\n$/.test(response.raw.slice(response.raw.indexOf('\r\n\r\n') + 4));
  return false;
}

function dechunk(body: string): string | null {
  let out = '';
  let rest = body;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd < 0) return null;
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (Number.isNaN(size)) return null;
    if (size === 0) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}
