// The shell's wiring, run in plain Node: src/main/app.ts against the recording fake of Electron
// (helpers/fake-electron.ts), the real core (engine, SQLite, CSV) on made-up metric readers and a
// fake clock, and the real electron-store (loaded against a stub 'electron' module).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { acquireDataDirLock, readOwner } from '../../src/core/lock.js';
import { openSampleStore } from '../../src/core/storage/sample-store.js';
import { NO_HEALTH } from '../../src/main/tray/state.js';
import { CONTENT_SECURITY_POLICY } from '../../src/main/windows/options.js';
import { dayBounds, formatDay, dayOf } from '../../src/shared/dates.js';
import { billingPeriodOf } from '../../src/shared/periods.js';
import type { Sample } from '../../src/shared/model.js';
import { formatVolume } from '../../src/shared/units.js';
import { randomSample, seededRandom } from '../helpers/random.js';
import { VigilError } from '../../src/shared/errors.js';
import { tempDir } from '../helpers/tmp.js';
import { advanceUntilSamples, launch, launched, sender, settingsWindow } from './helpers/app-harness.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

describe('tray app: start', () => {
  it('uses the default data folder as userData, registers app:// before ready, creates the tray with the Linux icon', async () => {
    const h = await launched();
    expect(h.fake.world.app.paths.get('userData')).toBe(h.dataDir);
    expect(h.fake.world.privilegedSchemes).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
    expect(h.fake.world.protocolHandlers.has('app')).toBe(true);
    expect(h.fake.world.trays).toHaveLength(1);
    const icon = h.tray().image;
    expect(icon.path).toBe(path.join(repoRoot, 'assets', 'tray', 'tray.png'));
    expect(fs.existsSync(icon.path)).toBe(true);
    expect(icon.template).toBe(false);
    // Nothing sampled yet: the menu says so, and offers every action.
    expect(h.menu().labels()).toEqual([
      'Waiting for the first sample…',
      '---',
      'Open daily chart',
      'Export CSV…',
      '---',
      'Pause sampling',
      'Settings…',
      'Start at login',
      'Open data folder',
      '---',
      'Quit Vigil',
    ]);
    // The settings file is the agent's: <data-dir>/config.json, written by electron-store.
    expect(h.app.settings.path).toBe(path.join(h.dataDir, 'config.json'));
    await h.quit();
  });

  it('macOS: template icon, no dock icon, live title; Windows: .ico, AppUserModelID, a left click opens the chart', async () => {
    const mac = await launched({ platform: 'darwin' });
    expect(mac.tray().image.path).toMatch(/assets\/tray\/trayTemplate\.png$/);
    expect(mac.tray().image.template).toBe(true);
    expect(fs.existsSync(mac.tray().image.path)).toBe(true);
    expect(fs.existsSync(mac.tray().image.path.replace('.png', '@2x.png'))).toBe(true);
    expect(mac.fake.world.app.dockHidden).toBe(true);
    await mac.clock.advance(3000);
    expect(mac.tray().title).toBe('25 % · 25 %');
    await mac.quit();

    const win = await launched({ platform: 'win32' });
    expect(win.tray().image.path).toMatch(/assets[\\/]tray[\\/]tray\.ico$/);
    expect(fs.existsSync(win.tray().image.path)).toBe(true);
    expect(win.fake.world.app.appUserModelId).toBe('app.vigil.monitor');
    expect(win.fake.world.windows).toHaveLength(0);
    win.tray().emit('click');
    expect(win.fake.world.windows).toHaveLength(1);
    expect(win.fake.world.windows[0]!.loads).toEqual(['app://vigil/index.html']);
    await win.quit();
  });

  it('a second launch hands over to the first: it quits at once, and the first one shows its chart window', async () => {
    const second = await launch({ lock: false });
    expect(second.app).toBeNull();
    expect(second.fake.world.app.quitRequests).toBe(1);
    expect(second.fake.world.trays).toHaveLength(0);

    const first = await launched();
    first.fake.world.app.emit('second-instance', {}, ['vigil'], '/');
    expect(first.fake.world.windows).toHaveLength(1);
    await Promise.resolve();
    expect(first.fake.world.windows[0]!.visible).toBe(true);
    await first.quit();
  });

  it('refuses to sample a data folder the agent holds: a dialog names it, and the app exits 75', async () => {
    const dataDir = tempDir('vigil-app-');
    // An agent's lock (taken here: the OS refuses a second holder in the same process too).
    const agentPid = process.pid;
    const agentLock = await acquireDataDirLock(path.join(dataDir, 'agent.lock'), 'agent', dataDir);
    onTestFinished(() => agentLock.release());
    const result = await launch({ dataDir });
    expect(result.app).toBeNull();
    expect(result.fake.world.errorBoxes).toEqual([{ title: 'Vigil is already sampling this machine', content: expect.stringContaining(`Vigil agent (pid ${agentPid})`) }]);
    expect(result.fake.world.app.exitCode).toBe(75);
    expect(result.fake.world.trays).toHaveLength(0);
    // The agent's lock is left alone.
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'agent.lock'), 'utf8')).pid).toBe(agentPid);
  });
});

