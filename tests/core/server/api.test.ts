// The chart API over HTTP (Fastify inject), every endpoint with good and bad input, on a store
// holding fixture days in Europe/Paris. Responses are checked against the routes' own result
// schemas (the ones the hub's OpenAPI publishes) and against the store itself.
import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportCsv } from '../../../src/core/csv/export.js';
import { silentLogger } from '../../../src/core/log.js';
import { registerApiRoutes } from '../../../src/core/server/api-routes.js';
import { ChartService } from '../../../src/core/server/chart-service.js';
import { createHttpServer, hashToken, listenOn } from '../../../src/core/server/http-server.js';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import type { SampleStore } from '../../../src/core/storage/types.js';
import { API_ROUTES, CHART_KEYS, EXPORT_ROWS_HEADER, MAX_POINTS, type ApiMethod, type SeriesResult } from '../../../src/shared/api.js';
import { readEventStream } from '../../../src/shared/api-client.js';
import { dayBounds, parseDay } from '../../../src/shared/dates.js';
import type { HostRecord, Sample } from '../../../src/shared/model.js';
import { chooseBucketMs } from '../../../src/shared/query.js';
import { seededRandom } from '../../helpers/random.js';
import { shapedSample } from '../../renderer/fixtures.js';

// Days are the process's local days: this file runs as a Paris machine.
const originalTz = process.env.TZ;
process.env.TZ = 'Europe/Paris';

const FULL = '14-11-2025'; // every 10 s; eth0, lo (loopback), docker0 (virtual)
const EMPTY = '13-11-2025';
const MIDDAY = '12-11-2025'; // every 60 s; wlan0 from 12:00
const DST = '26-10-2025'; // 25 hours, every 60 s
const NOW = dayBounds(parseDay('22-11-2025')).from + 15 * 3_600_000;

const HOST: HostRecord = {
  ts: dayBounds(parseDay(FULL)).from,
  host: {
    hostname: 'web-1',
    user: 'vigil',
    platform: 'linux',
    os: 'Debian GNU/Linux 12 (bookworm)',
    kernel: '6.1.0',
    arch: 'x64',
    bootTime: 1_700_000_000_000,
    cpu: { model: 'Test CPU', cores: 4, threads: 8, maxFrequencyMhz: 3000 },
    interfaces: [{ name: 'eth0', loopback: false, virtual: false, mtu: 1500, mac: '02:00:00:00:00:01', ipv4: ['10.0.0.5'], ipv6: [] }],
  },
};

function day(text: string, stepMs: number, seed: number, ifaces: (hour: number) => { name: string; loopback?: boolean; virtual?: boolean }[]): Sample[] {
  const { from, to } = dayBounds(parseDay(text));
  const random = seededRandom(seed);
  const out: Sample[] = [];
  for (let ts = from; ts < to; ts += stepMs) out.push(shapedSample(ts, (ts - from) / 3_600_000, random, ifaces((ts - from) / 3_600_000)));
  return out;
}

let store: SampleStore;
let app: FastifyInstance;
let service: ChartService;
const live: { sample: Sample | null } = { sample: null };

beforeAll(async () => {
  store = openSampleStore(':memory:');
  store.insertSamples(day(FULL, 10_000, 1, () => [{ name: 'docker0', virtual: true }, { name: 'eth0' }, { name: 'lo', loopback: true }]));
  store.insertSamples(day(MIDDAY, 60_000, 2, (h) => (h >= 12 ? [{ name: 'eth0' }, { name: 'wlan0' }] : [{ name: 'eth0' }])));
  store.insertSamples(day(DST, 60_000, 3, () => [{ name: 'eth0' }]));
  store.insertHostSnapshot(HOST);
  service = new ChartService({ store, identity: { id: 'machine-1', name: 'web 1/prod' }, latest: () => live.sample, intervalSeconds: () => 10, now: () => NOW });
  app = await createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
  registerApiRoutes(app, { service: () => service });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  store?.close();
  process.env.TZ = originalTz;
});

