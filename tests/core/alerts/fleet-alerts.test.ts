// The hub's stale/back emails and peers learned from the hub's machine list, against a real hub
// (in this process, on 127.0.0.1) and a real SMTP server.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fetchHubPeers } from '../../../src/core/peers/hub-peers.js';
import { hashToken } from '../../../src/core/server/http-server.js';
import type { Hub } from '../../../src/hub/hub.js';
import { waitFor } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { SettableClock, makeBatch, post, recentSamples, startTestHub } from '../../hub/helpers.js';
import { CERT_FILE, SmtpSink } from './smtp-sink.js';

const smtp = new SmtpSink();
const hubs: Hub[] = [];
beforeAll(async () => {
  await smtp.start();
});
afterAll(async () => {
  await smtp.stop();
});
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.stop();
});

const subjects = () => smtp.messages.map((m) => m.parsed.subject ?? '');

describe('hub: stale machines through the alert pipeline', () => {
  it('one STALE email when a machine falls silent, one "reports again" when it is back; none again after a hub restart', async () => {
    const dataDir = tempDir('vigil-hub-');
    const clock = new SettableClock();
    const settings = {
      hub: { port: 0, sampleSelf: false, staleAfterIntervals: 2 },
      machine: { name: 'hub-1' },
      smtp: { url: smtp.url(), caFile: CERT_FILE, to: ['ops@example.org'] },
      alerts: { digestSeconds: 0 },
    };
    let hub = await startTestHub({ dataDir, clock, settings });
    hubs.push(hub);
    const { token } = hub.registry.add('alpha');
    const auth = { authorization: `Bearer ${token}` };
    const batch = () => makeBatch(recentSamples(3, 1, clock.time), { agent: { ...makeBatch([]).agent, syncIntervalSeconds: 1 } });
    expect((await post(hub, '/api/ingest', batch(), auth)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(subjects()).toEqual([]);

    // 2 send intervals of 1 s + the hub's 5 s grace without news: stale.
    clock.time += 10_000;
    await waitFor(() => subjects().some((s) => s.includes('alpha is STALE')), 'the STALE email', 5000);
    const stale = smtp.messages.find((m) => m.parsed.subject?.includes('alpha is STALE'))!;
    expect(stale.parsed.text).toContain('The hub has had no news from alpha since');
    expect(stale.parsed.text).toMatch(/Last known, at .*: CPU [\d.]+ %/);
    expect(stale.parsed.text).toContain('Seen from the hub (hub-1).');

    // The hub restarts while alpha is still silent: the incident is still open, no second email.
    await hub.stop();
    hubs.length = 0;
    hub = await startTestHub({ dataDir, clock, settings });
    hubs.push(hub);
    await new Promise((r) => setTimeout(r, 2000));
    expect(subjects().filter((s) => s.includes('alpha'))).toEqual([expect.stringMatching(/^\[Vigil\] alpha is STALE \(since \d\d:\d\d\)$/)]);

    expect((await post(hub, '/api/ingest', batch(), auth)).status).toBe(200);
    await waitFor(() => subjects().some((s) => s.includes('alpha reports again')), 'the recovery email', 5000);
    expect(subjects().filter((s) => s.includes('alpha'))).toHaveLength(2);
    expect(subjects().at(-1)).toMatch(/^\[Vigil\] alpha reports again after \d+ s$/);
    expect(fs.existsSync(path.join(dataDir, 'alerts.db'))).toBe(true);
  });
});

describe('peers learned from the hub', () => {
  it("GET /api/machines with a machine token lists the others with their health URL (never this machine, never a revoked one)", async () => {
    const hub = await startTestHub({ settings: { hub: { port: 0, sampleSelf: false } }, tokenHash: hashToken('the-hub-read-token-for-tests') });
    hubs.push(hub);
    const me = hub.registry.add('me');
    const other = hub.registry.add('other');
    const gone = hub.registry.add('gone');
    const silent = hub.registry.add('silent');
    const agent = (healthUrl: string | null, id: string) => makeBatch(recentSamples(1), { machine: { id, name: 'x' }, agent: { ...makeBatch([]).agent, healthUrl } });
    await post(hub, '/api/ingest', agent('http://10.0.0.1:7470/health', '11111111-1111-4111-8111-111111111111'), { authorization: `Bearer ${me.token}` });
    await post(hub, '/api/ingest', agent('http://10.0.0.2:7470/health', '22222222-2222-4222-8222-222222222222'), { authorization: `Bearer ${other.token}` });
    await post(hub, '/api/ingest', agent('http://10.0.0.3:7470/health', '33333333-3333-4333-8333-333333333333'), { authorization: `Bearer ${gone.token}` });
    await post(hub, '/api/ingest', agent(null, '44444444-4444-4444-8444-444444444444'), { authorization: `Bearer ${silent.token}` });
    hub.registry.revoke(gone.machine.id);
    const peers = await fetchHubPeers({ url: hub.url, token: me.token, ca: null }, '11111111-1111-4111-8111-111111111111');
    expect(peers).toEqual([{ name: 'other', healthUrl: 'http://10.0.0.2:7470/health', token: null, origin: 'hub', machineId: '22222222-2222-4222-8222-222222222222' }]);
    await expect(fetchHubPeers({ url: hub.url, token: 'not-a-machine-token', ca: null }, 'x')).rejects.toThrow(/HTTP 401/);
  });
});