describe('tray app: menu and tray text', () => {
  it('shows live CPU, RAM and network in the menu and the tooltip; pause and resume', async () => {
    const h = await launched();
    await h.clock.advance(3000);
    expect(h.app.runtime.engine.latest()).not.toBeNull();
    const labels = h.menu().labels();
    expect(labels[0]).toBe('CPU 25 % · RAM 2.00 GiB of 8.00 GiB (25 %)');
    // Loopback traffic is left out of the total.
    expect(labels[1]).toBe('Network ↓ 8.00 kbit/s ↑ 4.00 kbit/s');
    expect(h.tray().toolTip).toBe('Vigil\nCPU 25 % · RAM 25 %\n↓ 8.00 kbit/s ↑ 4.00 kbit/s');

    h.menu().click('Pause sampling');
    await Promise.resolve();
    expect(h.app.runtime.engine.paused).toBe(true);
    expect(h.app.runtime.state()).toBe('paused');
    expect(h.menu().labels()).toContain('Resume sampling');
    expect(h.menu().labels()[0]).toBe('Sampling paused');
    h.menu().click('Resume sampling');
    await Promise.resolve();
    expect(h.app.runtime.engine.paused).toBe(false);
    await h.quit();
  });

  it("shows today's and this billing period's traffic over the physical interfaces, from the database", async () => {
    // 20 minutes at 1 s before launch: eth0 receiving 1 MB/s and sending 250 kB/s, lo far more (left out).
    const dataDir = tempDir('vigil-app-');
    const end = Math.floor(Date.now() / 1000) * 1000 - 5000;
    const random = seededRandom(3);
    const samples: Sample[] = [];
    for (let ts = end - 20 * 60_000; ts < end; ts += 1000) {
      const sample = randomSample(ts, random, { ifaces: [{ name: 'eth0' }, { name: 'lo', loopback: true }], nullRate: 0 });
      sample.net = [
        { iface: 'eth0', rxBitsPerSecond: 8e6, txBitsPerSecond: 2e6, loopback: false, virtual: false },
        { iface: 'lo', rxBitsPerSecond: 8e9, txBitsPerSecond: 8e9, loopback: true, virtual: false },
      ];
      samples.push(sample);
    }
    const store = openSampleStore(path.join(dataDir, 'vigil.db'));
    store.insertSamples(samples);
    store.close();
    const h = await launched({ dataDir });
    // The tray's first refresh with the totals (on a loaded machine, maybe a tick or two later).
    for (let second = 0; second < 10 && !h.menu().labels().some((label) => label.startsWith('Today ↓')); second++) await h.clock.advance(1000);
    // What fell in today and in this month (the default billing period), in seconds of traffic.
    const period = billingPeriodOf(dayOf(end), 1);
    const todayStart = dayBounds(dayOf(end)).from;
    const periodStart = dayBounds(period.from).from;
    const seconds = (from: number) => samples.filter((s) => s.ts >= from).length;
    const labels = h.menu().labels();
    expect(labels).toContain(`Today ↓ ${formatVolume(seconds(todayStart) * 1e6)} ↑ ${formatVolume(seconds(todayStart) * 250e3)}`);
    expect(labels).toContain(`Since ${formatDay(period.from).slice(0, 5)} ↓ ${formatVolume(seconds(periodStart) * 1e6)} ↑ ${formatVolume(seconds(periodStart) * 250e3)} (billing period to ${formatDay(period.to).slice(0, 5)})`);
    await h.quit();
  });

  it('the icon and the status lines follow the services: a peer down, sync failing', async () => {
    const h = await launched();
    h.health.value = { peersWatched: 3, peersDown: ['db-1'], sync: { state: 'failing', since: h.clock.now() - 120_000, message: 'HTTP 503' } };
    // The refresh a tick triggers also awaits real I/O (the core's readers): wait for its effect
    // rather than assuming it lands within the fake clock's microtask flush.
    await h.clock.advance(2000);
    await vi.waitFor(() => expect(h.tray().image.path).toMatch(/tray-peer-down\.png$/));
    expect(h.menu().labels()).toEqual(expect.arrayContaining(['Peers down: db-1 (1 of 3)', expect.stringMatching(/^Sync failing for 2 min: HTTP 503$/)]));
    h.health.value = { peersWatched: 3, peersDown: [], sync: { state: 'failing', since: h.clock.now(), message: 'HTTP 503' } };
    await h.clock.advance(1000);
    await vi.waitFor(() => expect(h.tray().image.path).toMatch(/tray-sync-failing\.png$/));
    h.health.value = NO_HEALTH;
    await h.clock.advance(1000);
    await vi.waitFor(() => expect(h.tray().image.path).toMatch(/tray\.png$/));
    await h.quit();
  });

  it('Start at login writes and removes the XDG autostart entry on Linux', async () => {
    const h = await launched();
    const entry = path.join(h.home, '.config', 'autostart', 'vigil.desktop');
    expect(h.menu().find('Start at login')).toMatchObject({ type: 'checkbox', checked: false });
    h.menu().click('Start at login');
    await Promise.resolve();
    expect(fs.readFileSync(entry, 'utf8')).toContain('Exec=/opt/Vigil/vigil');
    expect(h.menu().find('Start at login')).toMatchObject({ checked: true });
    h.menu().click('Start at login');
    await Promise.resolve();
    expect(fs.existsSync(entry)).toBe(false);
    expect(h.menu().find('Start at login')).toMatchObject({ checked: false });
    await h.quit();
  });

  it('Start at login uses login items on macOS', async () => {
    const h = await launched({ platform: 'darwin' });
    h.menu().click('Start at login');
    await Promise.resolve();
    expect(h.fake.world.app.loginItems).toEqual([{ openAtLogin: true }]);
    expect(h.menu().find('Start at login')).toMatchObject({ checked: true });
    await h.quit();
  });

  it('Open data folder opens the data folder', async () => {
    const h = await launched();
    h.menu().click('Open data folder');
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.fake.world.openedPaths).toEqual([h.dataDir]);
    await h.quit();
  });
});

