// Issue 14, item 3: the Grafana dashboards in dashboards/grafana/ are importable dashboard JSON,
// and every query in them (panels and variables) is valid and returns series against real
// servers fed by one real agent: Prometheus and VictoriaMetrics scraping its /metrics (the
// vigil_* names), InfluxDB 1.x receiving its line protocol (--influx).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../src/core/http-client.js';
import { startVigil } from '../helpers/cli.js';
import { freePort, hasBinary, startInfluxDB, startPrometheus, startVictoriaMetrics, type InfluxService, type PrometheusService, type VictoriaMetricsService } from '../helpers/services.js';
import { tempDir } from '../helpers/tmp.js';

const DIR = new URL('../../dashboards/grafana/', import.meta.url);
const run = (hasBinary('prometheus') && hasBinary('victoria-metrics') && hasBinary('influxd') && process.platform === 'linux') || process.env.CI === 'true';
const HOST = 'dash-test';

interface Dashboard {
  __inputs: { name: string; type: string; pluginId: string }[];
  schemaVersion: number;
  uid: string;
  title: string;
  templating: { list: { name: string; type: string; datasource: { type: string; uid: string }; query: string | { query: string } }[] };
  panels: { id: number; type: string; title: string; datasource: { type: string; uid: string }; targets: { refId: string; expr?: string; query?: string; datasource: { uid: string } }[] }[];
}

function load(name: string): Dashboard {
  return JSON.parse(fs.readFileSync(new URL(name, DIR), 'utf8')) as Dashboard;
}

/** Every query of a dashboard: its variables' and its panels' targets', with where it came from. */
function queriesOf(dashboard: Dashboard, field: 'expr' | 'query'): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const variable of dashboard.templating.list) {
    if (variable.type !== 'query') continue;
    out.push({ where: `variable ${variable.name}`, text: typeof variable.query === 'string' ? variable.query : variable.query.query });
  }
  for (const panel of dashboard.panels) for (const target of panel.targets) out.push({ where: `${panel.title} ${target.refId}`, text: target[field]! });
  return out;
}

function expectImportable(dashboard: Dashboard, input: string, pluginId: string): void {
  expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
  expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
  expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: input, type: 'datasource', pluginId })]);
  const ids = dashboard.panels.map((p) => p.id);
  expect(new Set(ids).size).toBe(ids.length);
  // Every panel, target and variable names the datasource through the import input.
  const refs = [...dashboard.panels.flatMap((p) => [p.datasource, ...p.targets.map((t) => t.datasource)]), ...dashboard.templating.list.map((v) => v.datasource)];
  for (const ref of refs) expect(ref.uid).toBe(`\${${input}}`);
  expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
}

describe('Grafana dashboards: structure', () => {
  it('are importable dashboards with datasource inputs, for Prometheus and InfluxDB', () => {
    expectImportable(load('vigil-prometheus.json'), 'DS_PROMETHEUS', 'prometheus');
    expectImportable(load('vigil-influxdb.json'), 'DS_INFLUXDB', 'influxdb');
  });
});

