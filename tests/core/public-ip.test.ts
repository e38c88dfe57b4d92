// The public IP lookup: answer parsing, real HTTP against a local server (text, JSON, a timeout,
// garbage, a 500), the service's state machine on a fake clock, and the whole path through the
// runtime into the host history.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../src/core/http-client.js';
import { silentLogger } from '../../src/core/log.js';
import { lookupPublicIp, normalizeAddress, parsePublicIpAnswer, publicIpFeature, PublicIpService, type PublicIpLookup } from '../../src/core/public-ip.js';
import { Runtime } from '../../src/core/runtime.js';
import { openSampleStore } from '../../src/core/storage/sample-store.js';
import type { PublicIpInfo } from '../../src/shared/model.js';
import { defaultSettings, mergeSettings, type Settings } from '../../src/shared/settings.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import path from 'node:path';

describe('parsePublicIpAnswer', () => {
  it.each([
    ['203.0.113.7\n', '203.0.113.7'],
    ['  198.51.100.1  ', '198.51.100.1'],
    ['2001:DB8::1\n', '2001:db8::1'],
    ['{"ip":"203.0.113.7"}', '203.0.113.7'],
    ['{"ipAddress": "203.0.113.8", "country": "XX"}', '203.0.113.8'],
    ['{"query":"203.0.113.9","status":"success"}', '203.0.113.9'],
    ['"2001:db8::2"', '2001:db8::2'],
    ['fl=1\nh=example\nip=203.0.113.10\nts=1\n', '203.0.113.10'],
  ])('%j → %s', (body, address) => {
    expect(parsePublicIpAnswer(body)).toBe(address);
  });

  it.each([
    ['', /empty answer/],
    ['<html><body>Service unavailable</body></html>', /not an IP address: "<html>/],
    ['203.0.113.300', /not an IP address/],
    ['203.0.113.7/24', /not an IP address/],
    ['fe80::1%eth0', /not an IP address/],
    ['{"ip": 42}', /not an IP address/],
    ['{"country":"XX"}', /no address field/],
    ['{"ip": "203.0.113.7"', /not valid JSON/],
    ['[1,2]', /no address field/],
    ['hello 203.0.113.7', /not an IP address/],
  ])('%j is refused', (body, message) => {
    expect(() => parsePublicIpAnswer(body)).toThrow(message);
  });
});

it('normalizeAddress (no node:net in the agent) accepts exactly what node:net isIP accepts', () => {
  const cases = ['1.2.3.4', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '0.0.0.0', '::', '::1', '2001:db8::1', '2001:DB8:0:0:0:0:0:1',
    '::ffff:1.2.3.4', '1::2::3', '12345::', '2001:db8::g', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', ':1', '1:', '::1.2.3.4', '1:2:3:4:5:6:1.2.3.4',
    '1:2:3:4:5:6:7:1.2.3.4', '1.2.3.4/24', '', 'localhost', '[::1]'];
  for (const text of cases) expect(normalizeAddress(text) !== null, text).toBe(net.isIP(text) !== 0);
  expect(normalizeAddress('fe80::1%eth0')).toBeNull(); // isIP takes zone ids; a public address has none
  expect(normalizeAddress(' 2001:DB8::A ')).toBe('2001:db8::a');
});

describe('lookupPublicIp over HTTP (127.0.0.1)', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      switch (req.url) {
        case '/text':
          return void res.end('203.0.113.7\n');
        case '/json':
          res.setHeader('content-type', 'application/json');
          return void res.end(JSON.stringify({ ip: '2001:db8::7' }));
        case '/slow':
          return void setTimeout(() => res.end('203.0.113.7'), 3000);
        case '/garbage':
          return void res.end(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a]));
        case '/huge':
          return void res.end('1'.repeat(100_000));
        default:
          res.statusCode = 500;
          return void res.end('internal error');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads a text answer and a JSON answer', async () => {
    await expect(lookupPublicIp(`${base}/text`, 2000)).resolves.toBe('203.0.113.7');
    await expect(lookupPublicIp(`${base}/json`, 2000)).resolves.toBe('2001:db8::7');
  });

  it('fails clearly on a timeout, garbage, an oversized answer and a 500', async () => {
    await expect(lookupPublicIp(`${base}/slow`, 200)).rejects.toThrow(/no answer within 200 ms/);
    await expect(lookupPublicIp(`${base}/garbage`, 2000)).rejects.toThrow(/not an IP address/);
    await expect(lookupPublicIp(`${base}/huge`, 2000)).rejects.toThrow(/larger than/);
    await expect(lookupPublicIp(`${base}/error`, 2000)).rejects.toThrow(/HTTP 500 from the lookup service: "internal error"/);
  });
});

