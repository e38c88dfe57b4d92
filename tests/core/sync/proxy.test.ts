// Sync and the public IP lookup through the proxy the environment names (HTTP_PROXY, HTTPS_PROXY,
// NO_PROXY, lowercase forms too): a real forward proxy (the `proxy` package, as Squid would) on
// 127.0.0.1 records every request and CONNECT tunnel it carries, in front of a real hub.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createProxy } from 'proxy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpRequest } from '../../../src/core/http-client.js';
import { createLogger } from '../../../src/core/log.js';
import { checkPeerHealth } from '../../../src/core/peers/health-check.js';
import { lookupPublicIp } from '../../../src/core/public-ip.js';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import { HubTarget } from '../../../src/core/sync/hub-target.js';
import { SyncService } from '../../../src/core/sync/service.js';
import { readSyncState } from '../../../src/core/sync/state.js';
import type { Hub } from '../../../src/hub/hub.js';
import { defaultSettings, mergeSettings } from '../../../src/shared/settings.js';
import { waitFor } from '../../helpers/cli.js';
import { randomSamples } from '../../helpers/random.js';
import { tempDir } from '../../helpers/tmp.js';
import { startTestHub } from '../../hub/helpers.js';

const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'];
const savedEnv = new Map<string, string | undefined>();
const cleanup: (() => unknown)[] = [];

beforeEach(() => {
  for (const name of PROXY_VARIABLES) {
    savedEnv.set(name, process.env[name]);
    delete process.env[name];
  }
});

afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
  for (const [name, value] of savedEnv) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

interface RecordingProxy {
  url: string;
  port: number;
  /** Absolute-URI requests (plain http) and CONNECT targets (host:port), in order. */
  seen: string[];
  close(): Promise<void>;
}

