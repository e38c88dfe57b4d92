// Hostile input against a real hub process: thousands of malformed, wrong-typed, out-of-range,
// NaN, future-timestamp, oversized and wrong-token requests. Every one must get a 4xx with a JSON
// error, the hub must stay up with bounded memory, and nothing of any of them may be stored.
// (bench/hub-fuzz.ts runs the same generator for longer.)
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../src/core/http-client.js';
import { finished, runVigil, startVigil, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { hostileRequests } from './hostile.js';
import { makeBatch, recentSamples } from './batches.js';

const children: ReturnType<typeof startVigil>[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('hub under hostile input', () => {
  it('answers every bad request with a 4xx, stores nothing, stays up with bounded memory', { timeout: 90_000 }, async () => {
    const hubDir = tempDir('vigil-hub-');
    fs.writeFileSync(path.join(hubDir, 'config.json'), JSON.stringify({ hub: { sampleSelf: false } }));
    const added = JSON.parse((await runVigil(['hub', 'add-machine', 'target', '--json', '--data-dir', hubDir])).stdout) as { id: string; token: string };
    const hub = startVigil(['hub', '--data-dir', hubDir, '--port', '0']);
    children.push(hub);
    await waitFor(() => /Vigil hub: (\S+)\//.test(hub.output.stdout), 'hub to listen');
    const url = /Vigil hub: (\S+)\//.exec(hub.output.stdout)![1]!;
    const rss = async () => (await httpRequest({ url: `${url}/api/hub?units=MB` })).json<{ memory: { processRss: number } }>().memory.processRss;

    const valid = makeBatch(recentSamples(30, 99));
    // Warm up (first requests compile schemas, fill caches), then measure.
    expect((await httpRequest({ url: `${url}/api/ingest`, method: 'POST', body: '{}', headers: { 'content-type': 'application/json', authorization: `Bearer ${added.token}` } })).status).toBe(400);
    const before = await rss();

    const requests = hostileRequests({ seed: 4242, count: 2000, token: added.token, valid, oversized: 3 });
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        let status: number;
        let body: string;
        try {
          const response = await httpRequest({ url: `${url}/api/ingest`, method: 'POST', headers: request.headers, body: request.body, timeoutMs: 15_000 });
          status = response.status;
          body = response.text();
        } catch (error) {
          // The hub may close the connection on an oversized upload before reading it all.
          status = request.kind === 'oversized' && /reset|EPIPE/i.test(String(error)) ? 413 : 0;
          body = String(error);
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const jsonError = status !== 0 && /^\{"error":\{"code":"[a-z_]+","message":"/.test(body);
        if (status < 400 || status >= 500 || (!jsonError && request.kind !== 'oversized')) failures.push(`${request.kind}: ${status} ${body.slice(0, 160)}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(failures.slice(0, 10), `${failures.length} requests not answered with a JSON 4xx`).toEqual([]);
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
    expect(statuses.get(401)).toBeGreaterThan(100);
    expect(statuses.get(400)).toBeGreaterThan(1000);
    expect(statuses.get(413)).toBe(3);

    // Up, memory bounded, nothing stored.
    expect((await httpRequest({ url: `${url}/health` })).status).toBe(200);
    const after = await rss();
    expect(after - before, `RSS ${before} → ${after} MB`).toBeLessThan(150);
    const machine = (await httpRequest({ url: `${url}/api/machines/${added.id}` })).json<{ lastSampleTs: number | null; lastSeen: number | null }>();
    expect(machine).toMatchObject({ lastSampleTs: null, lastSeen: null });
    expect(fs.existsSync(path.join(hubDir, 'machines', `${added.id}.db`))).toBe(false);
    const stats = (await httpRequest({ url: `${url}/api/hub` })).json<{ ingest: { batches: number; samples: number; rejected: number } }>().ingest;
    expect(stats.batches).toBe(0);
    expect(stats.rejected).toBeGreaterThanOrEqual(requests.length - 3);

    // The same token and hub still take a good batch.
    const good = await httpRequest({ url: `${url}/api/ingest`, method: 'POST', body: JSON.stringify(valid), headers: { 'content-type': 'application/json', authorization: `Bearer ${added.token}` } });
    expect(good.status).toBe(200);
    expect(good.json<{ accepted: number }>().accepted).toBe(30);
    hub.kill('SIGTERM');
    expect((await finished(hub)).code).toBe(0);
  });
});
