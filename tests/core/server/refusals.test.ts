// Every refusal, from the agent's server and from the hub's, is `{ "error": { "code", "message" } }`
// with the security headers the pages send — including the ones Node's HTTP parser makes before
// any route runs (bad URL encodings, truncated or chunked bodies, conflicting lengths, headers
// over 16 KB). Sent as raw bytes, as a hostile client would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/log.js';
import { coreFeatures } from '../../../src/core/features.js';
import { Runtime } from '../../../src/core/runtime.js';
import type { Hub } from '../../../src/hub/hub.js';
import { defaultSettings, mergeSettings } from '../../../src/shared/settings.js';
import { rawRequest, type RawResponse } from '../../helpers/raw-http.js';
import { tempDir } from '../../helpers/tmp.js';
import { startTestHub } from '../../hub/helpers.js';

let agent: Runtime;
let hub: Hub;
let agentPort: number;
let hubPort: number;
let machineId: string;
let machineToken: string;

beforeAll(async () => {
  const settings = mergeSettings(defaultSettings(), { server: { enabled: true, ui: true, port: 0 }, storage: { flushSeconds: 1 } });
  const features = coreFeatures();
  agent = await Runtime.start({ dataDir: tempDir(), settings, logger: silentLogger, role: 'agent', routes: features.routes, services: features.services });
  agentPort = Number(new URL(agent.url!).port);
  hub = await startTestHub();
  hubPort = Number(new URL(hub.url!).port);
  const added = hub.registry.add('web-1');
  machineId = added.machine.id;
  machineToken = added.token;
});

afterAll(async () => {
  await agent?.stop();
  await hub?.stop();
});

const servers = () => [
  { name: 'agent', port: agentPort },
  { name: 'hub', port: hubPort },
];

/** The security headers the pages send, on everything else too. */
function expectSecurityHeaders(response: RawResponse, what: string): void {
  expect(response.headers['x-content-type-options'], what).toBe('nosniff');
  expect(response.headers['referrer-policy'], what).toBe('no-referrer');
  expect(response.headers['x-frame-options'], what).toBe('DENY');
  expect(response.headers['content-security-policy'], what).toContain("frame-ancestors 'none'");
}

function expectError(response: RawResponse, status: number, what: string): { code: string; message: string } {
  expect(response.status, `${what}: ${response.raw.slice(0, 300)}`).toBe(status);
  expect(response.headers['content-type'], what).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as { error: { code: string; message: string } };
  expect(Object.keys(body), what).toEqual(['error']);
  expect(Object.keys(body.error).sort(), what).toEqual(['code', 'message']);
  expect(body.error.message.length, what).toBeGreaterThan(5);
  expectSecurityHeaders(response, what);
  return body.error;
}

const HOST = 'Host: 127.0.0.1\r\n';

describe.each(['agent', 'hub'])('the %s server', (name) => {
  const port = () => servers().find((s) => s.name === name)!.port;
  // A route that reads its body (the hub's ingest once the machine token passed).
  const postPath = () => (name === 'hub' ? '/api/ingest' : '/api/sleep');
  const auth = () => (name === 'hub' ? `Authorization: Bearer ${machineToken}\r\n` : '');

  it('answers bad URL encodings in the error format', async () => {
    for (const path of ['/api/%E0%A4%A', '/%', '/api/machines/%zz', '/api/day?date=%E0%A4%A']) {
      const response = await rawRequest(port(), `GET ${path} HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`);
      expectError(response, response.status === 404 ? 404 : 400, `GET ${path}`);
    }
  });

  it('answers malformed requests from the HTTP parser in the error format', async () => {
    const cases: [string, string | Buffer, number, string][] = [
      ['a truncated body', `POST ${postPath()} HTTP/1.1\r\n${HOST}${auth()}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"seconds":`, 400, 'the end of the body'],
      ['a truncated chunked body', `POST ${postPath()} HTTP/1.1\r\n${HOST}${auth()}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"sec`, 400, 'the end of the body'],
      ['a malformed chunk size', `POST ${postPath()} HTTP/1.1\r\n${HOST}${auth()}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, 400, 'chunk size'],
      ['two different lengths', `POST ${postPath()} HTTP/1.1\r\n${HOST}${auth()}Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, 400, 'conflicting Content-Length'],
      ['a length and chunked', `POST ${postPath()} HTTP/1.1\r\n${HOST}${auth()}Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`, 400, 'Transfer-Encoding together with Content-Length'],
      ['headers over 16 KB', `GET /health HTTP/1.1\r\n${HOST}X-Padding: ${'a'.repeat(17 * 1024)}\r\n\r\n`, 431, '16 KB'],
      ['a garbage request line', 'GARBAGE\r\n\r\n', 400, 'request line'],
      ['a bad header name', `GET /health HTTP/1.1\r\n${HOST}Bad Header: x\r\n\r\n`, 400, 'header'],
    ];
    for (const [what, request, status, says] of cases) {
      const response = await rawRequest(port(), request, { halfClose: true });
      expect(expectError(response, status, what).message).toContain(says);
    }
  });

  it('answers a wrong method with 405 and Allow, not 404', async () => {
    const cases: [string, string, string][] =
      name === 'hub'
        ? [
            ['DELETE', '/api/machines', 'GET, HEAD'],
            ['GET', '/api/ingest', 'POST'],
            ['PUT', '/health', 'GET, HEAD'],
          ]
        : [
            ['POST', '/api/host', 'GET, HEAD'],
            ['GET', '/api/peers/announce', 'POST'],
            ['PATCH', '/api/sleep', 'DELETE, POST'],
          ];
    for (const [method, path, allow] of cases) {
      const response = await rawRequest(port(), `${method} ${path} HTTP/1.1\r\n${HOST}Content-Length: 0\r\nConnection: close\r\n\r\n`);
      const error = expectError(response, 405, `${method} ${path}`);
      expect(error.code).toBe('method_not_allowed');
      expect(response.headers.allow).toBe(allow);
    }
    const missing = await rawRequest(port(), `GET /api/nothing-here HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`);
    expect(expectError(missing, 404, 'an unknown path').code).toBe('not_found');
  });

  it('sends the pages\' security headers with the JSON API, /health and the docs', async () => {
    const paths = name === 'hub' ? ['/health', '/api/machines', '/openapi.json', '/docs', '/docs/'] : ['/health', '/api/host', '/metrics'];
    for (const path of paths) {
      const response = await rawRequest(port(), `GET ${path} HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`);
      expect(response.status, path).toBeLessThan(400);
      expectSecurityHeaders(response, path);
    }
  });
});

describe('the hub', () => {
  it('answers HEAD /api/live at once instead of holding the stream open', async () => {
    const response = await rawRequest(hubPort, `HEAD /api/live HTTP/1.1\r\n${HOST}\r\n`, { timeoutMs: 3000 });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(response.body).toBe('');
  });

  it('refuses impossible dates in from/to instead of rolling them over', async () => {
    for (const query of ['from=2026-02-31', 'to=2026-02-30T10:00:00Z', 'from=2026-13-01', 'from=2026-04-31T00:00', 'from=2026-01-01T24:30', 'from=2026-01-01T10:61']) {
      const response = await rawRequest(hubPort, `GET /api/machines/${machineId}/samples?${query} HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`);
      const error = expectError(response, 400, query);
      expect(error.message).toContain(query.split('=')[0]);
    }
    const fine = await rawRequest(hubPort, `GET /api/machines/${machineId}/samples?from=2024-02-29T10:00:00%2B01:00&to=2024-03-01 HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`);
    expect(fine.status, fine.body).not.toBe(400);
  });
});
