// The real commands: `vigil hub --influx URL --influx-db vigil` (token from $VIGIL_INFLUX_TOKEN,
// as the agent takes it) with a real `vigil agent --sync` reporting to it, and a real InfluxDB
// 1.x with authentication. The agent talks to the hub only; InfluxDB ends up with exactly the
// samples the hub stored, under the agent's own tags, and the hub's own machine's too. And the same
// with VictoriaMetrics going down in the middle of the stream.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSampleStore } from '../../src/core/storage/sample-store.js';
import { finished, runVigil, startVigil } from '../helpers/cli.js';
import { scaledTimeout } from '../helpers/load.js';
import { freePort, hasBinary, startInfluxDB, startVictoriaMetrics, type InfluxService, type VictoriaMetricsService } from '../helpers/services.js';
import { tempDir } from '../helpers/tmp.js';

const run = hasBinary('influxd') || process.env.CI === 'true';

function storedTimestamps(file: string): number[] {
  const store = openSampleStore(file, { readonly: true });
  try {
    return [...store.iterateRows(0, Date.now() + 60_000)].map((row) => row.ts);
  } finally {
    store.close();
  }
}

/** The vigil_cpu points of one machine in InfluxDB: their tags and timestamps. */
async function cpuPoints(influx: InfluxService, machineId: string): Promise<{ tags: Record<string, string>; times: number[] }[]> {
  const result = await influx.query(`SELECT "usage_ratio" FROM "vigil_cpu" WHERE "machine_id" = '${machineId}' GROUP BY *`, 'vigil');
  return (result.results[0]?.series ?? []).map((series) => ({ tags: series.tags ?? {}, times: series.values.map((row) => row[0] as number) }));
}