const ajv = new Ajv({ strict: false });
async function get<T = unknown>(url: string, expectStatus = 200): Promise<T> {
  const response = await app.inject({ url });
  expect(response.statusCode, `${url}: ${response.body.slice(0, 300)}`).toBe(expectStatus);
  return response.json() as T;
}
/** A 200 that also matches the route's published result schema. */
async function ok<T>(method: ApiMethod, query: string): Promise<T> {
  const body = await get<T>(`/api${API_ROUTES[method].path}${query}`);
  const validate = ajv.compile(API_ROUTES[method].result);
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
  return body;
}
async function bad(url: string, code: string, message: RegExp | string, status = 400): Promise<void> {
  const body = await get<{ error: { code: string; message: string } }>(url, status);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(message);
}

describe('GET /api/host', () => {
  it("names the machine, its zone and today, the stored range and the latest host snapshot", async () => {
    const host = await ok<Record<string, unknown>>('host', '');
    expect(host).toMatchObject({ machine: { id: 'machine-1', name: 'web 1/prod' }, timeZone: 'Europe/Paris', today: '22-11-2025', now: NOW, intervalSeconds: 10 });
    expect(host.firstSampleTs).toBe(dayBounds(parseDay(DST)).from);
    expect(host.lastSampleTs).toBe(dayBounds(parseDay(FULL)).to - 10_000);
    expect(host.host).toEqual(HOST.host);
  });
});

describe('GET /api/days', () => {
  it('lists the days holding data; a calendar month reaching past today is cut at today', async () => {
    expect(await ok('days', '?from=01-10-2025&to=30-11-2025')).toEqual({ from: '01-10-2025', to: '22-11-2025', days: [DST, MIDDAY, FULL] });
    expect((await ok<{ days: string[] }>('days', `?from=${EMPTY}&to=${EMPTY}`)).days).toEqual([]);
  });

  it('refuses bad days, reversed and too long ranges, a future start', async () => {
    await bad('/api/days?from=31-02-2025&to=01-03-2025', 'invalid_date', 'Invalid date "31-02-2025": no such day in the calendar');
    await bad('/api/days?from=2025-11-01&to=30-11-2025', 'invalid_date', 'expected DD-MM-YYYY');
    await bad('/api/days?from=20-11-2025&to=01-11-2025', 'invalid_range', 'from 20-11-2025 is after to 01-11-2025');
    await bad('/api/days?from=01-01-2020&to=01-01-2022', 'invalid_range', 'ask for at most 400');
    await bad('/api/days?from=01-12-2025&to=31-12-2025', 'future_date', '01-12-2025 is in the future (today is 22-11-2025)');
    await bad('/api/days?from=01-11-2025', 'invalid_argument', /to/);
  });
});

