// IPv6 literals: `--host [::1]` (as URLs write it) and `--host ::1` both bind, and every URL
// printed or derived from the address carries the brackets.
import { afterEach, describe, expect, it } from 'vitest';
import { localServerUrl } from '../../../src/agent/commands/alert-options.js';
import { silentLogger } from '../../../src/core/log.js';
import { createHttpServer, listenOn } from '../../../src/core/server/http-server.js';
import { defaultSettings, mergeSettings } from '../../../src/shared/settings.js';
import { finished, startVigil, waitFor } from '../../helpers/cli.js';
import { getWithHost, rawRequest } from '../../helpers/raw-http.js';
import { tempDir } from '../../helpers/tmp.js';
import { startTestHub } from '../../hub/helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('IPv6 literals', () => {
  it('the shared server binds [::1] and ::1 and names them with brackets', async () => {
    for (const host of ['[::1]', '::1']) {
      const app = await createHttpServer({ host, port: 0, logger: silentLogger });
      cleanups.push(() => app.close());
      app.get('/health', async () => ({ ok: true }));
      const url = await listenOn(app, host, 0);
      expect(url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      const port = Number(new URL(url).port);
      const response = await rawRequest(port, `GET /health HTTP/1.1\r\nHost: [::1]:${port}\r\nConnection: close\r\n\r\n`, { host: '::1' });
      expect(response.status).toBe(200);
    }
  });

  it('the hub listens on [::1]', async () => {
    const hub = await startTestHub({ settings: { hub: { host: '[::1]', port: 0, sampleSelf: false } } });
    cleanups.push(() => hub.stop());
    expect(hub.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    const port = Number(new URL(hub.url!).port);
    expect((await rawRequest(port, `GET /api/machines HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n`, { host: '::1' })).status).toBe(200);
  });

  it('vigil agent --host [::1] prints a bracketed URL that answers', async () => {
    const agent = startVigil(['agent', '--host', '[::1]', '--port', '0', '--data-dir', tempDir()]);
    cleanups.push(async () => {
      if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
      await finished(agent).catch(() => undefined);
    });
    const urlOf = () => /Vigil API: (http:\/\/\S+)\/api\/host/.exec(agent.output.stdout)?.[1];
    await waitFor(() => urlOf() !== undefined || agent.exitCode !== null, `the agent's URL (${agent.output.stderr})`, 60_000);
    expect(agent.output.stderr).not.toMatch(/ENOTFOUND|Cannot listen/);
    expect(urlOf()).toMatch(/^http:\/\/\[::1\]:\d+$/);
    const port = Number(new URL(urlOf()!).port);
    const response = await rawRequest(port, `GET /api/host HTTP/1.1\r\nHost: [::1]:${port}\r\nConnection: close\r\n\r\n`, { host: '::1' });
    expect(response.status).toBe(200);
    // Not on IPv4: it is bound to the IPv6 loopback only.
    await expect(getWithHost(port, '/health', 'localhost')).rejects.toThrow(/ECONNREFUSED/);
    agent.kill('SIGTERM');
    expect((await finished(agent, 30_000)).code).toBe(0);
  }, 90_000);

  it('vigil sleep finds an agent configured on [::1] or ::1', () => {
    for (const host of ['[::1]', '::1']) {
      expect(localServerUrl(mergeSettings(defaultSettings(), { server: { host, port: 7470 } }))).toBe('http://[::1]:7470');
    }
    expect(localServerUrl(mergeSettings(defaultSettings(), { server: { host: '[::]', port: 7470 } }))).toBe('http://[::1]:7470');
  });
});
