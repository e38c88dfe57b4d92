// GET /metrics: on the runtime's server (the agent's), checked by promtool and scraped by a real
// Prometheus (Debian's prometheus, started once for this file on 127.0.0.1); and with a custom
// source, the way the hub exposes every machine.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../../src/core/http-client.js';
import { silentLogger } from '../../../src/core/log.js';
import { EXPOSITION_CONTENT_TYPE } from '../../../src/core/metrics-exposition/prometheus-text.js';
import { createHttpServer, generateToken, hashToken } from '../../../src/core/server/http-server.js';
import { prometheusRoute, registerMetricsRoute, storeSnapshot, type MachineSnapshot } from '../../../src/core/server/prometheus.js';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import { Runtime } from '../../../src/core/runtime.js';
import type { Sample } from '../../../src/shared/model.js';
import { defaultSettings, mergeSettings } from '../../../src/shared/settings.js';
import { randomSample, seededRandom } from '../../helpers/random.js';
import { hasBinary, promtoolCheckMetrics, startPrometheus, type PrometheusService } from '../../helpers/services.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/cli.js';

const runReal = (hasBinary('prometheus') && hasBinary('promtool')) || process.env.CI === 'true';

/** The values the latest sample must show as, by the documented convention (name{labels} → value). */
function expectedValues(sample: Sample): Map<string, number> {
  const out = new Map<string, number>();
  out.set('vigil_cpu_usage_ratio', Math.round(sample.cpu.total * 10) / 1000);
  sample.cpu.cores.forEach((pct, i) => out.set(`vigil_cpu_core_usage_ratio{cpu="${i}"}`, Math.round(pct * 10) / 1000));
  out.set('vigil_memory_total_bytes', sample.memory.total);
  out.set('vigil_memory_used_bytes', sample.memory.used);
  out.set('vigil_memory_available_bytes', sample.memory.available);
  out.set('vigil_memory_free_bytes', sample.memory.free);
  out.set('vigil_swap_total_bytes', sample.memory.swapTotal);
  out.set('vigil_swap_used_bytes', sample.memory.swapUsed);
  if (sample.load) {
    out.set('vigil_system_load1', sample.load.one);
    out.set('vigil_system_load15', sample.load.fifteen);
  }
  for (const n of sample.net) {
    if (n.rxBitsPerSecond !== null) out.set(`vigil_network_receive_bytes_per_second{device="${n.iface}"}`, n.rxBitsPerSecond / 8);
    if (n.txBitsPerSecond !== null) out.set(`vigil_network_transmit_bytes_per_second{device="${n.iface}"}`, n.txBitsPerSecond / 8);
  }
  out.set('vigil_sample_timestamp_seconds', sample.ts / 1000);
  return out;
}

/** name{only the labels in `keep`} → value, from an exposition. */
function exposedValues(text: string, keep = ['cpu', 'device']): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-z_0-9]+)(?:\{(.*)\})? (\S+)$/.exec(line)!;
    const labels = [...(match[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].filter((m) => keep.includes(m[1]!)).map((m) => `${m[1]}="${m[2]}"`);
    out.set(`${match[1]}${labels.length ? `{${labels.join(',')}}` : ''}`, Number(match[3]));
  }
  return out;
}

