// The real `vigil agent` (bin/vigil.js, the agent's V8 flags) with --influx
// pointed at a VictoriaMetrics that is not up yet, and its local server on: /metrics answers
// from the start, samples queue in the agent's own database, and once VictoriaMetrics is up
// every one of them arrives, oldest first, values as stored.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpRequest } from '../../../src/core/http-client.js';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import { unflattenSample } from '../../../src/shared/series.js';
import type { Sample } from '../../../src/shared/model.js';
import { finished, startVigil, waitFor } from '../../helpers/cli.js';
import { freePort, hasBinary, promtoolCheckMetrics, startVictoriaMetrics, type VictoriaMetricsService } from '../../helpers/services.js';
import { tempDir } from '../../helpers/tmp.js';

const run = (hasBinary('victoria-metrics') && hasBinary('promtool')) || process.env.CI === 'true';

function storedSamples(dataDir: string): Sample[] {
  const store = openSampleStore(path.join(dataDir, 'vigil.db'), { readonly: true });
  try {
    return [...store.iterateRows(0, Number.MAX_SAFE_INTEGER)].map((row) => unflattenSample(row.ts, row.series, row.values));
  } finally {
    store.close();
  }
}

function influxStatus(dataDir: string): { state: string; cursor: number | null; lastError: string | null } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, 'sync-state.json'), 'utf8')).targets.influx;
  } catch {
    return undefined;
  }
}

async function until(predicate: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!run)('vigil agent --influx (real CLI) with its server on', () => {
  it('serves /metrics, and delivers every sample taken while VictoriaMetrics was down once it is up', async () => {
    const dataDir = tempDir();
    const vmPort = await freePort();
    const serverPort = await freePort();
    // Short sync pacing so the test does not wait for the defaults (10 s interval, 300 s max backoff).
    fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ server: { enabled: true, port: serverPort }, sync: { intervalSeconds: 1, maxBackoffSeconds: 2 } }));
    const agent = startVigil(['agent', '--data-dir', dataDir, '--influx', `http://127.0.0.1:${vmPort}`, '--influx-db', 'vigil']);
    let vm: VictoriaMetricsService | null = null;
    try {
      // /metrics from the agent's own server.
      let metrics = '';
      await until(async () => {
        const response = await httpRequest({ url: `http://127.0.0.1:${serverPort}/metrics` });
        metrics = response.text();
        return response.status === 200 && metrics.includes('vigil_cpu_usage_ratio{');
      }, 'the agent’s /metrics');
      expect(promtoolCheckMetrics(metrics)).toEqual({ status: 0, output: '' });

      // VictoriaMetrics is down: the target retries, the samples wait in the database.
      await waitFor(() => influxStatus(dataDir)?.lastError?.includes('ECONNREFUSED') === true, 'a refused send in sync-state.json', 15_000);
      await waitFor(() => storedSamples(dataDir).length >= 3, 'three stored samples', 15_000);
      const takenWhileDown = storedSamples(dataDir).map((s) => s.ts);

      vm = await startVictoriaMetrics({ port: vmPort });
      const server = vm;
      await until(async () => {
        await server.flush();
        const [series] = await server.exportSeries('vigil_cpu_usage_ratio{db="vigil"}');
        return series !== undefined && takenWhileDown.every((ts) => series.timestamps.includes(ts));
      }, 'the backlog in VictoriaMetrics');
      agent.kill('SIGTERM');
      expect((await finished(agent)).code).toBe(0);

      // Everything up to the cursor is there, once, with the values the agent stored.
      const cursor = influxStatus(dataDir)!.cursor!;
      const stored = storedSamples(dataDir).filter((s) => s.ts <= cursor);
      expect(stored.length).toBeGreaterThanOrEqual(takenWhileDown.length);
      await vm.flush();
      const range = { from: stored[0]!.ts, to: cursor };
      const [cpu] = await vm.exportSeries('vigil_cpu_usage_ratio{db="vigil"}', range);
      expect(cpu!.timestamps).toEqual(stored.map((s) => s.ts));
      expect(cpu!.values).toEqual(stored.map((s) => Math.round(s.cpu.total * 10) / 1000));
      const [used] = await vm.exportSeries('vigil_memory_used_bytes{db="vigil"}', range);
      expect(used!.values).toEqual(stored.map((s) => s.memory.used));
      const [lo] = await vm.exportSeries('vigil_network_transmit_bytes_per_second{db="vigil",device="lo"}', range);
      const loStored = stored.flatMap((s) => s.net.filter((n) => n.iface === 'lo' && n.txBitsPerSecond !== null).map((n) => [s.ts, n.txBitsPerSecond! / 8]));
      expect(lo!.timestamps.map((ts, i) => [ts, lo!.values[i]])).toEqual(loStored);
    } finally {
      if (agent.exitCode === null) agent.kill('SIGKILL');
      await vm?.stop();
    }
  });
});
