// The InfluxDB target against the real thing: InfluxDB 1.6 and VictoriaMetrics 1.79 from Debian,
// started once for this file on 127.0.0.1 (tests/helpers/services.ts). A day of samples goes in
// through the target in the batches the sync service sends, and is read back with each server's
// own query API and compared value by value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxTarget } from '../../../src/core/sync/influx-target.js';
import { SyncError, type SyncBatch } from '../../../src/core/sync/types.js';
import type { DiskSample, HostRecord, Sample } from '../../../src/shared/model.js';
import { randomSamples } from '../../helpers/random.js';
import { freePort, hasBinary, startInfluxDB, startVictoriaMetrics, type InfluxService, type VictoriaMetricsService } from '../../helpers/services.js';

const haveServices = hasBinary('influxd') && hasBinary('victoria-metrics');
const run = haveServices || process.env.CI === 'true';

const machine = { id: '0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b', name: 'web 1' };
// A UTC day that is over (servers drop or hide points from the future): three days ago.
const DAY_START = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3 * 86_400_000;
const STEP_MS = 10_000;
/** A whole day at 10 s: 8,640 samples, ~100k points. */
const samples = randomSamples(DAY_START, 8640, STEP_MS, 42, {
  cores: 4,
  ifaces: [{ name: 'eth0' }, { name: 'lo', loopback: true }, { name: 'br-1 x', virtual: true }],
});
const disks: DiskSample[] = [0, 6, 12, 18].map((hour) => ({
  ts: DAY_START + hour * 3600_000,
  disks: [
    // / has a 5 GiB root reserve (free − available); /media/My Disk none.
    { device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', total: 100 * 1024 ** 3, used: (10 + hour) * 1024 ** 3, free: (90 - hour) * 1024 ** 3, available: (85 - hour) * 1024 ** 3 },
    { device: '/dev/sdb1', mountPoint: '/media/My Disk', fsType: 'xfs', total: 2 * 1024 ** 4, used: hour * 1024 ** 2, free: 2 * 1024 ** 4 - hour * 1024 ** 2, available: 2 * 1024 ** 4 - hour * 1024 ** 2 },
  ],
}));
const host: HostRecord = {
  ts: DAY_START,
  host: {
    hostname: 'web1',
    user: 'root',
    platform: 'linux',
    os: 'Debian GNU/Linux 12 (bookworm)',
    kernel: '6.1.0-18-amd64',
    arch: 'x64',
    bootTime: DAY_START - 86_400_000,
    cpu: { model: 'AMD EPYC 7B13', cores: 2, threads: 4, maxFrequencyMhz: null },
    interfaces: [],
  },
};

/** The batches the sync service would send: 500 samples each, disks and hosts in their window. */
function batches(list: Sample[], size = 500): SyncBatch[] {
  const out: SyncBatch[] = [];
  for (let i = 0; i < list.length; i += size) {
    const slice = list.slice(i, i + size);
    const fromTs = i === 0 ? slice[0]!.ts - 1 : list[i - 1]!.ts;
    const toTs = slice.at(-1)!.ts;
    out.push({
      machine,
      agent: { state: 'running', intervalSeconds: 10, syncIntervalSeconds: 10, version: 'test', healthUrl: null },
      fromTs,
      toTs,
      samples: slice,
      disks: disks.filter((d) => d.ts > fromTs && d.ts <= toTs),
      hosts: i === 0 ? [host] : [],
    });
  }
  return out;
}

async function sendAll(target: InfluxTarget, list = samples): Promise<void> {
  const signal = new AbortController().signal;
  for (const batch of batches(list)) await target.send(batch, signal);
}

/**
 * What must come back, derived from the samples by the documented convention (not by the code
 * under test): name → "label=value,…" → ts → value. CPU ratio = 0.1 % steps / 1000; network
 * bytes/s = bits/s / 8; everything else as sampled.
 */
function expected(list: Sample[]): Map<string, Map<string, Map<number, number>>> {
  const out = new Map<string, Map<string, Map<number, number>>>();
  const put = (name: string, labels: Record<string, string>, ts: number, value: number) => {
    const key = Object.entries({ host: machine.name, machine_id: machine.id, ...labels })
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    if (!out.has(name)) out.set(name, new Map());
    const series = out.get(name)!;
    if (!series.has(key)) series.set(key, new Map());
    series.get(key)!.set(ts, value);
  };
  for (const s of list) {
    put('vigil_cpu_usage_ratio', {}, s.ts, Math.round(s.cpu.total * 10) / 1000);
    s.cpu.cores.forEach((pct, i) => put('vigil_cpu_core_usage_ratio', { cpu: String(i) }, s.ts, Math.round(pct * 10) / 1000));
    put('vigil_memory_total_bytes', {}, s.ts, s.memory.total);
    put('vigil_memory_used_bytes', {}, s.ts, s.memory.used);
    put('vigil_memory_available_bytes', {}, s.ts, s.memory.available);
    put('vigil_memory_free_bytes', {}, s.ts, s.memory.free);
    put('vigil_swap_total_bytes', {}, s.ts, s.memory.swapTotal);
    put('vigil_swap_used_bytes', {}, s.ts, s.memory.swapUsed);
    if (s.load) {
      put('vigil_system_load1', {}, s.ts, s.load.one);
      put('vigil_system_load5', {}, s.ts, s.load.five);
      put('vigil_system_load15', {}, s.ts, s.load.fifteen);
    }
    for (const n of s.net) {
      const labels = { device: n.iface, kind: n.loopback ? 'loopback' : n.virtual ? 'virtual' : 'physical' };
      if (n.rxBitsPerSecond !== null) put('vigil_network_receive_bytes_per_second', labels, s.ts, n.rxBitsPerSecond / 8);
      if (n.txBitsPerSecond !== null) put('vigil_network_transmit_bytes_per_second', labels, s.ts, n.txBitsPerSecond / 8);
    }
  }
  const first = list[0]!.ts;
  const last = list.at(-1)!.ts;
  for (const d of disks.filter((x) => x.ts >= first && x.ts <= last)) {
    for (const disk of d.disks) {
      const labels = { device: disk.device, fstype: disk.fsType, mountpoint: disk.mountPoint };
      put('vigil_filesystem_size_bytes', labels, d.ts, disk.total);
      put('vigil_filesystem_used_bytes', labels, d.ts, disk.used);
      put('vigil_filesystem_free_bytes', labels, d.ts, disk.free!);
      put('vigil_filesystem_avail_bytes', labels, d.ts, disk.available!);
      // df's Use% as a ratio, in steps of 0.0001.
      put('vigil_filesystem_used_ratio', labels, d.ts, Math.round((disk.used / (disk.used + disk.available!)) * 10000) / 10000);
    }
  }
  return out;
}

function count(map: Map<string, Map<string, Map<number, number>>>): number {
  let n = 0;
  for (const series of map.values()) for (const points of series.values()) n += points.size;
  return n;
}

describe.skipIf(!run)('InfluxDB 1.x (real influxd)', () => {
  let influx: InfluxService;
  const admin = { user: 'admin', password: 's3cret' };

  beforeAll(async () => {
    influx = await startInfluxDB({ admin, databases: ['vigil'] });
  });
  afterAll(async () => {
    await influx?.stop();
  });

  /** Every field of every measurement, as name → labels → ts → value (InfluxQL, GROUP BY *). */
  async function readBack(): Promise<Map<string, Map<string, Map<number, number>>>> {
    const out = new Map<string, Map<string, Map<number, number>>>();
    for (const measurement of ['vigil_cpu', 'vigil_cpu_core', 'vigil_memory', 'vigil_swap', 'vigil_system', 'vigil_network', 'vigil_filesystem']) {
      const result = await influx.query(`SELECT * FROM "${measurement}" GROUP BY *`, 'vigil');
      for (const series of result.results[0]!.series ?? []) {
        const key = Object.entries(series.tags ?? {})
          .filter(([, v]) => v !== '')
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        series.columns.forEach((column, c) => {
          if (column === 'time') return;
          const name = `${measurement}_${column}`;
          if (!out.has(name)) out.set(name, new Map());
          for (const row of series.values) {
            if (row[c] === null) continue;
            const points = out.get(name)!.get(key) ?? new Map<number, number>();
            points.set(row[0] as number, row[c] as number);
            out.get(name)!.set(key, points);
          }
        });
      }
    }
    return out;
  }

  it('stores a day of samples sent in batches, value for value; a re-sent batch duplicates nothing', async () => {
    const target = new InfluxTarget({ url: influx.url, db: 'vigil', token: `${admin.user}:${admin.password}` });
    await sendAll(target);
    // A batch sent again (its answer was lost): same points, overwritten, not added.
    await target.send(batches(samples)[3]!, new AbortController().signal);
    const want = expected(samples);
    const got = await readBack();
    expect(count(got)).toBe(count(want));
    expect(got).toEqual(want);
    // Integer fields stayed integers (a float would make the next integer write a type conflict).
    const types = await influx.query('SHOW FIELD KEYS FROM "vigil_memory"', 'vigil');
    expect(types.results[0]!.series![0]!.values).toContainEqual(['available_bytes', 'integer']);
    // The host info point: facts as tags, boot time as a field.
    const info = await influx.query(`SELECT "info" FROM "vigil_host" WHERE "os" = 'Debian GNU/Linux 12 (bookworm)' AND "cpu_model" = 'AMD EPYC 7B13'`, 'vigil');
    expect(info.results[0]!.series![0]!.values).toEqual([[DAY_START, 1]]);
    const boot = await influx.query('SELECT "boot_time_seconds", "cpu_threads" FROM "vigil_host" WHERE "boot_time_seconds" > 0', 'vigil');
    expect(boot.results[0]!.series![0]!.values).toEqual([[DAY_START, (DAY_START - 86_400_000) / 1000, 4]]);
  });

  it('a wrong password is a clear permanent error, and so is an unknown database', async () => {
    const signal = new AbortController().signal;
    const [first] = batches(samples.slice(0, 5));
    const wrong = new InfluxTarget({ url: influx.url, db: 'vigil', token: 'admin:wrong' });
    const authError = await wrong.send(first!, signal).then(
      () => null,
      (e: unknown) => e,
    );
    expect(authError).toBeInstanceOf(SyncError);
    expect(authError).toMatchObject({ kind: 'permanent', status: 401, code: 'unauthorized' });
    expect((authError as Error).message).toMatch(/InfluxDB at http:\/\/127\.0\.0\.1:\d+\/write\?db=vigil&precision=ms refused the write: HTTP 401: authorization failed — check the token/);
    const missing = new InfluxTarget({ url: influx.url, db: 'nope', token: `${admin.user}:${admin.password}` });
    const dbError = await missing.send(first!, signal).then(
      () => null,
      (e: unknown) => e,
    );
    expect(dbError).toMatchObject({ kind: 'permanent', status: 404 });
    expect((dbError as Error).message).toContain('database not found: "nope"');
  });

  it('points older than the database keeps are dropped by it, and the rest of the batch still counts as delivered', async () => {
    await influx.query('CREATE DATABASE "short"');
    await influx.query('CREATE RETENTION POLICY "hour" ON "short" DURATION 1h REPLICATION 1 DEFAULT');
    const now = Math.floor(Date.now() / 1000) * 1000;
    const old = randomSamples(now - 3 * 3600_000, 3, 1000, 5);
    const recent = randomSamples(now - 60_000, 3, 1000, 6);
    const target = new InfluxTarget({ url: influx.url, db: 'short', token: `${admin.user}:${admin.password}` });
    await target.send(batches([...old, ...recent])[0]!, new AbortController().signal);
    const rows = await influx.query('SELECT "usage_ratio" FROM "vigil_cpu"', 'short');
    expect(rows.results[0]!.series![0]!.values.map((r) => r[0])).toEqual(recent.map((s) => s.ts));
  });
});

describe.skipIf(!run)('VictoriaMetrics (real victoria-metrics)', () => {
  let vm: VictoriaMetricsService;

  beforeAll(async () => {
    vm = await startVictoriaMetrics();
  });
  afterAll(async () => {
    await vm?.stop();
  });

  /**
   * What VictoriaMetrics holds, once it holds at least `values` values: even after a force_flush, a
   * loaded machine was seen to show only part of a day just sent (12,610 of 170,221 values), the
   * rest a moment later. Bounded: a real loss still fails the comparison after it.
   */
  async function readBack(extraLabel: [string, string] | null, range: { from: number; to: number }, values: number) {
    let got = await readBackOnce(extraLabel, range);
    for (let tries = 0; tries < 40 && count(got) < values; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      got = await readBackOnce(extraLabel, range);
    }
    return got;
  }

  async function readBackOnce(extraLabel: [string, string] | null, range: { from: number; to: number }) {
    await vm.flush();
    const out = new Map<string, Map<string, Map<number, number>>>();
    for (const series of await vm.exportSeries(`{__name__=~"vigil_.+",machine_id="${machine.id}"${extraLabel ? `,${extraLabel[0]}="${extraLabel[1]}"` : ''}}`, range)) {
      const { __name__: name, ...labels } = series.metric;
      if (extraLabel) delete labels[extraLabel[0]];
      if (name!.startsWith('vigil_host_')) continue;
      const key = Object.entries(labels)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      if (!out.has(name!)) out.set(name!, new Map());
      out.get(name!)!.set(key, new Map(series.timestamps.map((ts, i) => [ts, series.values[i]!])));
    }
    return out;
  }

  it('takes a day through /write (v1 API, db label) and reads it back value for value', async () => {
    const target = new InfluxTarget({ url: vm.url, db: 'fleet' });
    await sendAll(target);
    const want = expected(samples);
    const got = await readBack(['db', 'fleet'], { from: DAY_START, to: DAY_START + 86_400_000 }, count(want));
    expect(count(got)).toBe(count(want));
    expect(got).toEqual(want);
    // The same PromQL as against Prometheus' scrape of /metrics.
    const at = samples[100]!;
    const [cpu] = await vm.query(`vigil_cpu_usage_ratio{host="web 1",db="fleet"}`, at.ts);
    expect(Number(cpu!.value[1])).toBe(Math.round(at.cpu.total * 10) / 1000);
    const rx = await vm.query(`vigil_network_receive_bytes_per_second{kind="physical",db="fleet"} * 8`, at.ts);
    const eth0 = at.net.find((n) => n.iface === 'eth0')!;
    if (eth0.rxBitsPerSecond !== null) expect(Number(rx[0]!.value[1])).toBe(eth0.rxBitsPerSecond);
    const [info] = await vm.query(`vigil_host_info{db="fleet"}`, DAY_START + 60_000);
    expect(info!.metric).toMatchObject({ os: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-18-amd64', cpu_model: 'AMD EPYC 7B13' });
  });

  it('takes the v2 API (/api/v2/write with org and bucket) too', async () => {
    const target = new InfluxTarget({ url: vm.url, org: 'acme', bucket: 'b2', token: 'ignored-by-vm' });
    const slice = randomSamples(DAY_START + 86_400_000, 600, 1000, 9);
    await sendAll(target, slice);
    const want = expected(slice);
    const got = await readBack(null, { from: slice[0]!.ts, to: slice.at(-1)!.ts }, count(want));
    expect(got).toEqual(want);
  });

  it('offline first: a server that is not up yet is a retryable error, and the batch lands once it is', async () => {
    const port = await freePort();
    const target = new InfluxTarget({ url: `http://127.0.0.1:${port}`, db: 'late' });
    const slice = randomSamples(DAY_START + 2 * 86_400_000, 50, 1000, 10);
    const [batch] = batches(slice);
    const offline = await target.send(batch!, new AbortController().signal).then(
      () => null,
      (e: unknown) => e,
    );
    expect(offline).toMatchObject({ kind: 'retryable' });
    const late = await startVictoriaMetrics({ port });
    try {
      await target.send(batch!, new AbortController().signal);
      await late.flush();
      const series = await late.exportSeries(`vigil_cpu_usage_ratio{db="late"}`, { from: slice[0]!.ts, to: slice.at(-1)!.ts });
      expect(series[0]!.timestamps).toEqual(slice.map((s) => s.ts));
      expect(series[0]!.values).toEqual(slice.map((s) => Math.round(s.cpu.total * 10) / 1000));
    } finally {
      await late.stop();
    }
  });
});