describe('tray app: windows', () => {
  it('"Open daily chart" opens one sandboxed window on app://vigil/index.html; closing hides it; opening again focuses it', async () => {
    const h = await launched();
    h.menu().click('Open daily chart');
    expect(h.fake.world.windows).toHaveLength(1);
    const window = h.fake.world.windows[0]!;
    expect(window.loads).toEqual(['app://vigil/index.html']);
    expect(window.options.show).toBe(false);
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      preload: path.join(repoRoot, 'dist', 'preload', 'preload.cjs'),
    });
    await Promise.resolve();
    expect(window.visible).toBe(true);
    window.close();
    expect(window.destroyed).toBe(false);
    expect(window.visible).toBe(false);
    h.menu().click('Open daily chart');
    expect(h.fake.world.windows).toHaveLength(1);
    expect(window.visible).toBe(true);
    expect(window.focused).toBe(true);
    await h.quit();
    expect(window.destroyed).toBe(true);
  });

  it('Settings… and Export CSV → Choose days… open their pages; those windows close for real', async () => {
    const h = await launched();
    h.menu().click('Settings…');
    h.menu().click('Choose days…');
    expect(h.fake.world.windows.map((w) => w.loads[0])).toEqual(['app://vigil/settings/index.html', 'app://vigil/settings/export.html']);
    const settingsWindow = h.fake.world.windows[0]!;
    settingsWindow.close();
    expect(settingsWindow.destroyed).toBe(true);
    h.menu().click('Settings…');
    expect(h.fake.world.windows).toHaveLength(3);
    await h.quit();
  });

  it('pages cannot open windows, navigate away or get permissions; http(s) links go to the browser', async () => {
    const h = await launched();
    h.menu().click('Open daily chart');
    const contents = h.fake.world.windows[0]!.webContents;
    expect(contents.windowOpenHandler?.({ url: 'https://example.org/docs' } as never)).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'file:///etc/passwd' } as never)).toEqual({ action: 'deny' });
    expect(contents.navigate('https://evil.example/')).toBe(false);
    expect(contents.navigate('file:///etc/passwd')).toBe(false);
    expect(contents.navigate('app://vigil/settings/index.html')).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.fake.world.openedExternal).toEqual(['https://example.org/docs', 'https://evil.example/']);
    let granted: boolean | null = null;
    h.fake.world.permissionRequestHandler?.({}, 'media', (value) => (granted = value));
    expect(granted).toBe(false);
    expect(h.fake.world.permissionCheckHandler?.({}, 'notifications')).toBe(false);
    await h.quit();
  });

  it('app:// serves the renderer folder only, always with the CSP', async () => {
    const h = await launched();
    const handler = h.fake.world.protocolHandlers.get('app')!;
    const escape = await handler(new Request('app://vigil/%2e%2e/%2e%2e/package.json'));
    expect(escape.status).toBe(404);
    const other = await handler(new Request('app://elsewhere/index.html'));
    expect(other.status).toBe(404);
    expect(escape.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    await h.quit();
  });
});

