import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRequestError, httpRequest, redact } from '../../src/core/http-client.js';

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/json') return void res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization ?? null }));
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
    if (req.url === '/big') return void res.end('x'.repeat(10_000));
    if (req.url === '/echo') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.end(Buffer.concat(chunks)));
      return;
    }
    res.statusCode = 500;
    res.end('nope');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('httpRequest', () => {
  it('sends and reads JSON', async () => {
    const res = await httpRequest({ url: `${base}/json`, method: 'POST', headers: { authorization: 'Bearer x' }, body: '{}' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ method: 'POST', auth: 'Bearer x' });
    expect((await httpRequest({ url: `${base}/echo`, method: 'PUT', body: Buffer.from('abc') })).text()).toBe('abc');
  });

  it('returns HTTP errors as statuses, not exceptions', async () => {
    expect((await httpRequest({ url: `${base}/other` })).status).toBe(500);
  });

  it('classifies failures: timeout, refused, too large, bad scheme', async () => {
    await expect(httpRequest({ url: `${base}/slow`, timeoutMs: 200 })).rejects.toMatchObject({ failure: 'timeout' });
    await expect(httpRequest({ url: 'http://127.0.0.1:1/', timeoutMs: 2000 })).rejects.toMatchObject({ failure: 'refused' });
    await expect(httpRequest({ url: `${base}/big`, maxResponseBytes: 100 })).rejects.toMatchObject({ failure: 'too_large' });
    await expect(httpRequest({ url: 'file:///etc/passwd' })).rejects.toThrow(/http or https only/);
    const error = await httpRequest({ url: 'http://127.0.0.1:1/', timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpRequestError);
  });

  it('never shows credentials in messages', () => {
    expect(redact(new URL('https://user:secret@hub.example/x'))).toBe('https://***:***@hub.example/x');
  });
});