describe('GET /api/day', () => {
  it('buckets a day min/avg/max at a round width for the points asked, with the chart series only', async () => {
    const body = await ok<SeriesResult>('day', `?date=${FULL}&points=600`);
    const { from, to } = dayBounds(parseDay(FULL));
    expect(body).toMatchObject({ day: FULL, from, to, bucketMs: chooseBucketMs(to - from, 600), resolution: '1m' });
    expect(body.timestamps).toHaveLength(480);
    expect(body.timestamps.length).toBeLessThanOrEqual(600);
    // Every recorded series, in canonical order.
    expect(body.series.map((s) => s.key)).toEqual([
      'cpu', 'cpu.0', 'cpu.1', 'cpu.2', 'cpu.3',
      'mem.total', 'mem.used', 'mem.available', 'mem.free', 'swap.total', 'swap.used',
      'load.1', 'load.5', 'load.15',
      'net.docker0.rx', 'net.docker0.tx', 'net.eth0.rx', 'net.eth0.tx', 'net.lo.rx', 'net.lo.tx',
    ]);
    expect(body.interfaces).toEqual([
      { name: 'docker0', loopback: false, virtual: true },
      { name: 'eth0', loopback: false, virtual: false },
      { name: 'lo', loopback: true, virtual: false },
    ]);
    // The same buckets the store computes, averages rounded to a tenth of a step.
    const direct = store.query({ from, to, bucketMs: body.bucketMs, keys: [...CHART_KEYS] });
    expect(direct.series.map((c) => c.key)).toEqual(body.series.map((c) => c.key));
    const cpu = body.series[0]!;
    const directCpu = direct.series.find((s) => s.key === 'cpu')!;
    expect(cpu.min).toEqual(directCpu.min);
    expect(cpu.max).toEqual(directCpu.max);
    cpu.avg.forEach((v, i) => expect(v).toBeCloseTo(directCpu.avg[i]!, 2));
    // And what the raw samples of one bucket say.
    const bucket = 100;
    const start = body.timestamps[bucket]!;
    const raw = [...store.iterateRows(start, start + body.bucketMs!)].map((r) => r.values[r.series.findIndex((s) => s.key === 'cpu')]!);
    expect(cpu.min![bucket]).toBe(Math.min(...raw));
    expect(cpu.max![bucket]).toBe(Math.max(...raw));
    expect(cpu.avg[bucket]).toBeCloseTo(raw.reduce((a, b) => a + b, 0) / raw.length, 2);
  });

  it('keys and iface narrow the series; interfaces still lists every one', async () => {
    const body = await ok<SeriesResult>('day', `?date=${FULL}&keys=cpu&keys=net.&iface=eth0`);
    expect(body.series.map((s) => s.key)).toEqual(['cpu', 'net.eth0.rx', 'net.eth0.tx']);
    expect(body.interfaces.map((i) => i.name)).toEqual(['docker0', 'eth0', 'lo']);
    const only = await ok<SeriesResult>('day', `?date=${FULL}&keys=mem.used&iface=lo`);
    expect(only.series.map((s) => s.key)).toEqual(['mem.used', 'net.lo.rx', 'net.lo.tx']);
  });

  it('an interface appearing at noon has values from noon on', async () => {
    const body = await ok<SeriesResult>('day', `?date=${MIDDAY}&points=200`);
    const wlan = body.series.find((s) => s.key === 'net.wlan0.rx')!;
    const first = wlan.avg.findIndex((v) => v !== null);
    expect(body.timestamps[first]).toBe(dayBounds(parseDay(MIDDAY)).from + 12 * 3_600_000);
    expect(wlan.avg.slice(0, first).every((v) => v === null)).toBe(true);
  });

  it('a DST day has 25 hours of buckets', async () => {
    const body = await ok<SeriesResult>('day', `?date=${DST}&points=100`);
    expect(body.to - body.from).toBe(25 * 3_600_000);
    expect(body.bucketMs).toBe(900_000);
    expect(body.timestamps).toHaveLength(100);
    // 02:00–03:00 happens twice: both hours have their four buckets.
    expect(new Set(body.timestamps.map((t) => new Date(t).getHours())).size).toBe(24);
    expect(body.timestamps.filter((t) => new Date(t).getHours() === 2)).toHaveLength(8);
  });

  it('an empty day answers 200 with no points', async () => {
    const body = await ok<SeriesResult>('day', `?date=${EMPTY}`);
    expect(body.timestamps).toEqual([]);
    expect(body.series).toEqual([]);
    expect(body.interfaces).toEqual([]);
  });

  it('refuses invalid and future days, unknown interfaces and keys, out-of-range points', async () => {
    await bad('/api/day?date=31-02-2026', 'invalid_date', 'no such day in the calendar');
    await bad('/api/day?date=14/11/2025', 'invalid_date', 'expected DD-MM-YYYY');
    await bad('/api/day?date=23-11-2025', 'future_date', '23-11-2025 is in the future');
    await bad(`/api/day?date=${FULL}&iface=eth9`, 'invalid_argument', 'No data for interface "eth9" in 14-11-2025 (interfaces with data: docker0, eth0, lo)');
    await bad(`/api/day?date=${EMPTY}&iface=eth0`, 'invalid_argument', 'interfaces with data: none');
    await bad(`/api/day?date=${FULL}&keys=disk.sda`, 'invalid_argument', 'Unknown series key "disk.sda"');
    await bad(`/api/day?date=${FULL}&points=5`, 'invalid_argument', /points/);
    await bad(`/api/day?date=${FULL}&points=${MAX_POINTS + 1}`, 'invalid_argument', /points/);
    await bad('/api/day', 'invalid_argument', /date/);
  });
});

