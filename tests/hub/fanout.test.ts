// The hub's fan-out to a real VictoriaMetrics (in-process hub, real ingest over HTTP): samples
// stream in while VictoriaMetrics goes down, the hub restarts during the outage, more samples
// come, VictoriaMetrics comes back — and every sample is there exactly once, in the agent's own
// series (its host and machine_id tags, not the hub's registry name), values as sent.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { httpRequest } from '../../src/core/http-client.js';
import { InfluxTarget } from '../../src/core/sync/influx-target.js';
import type { Hub } from '../../src/hub/hub.js';
import type { Sample } from '../../src/shared/model.js';
import { scaledTimeout } from '../helpers/load.js';
import { freePort, hasBinary, promtoolCheckMetrics, startVictoriaMetrics, type VictoriaMetricsService } from '../helpers/services.js';
import { tempDir } from '../helpers/tmp.js';
import { silentLogger, type Logger } from '../../src/core/log.js';
import { AGENT_ID, get, makeBatch, post, recentSamples, startTestHub } from './helpers.js';

const run = hasBinary('victoria-metrics') || process.env.CI === 'true';

let hub: Hub | null = null;
let vm: VictoriaMetricsService | null = null;
afterEach(async () => {
  await hub?.stop();
  hub = null;
  await vm?.stop();
  vm = null;
});

function fanOutState(dataDir: string, machineId: string): { cursor: number | null; lastError: string | null; consecutiveFailures: number } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, 'fanout', machineId, 'sync-state.json'), 'utf8')).targets.influx;
  } catch {
    return undefined;
  }
}