describe('tray app: IPC', () => {
  it('answers the chart API to its own window, and refuses other senders and bad payloads', async () => {
    const h = await launched();
    await h.clock.advance(3000);
    h.menu().click('Open daily chart');
    const contents = h.fake.world.windows[0]!.webContents;
    const host = (await h.fake.world.invoke('vigil:api:host', sender(contents), {})) as { value: { machine: { id: string }; intervalSeconds: number } };
    expect(host.value.machine.id).toBe(h.app.runtime.identity.id);
    expect(host.value.intervalSeconds).toBe(1);
    const latest = (await h.fake.world.invoke('vigil:api:latest', sender(contents), {})) as { value: { sample: { cpu: { total: number } } } };
    expect(latest.value.sample.cpu.total).toBe(25);

    const refused = { error: { code: 'unauthorized', message: expect.stringMatching(/^Refused: /) } };
    expect(await h.fake.world.invoke('vigil:api:host', sender({ id: 9999, isDestroyed: () => false, send() {} }, { url: 'app://vigil/index.html' }), {})).toEqual(refused);
    expect(await h.fake.world.invoke('vigil:api:host', sender(contents, { subframe: true }), {})).toEqual(refused);
    expect(await h.fake.world.invoke('vigil:api:host', sender(contents, { url: 'https://evil.example/' }), {})).toEqual(refused);
    expect(await h.fake.world.invoke('vigil:api:host', sender(contents, { noFrame: true }), {})).toEqual(refused);

    const invalid = { error: { code: 'invalid_argument', message: expect.any(String) } };
    expect(await h.fake.world.invoke('vigil:api:day', sender(contents), { date: 20260101 })).toEqual(invalid);
    expect(await h.fake.world.invoke('vigil:api:day', sender(contents), { date: '01-01-2026', extra: true })).toEqual(invalid);
    expect(await h.fake.world.invoke('vigil:api:host', sender(contents), {}, 'second argument')).toEqual(invalid);
    expect(await h.fake.world.invoke('vigil:app:updateSettings', sender(contents), { patch: { sampling: { intervalSeconds: 0 } } })).toEqual(invalid);
    expect(await h.fake.world.invoke('vigil:app:openExternal', sender(contents), { url: 'file:///etc/passwd' })).toEqual(invalid);
    expect(await h.fake.world.invoke('vigil:api:exportCsv:cancel', sender(contents), {})).toEqual({ value: null });
    expect(await h.fake.world.invoke('vigil:api:exportCsv:cancel', sender(contents, { url: 'https://evil.example/' }), {})).toEqual(refused);
    expect(h.fake.world.openedExternal).toEqual([]);
    // A bad day is the core's error, with its own code.
    expect(await h.fake.world.invoke('vigil:api:day', sender(contents), { date: '31-02-2026' })).toEqual({ error: { code: 'invalid_date', message: expect.any(String) } });
    await h.quit();
  });

  it('settings: read, change (validated, written to config.json, applied live), secrets kept out of config.json', async () => {
    const h = await launched();
    h.menu().click('Settings…');
    const contents = h.fake.world.windows[0]!.webContents;
    const view = (await h.fake.world.invoke('vigil:app:getSettings', sender(contents), {})) as { value: { settings: { sampling: { intervalSeconds: number } }; dataDir: string; file: string } };
    expect(view.value).toMatchObject({ settings: { sampling: { intervalSeconds: 1 } }, dataDir: h.dataDir, file: path.join(h.dataDir, 'config.json') });

    const token = 'hub-token-0123456789';
    const changed = (await h.fake.world.invoke('vigil:app:updateSettings', sender(contents), {
      patch: { sampling: { intervalSeconds: 5 }, sync: { url: 'https://hub.example:7471' } },
      secrets: { syncToken: token },
    })) as { value: { settings: { sampling: { intervalSeconds: number } }; secrets: { syncToken: boolean } } };
    expect(changed.value.settings.sampling.intervalSeconds).toBe(5);
    expect(changed.value.secrets.syncToken).toBe(true);
    expect(h.app.runtime.settings().sampling.intervalSeconds).toBe(5);
    expect(h.app.runtime.engine.intervalMs).toBe(5000);
    const file = fs.readFileSync(path.join(h.dataDir, 'config.json'), 'utf8');
    expect(JSON.parse(file)).toMatchObject({ sampling: { intervalSeconds: 5 }, sync: { url: 'https://hub.example:7471' } });
    expect(file).not.toContain(token);
    const tokenFile = path.join(h.dataDir, 'sync-token');
    expect(fs.readFileSync(tokenFile, 'utf8').trim()).toBe(token);
    if (process.platform !== 'win32') expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);

    // A bad value anywhere: refused with the field named, nothing written, nothing applied.
    const before = fs.readFileSync(path.join(h.dataDir, 'config.json'), 'utf8');
    const refused = (await h.fake.world.invoke('vigil:app:updateSettings', sender(contents), { patch: { sampling: { intervalSeconds: 10 }, peers: { list: [{ name: 'x', url: 'ftp://x' }] } } })) as {
      error: { code: string; message: string };
    };
    expect(refused.error.code).toBe('invalid_argument');
    expect(refused.error.message).toMatch(/peers\.list\.0\.url/);
    expect(fs.readFileSync(path.join(h.dataDir, 'config.json'), 'utf8')).toBe(before);
    expect(h.app.runtime.settings().sampling.intervalSeconds).toBe(5);
    const badToken = (await h.fake.world.invoke('vigil:app:updateSettings', sender(contents), { patch: {}, secrets: { syncToken: 'short' } })) as { error: { code: string } };
    expect(badToken.error.code).toBe('invalid_argument');
    expect(fs.readFileSync(tokenFile, 'utf8').trim()).toBe(token);
    await h.quit();
  });
});