describe.runIf(run)('Grafana dashboards: every query against real servers fed by one agent', () => {
  let prometheus: PrometheusService;
  let victoria: VictoriaMetricsService;
  let influx: InfluxService;
  let agent: ReturnType<typeof startVigil>;

  beforeAll(async () => {
    const dataDir = tempDir();
    const serverPort = await freePort();
    influx = await startInfluxDB({ databases: ['vigil'] });
    fs.writeFileSync(
      path.join(dataDir, 'config.json'),
      JSON.stringify({
        machine: { name: HOST },
        server: { enabled: true, port: serverPort },
        sync: { intervalSeconds: 1, maxBackoffSeconds: 2 },
        influx: { enabled: true, url: influx.url, db: 'vigil' },
      }),
    );
    agent = startVigil(['agent', '--data-dir', dataDir], {}, { outlivesTest: true });
    const address = `127.0.0.1:${serverPort}`;
    // VictoriaMetrics scrapes the agent as Prometheus does (JSON is valid YAML).
    const vmConfig = path.join(dataDir, 'vm-scrape.json');
    fs.writeFileSync(vmConfig, JSON.stringify({ global: { scrape_interval: '1s' }, scrape_configs: [{ job_name: 'vigil', static_configs: [{ targets: [address] }] }] }));
    [prometheus, victoria] = await Promise.all([startPrometheus([{ address }], { scrapeIntervalSeconds: 1 }), startVictoriaMetrics({ args: [`-promscrape.config=${vmConfig}`] })]);
    // Ready when every store has a network rate (absent on the agent's first tick), disk usage and the host facts.
    const deadline = Date.now() + 40_000;
    const need = ['vigil_network_receive_bytes_per_second', 'vigil_filesystem_used_ratio', 'vigil_host_info'];
    for (;;) {
      await victoria.flush();
      const [fromProm, fromVm, fromInflux] = await Promise.all([
        Promise.all(need.map((name) => prometheus.query(name).catch(() => []))),
        Promise.all(need.map((name) => victoria.query(name).catch(() => []))),
        Promise.all(['vigil_network', 'vigil_filesystem', 'vigil_host'].map((m) => influx.query(`SELECT count(*) FROM "${m}"`, 'vigil').catch(() => null))),
      ]);
      if (fromProm.every((r) => r.length > 0) && fromVm.every((r) => r.length > 0) && fromInflux.every((r) => r?.results[0]?.series?.length)) break;
      if (Date.now() > deadline) throw new Error(`stores not fed within 40 s; agent stderr: ${agent.output.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }, 60_000);

  afterAll(async () => {
    agent?.kill('SIGTERM');
    await Promise.all([prometheus?.stop(), victoria?.stop(), influx?.stop()]);
  });

  /** Grafana's template syntax turned into what the server sees, the host picked in $host. */
  function promQl(text: string): string {
    const expanded = text.replaceAll('$host', HOST).replaceAll('$kind', '.*');
    // label_values(selector, label) is Grafana's, not PromQL: the same question in PromQL.
    const labelValues = /^label_values\((.+), (\w+)\)$/.exec(expanded);
    return labelValues ? `count by (${labelValues[2]}) (${labelValues[1]})` : expanded;
  }

  async function promQuery(base: string, promql: string): Promise<unknown[]> {
    const response = await httpRequest({ url: `${base}/api/v1/query?${new URLSearchParams({ query: promql })}` });
    const body = response.json<{ status: string; data?: { result: unknown[] }; error?: string }>();
    if (response.status !== 200 || body.status !== 'success') throw new Error(`${promql}: ${response.status} ${body.error ?? response.text()}`);
    return body.data!.result;
  }

  it.each([
    ['Prometheus', () => prometheus.url],
    ['VictoriaMetrics', () => victoria.url],
  ])('vigil-prometheus.json: each query is valid on %s and returns series', async (_name, base) => {
    const queries = queriesOf(load('vigil-prometheus.json'), 'expr');
    expect(queries.length).toBeGreaterThanOrEqual(15);
    const empty: string[] = [];
    for (const { where, text } of queries) {
      if ((await promQuery(base(), promQl(text))).length === 0) empty.push(`${where}: ${text}`);
    }
    expect(empty).toEqual([]);
  });

  it('vigil-influxdb.json: each InfluxQL query is valid on InfluxDB 1.x and returns a value', async () => {
    const queries = queriesOf(load('vigil-influxdb.json'), 'query');
    expect(queries.length).toBeGreaterThanOrEqual(15);
    const empty: string[] = [];
    for (const { where, text } of queries) {
      // What Grafana substitutes: the dashboard's time range, the interval, the chosen variables.
      const influxQl = text.replaceAll('$timeFilter', 'time > now() - 10m').replaceAll('$__interval', '1s').replaceAll('$host', HOST).replaceAll('$kind', '.*');
      const result = await influx.query(influxQl, 'vigil'); // throws on any error
      const values = (result.results[0]?.series ?? []).flatMap((s) => s.values.flatMap((row) => row.slice(1)));
      if (!values.some((v) => v !== null)) empty.push(`${where}: ${text}`);
    }
    expect(empty).toEqual([]);
  });
});
