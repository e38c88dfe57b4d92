// influx.intervalSeconds (issue 14): one point per window of N seconds, the mean of its samples,
// at the window's start (a multiple of N since the epoch). The outbox part runs on a real SQLite
// store; the rest through the real sync service into the real InfluxDB 1.6 and VictoriaMetrics
// the helpers start on 127.0.0.1, including a VictoriaMetrics outage and a restart of the sync
// service with a window half filled.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/log.js';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import type { SampleStore } from '../../../src/core/storage/types.js';
import { InfluxTarget } from '../../../src/core/sync/influx-target.js';
import { Outbox } from '../../../src/core/sync/outbox.js';
import { SyncService } from '../../../src/core/sync/service.js';
import { readSyncState } from '../../../src/core/sync/state.js';
import { syncLines, syncReport } from '../../../src/core/sync/status.js';
import type { SyncBatch, SyncTarget } from '../../../src/core/sync/types.js';
import type { DiskSample, Sample } from '../../../src/shared/model.js';
import { unflattenSample } from '../../../src/shared/series.js';
import { defaultSettings, mergeSettings } from '../../../src/shared/settings.js';
import { finished, runVigil, startVigil, waitFor } from '../../helpers/cli.js';
import { scaledTimeout } from '../../helpers/load.js';
import { randomSamples } from '../../helpers/random.js';
import { freePort, hasBinary, startInfluxDB, startVictoriaMetrics, type InfluxService, type VictoriaMetricsService } from '../../helpers/services.js';
import { tempDir } from '../../helpers/tmp.js';

const run = (hasBinary('influxd') && hasBinary('victoria-metrics')) || process.env.CI === 'true';
const machine = { id: '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d', name: 'win box' };
const WINDOW_MS = 10_000;
/** An hour ago, on a window boundary (servers hide points from the future). */
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
const shape = { cores: 2, ifaces: [{ name: 'eth0' }], nullRate: 0.2 };

const stores: SampleStore[] = [];
const services: SyncService[] = [];
afterEach(async () => {
  while (services.length) await services.pop()!.stop();
  while (stores.length) stores.pop()!.close();
});

function newStore(): { dataDir: string; writer: SampleStore } {
  const dataDir = tempDir('vigil-windows-');
  const writer = openSampleStore(path.join(dataDir, 'vigil.db'));
  stores.push(writer);
  return { dataDir, writer };
}

function startSync(dataDir: string, target: SyncTarget): SyncService {
  const settings = mergeSettings(defaultSettings(), { sync: { intervalSeconds: 1, maxBackoffSeconds: 1, batchSamples: 7 } });
  const service = new SyncService({ dataDir, identity: machine, logger: silentLogger, settings: () => settings, state: () => 'running', targets: [target], backoffBaseMs: 5, random: () => 0.5 });
  service.start();
  services.push(service);
  return service;
}