describe('tray app: settings the core takes only at start', () => {
  it('turning the local server on restarts the core in place: it listens at once, sampling goes on', async () => {
    const h = await launched();
    h.menu().click('Settings…');
    const contents = h.fake.world.windows[0]!.webContents;
    const before = h.app.runtime;
    expect(before.url).toBeNull();
    const answer = (await h.fake.world.invoke('vigil:app:updateSettings', sender(contents), { patch: { server: { enabled: true, port: 0 } } })) as { value?: unknown; error?: unknown };
    expect(answer.error).toBeUndefined();
    expect(h.app.runtime).not.toBe(before);
    expect(h.app.runtime.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${h.app.runtime.url}/health`);
    expect(((await health.json()) as { state: string }).state).toBe('running');
    await h.clock.advance(3000);
    expect(h.app.runtime.engine.latest()).not.toBeNull();
    // The chart window still reads the (new) core.
    h.menu().click('Open daily chart');
    const chart = h.fake.world.windows.at(-1)!.webContents;
    expect(((await h.fake.world.invoke('vigil:api:latest', sender(chart), {})) as { value: { sample: unknown } }).value.sample).not.toBeNull();
    await h.quit();
  });

  it('the InfluxDB token from the window goes to its 0600 file, and restarts the core when InfluxDB is on', async () => {
    const h = await launched();
    const contents = settingsWindow(h);
    await h.fake.world.invoke('vigil:app:updateSettings', sender(contents), { patch: { influx: { enabled: true, url: 'http://127.0.0.1:9', bucket: 'vigil', org: 'acme' } } });
    const before = h.app.runtime;
    const token = 'influx-api-token-42';
    const answer = (await h.fake.world.invoke('vigil:app:updateSettings', sender(contents), { patch: {}, secrets: { influxToken: token } })) as { value: { secrets: { influxToken: boolean } } };
    expect(answer.value.secrets.influxToken).toBe(true);
    // The InfluxDB target reads its token when the core starts.
    expect(h.app.runtime).not.toBe(before);
    const file = path.join(h.dataDir, 'influx-token');
    expect(fs.readFileSync(file, 'utf8')).toBe(`${token}\n`);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(h.dataDir, 'config.json'), 'utf8')).not.toContain(token);
    await h.quit();
  });

  it('a change the core cannot start with is rolled back, and said so', async () => {
    const h = await launched();
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      h.menu().click('Settings…');
      const contents = h.fake.world.windows[0]!.webContents;
      const answer = (await h.fake.world.invoke('vigil:app:updateSettings', sender(contents), { patch: { server: { enabled: true, port } } })) as { error: { code: string; message: string } };
      expect(answer.error.code).toBe('already_running');
      expect(answer.error.message).toBe(`Not applied, the previous settings are back: Port ${port} on 127.0.0.1 is already in use: pass --port`);
      expect(h.app.settings.get().server.enabled).toBe(false);
      expect(JSON.parse(fs.readFileSync(path.join(h.dataDir, 'config.json'), 'utf8')).server.enabled).toBe(false);
      // Running again on the previous settings, holding the data folder.
      expect(h.app.runtime.url).toBeNull();
      await h.clock.advance(3000);
      expect(h.app.runtime.engine.latest()).not.toBeNull();
      expect(fs.existsSync(path.join(h.dataDir, 'agent.lock'))).toBe(true);
    } finally {
      busy.close();
    }
    await h.quit();
  });
});

describe('tray app: the data folder', () => {
  interface View {
    dataDir: string;
    file: string;
    dataFolder: { source: string; canChoose: boolean; defaultDir: string; problem: string | null };
  }
  interface Outcome {
    value?: { moved: boolean; message: string; view: View };
    error?: { code: string; message: string };
  }
  const countIn = (dir: string) => {
    const store = openSampleStore(path.join(dir, 'vigil.db'), { readonly: true });
    try {
      return store.countSamples(0, Date.now() + 86_400_000);
    } finally {
      store.close();
    }
  };

  it('Choose another folder: an empty one gets these settings, id and token; the core runs there; the history stays; kept across starts', async () => {
    const h = await launched({ noDataDirEnv: true });
    const defaultDir = h.dataDir;
    const contents = settingsWindow(h);
    const token = 'hub-token-0123456789';
    await h.fake.world.invoke('vigil:app:updateSettings', sender(contents), { patch: { sampling: { intervalSeconds: 2 }, sync: { url: 'https://hub.example:7471' } }, secrets: { syncToken: token } });
    await h.clock.advance(6000);
    h.app.runtime.engine.flush();
    const identity = h.app.runtime.identity.id;
    const before = (await h.fake.world.invoke('vigil:app:getSettings', sender(contents), {})) as { value: View };
    expect(before.value.dataFolder).toEqual({ source: 'default', canChoose: true, defaultDir, problem: null });

    const target = tempDir('vigil-moved-');
    h.fake.world.openDialogAnswers.push({ canceled: false, filePaths: [target] });
    const moved = (await h.fake.world.invoke('vigil:app:chooseDataFolder', sender(contents), {})) as Outcome;
    expect(moved.error).toBeUndefined();
    expect(moved.value!.moved).toBe(true);
    expect(moved.value!.message).toBe(`Now using ${target}, with these settings and an empty history. The history so far stays in the previous folder.`);
    expect(moved.value!.view).toMatchObject({ dataDir: target, file: path.join(target, 'config.json'), dataFolder: { source: 'chosen', canChoose: true, defaultDir, problem: null } });
    // A folder dialog, opened on the folder in use.
    expect(h.fake.world.openDialogs[0]).toMatchObject({ defaultPath: defaultDir, properties: expect.arrayContaining(['openDirectory', 'createDirectory']) });
    // The core runs in the new folder, with the same settings, token and machine id.
    expect(h.app.dataDir).toBe(target);
    expect(h.app.settings.path).toBe(path.join(target, 'config.json'));
    expect(h.app.runtime.settings().sampling.intervalSeconds).toBe(2);
    expect(h.app.runtime.identity.id).toBe(identity);
    expect(fs.readFileSync(path.join(target, 'sync-token'), 'utf8').trim()).toBe(token);
    expect(fs.existsSync(path.join(target, 'agent.lock'))).toBe(true);
    expect(fs.existsSync(path.join(defaultDir, 'agent.lock'))).toBe(false);
    // Remembered in the default folder (userData does not move).
    expect(JSON.parse(fs.readFileSync(path.join(defaultDir, 'data-folder.json'), 'utf8'))).toEqual({ dataDir: target });
    expect(h.fake.world.app.paths.get('userData')).toBe(defaultDir);
    // Sampling goes on there; the log follows; the history so far stays where it was.
    await h.clock.advance(6000);
    expect(h.app.runtime.engine.latest()).not.toBeNull();
    h.app.runtime.engine.flush();
    const oldCount = countIn(defaultDir);
    expect(oldCount).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(target, 'logs', 'app.log'), 'utf8')).toContain('data folder moved');
    await h.quit();
    expect(countIn(target)).toBeGreaterThan(0);
    expect(countIn(defaultDir)).toBe(oldCount);

    // The next start uses the chosen folder.
    const again = await launched({ noDataDirEnv: true, home: h.home });
    expect(again.app.dataDir).toBe(target);
    expect(again.app.runtime.settings().sampling.intervalSeconds).toBe(2);
    // And back to the default folder, with its own settings and history; the choice is forgotten.
    const back = (await again.fake.world.invoke('vigil:app:chooseDataFolder', sender(settingsWindow(again)), { useDefault: true })) as Outcome;
    expect(back.value).toMatchObject({ moved: true, message: `Now using ${defaultDir}, with its own settings and history. The history so far stays in the previous folder.`, view: { dataDir: defaultDir, dataFolder: { source: 'default' } } });
    expect(again.fake.world.openDialogs).toEqual([]);
    expect(fs.existsSync(path.join(defaultDir, 'data-folder.json'))).toBe(false);
    await again.quit();
  });

  it('refusals leave the app where it was: a cancelled dialog, a folder with other files, a start that fails there', async () => {
    let failIn: string | null = null;
    const h = await launched({
      noDataDirEnv: true,
      beforeCore: (dir) => {
        if (dir === failIn) throw new VigilError('io_error', 'disk on fire');
      },
    });
    const contents = settingsWindow(h);
    const cancelled = (await h.fake.world.invoke('vigil:app:chooseDataFolder', sender(contents), {})) as Outcome;
    expect(cancelled.value).toMatchObject({ moved: false, message: 'No folder chosen.' });

    const busy = tempDir('vigil-busy-');
    fs.writeFileSync(path.join(busy, 'report.txt'), 'mine');
    h.fake.world.openDialogAnswers.push({ canceled: false, filePaths: [busy] });
    const refused = (await h.fake.world.invoke('vigil:app:chooseDataFolder', sender(contents), {})) as Outcome;
    expect(refused.error).toEqual({ code: 'invalid_argument', message: `${busy} holds other files: choose an empty folder, or one that already holds Vigil data` });
    expect(fs.readdirSync(busy)).toEqual(['report.txt']);

    // The core cannot start in the new folder: it starts again in the old one, and the new one is
    // left empty (what was copied there, and what the attempt created, is gone).
    const empty = tempDir('vigil-empty-');
    failIn = empty;
    h.fake.world.openDialogAnswers.push({ canceled: false, filePaths: [empty] });
    const failed = (await h.fake.world.invoke('vigil:app:chooseDataFolder', sender(contents), {})) as Outcome;
    expect(failed.error).toEqual({ code: 'io_error', message: `Not moved, still using ${h.dataDir}: disk on fire` });
    expect(fs.readdirSync(empty)).toEqual([]);
    expect(h.app.dataDir).toBe(h.dataDir);
    expect(fs.existsSync(path.join(h.dataDir, 'agent.lock'))).toBe(true);
    expect(fs.existsSync(path.join(h.dataDir, 'data-folder.json'))).toBe(false);
    await h.clock.advance(3000);
    expect(h.app.runtime.engine.latest()).not.toBeNull();
    await h.quit();
  });

  it('a folder an agent is sampling is refused by its lock; the old folder goes on', async () => {
    const h = await launched({ noDataDirEnv: true });
    const contents = settingsWindow(h);
    const agentFolder = tempDir('vigil-agent-');
    fs.writeFileSync(path.join(agentFolder, 'config.json'), '{}');
    const agentLock = await acquireDataDirLock(path.join(agentFolder, 'agent.lock'), 'agent', agentFolder);
    onTestFinished(() => agentLock.release());
    h.fake.world.openDialogAnswers.push({ canceled: false, filePaths: [agentFolder] });
    const answer = (await h.fake.world.invoke('vigil:app:chooseDataFolder', sender(contents), {})) as Outcome;
    expect(answer.error?.code).toBe('already_running');
    expect(answer.error?.message).toMatch(new RegExp(`^Not moved, still using ${h.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    // A folder that held Vigil data is left exactly as it was.
    expect(fs.readdirSync(agentFolder).sort()).toEqual(['agent.lock', 'config.json']);
    expect(readOwner(path.join(agentFolder, 'agent.lock'))?.role).toBe('agent');
    expect(h.app.dataDir).toBe(h.dataDir);
    expect(fs.existsSync(path.join(h.dataDir, 'agent.lock'))).toBe(true);
    await h.quit();
  });

  it('$VIGIL_DATA_DIR names the folder: the window says so and cannot change it', async () => {
    const h = await launched();
    const contents = settingsWindow(h);
    const view = (await h.fake.world.invoke('vigil:app:getSettings', sender(contents), {})) as { value: { dataFolder: { source: string; canChoose: boolean } } };
    expect(view.value.dataFolder).toMatchObject({ source: 'env', canChoose: false });
    const answer = (await h.fake.world.invoke('vigil:app:chooseDataFolder', sender(contents), {})) as Outcome;
    expect(answer.error).toEqual({ code: 'invalid_argument', message: `The data folder is set by $VIGIL_DATA_DIR (${h.dataDir}): change or unset that variable to use another one` });
    expect(h.fake.world.openDialogs).toEqual([]);
    // And a page cannot name the folder itself.
    expect(((await h.fake.world.invoke('vigil:app:chooseDataFolder', sender(contents), { path: '/tmp' })) as Outcome).error?.code).toBe('invalid_argument');
    await h.quit();
  });
});

describe('tray app: export, power, notifications, quit', () => {
  it('Export CSV → Today asks where to save, writes the day as `vigil export` does, and says so', async () => {
    const h = await launched();
    await advanceUntilSamples(h, 3);
    const target = path.join(h.downloads, 'today.csv');
    h.fake.world.saveDialogAnswers.push({ canceled: false, filePath: target });
    await h.app.dispatch('export:today');
    const today = formatDay(dayOf(h.clock.now()));
    expect(h.fake.world.saveDialogs[0]!.defaultPath).toBe(path.join(h.downloads, `${h.app.runtime.identity.name.replace(/[^A-Za-z0-9._-]+/g, '_')}-${today}.csv`));
    const lines = fs.readFileSync(target, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^time,unix_ms,cpu_percent,/);
    expect(lines.length - 1).toBe(h.app.runtime.engine.store.countSamples(0, h.clock.now() + 1));
    expect(lines.length - 1).toBeGreaterThanOrEqual(3);
    expect(fs.existsSync(`${target}.partial`)).toBe(false);
    const note = h.fake.world.shownNotifications.at(-1)!;
    expect(note.options.title).toBe('CSV export finished');
    note.ref.deref()!.click();
    expect(h.fake.world.shownInFolder).toEqual([target]);
    // A cancelled dialog writes nothing and says nothing.
    await h.app.dispatch('export:yesterday');
    expect(h.fake.world.shownNotifications).toHaveLength(1);
    // The time column the settings choose (csv.exportTimeFormat), the rest as before.
    const settings = settingsWindow(h);
    const changed = (await h.fake.world.invoke('vigil:app:updateSettings', sender(settings), { patch: { csv: { exportTimeFormat: 'local' } } })) as { error?: unknown };
    expect(changed.error).toBeUndefined();
    const local = path.join(h.downloads, 'today-local.csv');
    h.fake.world.saveDialogAnswers.push({ canceled: false, filePath: local });
    await h.app.dispatch('export:today');
    const localLines = fs.readFileSync(local, 'utf8').trimEnd().split('\r\n');
    expect(localLines[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+,/);
    expect(localLines.slice(1).map((line) => line.slice(line.indexOf(',')))).toEqual(lines.slice(1, localLines.length).map((line) => line.slice(line.indexOf(','))));
    await h.quit();
  });

  it('the chart window exports through IPC with progress events', async () => {
    const h = await launched();
    await advanceUntilSamples(h, 2);
    h.menu().click('Open daily chart');
    const contents = h.fake.world.windows[0]!.webContents;
    const target = path.join(h.downloads, 'chart.csv');
    h.fake.world.saveDialogAnswers.push({ canceled: false, filePath: target });
    const today = formatDay(dayOf(h.clock.now()));
    const result = (await h.fake.world.invoke('vigil:api:exportCsv', sender(contents), { date: today })) as { value: { rows: number; fileName: string } };
    expect(result.value.fileName).toBe(target);
    expect(result.value.rows).toBeGreaterThanOrEqual(2);
    expect(contents.sent.filter((m) => m.channel === 'vigil:api:exportCsv:progress').at(-1)?.args[0]).toEqual({ done: result.value.rows, total: result.value.rows });
    await h.quit();
  });

  it('suspend announces sleep (flushing first) and resume wakes up', async () => {
    const h = await launched();
    await h.clock.advance(3000);
    expect(h.app.runtime.engine.store.countSamples(0, h.clock.now() + 1)).toBe(0);
    h.fake.world.power.emit('suspend');
    expect(h.app.runtime.state()).toBe('sleeping');
    expect(h.app.runtime.engine.store.countSamples(0, h.clock.now() + 1)).toBeGreaterThan(0);
    expect(h.menu().labels()[0]).toBe('Going to sleep…');
    expect(h.menu().find('Pause sampling')?.enabled).toBe(false);
    h.fake.world.power.emit('resume');
    expect(h.app.runtime.state()).toBe('running');
    h.fake.world.power.emit('shutdown');
    expect(h.app.runtime.state()).toBe('sleeping');
    // Linux needs no window for it.
    expect(h.fake.world.baseWindows).toHaveLength(0);
    await h.quit();
  });

  it('Windows: a shutdown is heard on a hidden window even with no window open, and announced like a suspend', async () => {
    const h = await launched({ platform: 'win32' });
    await h.clock.advance(3000);
    // Tray only: no page window. The one window is the hidden session window, without web contents.
    expect(h.fake.world.windows).toHaveLength(0);
    expect(h.fake.world.baseWindows).toHaveLength(1);
    const sessionWindow = h.fake.world.baseWindows[0]!;
    expect(sessionWindow.options).toMatchObject({ show: false, skipTaskbar: true, focusable: false });
    expect(h.app.runtime.engine.store.countSamples(0, h.clock.now() + 1)).toBe(0);
    // Windows asks first; the app does not hold the shutdown up, but writes and announces.
    expect(sessionWindow.queryEndSession(['shutdown'])).toBe(false);
    expect(h.app.runtime.state()).toBe('sleeping');
    expect(h.app.runtime.engine.store.countSamples(0, h.clock.now() + 1)).toBeGreaterThan(0);
    expect(h.menu().labels()[0]).toBe('Going to sleep…');
    sessionWindow.endSession(['shutdown']);
    expect(h.app.runtime.state()).toBe('sleeping');
    await h.quit();
    expect(sessionWindow.destroyed).toBe(true);
  });

  it('alerts become native notifications', async () => {
    const h = await launched();
    h.alerts.push({ severity: 'problem', title: 'db-1 is DOWN', details: ['No answer since 14:03', 'Last seen: CPU 12 %'] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const note = h.fake.world.shownNotifications.at(-1)!;
    expect(note.options).toMatchObject({ title: 'db-1 is DOWN', body: 'No answer since 14:03\nLast seen: CPU 12 %', urgency: 'critical' });
    expect(note.ref.deref()!.shown).toBe(true);
    note.ref.deref()!.click();
    expect(h.fake.world.windows[0]?.loads).toEqual(['app://vigil/index.html']);
    await h.quit();
  });

  it('Quit flushes storage and releases the data folder before Electron quits', async () => {
    const h = await launched();
    await h.clock.advance(4000);
    const sampled = h.app.runtime.engine.latest()!.ts;
    h.menu().click('Quit Vigil');
    // Held at before-quit until the core has stopped.
    expect(h.fake.world.app.quitted).toBe(false);
    await h.app.stopped;
    expect(h.fake.world.app.quitted).toBe(true);
    expect(h.tray().isDestroyed()).toBe(true);
    expect(h.fake.world.handlers.size).toBe(0);
    const store = openSampleStore(path.join(h.dataDir, 'vigil.db'), { readonly: true });
    try {
      expect(store.lastTimestamp()).toBe(sampled);
    } finally {
      store.close();
    }
    expect(fs.existsSync(path.join(h.dataDir, 'agent.lock'))).toBe(false);
  });
});