/** A lookup whose answers the test scripts: an address, an Error, or 'hang' (until aborted). */
function scriptedLookup(): { lookup: PublicIpLookup; answers: (string | Error | 'hang')[]; calls: string[] } {
  const answers: (string | Error | 'hang')[] = [];
  const calls: string[] = [];
  const lookup: PublicIpLookup = (url, _timeoutMs, signal) => {
    calls.push(url);
    const answer = answers.shift() ?? new Error('no scripted answer');
    if (answer === 'hang') return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return { lookup, answers, calls };
}

function enabledSettings(patch: Partial<Settings['publicIp']> = {}): Settings {
  return mergeSettings(defaultSettings(), { publicIp: { enabled: true, url: 'http://127.0.0.1:9/ip', ...patch } });
}

describe('PublicIpService', () => {
  it('checks at start and every interval; records changes and "unknown since" only when the state changes', async () => {
    const clock = new FakeClock({ wall: Date.UTC(2026, 10, 22, 10, 0, 0) });
    const reports: (PublicIpInfo | undefined)[] = [];
    const { lookup, answers, calls } = scriptedLookup();
    answers.push('203.0.113.7', '203.0.113.7', '203.0.113.8', new Error('timeout'), new Error('HTTP 500'), '203.0.113.8');
    const service = new PublicIpService({ settings: enabledSettings({ intervalMinutes: 10 }), report: (info) => reports.push(info), clock, lookup });
    service.start();
    await clock.advance(0);
    const t0 = clock.now();
    expect(reports).toEqual([{ address: '203.0.113.7', since: t0 }]);
    expect(service.status()).toMatchObject({ enabled: true, address: '203.0.113.7', since: t0, checkedAt: t0, nextCheckAt: t0 + 600_000, error: null });

    await clock.advance(600_000); // same address: nothing new to record, `since` kept
    expect(calls).toHaveLength(2);
    expect(reports.at(-1)).toEqual({ address: '203.0.113.7', since: t0 });
    await clock.advance(600_000); // changed
    expect(reports.at(-1)).toEqual({ address: '203.0.113.8', since: t0 + 1_200_000 });
    await clock.advance(600_000); // fails: unknown since now
    expect(reports.at(-1)).toEqual({ address: null, since: t0 + 1_800_000 });
    expect(service.status()).toMatchObject({ address: null, since: t0 + 1_800_000, error: 'timeout' });
    await clock.advance(600_000); // fails again: still unknown since the first failure, latest error shown
    expect(reports.at(-1)).toEqual({ address: null, since: t0 + 1_800_000 });
    expect(service.status().error).toBe('HTTP 500');
    await clock.advance(600_000); // back
    expect(reports.at(-1)).toEqual({ address: '203.0.113.8', since: t0 + 3_000_000 });
    expect(service.status().error).toBeNull();
    expect(calls).toHaveLength(6);
    await service.stop();
    await clock.advance(3_600_000);
    expect(calls).toHaveLength(6);
  });

  it('continues from the recorded state, so a restart keeps `since`', async () => {
    const clock = new FakeClock();
    const reports: (PublicIpInfo | undefined)[] = [];
    const { lookup, answers } = scriptedLookup();
    answers.push('203.0.113.7');
    const initial = { address: '203.0.113.7', since: clock.now() - 86_400_000 };
    const service = new PublicIpService({ settings: enabledSettings(), report: (info) => reports.push(info), initial, clock, lookup });
    service.start();
    await clock.advance(0);
    expect(reports).toEqual([initial]);
    await service.stop();
  });

  it('off: reports undefined and never calls the lookup; settings turn it on, retarget it and off again live', async () => {
    const clock = new FakeClock();
    const reports: (PublicIpInfo | undefined)[] = [];
    const { lookup, answers, calls } = scriptedLookup();
    const service = new PublicIpService({ settings: defaultSettings(), report: (info) => reports.push(info), clock, lookup });
    service.start();
    await clock.advance(3_600_000);
    expect(calls).toEqual([]);
    expect(reports).toEqual([undefined]);
    expect(service.status()).toMatchObject({ enabled: false, address: null, nextCheckAt: null });

    answers.push('hang', '198.51.100.4');
    service.applySettings(enabledSettings({ url: 'http://127.0.0.1:9/a' }));
    await clock.advance(0);
    // The URL changes while the first check hangs: it is abandoned, the new one counts.
    service.applySettings(enabledSettings({ url: 'http://127.0.0.1:9/b' }));
    await clock.advance(0);
    expect(calls).toEqual(['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b']);
    expect(reports.at(-1)).toEqual({ address: '198.51.100.4', since: clock.now() });

    answers.push('198.51.100.4');
    service.applySettings(enabledSettings({ url: 'http://127.0.0.1:9/b', intervalMinutes: 1 })); // interval only: no extra check now
    await clock.advance(59_000);
    expect(calls).toHaveLength(2);
    await clock.advance(1000);
    expect(calls).toHaveLength(3);

    service.applySettings(defaultSettings());
    expect(reports.at(-1)).toBeUndefined();
    await clock.advance(3_600_000);
    expect(calls).toHaveLength(3);
    await service.stop();
  });

  it('a report that throws is logged, and checks go on', async () => {
    const clock = new FakeClock();
    const { lookup, answers, calls } = scriptedLookup();
    answers.push('203.0.113.1', '203.0.113.2');
    const errors: string[] = [];
    const logger = { ...silentLogger, error: (message: string) => void errors.push(message) };
    const service = new PublicIpService({ settings: enabledSettings({ intervalMinutes: 1 }), report: () => { throw new Error('disk full'); }, clock, lookup, logger });
    service.start();
    await clock.advance(60_000);
    expect(calls).toHaveLength(2);
    expect(errors).toEqual(['could not record the public IP', 'could not record the public IP']);
    await service.stop();
  });
});

describe('public IP through the runtime (host history, API)', () => {
  let server: http.Server;
  let base: string;
  let answer = '203.0.113.7';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (answer === 'fail') {
        res.statusCode = 503;
        return void res.end('busy');
      }
      res.end(req.url === '/json' ? JSON.stringify({ ip: answer }) : answer);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is shown in host info and /api/public-ip, recorded when it changes, carried over a restart', async () => {
    const dataDir = tempDir();
    const settings = mergeSettings(defaultSettings(), { server: { enabled: true, port: 0 }, publicIp: { enabled: true, url: `${base}/json` } });
    let feature = publicIpFeature();
    let runtime = await Runtime.start({ dataDir, settings, logger: silentLogger, role: 'agent', routes: [feature.routes], services: [feature.service] });
    try {
      await waitFor(() => runtime.engine.host()?.host.publicIp?.address === '203.0.113.7', 'the public IP in the host snapshot');
      const api = (await httpRequest({ url: `${runtime.url}/api/public-ip` })).json<Record<string, unknown>>();
      expect(api).toMatchObject({ enabled: true, address: '203.0.113.7', error: null, url: `${base}/json` });

      answer = 'fail';
      await feature.current()!.checkNow();
      expect(runtime.engine.host()!.host.publicIp).toMatchObject({ address: null });
      expect((await httpRequest({ url: `${runtime.url}/api/public-ip` })).json<Record<string, unknown>>()).toMatchObject({ address: null, error: expect.stringMatching(/HTTP 503/) });

      answer = '203.0.113.8';
      await feature.current()!.checkNow();
      expect(runtime.engine.host()!.host.publicIp).toMatchObject({ address: '203.0.113.8' });
    } finally {
      await runtime.stop();
    }
    const history = () => {
      const store = openSampleStore(path.join(dataDir, 'vigil.db'), { readonly: true });
      try {
        return store.hostHistory(0, Date.now() + 1000).map((record) => record.host.publicIp?.address);
      } finally {
        store.close();
      }
    };
    // The sampler's first snapshot may land before the first check (then it has no publicIp).
    expect(history().filter((address) => address !== undefined)).toEqual(['203.0.113.7', null, '203.0.113.8']);
    const before = history().length;

    // Restart with the same address: the last state is carried, nothing new is recorded.
    feature = publicIpFeature();
    runtime = await Runtime.start({ dataDir, settings, logger: silentLogger, role: 'agent', services: [feature.service] });
    try {
      await waitFor(() => feature.current()?.status().checkedAt !== null, 'the first check after the restart');
      expect(runtime.engine.host()!.host.publicIp?.address).toBe('203.0.113.8');
    } finally {
      await runtime.stop();
    }
    expect(history()).toHaveLength(before);

    // Turned off: the next snapshot no longer carries an address.
    feature = publicIpFeature();
    runtime = await Runtime.start({ dataDir, settings: defaultSettings(), logger: silentLogger, role: 'agent', services: [feature.service] });
    try {
      await waitFor(() => runtime.engine.host() !== null && runtime.engine.host()!.host.publicIp === undefined, 'a snapshot without the public IP');
    } finally {
      await runtime.stop();
    }
    expect(history().at(-1)).toBeUndefined();
  });
});
