// An agent runtime with sync on and peers.learnFromHub: it learns its peers from a real hub's
// machine list and watches them like configured ones.
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alertsFeature } from '../../../src/core/alerts/feature.js';
import { httpRequest } from '../../../src/core/http-client.js';
import { silentLogger } from '../../../src/core/log.js';
import { Runtime } from '../../../src/core/runtime.js';
import { hashToken } from '../../../src/core/server/http-server.js';
import type { Hub } from '../../../src/hub/hub.js';
import { defaultSettings, mergeSettings } from '../../../src/shared/settings.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeBatch, post, recentSamples, startTestHub } from '../../hub/helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A stand-in peer: answers /health until closed. */
async function fakePeer(id: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ id, name: 'other', version: 'test', state: 'running', time: Date.now(), uptimeSeconds: 50, bootTime: 1, lastSampleTs: null, sleepUntil: null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/health`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

describe('peers learned from the hub', () => {
  it('the agent watches the machines the hub lists (not itself), with the hub token from its token file', async () => {
    const hub: Hub = await startTestHub({ settings: { hub: { port: 0, sampleSelf: false } }, tokenHash: hashToken('the-hub-read-token-for-tests') });
    cleanups.push(() => hub.stop());
    const otherId = '22222222-2222-4222-8222-222222222222';
    const peer = await fakePeer(otherId);
    let peerOpen = true;
    cleanups.push(async () => {
      if (peerOpen) await peer.close();
    });
    const other = hub.registry.add('other');
    await post(hub, '/api/ingest', makeBatch(recentSamples(1), { machine: { id: otherId, name: 'other' }, agent: { ...makeBatch([]).agent, healthUrl: peer.url } }), { authorization: `Bearer ${other.token}` });

    const dataDir = tempDir();
    const me = hub.registry.add('me');
    fs.writeFileSync(path.join(dataDir, 'sync-token'), `${me.token}\n`, { mode: 0o600 });
    const settings = mergeSettings(defaultSettings(), {
      server: { port: 0 },
      sync: { enabled: true, url: hub.url },
      peers: { learnFromHub: true, checkIntervalSeconds: 1, timeoutSeconds: 1, failuresBeforeDown: 2 },
    });
    const feature = alertsFeature();
    const runtime = await Runtime.start({ dataDir, settings, logger: silentLogger, role: 'agent', routes: [feature.routes], services: [feature.service] });
    cleanups.push(() => runtime.stop());
    // Peer watch turned the server on by itself (peers watch this machine back).
    expect(runtime.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const peers = async () => (await httpRequest({ url: `${runtime.url}/api/peers` })).json<{ peers: { name: string; origin: string; state: string; url: string }[] }>().peers;
    const until = async (predicate: (list: Awaited<ReturnType<typeof peers>>) => boolean, what: string) => {
      const deadline = Date.now() + 10_000;
      let list = await peers();
      while (!predicate(list)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(list)}`);
        await new Promise((r) => setTimeout(r, 100));
        list = await peers();
      }
      return list;
    };
    const up = await until((list) => list.some((p) => p.state === 'up'), 'the learned peer up');
    expect(up).toEqual([expect.objectContaining({ name: 'other', origin: 'hub', url: peer.url, state: 'up' })]);

    await peer.close();
    peerOpen = false;
    await until((list) => list[0]?.state === 'down', 'the learned peer down');
    const history = (await httpRequest({ url: `${runtime.url}/api/alerts` })).json<{ alerts: { title: string }[] }>();
    expect(history.alerts.map((a) => a.title)).toEqual(['other is DOWN']);
  });
});