describe('GET /metrics on the agent’s server', () => {
  let runtime: Runtime;
  let prometheus: PrometheusService | undefined;
  const token = generateToken();

  beforeAll(async () => {
    // With an access token, as on a server reachable from elsewhere: Prometheus sends it as a bearer token.
    const settings = mergeSettings(defaultSettings(), { server: { enabled: true, port: 0, tokenHash: hashToken(token) }, machine: { name: 'prom-test' } });
    runtime = await Runtime.start({ dataDir: tempDir(), settings, logger: silentLogger, role: 'agent', routes: [prometheusRoute()] });
    // Prometheus takes ~5 s to its first scrape (its discovery updates every 5 s): start it now.
    if (runReal) prometheus = await startPrometheus([{ address: new URL(runtime.url!).host, bearerToken: token }], { scrapeIntervalSeconds: 1 });
    await waitFor(
      () => runtime.engine.latest()?.net.some((n) => n.rxBitsPerSecond !== null) === true && runtime.engine.store.latestDisks() !== null && runtime.engine.host() !== null,
      'a sample with rates, disk usage and the host snapshot',
      10_000,
    );
    // Frozen from here, so what Prometheus scrapes is what the test compares against.
    runtime.engine.pause();
  });

  afterAll(async () => {
    await prometheus?.stop();
    await runtime?.stop();
  });

  const get = (path: string, bearer: string | null = token) =>
    httpRequest({ url: `${runtime.url}${path}`, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

  it('serves the latest sample in text format 0.0.4, labelled with the machine', async () => {
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(EXPOSITION_CONTENT_TYPE);
    const text = response.text();
    const sample = runtime.engine.latest()!;
    const exposed = exposedValues(text);
    for (const [name, value] of expectedValues(sample)) expect(exposed.get(name), name).toBe(value);
    expect(text).toContain(`vigil_cpu_usage_ratio{host="prom-test",machine_id="${runtime.identity.id}"} `);
    expect(text).toMatch(/^vigil_host_info\{.*os=".+".*\} 1$/m);
    expect(text).toMatch(/^vigil_filesystem_size_bytes\{.*mountpoint="\/"/m);
  });

  it('needs the token like every route but /health', async () => {
    expect((await get('/metrics', null)).status).toBe(401);
    expect((await get('/metrics', 'wrong')).status).toBe(401);
  });

  it.skipIf(!runReal)('passes promtool check metrics without a lint problem', async () => {
    const result = promtoolCheckMetrics((await get('/metrics')).text());
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it.skipIf(!runReal)('is scraped by a real Prometheus, which then holds the agent’s latest values', async () => {
    const latest = runtime.engine.latest()!;
    // Wait for a scrape of the frozen sample (an earlier scrape may have caught the one before).
    let scraped: Awaited<ReturnType<PrometheusService['query']>> = [];
    await waitForAsync(
      async () => {
        scraped = await prometheus!.query('{__name__=~"vigil_.+"}');
        return scraped.some((s) => s.metric.__name__ === 'vigil_sample_timestamp_seconds' && Number(s.value[1]) === latest.ts / 1000);
      },
      'a scrape of the latest sample',
      20_000,
    );
    const [target] = await prometheus!.targets();
    expect(target).toMatchObject({ health: 'up', lastError: '' });
    const got = new Map<string, number>();
    for (const { metric, value } of scraped) {
      const labels = ['cpu', 'device'].filter((k) => metric[k] !== undefined).map((k) => `${k}="${metric[k]}"`);
      got.set(`${metric.__name__}${labels.length ? `{${labels.join(',')}}` : ''}`, Number(value[1]));
      expect(metric).toMatchObject({ host: 'prom-test', machine_id: runtime.identity.id, job: 'vigil0' });
    }
    for (const [name, value] of expectedValues(latest)) expect(got.get(name), name).toBe(value);
    const [up] = await prometheus!.query('up');
    expect(up!.value[1]).toBe('1');
  });
});

describe('GET /metrics with another source (the hub: every machine)', () => {
  it('exposes each machine under its own host and machine_id labels, one family at a time', async () => {
    const random = seededRandom(5);
    const machines: MachineSnapshot[] = [
      { machine: { machineId: 'id-a', name: 'alpha' }, sample: randomSample(1_763_800_000_000, random) },
      { machine: { machineId: 'id-b', name: 'beta' }, sample: randomSample(1_763_800_001_000, random) },
      { machine: { machineId: 'id-c', name: 'never-sent' }, sample: null },
    ];
    const app = await createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
    registerMetricsRoute(app, async () => machines);
    const response = await app.inject({ url: '/metrics' });
    await app.close();
    expect(response.statusCode).toBe(200);
    const text = response.body;
    for (const m of machines.slice(0, 2)) {
      const exposed = new Map([...exposedValues(text, ['cpu', 'device', 'machine_id'])].filter(([k]) => k.includes(`machine_id="${m.machine.machineId}"`)).map(([k, v]) => [k.replace(/,?machine_id="[^"]*"/, '').replace('{}', ''), v]));
      for (const [name, value] of expectedValues(m.sample!)) expect(exposed.get(name), `${m.machine.name} ${name}`).toBe(value);
    }
    expect(text).not.toContain('never-sent');
    expect(text.match(/^# TYPE vigil_cpu_usage_ratio gauge$/gm)).toHaveLength(1);
    if (runReal) expect(promtoolCheckMetrics(text)).toEqual({ status: 0, output: '' });
  });

  it('reads a machine’s latest sample, disks and host from its database (storeSnapshot)', async () => {
    const store = openSampleStore(path.join(tempDir(), 'm.db'));
    const random = seededRandom(8);
    const samples = [randomSample(1_763_800_000_000, random), randomSample(1_763_800_001_000, random)];
    store.insertSamples(samples);
    store.insertDiskSample({ ts: 1_763_800_000_000, disks: [{ device: '/dev/vda1', mountPoint: '/', fsType: 'ext4', total: 10_000, used: 2_500 }] });
    const snapshot = storeSnapshot({ machineId: 'id-s', name: 'stored' }, store);
    store.close();
    expect(snapshot.sample!.ts).toBe(samples[1]!.ts);
    const app = await createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
    registerMetricsRoute(app, () => [snapshot]);
    const text = (await app.inject({ url: '/metrics' })).body;
    await app.close();
    const exposed = exposedValues(text);
    for (const [name, value] of expectedValues(samples[1]!)) expect(exposed.get(name), name).toBe(value);
    expect(exposed.get('vigil_filesystem_used_bytes{device="/dev/vda1"}')).toBe(2_500);
  });
});

async function waitForAsync(predicate: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
