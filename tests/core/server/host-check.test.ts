// DNS rebinding: a web page on evil.example whose name is re-pointed at 127.0.0.1 reaches a
// loopback server with `Host: evil.example`. A server without an access token answers only Host
// names that are loopback, the bound address, or configured by the user.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/log.js';
import { createHttpServer, listenOn, hashToken } from '../../../src/core/server/http-server.js';
import type { Hub } from '../../../src/hub/hub.js';
import { finished, startVigil, waitFor } from '../../helpers/cli.js';
import { getWithHost } from '../../helpers/raw-http.js';
import { tempDir } from '../../helpers/tmp.js';
import { startTestHub } from '../../hub/helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(options: { tokenHash?: string; allowedHosts?: string[] } = {}): Promise<number> {
  const app = await createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger, ...options, publicPaths: ['/health'] });
  cleanups.push(() => app.close());
  app.get('/health', async () => ({ ok: true }));
  app.get('/api/secret', async () => ({ secret: 1 }));
  const url = await listenOn(app, '127.0.0.1', 0);
  return Number(new URL(url).port);
}

function expectRefused(response: { status: number; headers: Record<string, string>; body: string }, host: string): void {
  expect(response.status, `Host: ${host}`).toBe(403);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('host_not_allowed');
  expect(body.error.message).toContain('allowedHosts');
}

describe('Host check without a token', () => {
  it('answers loopback names, with or without a port, and refuses any other name in the error format', async () => {
    const port = await serve();
    for (const host of ['127.0.0.1', `127.0.0.1:${port}`, 'localhost', `LocalHost:${port}`, '[::1]', `[::1]:${port}`]) {
      const response = await getWithHost(port, '/api/secret', host);
      expect(response.status, `Host: ${host}`).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ secret: 1 });
    }
    for (const host of ['evil.example', `evil.example:${port}`, 'localhost.evil.example', '127.0.0.1.nip.io', 'localhost:80@evil.example', '']) {
      expectRefused(await getWithHost(port, '/api/secret', host), host);
    }
    // Public paths too: /health names the machine.
    expectRefused(await getWithHost(port, '/health', 'evil.example'), 'evil.example');
  });

  it('answers the names the user configured', async () => {
    const port = await serve({ allowedHosts: ['vigil.lan', 'Monitor.Example:8080', '[fd00::7]'] });
    for (const host of ['vigil.lan', `VIGIL.lan:${port}`, 'monitor.example', '[fd00::7]:1']) {
      expect((await getWithHost(port, '/api/secret', host)).status, `Host: ${host}`).toBe(200);
    }
    expectRefused(await getWithHost(port, '/api/secret', 'other.lan'), 'other.lan');
  });

  it('leaves servers with a token alone (the token is what protects them)', async () => {
    const port = await serve({ tokenHash: hashToken('a-token-long-enough') });
    expect((await getWithHost(port, '/health', 'vigil.example.org')).status).toBe(200);
    expect((await getWithHost(port, '/api/secret', 'vigil.example.org')).status).toBe(401);
    expect((await getWithHost(port, '/api/secret', 'vigil.example.org', 'Authorization: Bearer a-token-long-enough\r\n')).status).toBe(200);
  });
});

describe('the agent and the hub', () => {
  it('vigil agent refuses a foreign Host, and --allowed-host adds a name', async () => {
    const agent = startVigil(['agent', '--port', '0', '--allowed-host', 'vigil.lan', '--data-dir', tempDir()]);
    cleanups.push(async () => {
      if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
      await finished(agent).catch(() => undefined);
    });
    const urlOf = () => /Vigil API: http:\/\/127\.0\.0\.1:(\d+)\//.exec(agent.output.stdout)?.[1];
    await waitFor(() => urlOf() !== undefined, `the agent's URL (${agent.output.stderr})`, 20_000);
    const port = Number(urlOf());
    expect((await getWithHost(port, '/api/host', `localhost:${port}`)).status).toBe(200);
    expect((await getWithHost(port, '/api/host', `vigil.lan:${port}`)).status).toBe(200);
    expectRefused(await getWithHost(port, '/api/host', `attacker.example:${port}`), 'attacker.example');
    agent.kill('SIGTERM');
    expect((await finished(agent)).code).toBe(0);
  });

  it('the hub refuses a foreign Host, and hub.allowedHosts adds a name', async () => {
    const hub: Hub = await startTestHub({ settings: { hub: { port: 0, sampleSelf: false, allowedHosts: ['hub.lan'] } } });
    cleanups.push(() => hub.stop());
    const port = Number(new URL(hub.url!).port);
    expect((await getWithHost(port, '/api/machines', `127.0.0.1:${port}`)).status).toBe(200);
    expect((await getWithHost(port, '/api/machines', 'hub.lan')).status).toBe(200);
    expectRefused(await getWithHost(port, '/api/machines', 'attacker.example'), 'attacker.example');
    expectRefused(await getWithHost(port, '/', 'attacker.example'), 'attacker.example');
  });
});
