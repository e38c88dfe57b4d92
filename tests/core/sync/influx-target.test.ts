// The InfluxDB target against a scripted HTTP server: URLs, auth headers, compression and how each
// answer is classified for the sync service. The real InfluxDB and VictoriaMetrics are in
// influx-services.test.ts.
import { getEventListeners } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSettingsFile } from '../../../src/core/settings.js';
import { InfluxTarget, influxTargetFromSettings, readInfluxToken, writeInfluxToken } from '../../../src/core/sync/influx-target.js';
import { SyncError, type SyncBatch } from '../../../src/core/sync/types.js';
import { VigilError } from '../../../src/shared/errors.js';
import { defaultSettings, mergeSettings } from '../../../src/shared/settings.js';
import { randomSamples } from '../../helpers/random.js';
import { freePort } from '../../helpers/services.js';
import { tempDir } from '../../helpers/tmp.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base: string;
const received: Received[] = [];
/** The next answers, in order; 204 when none is queued. */
const answers: { status: number; body?: string; headers?: Record<string, string> }[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') raw = zlib.gunzipSync(raw);
      received.push({ method: request.method!, url: request.url!, headers: request.headers, body: raw.toString() });
      const answer = answers.shift() ?? { status: 204 };
      response.writeHead(answer.status, answer.headers ?? {});
      response.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function batch(count: number, from = 1_763_800_000_000): SyncBatch {
  const samples = randomSamples(from, count, 1000, 7);
  return {
    machine: { id: '0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b', name: 'box' },
    agent: { state: 'running', intervalSeconds: 1, syncIntervalSeconds: 10, version: 'test', healthUrl: null },
    fromTs: from - 1,
    toTs: samples.at(-1)?.ts ?? from - 1,
    samples,
    disks: [],
    hosts: [],
  };
}

const signal = new AbortController().signal;

async function failure(promise: Promise<unknown>): Promise<SyncError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SyncError);
    return error as SyncError;
  }
  throw new Error('expected a SyncError');
}

describe('InfluxTarget requests', () => {
  it('v1: POST /write?db=…&precision=ms; user:password becomes Basic auth', async () => {
    received.length = 0;
    const target = new InfluxTarget({ url: `${base}/`, db: 'my db', token: 'admin:s3cret' });
    expect(target.api).toBe('v1');
    await target.send(batch(2), signal);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/write?db=my+db&precision=ms');
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from('admin:s3cret').toString('base64')}`);
    expect(request!.headers['content-encoding']).toBeUndefined();
    expect(request!.body).toBe(target.encode(batch(2)));
    expect(request!.body.split('\n').filter(Boolean).every((line) => line.endsWith(String(batch(2).samples[0]!.ts)) || line.endsWith(String(batch(2).samples[1]!.ts)))).toBe(true);
  });

  it('v2: POST /api/v2/write?org=…&bucket=…&precision=ms with Authorization: Token, under a path prefix', async () => {
    received.length = 0;
    const target = new InfluxTarget({ url: `${base}/influx`, org: 'acme', bucket: 'fleet', token: 'tok==' });
    expect(target.api).toBe('v2');
    await target.send(batch(1), signal);
    expect(received[0]!.url).toBe('/influx/api/v2/write?org=acme&bucket=fleet&precision=ms');
    expect(received[0]!.headers.authorization).toBe('Token tok==');
  });

  it('credentials in the URL are Basic auth and never shown in the endpoint', async () => {
    received.length = 0;
    const target = new InfluxTarget({ url: base.replace('http://', 'http://user:p%40ss@') });
    expect(target.endpoint).not.toContain('p%40ss');
    expect(target.endpoint).toContain('***');
    await target.send(batch(1), signal);
    expect(received[0]!.url).toBe('/write?precision=ms');
    expect(received[0]!.headers.authorization).toBe(`Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  });

  it('gzips large batches; a heartbeat (no data) sends nothing', async () => {
    received.length = 0;
    const target = new InfluxTarget({ url: base, db: 'd' });
    const big = batch(200);
    await target.send(big, signal);
    expect(received[0]!.headers['content-encoding']).toBe('gzip');
    expect(received[0]!.body).toBe(target.encode(big));
    await target.send(batch(0), signal);
    expect(received).toHaveLength(1);
  });

  it('leaves no listener on the long-lived abort signal after its requests', async () => {
    const controller = new AbortController();
    const target = new InfluxTarget({ url: base, db: 'd' });
    for (let i = 0; i < 20; i++) await target.send(batch(1), controller.signal);
    answers.push({ status: 500 });
    await failure(target.send(batch(1), controller.signal));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('stops when the agent stops (the signal aborts)', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(new InfluxTarget({ url: base, db: 'd' }).send(batch(1), controller.signal));
    expect(error.kind).toBe('retryable');
    expect(error.message).toContain('aborted');
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => new InfluxTarget({ url: 'ftp://x' })).toThrow(VigilError);
    expect(() => new InfluxTarget({ url: 'not a url' })).toThrow(/Invalid InfluxDB URL/);
  });
});