async function until(predicate: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + scaledTimeout(timeoutMs);
  while (!(await Promise.resolve().then(predicate).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!run)('vigil hub --influx: fan-out to VictoriaMetrics', () => {
  it('loses nothing and duplicates nothing through a VictoriaMetrics outage and a hub restart', { timeout: scaledTimeout(40_000) }, async () => {
    const vmPort = await freePort();
    const vmData = tempDir('vigil-vm-data-');
    vm = await startVictoriaMetrics({ port: vmPort, storageDir: vmData });
    const dataDir = tempDir('vigil-hub-');
    // The agent's pacing, shortened so the test does not wait for the defaults (10 s, 300 s).
    const settings = { influx: { enabled: true, url: `http://127.0.0.1:${vmPort}`, db: 'fleet' }, sync: { intervalSeconds: 1, maxBackoffSeconds: 1 } };
    hub = await startTestHub({ dataDir, settings });
    const { machine, token } = hub.registry.add('web-1-in-the-registry');
    const samples = recentSamples(60, 11);
    const batches: Sample[][] = [];
    for (let i = 0; i < samples.length; i += 5) batches.push(samples.slice(i, i + 5));
    const send = async (from: number, to: number) => {
      for (const batch of batches.slice(from, to)) {
        const response = await post(hub!, '/api/ingest', makeBatch(batch), { authorization: `Bearer ${token}` });
        expect(response.status, response.text()).toBe(200);
      }
    };
    const series = `vigil_cpu_usage_ratio{db="fleet",machine_id="${AGENT_ID}"}`;
    const range = { from: samples[0]!.ts, to: samples.at(-1)!.ts };
    const exported = async () => {
      await vm!.flush();
      return vm!.exportSeries(series, range);
    };

    // Streaming: the first 20 samples reach VictoriaMetrics.
    await send(0, 4);
    await until(async () => (await exported())[0]?.timestamps.length === 20, 'the first 20 samples in VictoriaMetrics');

    // VictoriaMetrics goes down; ingest goes on, the fan-out retries.
    await vm.stop();
    vm = null;
    await send(4, 8);
    await until(() => (fanOutState(dataDir, machine.id)?.consecutiveFailures ?? 0) > 0, 'a failed fan-out send');
    expect(fanOutState(dataDir, machine.id)!.lastError).toMatch(/ECONNREFUSED/);

    // The hub restarts during the outage: its outbox (the machine's database, the cursor) survives.
    await hub.stop();
    hub = await startTestHub({ dataDir, settings });
    await send(8, 12);
    await until(() => (fanOutState(dataDir, machine.id)?.consecutiveFailures ?? 0) > 0, 'a failed send after the restart');
    // /metrics tells the backlog: the 40 samples sent since VictoriaMetrics went down.
    const during = (await get(hub, '/metrics')).text();
    expect(during).toMatch(/^vigil_hub_fanout_pending_samples 40$/m);
    expect(during).toMatch(/^vigil_hub_fanout_failing_machines 1$/m);
    expect((await get(hub, '/api/hub')).json<{ fanOut: unknown }>().fanOut).toEqual({
      endpoint: `http://127.0.0.1:${vmPort}/write?db=fleet&precision=ms`,
      machines: 1,
      pendingSamples: 40,
      failingMachines: 1,
    });
    if (hasBinary('promtool')) expect(promtoolCheckMetrics(during)).toEqual({ status: 0, output: '' });

    // VictoriaMetrics is back, with its data: the backlog arrives, oldest first, once.
    vm = await startVictoriaMetrics({ port: vmPort, storageDir: vmData });
    await until(async () => ((await exported())[0]?.timestamps.length ?? 0) >= 60, 'all 60 samples in VictoriaMetrics', 20_000);
    await until(() => fanOutState(dataDir, machine.id)?.cursor === samples.at(-1)!.ts, 'the cursor at the newest sample');

    const after = (await get(hub, '/metrics')).text();
    expect(after).toMatch(/^vigil_hub_fanout_pending_samples 0$/m);
    expect(after).toMatch(/^vigil_hub_fanout_failing_machines 0$/m);

    const all = await exported();
    // One series: the agent's own tags (host = the agent's name, machine_id = its id), never the registry's name.
    expect(all).toHaveLength(1);
    expect(all[0]!.metric).toEqual({ __name__: 'vigil_cpu_usage_ratio', db: 'fleet', host: 'test-agent', machine_id: AGENT_ID });
    // Exactly once each (VictoriaMetrics keeps a point written twice as two), values as sent.
    expect(all[0]!.timestamps).toEqual(samples.map((s) => s.ts));
    expect(all[0]!.values).toEqual(samples.map((s) => Math.round(s.cpu.total * 10) / 1000));
    const [count] = await vm.query(`count_over_time(${series}[5m])`, samples.at(-1)!.ts);
    expect(count!.value[1]).toBe('60');

    // Every line the agent itself would have written is there: the same series, the same points.
    const agentLines = new InfluxTarget({ url: 'http://127.0.0.1:1', db: 'fleet' })
      .encode({ ...makeBatch(samples), agent: makeBatch([]).agent })
      .trim()
      .split('\n');
    const names = new Set(agentLines.map((line) => line.slice(0, line.indexOf(','))));
    const [memory] = await vm.exportSeries(`vigil_memory_used_bytes{db="fleet",machine_id="${AGENT_ID}"}`, range);
    expect(memory!.values).toEqual(samples.map((s) => s.memory.used));
    const [seriesCount] = await vm.query(`count(count_over_time({db="fleet",machine_id="${AGENT_ID}"}[5m]))`, samples.at(-1)!.ts);
    // Series on the agent's side: one per measurement field and tag set of its lines.
    const agentSeries = new Set<string>();
    for (const line of agentLines) {
      // Spaces inside names are escaped (\\ ): split on the two that are not.
      const [head, fields] = line.split(/(?<!\\) /) as [string, string];
      const measurement = head.slice(0, head.indexOf(','));
      for (const field of fields.split(',')) agentSeries.add(`${measurement}_${field.slice(0, field.indexOf('='))}|${head.slice(measurement.length)}`);
    }
    expect(names.size).toBeGreaterThan(1);
    expect(Number(seriesCount!.value[1])).toBe(agentSeries.size);
  });

  it('is bounded by the hub’s retention: what retention deletes before the server took it is logged, with the count', async () => {
    const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
    const logger: Logger = { ...silentLogger, warn: (message, fields) => warnings.push({ message, fields }) };
    // Nothing listens on this port: the fan-out keeps everything pending.
    const deadPort = await freePort();
    const settings = {
      influx: { enabled: true, url: `http://127.0.0.1:${deadPort}` },
      sync: { intervalSeconds: 1, maxBackoffSeconds: 60 },
      storage: { rawRetentionDays: 1 },
    };
    hub = await startTestHub({ settings, logger });
    const { machine, token } = hub.registry.add('web-2');
    const now = Date.now();
    const old = recentSamples(12, 3, now - 3 * 86_400_000);
    const recent = recentSamples(5, 4, now);
    for (const batch of [old, recent]) {
      const response = await post(hub, '/api/ingest', makeBatch(batch), { authorization: `Bearer ${token}` });
      expect(response.status, response.text()).toBe(200);
    }
    await until(() => warnings.some((w) => w.message.startsWith('sync: send failed')), 'a failed fan-out send');
    expect(warnings.find((w) => w.message.startsWith('sync: send failed'))!.fields).toMatchObject({ machine: machine.id, target: 'influx' });

    hub.applyRetention();
    const full = warnings.filter((w) => w.message.includes('outbox is full'));
    expect(full).toHaveLength(1);
    expect(full[0]!.message).toContain('retention deleted 12 samples');
    expect(full[0]!.fields).toMatchObject({ machine: machine.id, lost: 12, stillPending: 5 });
    // Nothing more to say when retention has nothing more to take.
    hub.applyRetention();
    expect(warnings.filter((w) => w.message.includes('outbox is full'))).toHaveLength(1);
  });

  it('a write whose answer is lost is sent again: with -dedup.minScrapeInterval=1ms VictoriaMetrics keeps each sample once', { timeout: scaledTimeout(30_000) }, async () => {
    vm = await startVictoriaMetrics({ args: ['-dedup.minScrapeInterval=1ms'] });
    const target = vm.url;
    // Between the hub and VictoriaMetrics: forwards every write, and for the first one cuts the
    // connection instead of answering — VictoriaMetrics has the points, the hub does not know.
    const bodies: Buffer[] = [];
    const proxy = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        bodies.push(body);
        const headers: Record<string, string> = {};
        for (const name of ['content-type', 'content-encoding', 'authorization']) if (request.headers[name]) headers[name] = String(request.headers[name]);
        void httpRequest({ url: `${target}${request.url}`, method: 'POST', headers, body }).then((answer) => {
          if (bodies.length === 1) request.socket.destroy();
          else response.writeHead(answer.status).end(answer.text());
        });
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const dataDir = tempDir('vigil-hub-');
      hub = await startTestHub({ dataDir, settings: { influx: { enabled: true, url: proxyUrl, db: 'fleet' }, sync: { intervalSeconds: 1, maxBackoffSeconds: 1 } } });
      const { machine, token } = hub.registry.add('web-3');
      const samples = recentSamples(10, 21);
      const response = await post(hub, '/api/ingest', makeBatch(samples), { authorization: `Bearer ${token}` });
      expect(response.status, response.text()).toBe(200);
      await until(() => fanOutState(dataDir, machine.id)?.cursor === samples.at(-1)!.ts, 'the fan-out to catch up');
      // The same batch went twice: the first answer was lost.
      expect(bodies.length).toBeGreaterThanOrEqual(2);
      expect(bodies[1]!.equals(bodies[0]!)).toBe(true);
      await vm.flush();
      const [cpu] = await vm.exportSeries(`vigil_cpu_usage_ratio{db="fleet",machine_id="${AGENT_ID}"}`, { from: samples[0]!.ts, to: samples.at(-1)!.ts });
      expect(cpu!.timestamps).toEqual(samples.map((s) => s.ts));
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