async function until(predicate: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + scaledTimeout(timeoutMs);
  while (!(await Promise.resolve().then(predicate).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!run)('vigil hub --influx (real hub, agent and InfluxDB)', () => {
  it('writes every sample the hub stores to InfluxDB, in the agent’s own series', { timeout: scaledTimeout(45_000) }, async () => {
    const influx = await startInfluxDB({ admin: { user: 'admin', password: 'password' }, databases: ['vigil'] });
    try {
      const hubDir = tempDir('vigil-hub-');
      const agentDir = tempDir('vigil-agent-');
      const pacing = { sync: { intervalSeconds: 1, maxBackoffSeconds: 1 } };
      fs.writeFileSync(path.join(hubDir, 'config.json'), JSON.stringify({ hub: { sampleSelf: true }, ...pacing }));
      fs.writeFileSync(path.join(agentDir, 'config.json'), JSON.stringify({ ...pacing, storage: { flushSeconds: 1 } }));
      const added = await runVigil(['hub', 'add-machine', 'registry-name', '--json', '--data-dir', hubDir]);
      expect(added.code, added.stderr).toBe(0);
      const { id, token } = JSON.parse(added.stdout) as { id: string; token: string };

      const hub = startVigil(['hub', '--data-dir', hubDir, '--port', '0', '--influx', influx.url, '--influx-db', 'vigil'], { VIGIL_INFLUX_TOKEN: 'admin:password' });
      await until(() => /Vigil hub: (https?:\/\/\S+)\//.test(hub.output.stdout), `the hub to listen (${hub.output.stderr})`);
      const url = /Vigil hub: (https?:\/\/\S+)\//.exec(hub.output.stdout)![1]!;
      const agent = startVigil(['agent', '--data-dir', agentDir, '--sync', url], { VIGIL_SYNC_TOKEN: token });
      await until(() => fs.existsSync(path.join(agentDir, 'machine-id')), 'the agent’s machine id');
      const agentId = fs.readFileSync(path.join(agentDir, 'machine-id'), 'utf8').trim();

      // Samples flow agent → hub → InfluxDB while both run.
      await until(async () => ((await cpuPoints(influx, agentId))[0]?.times.length ?? 0) >= 3, 'the agent’s samples in InfluxDB via the hub', 25_000);

      agent.kill('SIGTERM');
      expect((await finished(agent)).code, agent.output.stderr).toBe(0);
      // A clean stop of the hub delivers what InfluxDB still lacks.
      hub.kill('SIGTERM');
      expect((await finished(hub)).code, hub.output.stderr).toBe(0);

      const onHub = storedTimestamps(path.join(hubDir, 'machines', `${id}.db`));
      const points = await cpuPoints(influx, agentId);
      // One series, tagged as the agent tags its own points (its name, its id), not the hub's registry name.
      expect(points).toHaveLength(1);
      expect(points[0]!.tags).toEqual({ host: os.hostname(), machine_id: agentId });
      expect(points[0]!.times).toEqual(onHub);
      expect(onHub.length).toBeGreaterThanOrEqual(3);

      // The hub's own machine is fanned out too (its vigil.db, its machine id).
      const hubId = fs.readFileSync(path.join(hubDir, 'machine-id'), 'utf8').trim();
      const own = await cpuPoints(influx, hubId);
      expect(own).toHaveLength(1);
      const ownStored = storedTimestamps(path.join(hubDir, 'vigil.db'));
      expect(own[0]!.times.length).toBeGreaterThanOrEqual(1);
      expect(ownStored.slice(0, own[0]!.times.length)).toEqual(own[0]!.times);
      expect(hub.output.stderr).not.toMatch(/password/);
    } finally {
      await influx.stop();
    }
  });
});

describe.skipIf(!hasBinary('victoria-metrics') && process.env.CI !== 'true')('vigil hub --influx (real hub and agent) and VictoriaMetrics', () => {
  it(
    'loses nothing and duplicates nothing through a VictoriaMetrics outage in the middle of the stream',
    { timeout: scaledTimeout(45_000) },
    async () => {
      const vmPort = await freePort();
      const vmData = tempDir('vigil-vm-data-');
      let vm: VictoriaMetricsService | null = await startVictoriaMetrics({ port: vmPort, storageDir: vmData });
      try {
        const hubDir = tempDir('vigil-hub-');
        const agentDir = tempDir('vigil-agent-');
        const pacing = { sync: { intervalSeconds: 1, maxBackoffSeconds: 1 } };
        fs.writeFileSync(path.join(hubDir, 'config.json'), JSON.stringify({ hub: { sampleSelf: false }, ...pacing }));
        fs.writeFileSync(path.join(agentDir, 'config.json'), JSON.stringify({ ...pacing, storage: { flushSeconds: 1 } }));
        const added = await runVigil(['hub', 'add-machine', 'web-1', '--json', '--data-dir', hubDir]);
        expect(added.code, added.stderr).toBe(0);
        const { id, token } = JSON.parse(added.stdout) as { id: string; token: string };
        const onHub = () => storedTimestamps(path.join(hubDir, 'machines', `${id}.db`));
        const fanOutError = () => {
          try {
            return JSON.parse(fs.readFileSync(path.join(hubDir, 'fanout', id, 'sync-state.json'), 'utf8')).targets.influx.lastError as string | null;
          } catch {
            return null;
          }
        };

        const hub = startVigil(['hub', '--data-dir', hubDir, '--port', '0', '--influx', `http://127.0.0.1:${vmPort}`, '--influx-db', 'fleet']);
        await until(() => /Vigil hub: (https?:\/\/\S+)\//.test(hub.output.stdout), `the hub to listen (${hub.output.stderr})`);
        const url = /Vigil hub: (https?:\/\/\S+)\//.exec(hub.output.stdout)![1]!;
        const agent = startVigil(['agent', '--data-dir', agentDir, '--sync', url], { VIGIL_SYNC_TOKEN: token });
        await until(() => fs.existsSync(path.join(agentDir, 'machine-id')), 'the agent’s machine id');
        const agentId = fs.readFileSync(path.join(agentDir, 'machine-id'), 'utf8').trim();
        const series = `vigil_cpu_usage_ratio{db="fleet",machine_id="${agentId}"}`;
        const inVm = async () => {
          await vm!.flush();
          return (await vm!.exportSeries(series))[0]?.timestamps ?? [];
        };
        await until(async () => (await inVm()).length >= 3, 'samples in VictoriaMetrics', 25_000);

        // VictoriaMetrics goes down mid-stream; the agent goes on reporting to the hub.
        await vm.stop();
        vm = null;
        const storedAtOutage = onHub().length;
        await until(() => /ECONNREFUSED/.test(fanOutError() ?? ''), 'a refused fan-out write');
        await until(() => onHub().length >= storedAtOutage + 3, 'three samples stored on the hub during the outage');

        vm = await startVictoriaMetrics({ port: vmPort, storageDir: vmData });
        agent.kill('SIGTERM');
        expect((await finished(agent)).code, agent.output.stderr).toBe(0);
        const stored = onHub();
        await until(async () => (await inVm()).length >= stored.length, 'the backlog in VictoriaMetrics', 20_000);
        hub.kill('SIGTERM');
        expect((await finished(hub)).code, hub.output.stderr).toBe(0);

        // Every sample the hub stored, once (VictoriaMetrics here keeps a point written twice as two).
        expect(await inVm()).toEqual(onHub());
        expect(onHub().length).toBeGreaterThanOrEqual(storedAtOutage + 3);
      } finally {
        await vm?.stop();
      }
    },
  );
});

describe('vigil hub --influx-db without --influx', () => {
  it('is refused with a clear error, not ignored', async () => {
    const result = await runVigil(['hub', '--data-dir', tempDir('vigil-hub-'), '--port', '0', '--influx-db', 'vigil', '--influx-bucket', 'b']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--influx-db, --influx-bucket given but InfluxDB is off: add --influx URL/);
    expect(result.stdout).toBe('');
  });
});
