// Real time-series services for tests and benchmarks: InfluxDB 1.x, VictoriaMetrics and
// Prometheus from their Debian packages (`apt-get install influxdb victoria-metrics prometheus`),
// each on 127.0.0.1 and a free port, with its data in a temp folder, stopped (and its folder
// removed) by stop(). Start each once per test file: they are ready in well under a second
// (Prometheus's first scrape is what takes seconds).
//
// No vitest import here, so benchmarks (bench/*.ts, run with tsx) can use it too: the caller
// owns the lifetime — call stop() in afterAll / finally.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { httpRequest } from '../../src/core/http-client.js';
import { trackChild } from './children.js';

export interface RunningService {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  dir: string;
  /** What the process printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Whether a service binary is installed; tests skip (or, under CI=true, fail) without it. */
export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** A port that was free a moment ago (the kernel's pick for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// InfluxDB 1.x

export interface InfluxOptions {
  /** Turn on authentication and create this admin user (password: `password`). */
  admin?: { user: string; password: string };
  /** Databases created at start. */
  databases?: string[];
  /** Listen on this port (e.g. one a client was already pointed at); default: a free one. */
  port?: number;
}

export interface InfluxService extends RunningService {
  /** InfluxQL over HTTP (/query); returns the parsed JSON. Uses the admin credentials if any. */
  query(q: string, db?: string): Promise<InfluxQueryResult>;
}

export interface InfluxQueryResult {
  results: { statement_id: number; error?: string; series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[] }[];
  error?: string;
}

export async function startInfluxDB(options: InfluxOptions = {}): Promise<InfluxService> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-influxdb-'));
  const port = options.port ?? (await freePort());
  const rpcPort = await freePort();
  // Only what differs from influxd's defaults; every other listener (UDP, Graphite, collectd,
  // OpenTSDB) is off by default.
  const config = `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
  logging-enabled = false
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
  trace-logging-enabled = false
[http]
  bind-address = "127.0.0.1:${port}"
  auth-enabled = ${options.admin ? 'true' : 'false'}
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
`;
  fs.writeFileSync(path.join(dir, 'influxdb.conf'), config);
  const url = `http://127.0.0.1:${port}`;
  const service = await launch('influxd', ['run', '-config', path.join(dir, 'influxdb.conf')], dir, url, async () => {
    const response = await httpRequest({ url: `${url}/ping`, timeoutMs: 1000 });
    return response.status === 204;
  });
  const auth = options.admin;
  const query = async (q: string, db?: string): Promise<InfluxQueryResult> => {
    const params = new URLSearchParams({ q, epoch: 'ms' });
    if (db) params.set('db', db);
    // Credentials go in the query string: InfluxDB 1.x does not read u/p from a form body.
    const credentials = auth ? `?${new URLSearchParams({ u: auth.user, p: auth.password })}` : '';
    const response = await httpRequest({
      url: `${url}/query${credentials}`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: params.toString(),
      maxResponseBytes: 256 * 1024 * 1024,
      timeoutMs: 60_000,
    });
    const result = response.json<InfluxQueryResult>();
    if (response.status !== 200 || result.error || result.results?.some((r) => r.error)) {
      throw new Error(`InfluxQL ${q} failed (${response.status}): ${response.text()}`);
    }
    return result;
  };
  try {
    // With auth on and no user yet, InfluxDB 1.x accepts exactly one statement: creating the admin.
    if (auth) await query(`CREATE USER "${auth.user}" WITH PASSWORD '${auth.password}' WITH ALL PRIVILEGES`);
    for (const db of options.databases ?? []) await query(`CREATE DATABASE "${db}"`);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return { ...service, query };
}

// ---------------------------------------------------------------------------------------------
// VictoriaMetrics

export interface VictoriaMetricsService extends RunningService {
  /** Makes everything written so far searchable (otherwise it takes ~1 s). */
  flush(): Promise<void>;
  /** /api/v1/export for a series selector: one entry per series, values and ms timestamps. */
  exportSeries(match: string, range?: { from: number; to: number }): Promise<ExportedSeries[]>;
  /** Instant PromQL query (/api/v1/query). */
  query(promql: string, time?: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
}

export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

export interface VictoriaMetricsOptions {
  /** Listen on this port (e.g. one a client was already pointed at); default: a free one. */
  port?: number;
  /** More command-line flags, e.g. ['-httpAuth.username=u', '-httpAuth.password=p']. */
  args?: string[];
  /**
   * Keep the data here instead of in the service's temp folder: stop() leaves it, so a second
   * start with the same folder (and port) is the same server back after an outage.
   */
  storageDir?: string;
}

export async function startVictoriaMetrics(options: VictoriaMetricsOptions = {}): Promise<VictoriaMetricsService> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-victoria-'));
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const service = await launch(
    'victoria-metrics',
    [
      `-storageDataPath=${options.storageDir ?? `${dir}/data`}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      // Points older than the retention are accepted with 204 and silently dropped: keep all.
      '-retentionPeriod=100y',
      '-search.latencyOffset=0s',
      '-loggerLevel=ERROR',
      ...(options.args ?? []),
    ],
    dir,
    url,
    async () => (await httpRequest({ url: `${url}/health`, timeoutMs: 1000 })).status === 200,
  );
  return {
    ...service,
    async flush() {
      const response = await httpRequest({ url: `${url}/internal/force_flush` });
      if (response.status !== 200) throw new Error(`force_flush: ${response.status} ${response.text()}`);
    },
    async exportSeries(match, range) {
      const params = new URLSearchParams({ 'match[]': match });
      if (range) {
        params.set('start', String(range.from / 1000));
        params.set('end', String(range.to / 1000));
      }
      const response = await httpRequest({ url: `${url}/api/v1/export?${params}`, maxResponseBytes: 256 * 1024 * 1024, timeoutMs: 60_000 });
      if (response.status !== 200) throw new Error(`export ${match}: ${response.status} ${response.text()}`);
      return response
        .text()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as ExportedSeries);
    },
    async query(promql, time) {
      const params = new URLSearchParams({ query: promql });
      if (time !== undefined) params.set('time', String(time / 1000));
      const response = await httpRequest({ url: `${url}/api/v1/query?${params}` });
      const body = response.json<{ status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } }>();
      if (response.status !== 200 || body.status !== 'success') throw new Error(`query ${promql}: ${response.status} ${response.text()}`);
      return body.data.result;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Prometheus

export interface PrometheusTarget {
  /** host:port */
  address: string;
  metricsPath?: string;
  /** Sent as Authorization: Bearer … */
  bearerToken?: string;
}

export interface PrometheusService extends RunningService {
  /** Instant query (/api/v1/query). */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** /api/v1/targets' active targets (health, lastError, lastScrape). */
  targets(): Promise<{ health: string; lastError: string; lastScrape: string; scrapeUrl: string }[]>;
}

export async function startPrometheus(targets: PrometheusTarget[], options: { scrapeIntervalSeconds?: number } = {}): Promise<PrometheusService> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-prometheus-'));
  const port = await freePort();
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  // JSON is valid YAML: no YAML library needed.
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: '1m' },
    scrape_configs: targets.map((target, i) => ({
      job_name: `vigil${i}`,
      metrics_path: target.metricsPath ?? '/metrics',
      ...(target.bearerToken ? { authorization: { type: 'Bearer', credentials: target.bearerToken } } : {}),
      static_configs: [{ targets: [target.address] }],
    })),
  };
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const url = `http://127.0.0.1:${port}`;
  const service = await launch(
    'prometheus',
    [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    dir,
    url,
    async () => (await httpRequest({ url: `${url}/-/ready`, timeoutMs: 1000 })).status === 200,
  );
  return {
    ...service,
    async query(promql) {
      const response = await httpRequest({ url: `${url}/api/v1/query?${new URLSearchParams({ query: promql })}` });
      const body = response.json<{ status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } }>();
      if (response.status !== 200 || body.status !== 'success') throw new Error(`query ${promql}: ${response.status} ${response.text()}`);
      return body.data.result;
    },
    async targets() {
      const response = await httpRequest({ url: `${url}/api/v1/targets?state=active` });
      return response.json<{ data: { activeTargets: { health: string; lastError: string; lastScrape: string; scrapeUrl: string }[] } }>().data.activeTargets;
    },
  };
}

/** Runs `promtool check metrics` on an exposition; exit 0 clean, 1 parse error, 3 lint problems. */
export function promtoolCheckMetrics(exposition: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

// ---------------------------------------------------------------------------------------------

/** Starts a process, waits until `ready()` answers true, and returns a handle that stops it. */
async function launch(command: string, args: string[], dir: string, url: string, ready: () => Promise<boolean>): Promise<RunningService> {
  let output = '';
  const child: ChildProcess = trackChild(spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
  child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let spawnError: Error | null = null;
  child.once('error', (error) => (spawnError = error));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 15_000;
  while (true) {
    if (spawnError) {
      await stop();
      throw new Error(`${command} could not start: ${(spawnError as Error).message}`);
    }
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${command} exited with ${child.exitCode}: ${output}`);
    }
    try {
      if (await ready()) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${command} not ready within 15 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, port: Number(new URL(url).port), dir, output: () => output, stop };
}