describe('InfluxTarget error classification', () => {
  const target = () => new InfluxTarget({ url: base, db: 'd' });

  it('5xx and 429 are retryable, with Retry-After as the least wait', async () => {
    answers.push({ status: 503, body: 'overloaded' });
    const e503 = await failure(target().send(batch(1), signal));
    expect(e503.kind).toBe('retryable');
    expect(e503.status).toBe(503);
    answers.push({ status: 429, body: '{"code":"too many requests","message":"slow down"}', headers: { 'retry-after': '7' } });
    const e429 = await failure(target().send(batch(1), signal));
    expect(e429.kind).toBe('retryable');
    expect(e429.retryAfterMs).toBe(7000);
    expect(e429.message).toContain('slow down');
  });

  it('413 asks for a smaller batch', async () => {
    answers.push({ status: 413, body: '{"error":"Request Entity Too Large"}' });
    expect((await failure(target().send(batch(1), signal))).kind).toBe('too_large');
  });

  it('bad credentials, unknown database and rejected data are permanent, with InfluxDB’s message and a hint', async () => {
    answers.push({ status: 401, body: '{"error":"authorization failed"}' });
    const auth = await failure(target().send(batch(1), signal));
    expect(auth.kind).toBe('permanent');
    expect(auth.code).toBe('unauthorized');
    expect(auth.message).toMatch(/authorization failed.*check the token/);
    answers.push({ status: 404, body: '{"error":"database not found: \\"d\\""}' });
    const db = await failure(target().send(batch(1), signal));
    expect(db.kind).toBe('permanent');
    expect(db.message).toMatch(/database not found.*--influx-db/);
    answers.push({ status: 400, body: '{"error":"partial write: field type conflict: input field \\"v\\" on measurement \\"m\\" is type integer, already exists as type float dropped=1"}' });
    expect((await failure(target().send(batch(1), signal))).kind).toBe('permanent');
  });

  it('points beyond the database’s retention are not an error (they would be dropped on every retry)', async () => {
    answers.push({ status: 400, body: '{"error":"partial write: points beyond retention policy dropped=3"}' });
    await expect(target().send(batch(1), signal)).resolves.toBeUndefined();
    answers.push({ status: 422, body: '{"code":"unprocessable entity","message":"failure writing points to database: partial write: points beyond retention policy dropped=1"}' });
    await expect(target().send(batch(1), signal)).resolves.toBeUndefined();
  });

  it('a server that is not there is retryable', async () => {
    const port = await freePort();
    const error = await failure(new InfluxTarget({ url: `http://127.0.0.1:${port}`, db: 'd' }).send(batch(1), signal));
    expect(error.kind).toBe('retryable');
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('influx settings and token file', () => {
  it('is off by default, and builds the target from settings with the token file', () => {
    const dataDir = tempDir();
    expect(influxTargetFromSettings(defaultSettings(), dataDir)).toBeNull();
    const settings = mergeSettings(defaultSettings(), { influx: { enabled: true, url: base, org: 'o', bucket: 'b' } });
    expect(influxTargetFromSettings(settings, dataDir)!.api).toBe('v2');
    writeInfluxToken(path.join(dataDir, 'influx-token'), 'abc:def');
    expect(fs.statSync(path.join(dataDir, 'influx-token')).mode & 0o777).toBe(0o600);
    expect(readInfluxToken(path.join(dataDir, 'influx-token'))).toBe('abc:def');
    expect(readInfluxToken(path.join(dataDir, 'missing'))).toBeNull();
    expect(() => influxTargetFromSettings(mergeSettings(defaultSettings(), { influx: { enabled: true } }), dataDir)).toThrow(/influx.url is empty/);
    expect(() => writeInfluxToken(path.join(dataDir, 'x'), 'has space')).toThrow(/not valid/);
  });

  it('reads the influx section from the settings file (through conf), defaults filled, and refuses what does not fit', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify({ influx: { enabled: true, url: 'https://db.example:8086/prefix', org: 'acme', bucket: 'fleet' } }));
    const settings = (await openSettingsFile(file)).get();
    expect(settings.influx).toEqual({ enabled: true, url: 'https://db.example:8086/prefix', db: '', org: 'acme', bucket: 'fleet', tokenFile: '', caFile: '', intervalSeconds: 0 });
    expect(influxTargetFromSettings(settings, dir)!.endpoint).toBe('https://db.example:8086/prefix/api/v2/write?org=acme&bucket=fleet&precision=ms');
    // Every sample by default; windows when influx.intervalSeconds says so (at most an hour).
    expect(influxTargetFromSettings(settings, dir)!.windowMs).toBeUndefined();
    fs.writeFileSync(file, JSON.stringify({ influx: { enabled: true, url: 'http://vm:8428', intervalSeconds: 60 } }));
    expect(influxTargetFromSettings((await openSettingsFile(file)).get(), dir)!.windowMs).toBe(60_000);
    fs.writeFileSync(file, JSON.stringify({ influx: { intervalSeconds: 3601 } }));
    await expect(openSettingsFile(file)).rejects.toThrow(/invalid.*influx/);
    // Not a URL Vigil can send to; and no token in config.json (it belongs in the token file).
    fs.writeFileSync(file, JSON.stringify({ influx: { url: 'ftp://db' } }));
    await expect(openSettingsFile(file)).rejects.toThrow(/invalid.*influx/);
    fs.writeFileSync(file, JSON.stringify({ influx: { token: 'secret' } }));
    await expect(openSettingsFile(file)).rejects.toThrow(/invalid.*influx/);
  });

  it('warns when the token file is readable by others', () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'influx-token');
    fs.writeFileSync(file, 'tok\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const warnings: string[] = [];
    expect(readInfluxToken(file, (m) => warnings.push(m))).toBe('tok');
    expect(warnings.join()).toMatch(/readable by other users/);
  });
});
