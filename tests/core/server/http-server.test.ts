import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/log.js';
import { createHttpServer, generateToken, hashToken, isLoopbackHost, tokenMatches } from '../../../src/core/server/http-server.js';
import { VigilError } from '../../../src/shared/errors.js';

describe('http server conventions', () => {
  it('loopback only unless a token is set', async () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.com']) expect(isLoopbackHost(host)).toBe(false);
    await expect(createHttpServer({ host: '0.0.0.0', port: 0, logger: silentLogger })).rejects.toThrow(/without an access token/);
    const app = await createHttpServer({ host: '0.0.0.0', port: 0, logger: silentLogger, tokenHash: hashToken('t') });
    await app.close();
  });

  it('maps errors to { error: { code, message } } with the right status', async () => {
    const app = await createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
    app.get('/bad', async () => {
      throw new VigilError('invalid_date', 'Invalid date "x"');
    });
    app.get('/boom', async () => {
      throw new Error('secret internals');
    });
    app.post('/echo', { schema: { body: { type: 'object', required: ['a'], properties: { a: { type: 'integer' } } } } }, async (request) => request.body);
    const bad = await app.inject({ url: '/bad' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: { code: 'invalid_date', message: 'Invalid date "x"' } });
    const boom = await app.inject({ url: '/boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain('secret internals');
    const missing = await app.inject({ url: '/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    const invalid = await app.inject({ method: 'POST', url: '/echo', payload: { a: 'x' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.code).toBe('invalid_argument');
    const malformed = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    expect(malformed.statusCode).toBe(400);
    const huge = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ a: 1, pad: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(huge.statusCode).toBe(413);
    await app.close();
  });

  it('requires the bearer token on every route but the public ones', async () => {
    const token = generateToken();
    const app = await createHttpServer({ host: '0.0.0.0', port: 0, logger: silentLogger, tokenHash: hashToken(token), publicPaths: ['/health'] });
    app.get('/health', async () => ({ ok: true }));
    app.get('/api/x', async () => ({ secret: 1 }));
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/x' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/x', headers: { authorization: 'Bearer wrong' } })).json().error.message).toBe('Wrong access token');
    expect((await app.inject({ url: '/api/x', headers: { authorization: `Bearer ${token}` } })).json()).toEqual({ secret: 1 });
    expect(tokenMatches(token, hashToken(token))).toBe(true);
    expect(tokenMatches(`${token}x`, hashToken(token))).toBe(false);
    expect(hashToken(token)).not.toContain(token);
    await app.close();
  });
});