/** A forward proxy on 127.0.0.1; with credentials, it answers 407 to requests without them. */
async function startProxy(options: { port?: number; credentials?: string } = {}): Promise<RecordingProxy> {
  const server = createProxy(http.createServer());
  const seen: string[] = [];
  server.prependListener('request', (req: http.IncomingMessage) => seen.push(`${req.method} ${req.url}`));
  server.prependListener('connect', (req: http.IncomingMessage) => seen.push(`CONNECT ${req.url}`));
  if (options.credentials) {
    const expected = `Basic ${Buffer.from(options.credentials).toString('base64')}`;
    server.authenticate = (req) => req.headers['proxy-authorization'] === expected;
  }
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const auth = options.credentials ? `${options.credentials}@` : '';
  return {
    url: `http://${auth}127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function selfSignedCertificate(): { cert: string; key: string } {
  const dir = tempDir('vigil-tls-');
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {
    stdio: 'ignore',
  });
  return { cert, key };
}

const MACHINE = { id: '11111111-2222-4333-8444-555555555555', name: 'laptop' };

function batchOf(samples = randomSamples(Date.now() - 10_000, 10, 1000, 5)) {
  return {
    machine: MACHINE,
    agent: { state: 'running' as const, intervalSeconds: 1, syncIntervalSeconds: 10, version: '0', healthUrl: null },
    fromTs: samples[0]!.ts - 1000,
    toTs: samples.at(-1)!.ts,
    samples,
    disks: [],
    hosts: [],
  };
}

async function hubWith(settings: Record<string, unknown> = {}): Promise<{ hub: Hub; token: string; count: () => number }> {
  const hub = await startTestHub({ settings: { hub: { port: 0, sampleSelf: false, ...settings } } });
  cleanup.push(() => hub.stop());
  const { machine, token } = hub.registry.add('laptop');
  return { hub, token, count: () => hub.pool.get(machine.id).countSamples(0, Date.now() + 1) };
}

describe('outgoing requests through the environment proxy', () => {
  it('sends an http:// hub sync through HTTP_PROXY, with the credentials of its URL', async () => {
    const proxy = await startProxy({ credentials: 'user:s3cret-pass' });
    cleanup.push(() => proxy.close());
    const { hub, token, count } = await hubWith();
    process.env.HTTP_PROXY = proxy.url;

    await new HubTarget({ url: hub.url, token }).send(batchOf(), new AbortController().signal);
    expect(count()).toBe(10);
    expect(proxy.seen).toEqual([`POST ${hub.url}/api/ingest`]);

    // Without the credentials the proxy refuses (407): the header really came from the URL.
    process.env.HTTP_PROXY = proxy.url.replace('user:s3cret-pass@', '');
    await expect(new HubTarget({ url: hub.url, token }).send(batchOf(), new AbortController().signal)).rejects.toThrow(/407/);
    expect(count()).toBe(10);
  });

  it('tunnels an https:// hub sync through HTTPS_PROXY with CONNECT, checking the hub certificate end to end', async () => {
    const proxy = await startProxy();
    cleanup.push(() => proxy.close());
    const tls = selfSignedCertificate();
    const { hub, token, count } = await hubWith({ tlsCertFile: tls.cert, tlsKeyFile: tls.key });
    expect(hub.url).toMatch(/^https:/);
    process.env.https_proxy = proxy.url; // the lowercase form, as curl reads it
    process.env.HTTP_PROXY = 'http://127.0.0.1:1'; // for http:// URLs only: never used here

    await new HubTarget({ url: hub.url, token, ca: fs.readFileSync(tls.cert) }).send(batchOf(), new AbortController().signal);
    expect(count()).toBe(10);
    expect(proxy.seen).toEqual([`CONNECT ${new URL(hub.url).host}`]);

    // The tunnel does not relax TLS: without the hub's CA the certificate is refused, permanently.
    await expect(new HubTarget({ url: hub.url, token }).send(batchOf(), new AbortController().signal)).rejects.toMatchObject({ kind: 'permanent' });
  });

  it('goes direct to the hosts NO_PROXY names, and only to those', async () => {
    const proxy = await startProxy();
    cleanup.push(() => proxy.close());
    const { hub, token, count } = await hubWith();
    process.env.http_proxy = proxy.url;
    const batch = batchOf();
    const send = () => new HubTarget({ url: hub.url, token }).send(batch, new AbortController().signal);

    process.env.NO_PROXY = 'localhost,127.0.0.1';
    await send();
    process.env.NO_PROXY = `other.example, 127.0.0.1:${new URL(hub.url).port}`;
    await send();
    process.env.no_proxy = '*';
    await send();
    expect(count()).toBe(10); // the same batch three times: the hub keeps it once
    expect(proxy.seen).toEqual([]);

    // A NO_PROXY naming another host or port does not bypass.
    delete process.env.no_proxy;
    process.env.NO_PROXY = 'localhost,127.0.0.1:1';
    await send();
    expect(proxy.seen).toEqual([`POST ${hub.url}/api/ingest`]);
  });

  it('loses nothing while the proxy is down, says so without its password, and delivers once it is back', async () => {
    const parked = await startProxy();
    const port = parked.port;
    await parked.close(); // a port where no proxy listens (yet)
    const { hub, token, count } = await hubWith();
    process.env.HTTP_PROXY = `http://user:s3cret-pass@127.0.0.1:${port}`;

    const agentDir = tempDir('vigil-agent-');
    const writer = openSampleStore(path.join(agentDir, 'vigil.db'));
    cleanup.push(() => writer.close());
    const start = Math.floor(Date.now() / 1000) * 1000 - 1000 * 1000;
    writer.insertSamples(randomSamples(start, 300, 1000, 31));
    const logLines: string[] = [];
    const logger = createLogger({ level: 'debug', stream: { write: (text: string) => logLines.push(text) } });
    const settings = mergeSettings(defaultSettings(), { sync: { enabled: true, url: hub.url, batchSamples: 100, intervalSeconds: 1, maxBackoffSeconds: 1 } });
    const service = new SyncService({
      dataDir: agentDir,
      identity: MACHINE,
      logger,
      settings: () => settings,
      state: () => 'running',
      targets: [new HubTarget({ url: hub.url, token })],
      backoffBaseMs: 20,
    });
    service.start();
    cleanup.push(() => service.stop());

    await waitFor(() => readSyncState(agentDir)?.targets.hub?.state === 'retrying', 'sync notices the proxy is down');
    const status = readSyncState(agentDir)!.targets.hub!;
    expect(status.lastError).toContain(`through the proxy http://***:***@127.0.0.1:${port}/`);
    expect(status.lastError).toMatch(/ECONNREFUSED/);
    expect(service.pending()).toEqual({ hub: 300 });
    expect(count()).toBe(0);
    const statusFile = fs.readdirSync(agentDir).map((name) => (fs.statSync(path.join(agentDir, name)).isFile() ? fs.readFileSync(path.join(agentDir, name), 'latin1') : ''));
    for (const text of [...logLines, JSON.stringify(readSyncState(agentDir)), ...statusFile]) expect(text).not.toContain('s3cret');
    expect(logLines.join('')).toMatch(/through the proxy/);

    // The proxy comes back on its port: everything recorded meanwhile arrives, once.
    writer.insertSamples(randomSamples(start + 300 * 1000, 200, 1000, 32));
    const proxy = await startProxy({ port, credentials: 'user:s3cret-pass' });
    cleanup.push(() => proxy.close());
    await waitFor(() => count() === 500, 'backfill through the proxy', 20_000);
    await waitFor(() => readSyncState(agentDir)?.targets.hub?.state === 'idle', 'caught up');
    expect(service.pending()).toEqual({ hub: 0 });
    expect(proxy.seen.length).toBeGreaterThanOrEqual(5);
    expect(new Set(proxy.seen)).toEqual(new Set([`POST ${hub.url}/api/ingest`]));
  });

  it('rejects a proxy variable that is not a usable URL with a clear message, without echoing it', async () => {
    process.env.HTTP_PROXY = 'socks5://user:s3cret-pass@127.0.0.1:1080';
    const error = (await httpRequest({ url: 'http://127.0.0.1:9/', viaEnvProxy: true }).then(
      () => new Error('no error'),
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toMatch(/HTTP_PROXY.*socks5:.*http:\/\/ or https:\/\/ proxies only/);
    expect(error.message).not.toContain('s3cret');
  });

  it('looks up the public IP through the proxy; requests that do not ask for it (peer checks) stay direct', async () => {
    const proxy = await startProxy();
    cleanup.push(() => proxy.close());
    const served: string[] = [];
    const service = http.createServer((req, res) => {
      served.push(req.url!);
      res.end('203.0.113.7\n');
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => service.close(() => resolve())));
    const url = `http://127.0.0.1:${(service.address() as AddressInfo).port}/`;
    process.env.HTTP_PROXY = proxy.url;

    expect(await lookupPublicIp(url, 5000)).toBe('203.0.113.7');
    expect(proxy.seen).toEqual([`GET ${url}`]);
    // A peer's health check is a LAN check: it reaches the peer itself (here with a bad answer).
    await checkPeerHealth(`${url}health`, { timeoutMs: 5000 });
    expect(served).toEqual(['/', '/health']);
    expect(proxy.seen).toHaveLength(1);
  });
});
