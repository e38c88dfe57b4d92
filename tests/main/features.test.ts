// The app's core features over a real Runtime: what the tray reads from the real services (peers
// DOWN, sync failing) and the alerts it turns into notifications.
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { Runtime } from '../../src/core/runtime.js';
import { appFeatures, type AppFeatures } from '../../src/main/features.js';
import { writeSecretFile } from '../../src/main/secrets.js';
import { NO_HEALTH } from '../../src/main/tray/state.js';
import { defaultSettings, mergeSettings, type Settings, type SettingsPatch } from '../../src/shared/settings.js';
import { tempDir } from '../helpers/tmp.js';
import { fakeSources } from './helpers/fake-sources.js';

const running: Runtime[] = [];
afterEach(async () => {
  for (const runtime of running.splice(0)) await runtime.stop();
});

async function start(patch: SettingsPatch): Promise<{ features: AppFeatures; runtime: Runtime; settings: Settings }> {
  const dataDir = tempDir();
  const settings = mergeSettings(defaultSettings(), { server: { port: 0 }, ...patch });
  const features = await appFeatures({ dataDir, settings, currentSettings: () => settings, logger: silentLogger });
  const runtime = await Runtime.start({ dataDir, settings, logger: silentLogger, role: 'app', routes: features.routes, services: features.services, sources: fakeSources() });
  running.push(runtime);
  return { features, runtime, settings };
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until<T>(read: () => T, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('app features', () => {
  it('nothing configured: no health to show, no alerts', async () => {
    const { features } = await start({});
    expect(features.health()).toEqual(NO_HEALTH);
    expect(features.takeNewAlerts()).toEqual([]);
    expect(features.routes.length).toBeGreaterThan(0);
  });

  it('sync on without a hub token: the app starts anyway, and the tray says why sync fails', async () => {
    const { features } = await start({ sync: { enabled: true, url: 'http://127.0.0.1:9' } });
    const health = features.health();
    expect(health.sync).toMatchObject({ state: 'failing', message: expect.stringContaining('no hub token') });
    // Failing since the core started, not since each look.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(features.health().sync).toEqual(health.sync);
  });

  it('a peer that does not answer: DOWN in the tray, and one alert to notify', async () => {
    const port = await closedPort();
    const { features } = await start({
      peers: { list: [{ name: 'gone', url: `http://127.0.0.1:${port}` }], checkIntervalSeconds: 1, timeoutSeconds: 1, failuresBeforeDown: 1, learnFromHub: false },
    });
    expect(features.takeNewAlerts()).toEqual([]);
    const health = await until(() => features.health(), (h) => h.peersDown.length > 0, 15_000);
    expect(health).toMatchObject({ peersWatched: 1, peersDown: ['gone'], sync: { state: 'off' } });
    const alerts = await until(() => features.takeNewAlerts(), (a) => a.length > 0, 15_000);
    expect(alerts).toEqual([expect.objectContaining({ severity: 'problem', title: expect.stringContaining('gone') })]);
    expect(features.takeNewAlerts()).toEqual([]);
  }, 40_000);

  it('a DOWN email the SMTP server refuses (5xx): the tray says alert email is failing, until it goes', async () => {
    let refuse = true;
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onRcptTo(_address, _session, callback) {
        if (!refuse) return callback();
        callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    try {
      const smtpPort = (smtp.server.address() as net.AddressInfo).port;
      const port = await closedPort();
      const { features } = await start({
        peers: { list: [{ name: 'gone', url: `http://127.0.0.1:${port}` }], checkIntervalSeconds: 1, timeoutSeconds: 1, failuresBeforeDown: 1, learnFromHub: false },
        smtp: { url: `smtp://127.0.0.1:${smtpPort}`, to: ['ops@example.org'], from: 'vigil@example.org' },
        alerts: { digestSeconds: 0 },
      });
      const failing = await until(() => features.health(), (h) => h.alertEmail !== undefined, 20_000);
      expect(failing).toMatchObject({ peersDown: ['gone'], alertEmail: { since: expect.any(Number), message: expect.stringContaining('550') } });
      refuse = false;
      // The next try is 1–2 s later (backoff), then the tray no longer says it.
      const fine = await until(() => features.health(), (h) => h.alertEmail === undefined, 20_000);
      expect(fine.alertEmail).toBeUndefined();
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  }, 60_000);

  it('Test connection sends the hub a heartbeat with the saved token, and says what the hub answered', async () => {
    const received: { auth: string | undefined; url: string | undefined; body: { samples: unknown[]; machine: { id: string } } }[] = [];
    let answer = 200;
    const hub = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ auth: request.headers.authorization, url: request.url, body: JSON.parse(body) as never });
        response.writeHead(answer, { 'content-type': 'application/json' });
        response.end(answer === 200 ? '{"ok":true,"stored":0}' : '{"error":{"code":"unauthorized","message":"Unknown token"}}');
      });
    });
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(hub.address() as net.AddressInfo).port}`;
      const { features, runtime } = await start({ sync: { url } });
      writeSecretFile(path.join(runtime.engine.paths.dataDir, 'sync-token'), 'machine-token-0123456789');
      expect(await features.testSync!()).toEqual({ ok: true, message: `The hub at ${url}/ accepted this machine's token.` });
      expect(received[0]).toMatchObject({ auth: 'Bearer machine-token-0123456789', url: '/api/ingest', body: { samples: [], machine: { id: runtime.identity.id } } });
      answer = 401;
      await expect(features.testSync!()).rejects.toThrow(/401|token/i);
    } finally {
      hub.close();
    }
  });

  it('Send test email goes through the saved SMTP server at once, and says who got it', async () => {
    const messages: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
        stream.on('end', () => {
          messages.push(text);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    try {
      const port = (smtp.server.address() as net.AddressInfo).port;
      const { features } = await start({ machine: { name: 'laptop-1' }, smtp: { url: `smtp://127.0.0.1:${port}`, to: ['ops@example.org'], from: 'Vigil <vigil@example.org>' } });
      expect(await features.sendTestEmail!()).toEqual({ ok: true, message: `Sent to ops@example.org through smtp://127.0.0.1:${port}.` });
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain('Subject: [Vigil] Test email from laptop-1');
      expect(messages[0]).toContain('This is a test email from the Vigil app on laptop-1');
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it('Test connection without a hub address, Send test email without a server: a plain answer', async () => {
    const { features } = await start({});
    expect(await features.testSync!()).toEqual({ ok: false, message: 'Set the hub address first.' });
    expect(await features.sendTestEmail!()).toEqual({ ok: false, message: 'Set the SMTP server first.' });
  });
});
