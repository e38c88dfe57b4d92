// One contract, two transports: the page's HTTP client against the real server, and the IPC
// client over a bridge that does what Electron's IPC does (structured clone both ways, errors
// wrapped by settle()). Same answers, same errors; the export streams with progress.
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/log.js';
import { registerApiRoutes } from '../../../src/core/server/api-routes.js';
import { ChartService } from '../../../src/core/server/chart-service.js';
import { createHttpServer } from '../../../src/core/server/http-server.js';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import type { SampleStore } from '../../../src/core/storage/types.js';
import { API_METHODS, type ApiMethod, type VigilClient } from '../../../src/shared/api.js';
import { createHttpClient, createIpcClient, queryString, settle, type VigilBridge } from '../../../src/shared/api-client.js';
import { dayBounds, parseDay } from '../../../src/shared/dates.js';
import { VigilError } from '../../../src/shared/errors.js';
import type { TopMinute } from '../../../src/shared/processes.js';
import { apiParams } from '../../../src/main/ipc/validators.js';
import { randomSamples } from '../../helpers/random.js';

const DAY = '14-11-2025';
const { from: START } = dayBounds(parseDay(DAY));
let store: SampleStore;
let service: ChartService;
let app: FastifyInstance;
let http: VigilClient;
let ipc: VigilClient;
const saved: { name: string; text: string }[] = [];
const TOP_MINUTE: TopMinute = {
  ts: START + 3_600_000,
  windowMs: 60_000,
  byCpu: [{ pid: 31, name: 'ffmpeg', cpuPercent: 197.5, memoryBytes: 300 * 1024 * 1024 }],
  byMemory: [{ pid: 8, name: 'postgres', cpuPercent: 1.2, memoryBytes: 2 * 1024 ** 3 }],
};

beforeAll(async () => {
  store = openSampleStore(':memory:');
  // Six hours at 1 s: long enough for the export to arrive in several chunks.
  store.insertSamples(randomSamples(START, 6 * 3600, 1000, 5, { ifaces: [{ name: 'eth0' }, { name: 'lo', loopback: true }] }));
  store.insertTopMinute(TOP_MINUTE);
  service = new ChartService({ store, identity: { id: 'm', name: 'box' }, now: () => START + 30 * 86_400_000 });
  app = await createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
  registerApiRoutes(app, { service: () => service });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  http = createHttpClient({
    baseUrl: `http://127.0.0.1:${port}/api`,
    fetch: (url, init) => fetch(url, init),
    saveFile: (data, name) => void data.text().then((text) => saved.push({ name, text })),
  });

  // What the tray app's main process does per channel, with Electron's serialization both ways.
  const handlers = Object.fromEntries(
    API_METHODS.map((method) => [
      method,
      async (params: unknown) => structuredClone(await settle(() => (service[method] as (p: unknown) => Promise<unknown>)(structuredClone(params)))),
    ]),
  );
  const bridge = {
    ...handlers,
    exportCsv: async (params, onProgress) =>
      structuredClone(
        await settle(async () => {
          const plan = service.planExport(structuredClone(params));
          const { rows } = await service.exportCsv(plan, new Writable({ write: (_c, _e, done) => done() }), { onProgress });
          return { rows, fileName: `/home/me/${plan.fileName}` };
        }),
      ),
  } as VigilBridge;
  ipc = createIpcClient(bridge);
});

afterAll(async () => {
  await app?.close();
  store?.close();
});

const CALLS: [ApiMethod, Record<string, unknown>][] = [
  ['host', {}],
  ['days', { from: '01-11-2025', to: '30-11-2025' }],
  ['day', { date: DAY, points: 300 }],
  ['day', { date: DAY, keys: ['cpu', 'net.'], iface: ['lo'] }],
  ['series', { from: START + 3_600_000, to: START + 3_900_000, points: 500 }],
  ['series', { from: START, to: START + 6 * 3_600_000, bucketMs: 600_000, iface: ['eth0'] }],
  ['latest', {}],
  ['top', { at: START + 3_600_000 + 59_999 }],
  ['top', { at: START }],
];

const BAD: [ApiMethod, Record<string, unknown>, string][] = [
  ['day', { date: '31-02-2026' }, 'invalid_date'],
  ['day', { date: '01-01-2099' }, 'future_date'],
  ['day', { date: DAY, iface: ['eth9'] }, 'invalid_argument'],
  ['days', { from: '20-11-2025', to: '01-11-2025' }, 'invalid_range'],
  ['series', { from: START + 1000, to: START }, 'invalid_range'],
];

