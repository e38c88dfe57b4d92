// The alert routes and /health's additions on a real Runtime (engine + server + the feature).
import { afterEach, describe, expect, it } from 'vitest';
import { alertsFeature } from '../../../src/core/alerts/feature.js';
import { httpRequest } from '../../../src/core/http-client.js';
import { silentLogger } from '../../../src/core/log.js';
import { Runtime } from '../../../src/core/runtime.js';
import { hashToken } from '../../../src/core/server/http-server.js';
import { defaultSettings, mergeSettings, type SettingsPatch } from '../../../src/shared/settings.js';
import { waitFor } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { freePort } from './smtp-sink.js';

const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.stop();
});

async function start(patch: SettingsPatch = {}) {
  const feature = alertsFeature();
  const settings = mergeSettings(defaultSettings(), { ...patch, server: { enabled: true, port: 0, ...patch.server } });
  const runtime = await Runtime.start({ dataDir: tempDir(), settings, logger: silentLogger, role: 'agent', routes: [feature.routes], services: [feature.service] });
  runtimes.push(runtime);
  return { runtime, feature, url: runtime.url! };
}

const json = async <T>(url: string, init: { method?: string; body?: unknown; token?: string } = {}) => {
  const response = await httpRequest({
    url,
    method: init.method,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
  });
  return { status: response.status, body: response.json<T>() };
};

describe('/health for peers', () => {
  it('includes the latest figures for callers with the token (or on a loopback server without one), never for anonymous callers', async () => {
    const token = 'a-long-enough-access-token-for-tests';
    const guarded = await start({ server: { tokenHash: hashToken(token) } });
    await waitFor(() => guarded.runtime.engine.latest() !== null, 'a sample', 5000);
    const anonymous = await json<Record<string, unknown>>(`${guarded.url}/health`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).not.toHaveProperty('latest');
    expect(anonymous.body).toMatchObject({ state: 'running', sleepUntil: null });
    const wrong = await json<Record<string, unknown>>(`${guarded.url}/health`, { token: 'not-the-token-at-all' });
    expect(wrong.body).not.toHaveProperty('latest');
    const withToken = await json<{ latest: Record<string, number> }>(`${guarded.url}/health`, { token });
    const sample = guarded.runtime.engine.latest()!;
    expect(withToken.body.latest).toMatchObject({ cpuPercent: expect.any(Number), memoryTotalBytes: sample.memory.total });
    // The rest of the API needs the token.
    expect((await httpRequest({ url: `${guarded.url}/api/alerts` })).status).toBe(401);

    const open = await start();
    await waitFor(() => open.runtime.engine.latest() !== null, 'a sample', 5000);
    expect((await json<{ latest: unknown }>(`${open.url}/health`)).body.latest).toMatchObject({ ts: expect.any(Number) });
  });
});

describe('POST/DELETE /api/sleep', () => {
  it('announces sleep with a deadline (shown on /health), refuses ambiguous or past deadlines, wakes on DELETE and by itself at the deadline', async () => {
    const { runtime, url } = await start();
    for (const body of [{}, { seconds: 60, indefinite: true }, { seconds: 0 }, { until: Date.now() - 1000 }, { seconds: 'soon' }, { later: true }]) {
      const refused = await json<{ error: { code: string } }>(`${url}/api/sleep`, { method: 'POST', body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.code).toBe('invalid_argument');
    }
    expect(runtime.state()).toBe('running');

    const before = Date.now();
    const slept = await json<{ state: string; sleepUntil: number }>(`${url}/api/sleep`, { method: 'POST', body: { seconds: 600 } });
    expect(slept.body.state).toBe('sleeping');
    expect(slept.body.sleepUntil).toBeGreaterThanOrEqual(before + 600_000);
    expect((await json<{ state: string; sleepUntil: number }>(`${url}/health`)).body).toMatchObject({ state: 'sleeping', sleepUntil: slept.body.sleepUntil });
    expect((await json<{ state: string }>(`${url}/api/sleep`, { method: 'DELETE' })).body.state).toBe('running');
    expect((await json<{ sleepUntil: unknown }>(`${url}/health`)).body.sleepUntil).toBeNull();

    await json(`${url}/api/sleep`, { method: 'POST', body: { indefinite: true } });
    expect(runtime.sleepUntil()).toBeNull();
    expect(runtime.state()).toBe('sleeping');

    await json(`${url}/api/sleep`, { method: 'POST', body: { seconds: 1 } });
    await waitFor(() => runtime.state() === 'running', 'the deadline to end the sleep', 5000);
  });
});

describe('GET /api/alerts, /api/peers; POST /api/peers/announce', () => {
  it('shows the watched peers and the alert history; takes announcements from watched peers only', async () => {
    const deadPort = await freePort();
    const { url } = await start({ peers: { list: [{ name: 'ghost', url: `http://127.0.0.1:${deadPort}` }], checkIntervalSeconds: 1, timeoutSeconds: 1, failuresBeforeDown: 2 } });
    const deadline = Date.now() + 10_000;
    let history: { alerts: { kind: string; machine: string; status: string }[]; open: { key: string }[] };
    for (;;) {
      history = (await json<typeof history>(`${url}/api/alerts`)).body;
      if (history.alerts.length > 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(history.alerts).toEqual([expect.objectContaining({ kind: 'peer_down', machine: 'ghost', status: 'unsent' })]);
    expect(history.open).toEqual([expect.objectContaining({ key: 'peer:ghost' })]);
    const peers = (await json<{ watching: boolean; peers: { name: string; state: string; lastFailure: string }[] }>(`${url}/api/peers`)).body;
    expect(peers).toEqual({ watching: true, peers: [expect.objectContaining({ name: 'ghost', state: 'down', lastFailure: 'connection refused' })] });
    expect((await json(`${url}/api/alerts?limit=0`)).status).toBe(400);

    const bad = await json<{ error: { code: string } }>(`${url}/api/peers/announce`, { method: 'POST', body: { hello: 'world' } });
    expect(bad.status).toBe(400);
    const stranger = await json<{ known: boolean }>(`${url}/api/peers/announce`, {
      method: 'POST',
      body: { id: 'someone-else', name: 'x', state: 'sleeping', sleepUntil: null, bootTime: null, uptimeSeconds: 1 },
    });
    expect(stranger.body).toEqual({ known: false });
  });

  it('without anything configured, the feature stays unloaded and the routes still answer', async () => {
    const { url, feature } = await start();
    expect(feature.current()).toBeNull();
    expect((await json(`${url}/api/peers`)).body).toEqual({ watching: false, peers: [] });
    expect((await json<{ alerts: unknown[] }>(`${url}/api/alerts`)).body.alerts).toEqual([]);
    expect((await json(`${url}/api/peers/announce`, { method: 'POST', body: { id: 'x', name: 'x', state: 'sleeping' } })).status).toBe(404);
  });
});
