// A hub restart mails nobody (issue 13): after its own start the hub gives every machine one stale
// window, measured from its start, plus the time an agent in backoff takes to find it back, before
// it calls anyone stale. A machine that was already stale before the restart stays stale (its
// incident is still open: no second email); one that stays silent after the restart is mailed
// once that grace is over. A real hub (in this process) and a real SMTP server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/core/sync/backoff.js';
import type { Hub } from '../../src/hub/hub.js';
import { restartAllowanceMs } from '../../src/hub/fleet-state.js';
import { defaultSettings } from '../../src/shared/settings.js';
import { CERT_FILE, SmtpSink } from '../core/alerts/smtp-sink.js';
import { waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { SettableClock, makeBatch, post, recentSamples, startTestHub } from './helpers.js';

const smtp = new SmtpSink();
beforeAll(async () => {
  await smtp.start();
});
afterAll(async () => {
  await smtp.stop();
});
const hubs: Hub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.stop();
});

const subjects = () => smtp.messages.map((m) => m.parsed.subject ?? '').filter((s) => /alpha|bravo|charlie/.test(s));

describe('hub restart', () => {
  it('mails no machine about the hub’s own downtime; a machine that stays silent is mailed once the grace is over', { timeout: 30_000 }, async () => {
    const dataDir = tempDir('vigil-hub-');
    const clock = new SettableClock();
    // Send interval 10 s, 3 of them + the hub's 5 s grace: stale after 35 s of silence.
    const settings = {
      hub: { port: 0, sampleSelf: false, staleAfterIntervals: 3 },
      machine: { name: 'hub-1' },
      smtp: { url: smtp.url(), caFile: CERT_FILE, to: ['ops@example.org'] },
      alerts: { digestSeconds: 0 },
    };
    const start = async () => {
      const hub = await startTestHub({ dataDir, clock, settings });
      hubs.push(hub);
      return hub;
    };
    let hub = await start();
    const tokens = Object.fromEntries(['alpha', 'bravo', 'charlie'].map((name) => [name, hub.registry.add(name).token]));
    const report = async (name: string) => {
      const response = await post(hub, '/api/ingest', makeBatch(recentSamples(2, 3, clock.time)), { authorization: `Bearer ${tokens[name]}` });
      expect(response.status, response.text()).toBe(200);
    };

    // charlie falls silent and is mailed about, while the hub runs.
    await report('charlie');
    clock.time += 40_000;
    await waitFor(() => subjects().some((s) => s.startsWith('[Vigil] charlie is STALE')), 'the STALE email about charlie', 5000);
    // alpha and bravo report just before the hub stops.
    await report('alpha');
    await report('bravo');
    clock.time += 1000;
    await hub.stop();
    hubs.length = 0;

    // The hub is away for a minute (an upgrade), then starts again.
    clock.time += 60_000;
    hub = await start();
    const startedAt = clock.time;
    const states = () => Object.fromEntries(hub.machines().map((m) => [m.name, m.state]));
    expect(states()).toEqual({ alpha: 'up', bravo: 'up', charlie: 'stale' });

    // Within its stale window from the hub's start: nobody is stale yet.
    clock.time = startedAt + 34_000;
    await new Promise((r) => setTimeout(r, 1500));
    expect(states()).toEqual({ alpha: 'up', bravo: 'up', charlie: 'stale' });
    // alpha's agent finds the hub back and reports on; bravo's never does.
    await report('alpha');

    // After the window and the agents' backoff allowance: bravo is stale, and mailed about.
    const graceEnd = startedAt + 35_000 + restartAllowanceMs(60_000);
    while (clock.time + 30_000 < graceEnd - 1000) {
      clock.time += 30_000;
      await report('alpha');
    }
    clock.time = graceEnd - 1000;
    await report('alpha');
    await new Promise((r) => setTimeout(r, 1500));
    expect(states()).toEqual({ alpha: 'up', bravo: 'up', charlie: 'stale' });
    clock.time = graceEnd + 1000;
    await waitFor(() => subjects().some((s) => s.includes('bravo is STALE')), 'the STALE email about bravo', 5000);
    expect(states()).toEqual({ alpha: 'up', bravo: 'stale', charlie: 'stale' });
    expect(subjects().map((s) => s.replace(/ \(since .*\)$/, ''))).toEqual(['[Vigil] charlie is STALE', '[Vigil] bravo is STALE']);
  });

  it('a restart without a record of the previous run (an older hub.db) takes the newest report as the last moment it listened', { timeout: 30_000 }, async () => {
    const dataDir = tempDir('vigil-hub-');
    const clock = new SettableClock();
    const settings = { hub: { port: 0, sampleSelf: false, staleAfterIntervals: 3 } };
    let hub = await startTestHub({ dataDir, clock, settings });
    hubs.push(hub);
    const { token } = hub.registry.add('alpha');
    expect((await post(hub, '/api/ingest', makeBatch(recentSamples(2, 3, clock.time)), { authorization: `Bearer ${token}` })).status).toBe(200);
    await hub.stop();
    hubs.length = 0;
    // As an older hub leaves it: no record of when it stopped.
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(`${dataDir}/hub.db`);
    db.exec('DELETE FROM hub_run');
    db.close();
    clock.time += 120_000;
    hub = await startTestHub({ dataDir, clock, settings });
    hubs.push(hub);
    expect(hub.machine('alpha').state).toBe('up');
    clock.time += 35_000 + restartAllowanceMs(120_000) + 1000;
    expect(hub.machine('alpha').state).toBe('stale');
  });
});

describe('the backoff allowance', () => {
  it('covers the first retry of an agent in backoff (worst-case jitter), for outages from a second to a day', () => {
    const policy = { baseMs: 1000, maxMs: defaultSettings().sync.maxBackoffSeconds * 1000 };
    for (const downtimeMs of [1000, 5000, 30_000, 60_000, 61_500, 200_000, 600_000, 3_600_000, 86_400_000]) {
      // The agent's first failure comes at the hub's stop at the earliest; it retries on its backoff.
      let at = 0;
      let failures = 0;
      while (at < downtimeMs) at += backoffDelay(++failures, policy, () => 0.999_999);
      expect(at - downtimeMs, `outage of ${downtimeMs} ms`).toBeLessThanOrEqual(restartAllowanceMs(downtimeMs));
    }
  });
});