describe('GET /api/series', () => {
  const { from } = dayBounds(parseDay(FULL));
  const noon = from + 12 * 3_600_000;

  it('a short range comes as raw samples, without extremes', async () => {
    const body = await ok<SeriesResult>('series', `?from=${noon}&to=${noon + 600_000}&points=200`);
    expect(body).toMatchObject({ day: null, bucketMs: null, resolution: 'raw' });
    expect(body.timestamps).toHaveLength(60);
    expect(body.timestamps[1]! - body.timestamps[0]!).toBe(10_000);
    expect(body.series[0]!.min).toBeUndefined();
    const direct = store.query({ from: noon, to: noon + 600_000, keys: ['cpu'] });
    expect(body.series[0]!.avg).toEqual(direct.series[0]!.avg);
  });

  it('samples every 10 s fit raw where 1 s ones would not (points ≥ samples in range)', async () => {
    const body = await ok<SeriesResult>('series', `?from=${noon}&to=${noon + 3_600_000}&points=400`);
    expect(body.bucketMs).toBeNull();
    expect(body.timestamps).toHaveLength(360);
    const coarser = await ok<SeriesResult>('series', `?from=${noon}&to=${noon + 3_600_000}&points=100`);
    expect(coarser.bucketMs).toBe(60_000);
  });

  it('an explicit bucket width is used as given', async () => {
    const body = await ok<SeriesResult>('series', `?from=${noon}&to=${noon + 3_600_000}&bucketMs=300000&iface=eth0`);
    expect(body.bucketMs).toBe(300_000);
    expect(body.timestamps).toEqual(Array.from({ length: 12 }, (_, i) => noon + i * 300_000));
    expect(body.series.filter((s) => s.key.startsWith('net.')).map((s) => s.key)).toEqual(['net.eth0.rx', 'net.eth0.tx']);
  });

  it('refuses a reversed or future range, too many buckets, malformed numbers', async () => {
    await bad(`/api/series?from=${noon}&to=${noon}`, 'invalid_range', 'must be before');
    await bad(`/api/series?from=${noon + 1000}&to=${noon}`, 'invalid_range', 'must be before');
    await bad(`/api/series?from=${NOW + 3_600_000}&to=${NOW + 7_200_000}`, 'future_date', 'in the future');
    await bad(`/api/series?from=${from}&to=${from + 86_400_000}&bucketMs=1000`, 'invalid_argument', 'gives 86400 buckets');
    await bad(`/api/series?from=yesterday&to=${noon}`, 'invalid_argument', /from/);
    await bad(`/api/series?from=${noon}`, 'invalid_argument', /to/);
    await bad(`/api/series?from=${noon}&to=${noon + 600_000}&iface=wlan0`, 'invalid_argument', 'No data for interface "wlan0" in this range');
  });
});