describe('HTTP and IPC transports', () => {
  it('give the same answers for every method', async () => {
    for (const [method, params] of CALLS) {
      const viaHttp = await (http[method] as (p: unknown) => Promise<unknown>)(params);
      const viaIpc = await (ipc[method] as (p: unknown) => Promise<unknown>)(params);
      expect(viaIpc, `${method} ${JSON.stringify(params)}`).toEqual(viaHttp);
    }
    const day = (await http.day({ date: DAY, points: 300 })) as { timestamps: number[] };
    expect(day.timestamps.length).toBeGreaterThan(0);
  });

  it('give the top processes of the minute holding `at`, null for a minute without, and refuse a bad `at`', async () => {
    for (const client of [http, ipc]) {
      expect(await client.top({ at: START + 3_600_000 + 30_000 })).toEqual({ minute: START + 3_600_000, top: TOP_MINUTE });
      expect(await client.top({ at: START + 3_660_000 })).toEqual({ minute: START + 3_660_000, top: null });
    }
    const port = (app.server.address() as { port: number }).port;
    for (const query of ['', '?at=abc', '?at=-1', '?at=1.5']) {
      const response = await fetch(`http://127.0.0.1:${port}/api/top${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code, query).toBe('invalid_argument');
    }
    // The app's IPC checks the same schema before calling the service.
    expect(() => apiParams.top!({ at: 'soon' })).toThrow(/at must be integer/);
    expect(() => apiParams.top!({})).toThrow(/must have required property 'at'/);
  });

  it('reject with the same VigilError', async () => {
    for (const [method, params, code] of BAD) {
      const errors: VigilError[] = [];
      for (const client of [http, ipc]) {
        try {
          await (client[method] as (p: unknown) => Promise<unknown>)(params);
        } catch (error) {
          errors.push(error as VigilError);
        }
      }
      expect(errors, `${method} ${JSON.stringify(params)}`).toHaveLength(2);
      expect(errors[0]).toBeInstanceOf(VigilError);
      expect(errors[1]).toBeInstanceOf(VigilError);
      expect(errors[0]!.code).toBe(code);
      expect({ code: errors[1]!.code, message: errors[1]!.message }).toEqual({ code: errors[0]!.code, message: errors[0]!.message });
    }
  });

  it('export a day with progress up to every row (HTTP: a file handed to saveFile; IPC: a saved path)', async () => {
    const progress: [number, number][] = [];
    const result = await http.exportCsv({ date: DAY }, { onProgress: (done, total) => progress.push([done, total]) });
    expect(result).toEqual({ rows: 6 * 3600, fileName: `box-${DAY}.csv` });
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toEqual([6 * 3600, 6 * 3600]);
    for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0]);
    await new Promise((r) => setTimeout(r, 50));
    expect(saved.at(-1)!.name).toBe(`box-${DAY}.csv`);
    expect(saved.at(-1)!.text.split('\r\n')).toHaveLength(6 * 3600 + 2);

    const ipcProgress: number[] = [];
    expect(await ipc.exportCsv({ date: DAY }, { onProgress: (done) => ipcProgress.push(done) })).toEqual({ rows: 6 * 3600, fileName: `/home/me/box-${DAY}.csv` });
    expect(ipcProgress.at(-1)).toBe(6 * 3600);
    await expect(ipc.exportCsv({ from: DAY })).rejects.toThrow('from and to go together (missing to)');
    await expect(http.exportCsv({ from: DAY })).rejects.toThrow('from and to go together (missing to)');
  });

  it('a server that is not there is an io_error naming it', async () => {
    const nowhere = createHttpClient({ baseUrl: 'http://127.0.0.1:9/api', fetch: (url, init) => fetch(url, init) });
    await expect(nowhere.host()).rejects.toMatchObject({ code: 'io_error', message: expect.stringContaining('Cannot reach Vigil at http://127.0.0.1:9/api') });
  });

  it('query strings repeat array keys and skip what is unset', () => {
    expect(queryString({ date: DAY, iface: ['eth0', 'wlan 0'], points: 10, keys: undefined })).toBe(`?date=${DAY}&iface=eth0&iface=wlan+0&points=10`);
    expect(queryString({})).toBe('');
  });

  it('settle() never leaks an unexpected error across IPC', async () => {
    expect(await settle(() => 1)).toEqual({ value: 1 });
    expect(await settle(() => Promise.reject(new VigilError('invalid_date', 'bad')))).toEqual({ error: { code: 'invalid_date', message: 'bad' } });
    expect(await settle(() => Promise.reject(new Error('/secret/path: EACCES')))).toEqual({ error: { code: 'internal', message: 'Internal error' } });
  });
});
