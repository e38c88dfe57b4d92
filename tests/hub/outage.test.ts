// A real agent and a real hub (bin/vigil.js, separate processes on 127.0.0.1): the hub goes down
// for a while and comes back; in the end the hub's copy equals the agent's database, every
// sample exactly once, values included.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSampleStore } from '../../src/core/storage/sample-store.js';
import type { SyncTargetReport } from '../../src/core/sync/status.js';
import { finished, runVigil, startVigil, waitFor } from '../helpers/cli.js';
import { scaledTimeout } from '../helpers/load.js';
import { tempDir } from '../helpers/tmp.js';

type Child = ReturnType<typeof startVigil>;
const children: Child[] = [];
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.length = 0;
});

function start(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = startVigil(args, env);
  children.push(child);
  return child;
}

async function hubUrl(hub: Child): Promise<string> {
  await waitFor(() => /Vigil hub: (https?:\/\/\S+)\//.test(hub.output.stdout), `hub to listen (${hub.output.stderr})`);
  return /Vigil hub: (https?:\/\/\S+)\//.exec(hub.output.stdout)![1]!;
}

async function syncReports(agentDir: string): Promise<SyncTargetReport[]> {
  const result = await runVigil(['status', '--json', '--data-dir', agentDir]);
  return (JSON.parse(result.stdout) as { sync: SyncTargetReport[] }).sync;
}

function rows(file: string): string[] {
  const store = openSampleStore(file, { readonly: true });
  try {
    return [...store.iterateRows(0, Date.now() + 60_000)].map((row) => `${row.ts}:${row.series.map((s) => s.key).join(',')}=${row.values.join(',')}`);
  } finally {
    store.close();
  }
}

describe('agent and hub processes through a hub outage', () => {
  it('every sample arrives exactly once, with its values', { timeout: scaledTimeout(60_000) }, async () => {
    const hubDir = tempDir('vigil-hub-');
    const agentDir = tempDir('vigil-agent-');
    fs.writeFileSync(path.join(hubDir, 'config.json'), JSON.stringify({ hub: { sampleSelf: false } }));
    fs.writeFileSync(path.join(agentDir, 'config.json'), JSON.stringify({ sync: { intervalSeconds: 1, maxBackoffSeconds: 2 }, storage: { flushSeconds: 1 } }));
    const added = await runVigil(['hub', 'add-machine', 'agent-1', '--json', '--data-dir', hubDir]);
    expect(added.code, added.stderr).toBe(0);
    const { id, token } = JSON.parse(added.stdout) as { id: string; token: string };

    let hub = start(['hub', '--data-dir', hubDir, '--port', '0']);
    const url = await hubUrl(hub);
    const port = new URL(url).port;
    const agent = start(['agent', '--data-dir', agentDir, '--sync', url], { VIGIL_SYNC_TOKEN: token });
    const hubSamples = async () => {
      const response = await fetch(`${url}/api/machines/${id}`);
      return response.ok ? ((await response.json()) as { lastSampleTs: number | null }).lastSampleTs : null;
    };
    // Samples reach the hub.
    const deadline = Date.now() + scaledTimeout(20_000);
    while ((await hubSamples()) === null) {
      if (Date.now() > deadline) throw new Error(`no sample reached the hub: ${agent.output.stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    // The hub goes away; the agent goes on sampling and retries.
    hub.kill('SIGTERM');
    expect((await finished(hub)).code).toBe(0);
    const outageFrom = Date.now();
    // Waits for the agent to have met the refusal and to hold samples sampled during the outage
    // (an outage of 3 s or more, so some are), not for a fixed time: a loaded machine may take longer.
    let report: SyncTargetReport | undefined;
    const retrying = Date.now() + scaledTimeout(30_000);
    for (;;) {
      report = (await syncReports(agentDir))[0];
      if (report?.state === 'retrying' && report.pendingSamples >= 3 && Date.now() - outageFrom >= 3000) break;
      if (Date.now() > retrying) throw new Error(`the agent never held samples for the missing hub: ${JSON.stringify(report)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(report).toMatchObject({ name: 'hub', state: 'retrying' });
    expect(report.lastError).toMatch(/refused/i);

    // Back on the same port: the agent backfills what the hub missed.
    const outageTo = Date.now();
    hub = start(['hub', '--data-dir', hubDir, '--port', port]);
    await hubUrl(hub);
    const caughtUp = Date.now() + scaledTimeout(20_000);
    for (;;) {
      const report = (await syncReports(agentDir))[0]!;
      if (report.state === 'idle' && report.pendingSamples === 0) break;
      if (Date.now() > caughtUp) throw new Error(`agent did not catch up: ${JSON.stringify(report)}`);
      await new Promise((r) => setTimeout(r, 300));
    }

    // A clean stop of the agent delivers its last samples too.
    agent.kill('SIGTERM');
    expect((await finished(agent)).code, agent.output.stderr).toBe(0);
    hub.kill('SIGTERM');
    expect((await finished(hub)).code).toBe(0);

    const onAgent = rows(path.join(agentDir, 'vigil.db'));
    const onHub = rows(path.join(hubDir, 'machines', `${id}.db`));
    expect(onAgent.length).toBeGreaterThanOrEqual(5);
    expect(onHub).toEqual(onAgent);
    // Including what was sampled while the hub was down.
    const during = onHub.map((row) => Number(row.split(':')[0])).filter((ts) => ts >= outageFrom && ts < outageTo);
    expect(during.length).toBeGreaterThanOrEqual(2);
    const status = await syncReports(agentDir);
    expect(status[0]).toMatchObject({ state: 'stopped', pendingSamples: 0 });
  });
});