describe('GET /api/range', () => {
  it('whole local days from one to another, both included, bucketed from the rollups', async () => {
    const body = await ok<SeriesResult>('range', `?from=${MIDDAY}&to=${FULL}&points=300&keys=cpu`);
    const from = dayBounds(parseDay(MIDDAY)).from;
    const to = dayBounds(parseDay(FULL)).to;
    expect(body).toMatchObject({ day: null, from, to, bucketMs: chooseBucketMs(to - from, 300), resolution: '1m' });
    // The empty day between is a run of empty buckets, not an error.
    const emptyDay = dayBounds(parseDay(EMPTY));
    expect(body.timestamps.some((t) => t >= emptyDay.from && t < emptyDay.to)).toBe(false);
    const direct = store.query({ from, to, bucketMs: body.bucketMs, keys: ['cpu'] });
    expect(body.series[0]!.max).toEqual(direct.series[0]!.max);
  });

  it('a month of the machine: October holds the 25-hour day', async () => {
    const body = await ok<SeriesResult>('range', '?from=01-10-2025&to=31-10-2025&points=200&keys=cpu');
    expect(body.to - body.from).toBe(31 * 86_400_000 + 3_600_000);
    expect(body.resolution).toBe('1h');
    expect(body.timestamps.length).toBeGreaterThan(0);
  });

  it('a period reaching past today is drawn to its end; one starting after today is refused', async () => {
    const body = await ok<SeriesResult>('range', '?from=17-11-2025&to=23-11-2025&keys=cpu');
    expect(body.to).toBe(dayBounds(parseDay('23-11-2025')).to);
    await bad('/api/range?from=23-11-2025&to=30-11-2025', 'future_date', '23-11-2025 is in the future (today is 22-11-2025)');
    await bad(`/api/range?from=${FULL}&to=${MIDDAY}`, 'invalid_range', `from ${FULL} is after to ${MIDDAY}`);
    await bad('/api/range?from=01-01-2000&to=01-01-2025', 'invalid_range', 'longer than 3660 days');
    await bad('/api/range?from=31-02-2025&to=01-03-2025', 'invalid_date', 'no such day');
    await bad(`/api/range?from=${FULL}`, 'invalid_argument', /to/);
  });
});

describe('GET /api/recent', () => {
  it('the last window up to now, raw, ending with the samples not yet stored', async () => {
    const recentStore = openSampleStore(':memory:');
    const now = dayBounds(parseDay(FULL)).from + 10 * 3_600_000 + 500;
    const random = seededRandom(5);
    const samples = Array.from({ length: 120 }, (_, i) => shapedSample(now - 500 - (119 - i) * 1000, 10, random, [{ name: 'eth0' }]));
    // The engine writes in batches: the last 4 are still in memory.
    recentStore.insertSamples(samples.slice(0, 116));
    const recent = new ChartService({ store: recentStore, identity: { id: 'm', name: 'm' }, now: () => now, unflushed: () => samples.slice(112) });
    try {
      const body = await recent.recent({ windowMs: 60_000, keys: ['cpu', 'net.'] });
      expect(body).toMatchObject({ from: now + 1 - 60_000, to: now + 1, bucketMs: null, resolution: 'raw' });
      expect(body.timestamps).toEqual(samples.slice(60).map((s) => s.ts));
      expect(body.series.map((c) => c.key)).toEqual(['cpu', 'net.eth0.rx', 'net.eth0.tx']);
      expect(body.series[0]!.avg).toEqual(samples.slice(60).map((s) => s.cpu.total));
      expect(body.interfaces).toEqual([{ name: 'eth0', loopback: false, virtual: false }]);
      await expect(recent.recent({ windowMs: 1000 })).rejects.toThrow(/windowMs/);
    } finally {
      recentStore.close();
    }
  });

  it('over HTTP: checked like every other parameter', async () => {
    const body = await ok<SeriesResult>('recent', '?windowMs=3600000&keys=cpu');
    // The fixture machine's now is long after its last sample.
    expect(body.timestamps).toEqual([]);
    await bad('/api/recent?windowMs=10', 'invalid_argument', /windowMs/);
    await bad('/api/recent', 'invalid_argument', /windowMs/);
  });
});

