// The chart page and API through the real `bin/vigil.js agent --ui` (its V8 flags, as users run
// it): the URL it prints, the page, live data in the API, the token, and the refusals.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRenderer } from '../../../scripts/build-renderer.js';
import type { HostInfo, LatestResult, SeriesResult } from '../../../src/shared/api.js';
import { finished, runVigil, startVigil, waitFor } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { freePort } from '../../helpers/services.js';

beforeAll(async () => {
  // The agent serves dist/renderer (the suite's global setup builds only the TypeScript).
  await buildRenderer();
});

function dataDir(): string {
  const dir = tempDir();
  // Commit every second, so the day's data reaches the API quickly.
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ storage: { flushSeconds: 1 } }));
  return dir;
}

function urlOf(stdout: string): string | null {
  return /Vigil charts: (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1] ?? null;
}

describe('vigil agent --ui', () => {
  it('prints its URL, serves the page and answers the API with live data', async () => {
    const agent = startVigil(['agent', '--ui', '--port', '0', '--data-dir', dataDir()]);
    try {
      await waitFor(() => urlOf(agent.output.stdout) !== null, `the URL on stdout (${agent.output.stderr})`);
      const base = urlOf(agent.output.stdout)!;
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await page.text();
      expect(html).toContain('<meta name="vigil-api-base" content="/api">');
      // app.js and the chunks the page preloads (chart.js among them) are all served.
      const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((match) => match[1]!);
      expect(preloaded.length).toBeGreaterThan(0);
      let scriptBytes = 0;
      for (const file of ['app.js', ...preloaded]) {
        const script = await fetch(`${base}/${file}`);
        expect(script.status, file).toBe(200);
        expect(script.headers.get('content-type'), file).toMatch(/javascript/);
        scriptBytes += (await script.text()).length;
      }
      expect(scriptBytes).toBeGreaterThan(150_000); // chart.js alone is ~200 kB minified

      const host = (await (await fetch(`${base}/api/host`)).json()) as HostInfo;
      expect(host.intervalSeconds).toBe(1);
      expect(host.timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
      let latest: LatestResult = { sample: null };
      for (let i = 0; i < 50 && latest.sample === null; i++) {
        latest = (await (await fetch(`${base}/api/latest`)).json()) as LatestResult;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(latest.sample!.cpu.total).toBeGreaterThanOrEqual(0);
      let day: SeriesResult | null = null;
      for (let i = 0; i < 50 && !day?.timestamps.length; i++) {
        day = (await (await fetch(`${base}/api/day?date=${host.today}`)).json()) as SeriesResult;
        if (!day.timestamps.length) await new Promise((r) => setTimeout(r, 200));
      }
      expect(day!.timestamps.length).toBeGreaterThan(0);
      expect(day!.series.map((s) => s.key)).toContain('cpu');
      expect(day!.interfaces.map((i) => i.name)).toContain('lo');
      const bad = await fetch(`${base}/api/day?date=31-02-2026`);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({ error: { code: 'invalid_date', message: 'Invalid date "31-02-2026": no such day in the calendar' } });
    } finally {
      agent.kill('SIGTERM');
    }
    expect((await finished(agent)).code).toBe(0);
  });

  it('with a token ($VIGIL_TOKEN): the page is public, the API needs the token', async () => {
    const token = 'k5Qm7pWz2xYb9LrT4vHn';
    const agent = startVigil(['agent', '--ui', '--port', '0', '--data-dir', dataDir()], { VIGIL_TOKEN: token });
    try {
      await waitFor(() => urlOf(agent.output.stdout) !== null, `the URL on stdout (${agent.output.stderr})`);
      const base = urlOf(agent.output.stdout)!;
      expect(agent.output.stdout).toContain('the page asks for the access token once');
      expect(agent.output.stdout).not.toContain(token);
      expect((await fetch(`${base}/`)).status).toBe(200);
      expect((await fetch(`${base}/api/host`)).status).toBe(401);
      expect((await fetch(`${base}/api/host`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${base}/health`)).status).toBe(200);
    } finally {
      agent.kill('SIGTERM');
    }
    expect((await finished(agent)).code).toBe(0);
  });

  it('refuses, before starting: a public address without a token (with or without --ui), a short token', async () => {
    const open = await runVigil(['agent', '--ui', '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir()], { env: { VIGIL_TOKEN: '' } });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('Listening on 0.0.0.0 exposes this machine');
    expect(open.stderr).toContain('VIGIL_TOKEN');
    expect(open.stderr).toContain('--ui-token');
    const apiOnly = await runVigil(['agent', '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir()], { env: { VIGIL_TOKEN: '' } });
    expect(apiOnly.code).toBe(2);
    expect(apiOnly.stderr).toContain('Listening on 0.0.0.0 exposes this machine');
    const short = await runVigil(['agent', '--ui', '--port', '0', '--ui-token', 'abc', '--data-dir', dataDir()]);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('The access token is too short');
    const badPort = await runVigil(['agent', '--ui', '--port', '70000', '--data-dir', dataDir()]);
    expect(badPort.code).toBe(2);
  });
});

describe('vigil agent --port without --ui (a machine its peers watch)', () => {
  it('serves /health and the API, but not the chart page', async () => {
    const token = 'k5Qm7pWz2xYb9LrT4vHn';
    const agent = startVigil(['agent', '--port', '0', '--ui-token', token, '--data-dir', dataDir()], { VIGIL_TOKEN: '' });
    try {
      const apiUrl = () => /Vigil API: (http:\/\/127\.0\.0\.1:\d+)\/api\/host/.exec(agent.output.stdout)?.[1] ?? null;
      await waitFor(() => apiUrl() !== null || agent.exitCode !== null, `the URL on stdout (${agent.output.stderr})`);
      const base = apiUrl()!;
      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { state: string }).state).toBe('running');
      expect((await fetch(`${base}/api/host`)).status).toBe(401);
      expect((await fetch(`${base}/api/host`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      // No page: not public (so the token is asked for), and not there even with it.
      expect((await fetch(`${base}/`)).status).toBe(401);
      expect((await fetch(`${base}/`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
      expect((await fetch(`${base}/app.js`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    } finally {
      agent.kill('SIGTERM');
    }
    expect((await finished(agent)).code).toBe(0);
  });

  it('starts its server when a SIGHUP brings the first peers (they check its /health in turn)', async () => {
    const dir = dataDir();
    const port = await freePort();
    const config = (extra: object) => fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ storage: { flushSeconds: 1 }, server: { port }, ...extra }));
    config({});
    const agent = startVigil(['agent', '--data-dir', dir]);
    try {
      await waitFor(() => agent.output.stderr.includes('vigil agent running') || agent.exitCode !== null, `the agent to start (${agent.output.stderr})`);
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
      config({ peers: { list: [{ name: 'gone', url: `http://127.0.0.1:${await freePort()}` }] } });
      agent.kill('SIGHUP');
      await waitFor(() => agent.output.stderr.includes('http server listening') || agent.exitCode !== null, `the server after SIGHUP (${agent.output.stderr})`);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(agent.output.stderr).toContain('peer watch started');
    } finally {
      agent.kill('SIGTERM');
    }
    expect((await finished(agent)).code).toBe(0);
  });
});
