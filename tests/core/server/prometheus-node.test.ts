// Issue 14, item 2: --metrics-names node (server.metricsNames = 'node'). A real Prometheus scrapes
// the agent, and every query of Grafana's "Node Exporter Full" (dashboard 1860) whose names Vigil
// exposes (tests/fixtures/grafana/node-exporter-full-queries.json: its CPU, memory, network, load,
// filesystem and uptime panels, verbatim) returns series, as does its job/nodename variable.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../../src/core/http-client.js';
import { silentLogger } from '../../../src/core/log.js';
import { Runtime } from '../../../src/core/runtime.js';
import { prometheusRoute } from '../../../src/core/server/prometheus.js';
import { defaultSettings, mergeSettings } from '../../../src/shared/settings.js';
import { hasBinary, promtoolCheckMetrics, startPrometheus, type PrometheusService } from '../../helpers/services.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/cli.js';

const runReal = (hasBinary('prometheus') && process.platform === 'linux') || process.env.CI === 'true';
const FIXTURE = JSON.parse(fs.readFileSync(new URL('../../fixtures/grafana/node-exporter-full-queries.json', import.meta.url), 'utf8')) as {
  queries: { row: string; panel: string; expr: string }[];
};

describe.runIf(runReal)('--metrics-names node: dashboard 1860 against a real Prometheus', () => {
  let runtime: Runtime;
  let prometheus: PrometheusService;
  let instance: string;

  async function query(promql: string): Promise<unknown[]> {
    const response = await httpRequest({ url: `${prometheus.url}/api/v1/query?${new URLSearchParams({ query: promql })}` });
    const body = response.json<{ status: string; data: { result: unknown[] } }>();
    if (response.status !== 200 || body.status !== 'success') throw new Error(`${promql}: ${response.status} ${response.text()}`);
    return body.data.result;
  }

  beforeAll(async () => {
    const settings = mergeSettings(defaultSettings(), { server: { enabled: true, port: 0, metricsNames: 'node' }, machine: { name: 'node-names' } });
    runtime = await Runtime.start({ dataDir: tempDir(), settings, logger: silentLogger, role: 'agent', routes: [prometheusRoute()] });
    instance = new URL(runtime.url!).host;
    prometheus = await startPrometheus([{ address: instance }], { scrapeIntervalSeconds: 1 });
    await waitFor(() => runtime.engine.latest() !== null && runtime.engine.store.latestDisks() !== null && runtime.engine.host() !== null, 'a sample, disk usage and the host snapshot', 15_000);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await runtime?.stop();
  });

  it('exposes node_exporter names only (promtool: parses; its lint flags node_exporter’s own camelCase memory names)', async () => {
    const text = (await httpRequest({ url: `${runtime.url}/metrics` })).text();
    const names = new Set(text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0]));
    for (const name of ['node_uname_info', 'node_boot_time_seconds', 'node_filesystem_avail_bytes', 'node_memory_MemAvailable_bytes', 'node_cpu_seconds_total', 'node_network_receive_bytes_total', 'node_load1']) {
      expect(names, name).toContain(name);
    }
    expect([...names].filter((name) => !name.startsWith('node_') && !name.startsWith('process_'))).toEqual([]);
    expect(text).not.toContain('machine_id=');
    const { status, output } = promtoolCheckMetrics(text);
    if (hasBinary('promtool')) {
      expect(status).toBe(3);
      expect(output.split('\n').filter((line) => line.trim() !== '' && !/^node_memory_\w+ metric names should be written in 'snake_case' not 'camelCase'$/.test(line.trim()))).toEqual([]);
    }
  });

  it('every stored dashboard query returns series', async () => {
    // rate() needs two scrapes inside its window: wait for three.
    const deadline = Date.now() + 25_000;
    while (Date.now() < deadline) {
      const [series] = (await query(`node_time_seconds{instance="${instance}"}[1m]`)) as { values: unknown[] }[];
      if ((series?.values.length ?? 0) >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const job = 'vigil0';
    // The dashboard's variables: job and nodename from node_uname_info.
    expect(await query('count by (job) (node_uname_info)')).toEqual([{ metric: { job }, value: expect.any(Array) }]);
    expect(((await query(`node_uname_info{job="${job}"}`)) as { metric: { nodename: string } }[])[0]!.metric.nodename).not.toBe('');

    expect(FIXTURE.queries.length).toBeGreaterThan(30);
    for (const panel of ['CPU Busy', 'CPU', 'RAM Used', 'Memory Basic', 'Network Traffic Basic', 'System Load', 'Root FS Used', 'Filesystem Space Available', 'Uptime']) {
      expect(FIXTURE.queries.map((q) => q.panel)).toContain(panel);
    }
    const empty: string[] = [];
    for (const { panel, expr } of FIXTURE.queries) {
      const promql = expr.replaceAll('$node', instance).replaceAll('$job', job).replaceAll('$__rate_interval', '10s');
      if ((await query(promql)).length === 0) empty.push(`${panel}: ${expr}`);
    }
    expect(empty).toEqual([]);
  }, 60_000);
});
