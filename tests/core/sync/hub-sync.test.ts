// The agent's sync service against a real hub in this process, over HTTPS with a self-signed
// certificate (made by openssl for 127.0.0.1), including the hub going away and coming back.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/log.js';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import type { SampleStore } from '../../../src/core/storage/types.js';
import { HubTarget } from '../../../src/core/sync/hub-target.js';
import { SyncService } from '../../../src/core/sync/service.js';
import { readSyncState } from '../../../src/core/sync/state.js';
import type { Hub } from '../../../src/hub/hub.js';
import { defaultSettings, mergeSettings } from '../../../src/shared/settings.js';
import { randomSamples } from '../../helpers/random.js';
import { waitFor } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { startTestHub } from '../../hub/helpers.js';

function selfSignedCertificate(): { cert: string; key: string; dir: string } {
  const dir = tempDir('vigil-tls-');
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {
    stdio: 'ignore',
  });
  return { cert, key, dir };
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('agent → hub sync over HTTPS', () => {
  it('delivers every sample exactly once through an outage of the hub', async () => {
    const tls = selfSignedCertificate();
    const hubDir = tempDir('vigil-hub-');
    const hubSettings = { hub: { port: 0, sampleSelf: false, tlsCertFile: tls.cert, tlsKeyFile: tls.key } };
    let hub: Hub | null = await startTestHub({ dataDir: hubDir, settings: hubSettings });
    cleanup.push(() => hub?.stop());
    const url = hub.url;
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(url).port);
    const { machine, token } = hub.registry.add('laptop');

    const agentDir = tempDir('vigil-agent-');
    const writer: SampleStore = openSampleStore(path.join(agentDir, 'vigil.db'));
    cleanup.push(() => writer.close());
    const start = Math.floor(Date.now() / 1000) * 1000 - 2000 * 1000;
    writer.insertSamples(randomSamples(start, 1000, 1000, 21));

    const settings = mergeSettings(defaultSettings(), { sync: { enabled: true, url, batchSamples: 200, intervalSeconds: 1, maxBackoffSeconds: 1 } });
    const service = new SyncService({
      dataDir: agentDir,
      identity: { id: '11111111-2222-4333-8444-555555555555', name: 'laptop' },
      logger: silentLogger,
      settings: () => settings,
      state: () => 'running',
      targets: [new HubTarget({ url, token, ca: fs.readFileSync(tls.cert) })],
      backoffBaseMs: 20,
    });
    service.start();
    cleanup.push(() => service.stop());

    const hubCount = () => hub!.pool.get(machine.id).countSamples(0, Date.now() + 1);
    await waitFor(() => hubCount() === 1000, 'first 1000 samples on the hub');

    // The hub goes away; the agent keeps recording.
    await hub.stop();
    hub = null;
    writer.insertSamples(randomSamples(start + 1000 * 1000, 500, 1000, 22));
    await waitFor(() => readSyncState(agentDir)?.targets.hub?.state === 'retrying', 'agent notices the outage');
    expect(readSyncState(agentDir)!.targets.hub!.lastError).toMatch(/refused|ECONNREFUSED/i);
    writer.insertSamples(randomSamples(start + 1500 * 1000, 500, 1000, 23));

    // Back on the same port and data dir.
    hub = await startTestHub({ dataDir: hubDir, settings: { hub: { ...hubSettings.hub, port } } });
    await waitFor(() => hubCount() === 2000, 'backfill after the outage', 20_000);
    const onHub = hub.pool.get(machine.id);
    const [agentRows, hubRows] = [writer, onHub].map((store) => [...store.iterateRows(0, Date.now() + 1)].map((row) => [row.ts, row.values.join(',')].join(':')));
    expect(hubRows).toEqual(agentRows);
    await waitFor(() => readSyncState(agentDir)?.targets.hub?.state === 'idle', 'caught up');
    expect(service.pending()).toEqual({ hub: 0 });
  });

  it('refuses a hub whose certificate it does not trust, and says so', async () => {
    const tls = selfSignedCertificate();
    const hub = await startTestHub({ settings: { hub: { port: 0, sampleSelf: false, tlsCertFile: tls.cert, tlsKeyFile: tls.key } } });
    cleanup.push(() => hub.stop());
    const { token } = hub.registry.add('laptop');
    const target = new HubTarget({ url: hub.url, token });
    const batch = { machine: { id: '11111111-2222-4333-8444-555555555555', name: 'x' }, agent: { state: 'running' as const, intervalSeconds: 1, syncIntervalSeconds: 10, version: '0', healthUrl: null }, fromTs: 0, toTs: 0, samples: [], disks: [], hosts: [] };
    await expect(target.send(batch, new AbortController().signal)).rejects.toMatchObject({ kind: 'permanent' });
    // With the CA it goes through; with a wrong token it is a permanent 401.
    await new HubTarget({ url: hub.url, token, ca: fs.readFileSync(tls.cert) }).send(batch, new AbortController().signal);
    await expect(new HubTarget({ url: hub.url, token: 'wrong-token-wrong', ca: fs.readFileSync(tls.cert) }).send(batch, new AbortController().signal)).rejects.toMatchObject({
      kind: 'permanent',
      status: 401,
    });
  });
});
