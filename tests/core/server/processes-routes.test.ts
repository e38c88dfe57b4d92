// GET /api/processes on the runtime's server: query validation, and the token rules of the API.
import { describe, expect, it } from 'vitest';
import { httpRequest } from '../../../src/core/http-client.js';
import { silentLogger } from '../../../src/core/log.js';
import type { ProcessList } from '../../../src/core/metrics/processes.js';
import { Runtime } from '../../../src/core/runtime.js';
import { hashToken } from '../../../src/core/server/http-server.js';
import { processesRoutes } from '../../../src/core/server/processes-routes.js';
import { DEFAULT_PROCESS_LIMIT } from '../../../src/shared/processes.js';
import { defaultSettings, mergeSettings } from '../../../src/shared/settings.js';
import { tempDir } from '../../helpers/tmp.js';

describe('GET /api/processes', () => {
  it('lists the top processes; the second call measures since the first; bad queries are 400', async () => {
    const settings = mergeSettings(defaultSettings(), { server: { enabled: true, port: 0 } });
    const runtime = await Runtime.start({ dataDir: tempDir(), settings, logger: silentLogger, role: 'agent', routes: [processesRoutes] });
    try {
      const first = await httpRequest({ url: `${runtime.url}/api/processes?sort=mem&limit=3` });
      expect(first.status).toBe(200);
      expect(first.headers['cache-control']).toBe('no-store');
      const list = first.json<ProcessList>();
      expect(list.sort).toBe('mem');
      expect(list.processes).toHaveLength(3);
      const rss = list.processes.map((p) => p.memoryBytes);
      expect(rss).toEqual([...rss].sort((a, b) => b - a));
      expect(list.windowMs).toBeGreaterThanOrEqual(450);

      await new Promise((r) => setTimeout(r, 1200));
      const second = (await httpRequest({ url: `${runtime.url}/api/processes` })).json<ProcessList>();
      expect(second.sort).toBe('cpu');
      // The same default as `vigil top` (tests/agent/top.test.ts).
      expect(second.processes).toHaveLength(DEFAULT_PROCESS_LIMIT);
      expect(second.windowMs).toBeGreaterThanOrEqual(1150);

      for (const query of ['limit=0', 'limit=abc', 'sort=pid', 'limit=1001']) {
        const bad = await httpRequest({ url: `${runtime.url}/api/processes?${query}` });
        expect(bad.status, query).toBe(400);
        expect(bad.json<{ error: { code: string } }>().error.code).toBe('invalid_argument');
      }
    } finally {
      await runtime.stop();
    }
  });

  it('needs the access token when one is set', async () => {
    const token = 'a-long-enough-test-token';
    const settings = mergeSettings(defaultSettings(), { server: { enabled: true, port: 0, tokenHash: hashToken(token) } });
    const runtime = await Runtime.start({ dataDir: tempDir(), settings, logger: silentLogger, role: 'agent', routes: [processesRoutes] });
    try {
      expect((await httpRequest({ url: `${runtime.url}/api/processes?limit=1` })).status).toBe(401);
      const ok = await httpRequest({ url: `${runtime.url}/api/processes?limit=1`, headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(ok.json<ProcessList>().processes).toHaveLength(1);
    } finally {
      await runtime.stop();
    }
  });
});
