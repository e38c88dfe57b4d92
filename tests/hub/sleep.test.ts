// A machine announces sleep with a deadline while its agent is backing off from a hub that was
// away: the announcement reaches the hub (back meanwhile) at once, not after the backoff; the hub
// shows it sleeping until the deadline, then stale, with the STALE email through the alert
// pipeline (a real hub on 127.0.0.1, the agent's real sync service, a real SMTP server).
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import type { MachineState } from '../../src/shared/wire.js';
import { openSampleStore } from '../../src/core/storage/sample-store.js';
import { HubTarget } from '../../src/core/sync/hub-target.js';
import { SyncService } from '../../src/core/sync/service.js';
import { readSyncState } from '../../src/core/sync/state.js';
import type { Hub } from '../../src/hub/hub.js';
import { defaultSettings, mergeSettings } from '../../src/shared/settings.js';
import { CERT_FILE, SmtpSink } from '../core/alerts/smtp-sink.js';
import { waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { SettableClock, recentSamples, startTestHub } from './helpers.js';

const smtp = new SmtpSink();
beforeAll(async () => {
  await smtp.start();
});
afterAll(async () => {
  await smtp.stop();
});
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('sleep announced to the hub', () => {
  it('reaches the hub at once despite the backoff; the machine turns stale (with an email) once its deadline has passed', { timeout: 30_000 }, async () => {
    const hubDir = tempDir('vigil-hub-');
    const clock = new SettableClock();
    const settings = {
      hub: { port: 0, sampleSelf: false },
      machine: { name: 'hub-1' },
      smtp: { url: smtp.url(), caFile: CERT_FILE, to: ['ops@example.org'] },
      alerts: { digestSeconds: 0 },
    };
    let hub: Hub | null = await startTestHub({ dataDir: hubDir, clock, settings });
    cleanup.push(() => hub?.stop());
    const url = hub.url;
    const port = Number(new URL(url).port);
    const { machine, token } = hub.registry.add('laptop');

    const agentDir = tempDir('vigil-agent-');
    const writer = openSampleStore(path.join(agentDir, 'vigil.db'));
    cleanup.push(() => writer.close());
    writer.insertSamples(recentSamples(20, 31));
    let state: MachineState = 'running';
    let until: number | null = null;
    const syncSettings = mergeSettings(defaultSettings(), { sync: { enabled: true, url, intervalSeconds: 1, maxBackoffSeconds: 300 } });
    const service = new SyncService({
      dataDir: agentDir,
      identity: { id: '11111111-2222-4333-8444-555555555555', name: 'laptop' },
      logger: silentLogger,
      settings: () => syncSettings,
      state: () => state,
      sleepUntil: () => until,
      targets: [new HubTarget({ url, token })],
      // The first retry would come ~45 s after the failure (base 60 s, jitter 0.5).
      backoffBaseMs: 60_000,
      random: () => 0.5,
    });
    service.start();
    cleanup.push(() => service.stop());
    await waitFor(() => hub!.pool.get(machine.id).countSamples(0, Date.now() + 1) === 20, 'the samples on the hub');

    // The hub goes away; the agent fails once and backs off for a long time.
    await hub.stop();
    hub = null;
    await waitFor(() => readSyncState(agentDir)?.targets.hub?.state === 'retrying', 'the agent backing off', 5000);
    expect(readSyncState(agentDir)!.targets.hub!.nextAttemptAt! - Date.now()).toBeGreaterThan(30_000);

    // The hub is back; the laptop lid closes, with a deadline an hour away.
    hub = await startTestHub({ dataDir: hubDir, clock, settings: { ...settings, hub: { ...settings.hub, port } } });
    state = 'sleeping';
    until = clock.time + 3_600_000;
    const announcedAt = Date.now();
    service.machineStateChanged();
    await waitFor(() => hub!.machine('laptop').state === 'sleeping', 'the hub seeing the announcement', 3000);
    expect(Date.now() - announcedAt).toBeLessThan(3000);
    expect(hub.machine('laptop')).toMatchObject({ reportedState: 'sleeping', sleepUntil: until });
    await service.stop();

    // Silent through its deadline: still sleeping just before it, stale (and mailed about) after it.
    clock.time = until - 1000;
    await new Promise((r) => setTimeout(r, 1500));
    expect(hub.machine('laptop').state).toBe('sleeping');
    expect(smtp.messages.filter((m) => m.parsed.subject?.includes('laptop'))).toEqual([]);
    clock.time = until + 60_000;
    await waitFor(() => smtp.messages.some((m) => m.parsed.subject?.includes('laptop is STALE')), 'the STALE email', 5000);
    expect(hub.machine('laptop').state).toBe('stale');
    const email = smtp.messages.find((m) => m.parsed.subject?.includes('laptop is STALE'))!;
    expect(email.parsed.text).toContain('It announced sleep until');
  });
});