/** The mean of the values a window's samples have (nulls left out), as the docs define it. */
function mean(samples: Sample[], value: (s: Sample) => number | null | undefined): number | null {
  const values = samples.map(value).filter((v): v is number => v != null);
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function windowsOf(samples: Sample[]): Map<number, Sample[]> {
  const out = new Map<number, Sample[]>();
  for (const s of samples) {
    const start = Math.floor(s.ts / WINDOW_MS) * WINDOW_MS;
    out.set(start, [...(out.get(start) ?? []), s]);
  }
  return out;
}

/** What each window's point must hold, in the exported units (CPU ratio in 0.001 steps, bytes/s, whole bytes). */
function expectedPoints(samples: Sample[]) {
  return [...windowsOf(samples)].map(([ts, list]) => ({
    ts,
    cpu: Math.round(mean(list, (s) => s.cpu.total)! * 10) / 1000,
    core1: Math.round(mean(list, (s) => s.cpu.cores[1])! * 10) / 1000,
    memUsed: Math.round(mean(list, (s) => s.memory.used)!),
    load1: mean(list, (s) => s.load?.one)!,
    rx: ((m) => (m === null ? null : Math.round(m / 8)))(mean(list, (s) => s.net[0]!.rxBitsPerSecond)),
  }));
}

describe('Outbox.nextWindows', () => {
  it('averages complete windows only, never splits one, and ends the cursor on a window boundary', () => {
    const { writer } = newStore();
    const samples = randomSamples(T0, 31, 1000, 3, shape);
    writer.insertSamples(samples);
    writer.insertDiskSample({ ts: T0 + 2000, disks: [{ device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', total: 1000, used: 100, free: 900, available: 850 }] });
    writer.insertDiskSample({ ts: T0 + 7000, disks: [{ device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', total: 1000, used: 301, free: 699, available: 649 }] });
    const outbox = new Outbox(writer);
    // 31 samples: three complete windows; the fourth (T0+30 s) is still filling.
    const all = outbox.nextWindows(null, 1000, WINDOW_MS);
    expect(all.samples.map((s) => s.ts)).toEqual([T0, T0 + 10_000, T0 + 20_000]);
    expect(all.raw).toBe(30);
    expect(all.toTs).toBe(T0 + 30_000 - 1);
    const first = all.samples[0]!;
    expect(first.memory.used).toBe(mean(samples.slice(0, 10), (s) => s.memory.used));
    expect(first.cpu.cores[0]).toBeCloseTo(mean(samples.slice(0, 10), (s) => s.cpu.cores[0])!, 9);
    expect(first.net[0]!.rxBitsPerSecond).toBe(mean(samples.slice(0, 10), (s) => s.net[0]!.rxBitsPerSecond));
    expect(all.disks).toEqual<DiskSample[]>([{ ts: T0, disks: [{ device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', total: 1000, used: 201, free: 800, available: 750 }] }]);
    // A limit of 15 samples takes two whole windows (20 samples), not one and a half.
    const two = outbox.nextWindows(null, 15, WINDOW_MS);
    expect(two.samples.map((s) => s.ts)).toEqual([T0, T0 + 10_000]);
    expect(two.raw).toBe(20);
    // After the last complete window: nothing until a sample completes the next one.
    expect(outbox.nextWindows(all.toTs, 1000, WINDOW_MS).samples).toEqual([]);
    writer.insertSamples(randomSamples(T0 + 40_000, 1, 1000, 4, shape));
    const next = outbox.nextWindows(all.toTs, 1000, WINDOW_MS);
    expect(next.samples.map((s) => s.ts)).toEqual([T0 + 30_000]);
    expect(next.raw).toBe(1);
    expect(next.samples[0]!.memory.used).toBe(samples[30]!.memory.used);
    // Pending: the samples of complete windows only; those of the window still filling wait by design.
    expect(outbox.pending(null)).toBe(32);
    expect(outbox.pending(null, WINDOW_MS)).toBe(31);
    expect(outbox.pending(all.toTs, WINDOW_MS)).toBe(1);
    expect(outbox.pending(next.toTs, WINDOW_MS)).toBe(0);
  });
});

describe.skipIf(!run)('influx.intervalSeconds against the real servers', () => {
  let influx: InfluxService;

  beforeAll(async () => {
    influx = await startInfluxDB({ databases: ['windows', 'raw'] });
  });
  afterAll(async () => {
    await influx?.stop();
  });

  it('InfluxDB: 30 s at 1 s with 10 s windows are 3 points per series, each the mean of its window at its start, as GROUP BY time(10s) computes it', async () => {
    const { dataDir, writer } = newStore();
    // 30 s of samples and one more, which completes the third window (and starts a fourth, not sent).
    const samples = randomSamples(T0, 31, 1000, 21, shape);
    writer.insertSamples(samples);
    const target = new InfluxTarget({ url: influx.url, db: 'windows', windowSeconds: 10 });
    startSync(dataDir, target);
    await waitFor(() => readSyncState(dataDir)?.targets.influx?.cursor === T0 + 30_000 - 1, 'three windows delivered');

    const want = expectedPoints(samples.slice(0, 30));
    const select = async (q: string, db = 'windows') => (await influx.query(q, db)).results[0]!.series?.[0]?.values ?? [];
    expect(await select('SELECT "usage_ratio" FROM "vigil_cpu"')).toEqual(want.map((p) => [p.ts, p.cpu]));
    expect(await select(`SELECT "usage_ratio" FROM "vigil_cpu_core" WHERE "cpu" = '1'`)).toEqual(want.map((p) => [p.ts, p.core1]));
    expect(await select('SELECT "used_bytes" FROM "vigil_memory"')).toEqual(want.map((p) => [p.ts, p.memUsed]));
    const load = await select('SELECT "load1" FROM "vigil_system"');
    expect(load.map((row) => row[0])).toEqual(want.map((p) => p.ts));
    load.forEach((row, i) => expect(row[1] as number).toBeCloseTo(want[i]!.load1, 9));
    expect(await select(`SELECT "receive_bytes_per_second" FROM "vigil_network" WHERE "device" = 'eth0'`)).toEqual(want.filter((p) => p.rx !== null).map((p) => [p.ts, p.rx]));

    // The same samples sent one point each, averaged by InfluxDB itself: the same windows, the same means.
    const raw = new InfluxTarget({ url: influx.url, db: 'raw' });
    const batch: SyncBatch = {
      machine,
      agent: { state: 'running', intervalSeconds: 1, syncIntervalSeconds: 1, version: 'test', healthUrl: null },
      fromTs: T0 - 1,
      toTs: T0 + 29_999,
      samples: samples.slice(0, 30),
      disks: [],
      hosts: [],
    };
    await raw.send(batch, new AbortController().signal);
    const theirs = await select(`SELECT mean("used_bytes") FROM "vigil_memory" WHERE time >= ${T0}ms AND time < ${T0 + 30_000}ms GROUP BY time(10s)`, 'raw');
    expect(theirs.map((row) => row[0])).toEqual(want.map((p) => p.ts));
    theirs.forEach((row, i) => expect(Math.abs((row[1] as number) - want[i]!.memUsed)).toBeLessThanOrEqual(0.5));
  });

  it('VictoriaMetrics: an outage in the middle and a restart with a window half full lose nothing and send no window twice', async () => {
    const { dataDir, writer } = newStore();
    const port = await freePort();
    const storageDir = tempDir('vigil-windows-vm-');
    let vm: VictoriaMetricsService | null = await startVictoriaMetrics({ port, storageDir });
    const url = `http://127.0.0.1:${port}`;
    const samples = randomSamples(T0 + 600_000, 51, 1000, 22, shape);
    const cursor = () => readSyncState(dataDir)?.targets.influx?.cursor;
    try {
      // Window 0 complete, window 1 half full.
      writer.insertSamples(samples.slice(0, 15));
      let service = startSync(dataDir, new InfluxTarget({ url, db: 'w', windowSeconds: 10 }));
      await waitFor(() => cursor() === T0 + 610_000 - 1, 'window 0 delivered');

      // The outage: windows 1 and 2 complete while VictoriaMetrics is down, and wait.
      await vm.stop();
      vm = null;
      writer.insertSamples(samples.slice(15, 35));
      await waitFor(() => service.status().influx?.lastError?.includes('ECONNREFUSED') === true, 'a refused send');
      expect(cursor()).toBe(T0 + 610_000 - 1);
      // Behind by windows 1 and 2 (20 samples, 20 s); window 3's five samples are not due yet.
      expect(service.pending().influx).toBe(20);
      expect(syncReport(dataDir, writer, true, 1)[0]).toMatchObject({ name: 'influx', pendingSamples: 20, lagSeconds: 20 });

      // The sync service restarts with window 3 half full (samples 30..34 stored).
      await services.pop()!.stop();
      service = startSync(dataDir, new InfluxTarget({ url, db: 'w', windowSeconds: 10 }));
      vm = await startVictoriaMetrics({ port, storageDir });
      await waitFor(() => cursor() === T0 + 630_000 - 1, 'windows 1 and 2 delivered after the outage', 20_000);

      // Samples 35..50 complete windows 3 (both runs' samples) and 4; window 5 (sample 50) stays.
      writer.insertSamples(samples.slice(35));
      await waitFor(() => cursor() === T0 + 650_000 - 1, 'windows 3 and 4 delivered');
      expect(service.status().influx).toMatchObject({ samplesSent: 50 - 10, consecutiveFailures: 0 });
      // Sample 50 waits for its window to end: caught up all the same, for vigil status and the tray.
      expect(service.pending().influx).toBe(0);
      expect(readSyncState(dataDir)?.targets.influx?.windowMs).toBe(WINDOW_MS);
      const [report] = syncReport(dataDir, writer, true, 1);
      expect(report).toMatchObject({ pendingSamples: 0, lagSeconds: 0 });
      expect(syncLines([report!], Date.now())[0]).toMatch(/^Sync {5}influx http:\/\/127\.0\.0\.1:\d+\/write\?db=w&precision=ms: caught up, /);

      const want = expectedPoints(samples.slice(0, 50));
      await vm.flush();
      const range = { from: T0, to: T0 + 3_600_000 };
      const [cpu] = await vm.exportSeries(`vigil_cpu_usage_ratio{db="w"}`, range);
      // Exactly one point per window (VictoriaMetrics keeps a second write of the same point: none came).
      expect(cpu!.timestamps).toEqual(want.map((p) => p.ts));
      expect(cpu!.values).toEqual(want.map((p) => p.cpu));
      const [used] = await vm.exportSeries(`vigil_memory_used_bytes{db="w"}`, range);
      expect(used!.timestamps).toEqual(want.map((p) => p.ts));
      expect(used!.values).toEqual(want.map((p) => p.memUsed));
      const [core] = await vm.exportSeries(`vigil_cpu_core_usage_ratio{db="w",cpu="1"}`, range);
      expect(core!.values).toEqual(want.map((p) => p.core1));
    } finally {
      await vm?.stop();
    }
  });
});

/** The samples a data folder's vigil.db holds, read after the process wrote them. */
function storedSamples(file: string): Sample[] {
  const store = openSampleStore(file, { readonly: true });
  try {
    return [...store.iterateRows(0, Number.MAX_SAFE_INTEGER)].map((row) => unflattenSample(row.ts, row.series, row.values));
  } finally {
    store.close();
  }
}

/** The vigil_memory_used_bytes points VictoriaMetrics holds for one machine: [ts, value]. */
async function memoryPoints(vm: VictoriaMetricsService, machineId: string): Promise<[number, number][]> {
  await vm.flush();
  const [series] = await vm.exportSeries(`vigil_memory_used_bytes{machine_id="${machineId}"}`, { from: Date.now() - 3_600_000, to: Date.now() + 60_000 });
  return series ? series.timestamps.map((ts, i) => [ts, series.values[i]!]) : [];
}

/** What a store's complete 2 s windows must have become: one point each, at its start, the mean of its samples. */
function memoryWindows(stored: Sample[], windowMs: number, cursor: number): [number, number][] {
  const byWindow = new Map<number, number[]>();
  for (const s of stored.filter((x) => x.ts <= cursor)) {
    const start = Math.floor(s.ts / windowMs) * windowMs;
    byWindow.set(start, [...(byWindow.get(start) ?? []), s.memory.used]);
  }
  return [...byWindow].map(([ts, values]) => [ts, Math.round(values.reduce((a, b) => a + b, 0) / values.length)]);
}

describe.skipIf(!hasBinary('victoria-metrics') && process.env.CI !== 'true')('--influx-interval (real CLI and VictoriaMetrics)', () => {
  it('vigil agent and vigil hub write one point per window, the mean of the samples they stored', { timeout: scaledTimeout(60_000) }, async () => {
    const vm = await startVictoriaMetrics();
    const agentDir = tempDir('vigil-agent-');
    const hubDir = tempDir('vigil-hub-');
    const pacing = { sync: { intervalSeconds: 1, maxBackoffSeconds: 1 }, storage: { flushSeconds: 1 } };
    fs.writeFileSync(path.join(agentDir, 'config.json'), JSON.stringify(pacing));
    fs.writeFileSync(path.join(hubDir, 'config.json'), JSON.stringify({ ...pacing, hub: { sampleSelf: true } }));
    const agent = startVigil(['agent', '--data-dir', agentDir, '--influx', vm.url, '--influx-interval', '2']);
    const hub = startVigil(['hub', '--data-dir', hubDir, '--port', '0', '--influx', vm.url, '--influx-interval', '2']);
    const cursorOf = (dir: string) => readSyncState(dir)?.targets.influx?.cursor ?? null;
    try {
      await waitFor(() => fs.existsSync(path.join(agentDir, 'machine-id')) && fs.existsSync(path.join(hubDir, 'machine-id')), 'both machine ids');
      const ids = [fs.readFileSync(path.join(agentDir, 'machine-id'), 'utf8').trim(), fs.readFileSync(path.join(hubDir, 'machine-id'), 'utf8').trim()];
      // Three windows each: a cursor on a window's last ms, 6 s after the first sample.
      await waitFor(
        () => [agentDir, hubDir].every((dir) => {
          const cursor = cursorOf(dir);
          const first = cursor === null ? undefined : storedSamples(path.join(dir, 'vigil.db'))[0]?.ts;
          return cursor !== null && first !== undefined && cursor - first >= 6000;
        }),
        `three windows from each (agent: ${agent.output.stderr}, hub: ${hub.output.stderr})`,
        scaledTimeout(30_000),
      );
      for (const [dir, id] of [[agentDir, ids[0]!], [hubDir, ids[1]!]] as const) {
        const cursor = cursorOf(dir)!;
        expect((cursor + 1) % 2000).toBe(0);
        const points = (await memoryPoints(vm, id)).filter(([ts]) => ts <= cursor);
        expect(points.every(([ts]) => ts % 2000 === 0)).toBe(true);
        expect(points).toEqual(memoryWindows(storedSamples(path.join(dir, 'vigil.db')), 2000, cursor));
      }
    } finally {
      agent.kill('SIGTERM');
      hub.kill('SIGTERM');
      await Promise.all([finished(agent), finished(hub)]);
      await vm.stop();
    }
  });

  it('a bad --influx-interval, or one without --influx, is refused with a clear error', async () => {
    const bad = await runVigil(['agent', '--data-dir', tempDir('vigil-agent-'), '--influx', 'http://127.0.0.1:9', '--influx-interval', '10s']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--influx-interval.*expected whole seconds from 0 \(every sample\) to 3600/);
    const alone = await runVigil(['hub', '--data-dir', tempDir('vigil-hub-'), '--port', '0', '--influx-interval', '60']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--influx-interval given but InfluxDB is off: add --influx URL/);
  });
});