describe('disk usage in a range', () => {
  it('per mount, every reading when raw, the last reading of each bucket otherwise; only when asked for', async () => {
    const diskStore = openSampleStore(':memory:');
    const { from } = dayBounds(parseDay(FULL));
    const random = seededRandom(6);
    diskStore.insertSamples(Array.from({ length: 600 }, (_, i) => shapedSample(from + i * 1000, 0, random, [{ name: 'eth0' }])));
    for (let i = 0; i < 10; i++) {
      diskStore.insertDiskSample({
        ts: from + i * 60_000 + 500,
        disks: [
          { device: '/dev/sdb1', mountPoint: '/home', fsType: 'xfs', total: 500e9, used: 100e9 + i * 1e6 },
          ...(i < 5 ? [{ device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', total: 100e9, used: 40e9 + i * 1e6 }] : []),
        ],
      });
    }
    const disks = new ChartService({ store: diskStore, identity: { id: 'm', name: 'm' }, now: () => NOW });
    try {
      const raw = await disks.series({ from, to: from + 600_000, points: 1000 });
      expect(raw.bucketMs).toBeNull();
      expect(raw.disks!.mounts.map((m) => m.mountPoint)).toEqual(['/', '/home']);
      expect(raw.disks!.timestamps).toHaveLength(10);
      expect(raw.disks!.used[0]!.slice(4, 6)).toEqual([40e9 + 4e6, null]);
      expect(raw.disks!.total[1]![9]).toBe(500e9);
      const bucketed = await disks.series({ from, to: from + 600_000, bucketMs: 300_000 });
      expect(bucketed.disks!.timestamps).toEqual([from, from + 300_000]);
      // The last reading in each bucket.
      expect(bucketed.disks!.used[1]).toEqual([100e9 + 4e6, 100e9 + 9e6]);
      expect((await disks.series({ from, to: from + 600_000, keys: ['cpu'] })).disks).toBeNull();
      expect((await disks.series({ from, to: from + 600_000, keys: ['cpu'], disks: true })).disks!.mounts).toHaveLength(2);
    } finally {
      diskStore.close();
    }
  });
});

describe('GET /api/live', () => {
  it('streams each new sample as a Server-Sent Event, in the hub’s shape, and ends with the server', async () => {
    const listeners = new Set<(sample: Sample) => void>();
    const feed = await createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
    registerApiRoutes(feed, {
      service: () => service,
      live: () => ({
        machineId: 'machine-1',
        subscribe(listener) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      }),
    });
    const url = await listenOn(feed, '127.0.0.1', 0);
    const abort = new AbortController();
    try {
      const response = await fetch(`${url}/api/live`, { signal: abort.signal });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const events: { event: string; data: string }[] = [];
      const reading = readEventStream(response.body!, abort.signal, (event, data) => events.push({ event, data }));
      await vi.waitFor(() => expect(listeners.size).toBe(1));
      const sample = shapedSample(NOW, 15, seededRandom(3), [{ name: 'eth0' }]);
      for (const listener of listeners) listener(sample);
      await vi.waitFor(() => expect(events.filter((e) => e.event === 'sample')).toHaveLength(1));
      expect(events[0]).toEqual({ event: 'retry', data: '3000' });
      expect(JSON.parse(events.find((e) => e.event === 'sample')!.data)).toEqual({ type: 'sample', machineId: 'machine-1', sample });
      // Closing the server ends the stream (it does not wait for the page to leave), and unsubscribes.
      await feed.close();
      await reading;
      expect(listeners.size).toBe(0);
    } finally {
      abort.abort();
      await feed.close();
    }
  });

  it('absent where there is no feed (pages then ask /latest)', async () => {
    expect((await app.inject({ url: '/api/live' })).statusCode).toBe(404);
  });
});

describe('GET /api/latest', () => {
  it('the live sample when there is one, else the newest stored', async () => {
    const stored = await ok<{ sample: Sample }>('latest', '');
    expect(stored.sample.ts).toBe(dayBounds(parseDay(FULL)).to - 10_000);
    expect(stored.sample.net.map((n) => n.iface)).toEqual(['docker0', 'eth0', 'lo']);
    live.sample = shapedSample(NOW - 1000, 14, seededRandom(9), [{ name: 'eth0' }]);
    const fresh = await ok<{ sample: Sample }>('latest', '');
    expect(fresh.sample).toEqual(live.sample);
    live.sample = null;
  });
});

describe('GET /api/export.csv', () => {
  async function csvOf(range: { from: number; to: number }, timeFormat?: 'iso' | 'local' | 'unix'): Promise<string> {
    let text = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    await exportCsv(store, range, sink, { timeFormat });
    return text;
  }

  it('a day as an attachment: the bytes of `vigil export --date`, the row count in a header', async () => {
    const response = await app.inject({ url: `/api/export.csv?date=${FULL}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="web_1_prod-${FULL}.csv"`);
    expect(response.headers[EXPORT_ROWS_HEADER]).toBe('8640');
    expect(response.body).toBe(await csvOf(dayBounds(parseDay(FULL))));
    expect(response.body.split('\r\n')).toHaveLength(8640 + 2);
  });

  it('a range of days, both included', async () => {
    const response = await app.inject({ url: `/api/export.csv?from=${MIDDAY}&to=${FULL}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe(`attachment; filename="web_1_prod-${MIDDAY}_${FULL}.csv"`);
    expect(response.headers[EXPORT_ROWS_HEADER]).toBe(String(1440 + 8640));
    expect(response.body).toBe(await csvOf({ from: dayBounds(parseDay(MIDDAY)).from, to: dayBounds(parseDay(FULL)).to }));
    // wlan0 joined at noon on the first day: its columns are there, empty before.
    expect(response.body.split('\r\n')[0]).toContain('net_wlan0_rx_bps');
  });

  it('timeFormat=local|unix gives the time column as `vigil export --time-format` does', async () => {
    for (const format of ['local', 'unix'] as const) {
      const response = await app.inject({ url: `/api/export.csv?date=${FULL}&timeFormat=${format}` });
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe(await csvOf(dayBounds(parseDay(FULL)), format));
      const firstTime = response.body.split('\r\n')[1]!.split(',')[0]!;
      expect(firstTime).toMatch(format === 'local' ? /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/ : /^\d{10}$/);
    }
    const bogus = await app.inject({ url: `/api/export.csv?date=${FULL}&timeFormat=excel` });
    expect(bogus.statusCode).toBe(400);
  });

  it('refuses what `vigil export` refuses, as JSON errors', async () => {
    await bad(`/api/export.csv?date=${FULL}&from=${FULL}&to=${FULL}`, 'invalid_argument', 'Use either date, or from with to, not both');
    await bad(`/api/export.csv?from=${FULL}`, 'invalid_argument', 'from and to go together (missing to)');
    await bad(`/api/export.csv?from=${FULL}&to=${MIDDAY}`, 'invalid_range', `from ${FULL} is after to ${MIDDAY}`);
    await bad('/api/export.csv?date=30-02-2025', 'invalid_date', 'no such day');
    await bad('/api/export.csv?date=01-01-2030', 'future_date', 'in the future');
    await bad('/api/export.csv', 'invalid_argument', 'Say which days');
  });
});

describe('conventions', () => {
  it('JSON answers are not cached and say how long the query took', async () => {
    const response = await app.inject({ url: `/api/day?date=${FULL}` });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['server-timing']).toMatch(/^query;dur=\d+(\.\d)?$/);
  });

  it('behind a token: every route needs it', async () => {
    const token = 'correct-horse-battery-staple';
    const secured = await createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger, tokenHash: hashToken(token) });
    registerApiRoutes(secured, { service: () => service });
    try {
      for (const url of ['/api/host', `/api/day?date=${FULL}`, `/api/export.csv?date=${FULL}`]) {
        expect((await secured.inject({ url })).statusCode).toBe(401);
        expect((await secured.inject({ url, headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
      }
    } finally {
      await secured.close();
    }
  });

  it('mounts under another prefix with a per-request service (as the hub does per machine)', async () => {
    const hub = await createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
    const seen: string[] = [];
    registerApiRoutes(hub, {
      prefix: '/api/machines/:id',
      service: (request) => {
        seen.push((request.params as { id: string }).id);
        return service;
      },
    });
    try {
      const body = (await hub.inject({ url: `/api/machines/m-7/day?date=${FULL}&points=100` })).json() as SeriesResult;
      expect(body.day).toBe(FULL);
      expect(seen).toEqual(['m-7']);
    } finally {
      await hub.close();
    }
  });
});
