// What real Electron 41 would break on a user's first day (issue 11), each against the fake made
// as strict as Electron (helpers/fake-electron.ts says what it models, and from which sources).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentHolder } from '../../src/core/lock.js';
import { openSampleStore } from '../../src/core/storage/sample-store.js';
import { TrayController } from '../../src/main/tray/tray.js';
import { NO_HEALTH, type ShellState } from '../../src/main/tray/state.js';
import { WindowManager } from '../../src/main/windows/windows.js';
import { silentLogger } from '../../src/core/log.js';
import { formatDay, dayOf } from '../../src/shared/dates.js';
import { tempDir } from '../helpers/tmp.js';
import { advanceUntilSamples, launched, repoRoot, sender } from './helpers/app-harness.js';
import { collectGarbage, createFakeElectron, type FakeImage } from './helpers/fake-electron.js';

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> =>
  Promise.race([promise, new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), ms))]);

describe('the fake refuses what Electron refuses', () => {
  it('destroyed windows and webContents throw; protocol and dialogs wait for ready', async () => {
    const { api, world } = createFakeElectron({ platform: 'linux', appPath: repoRoot });
    expect(() => api.protocol.handle('app', () => new Response(''))).toThrow('Session can only be received when app is ready');
    await expect(api.dialog.showSaveDialog({})).rejects.toThrow('dialog module can only be used after app is ready');
    world.app.makeReady();
    expect(() => api.protocol.registerSchemesAsPrivileged([])).toThrow('should be called before app is ready');
    const window = new api.BrowserWindow({});
    const contents = window.webContents;
    window.destroy();
    expect(() => contents.send('x')).toThrow(new TypeError('Object has been destroyed'));
    expect(() => window.webContents).toThrow('Object has been destroyed');
    expect(() => window.show()).toThrow('Object has been destroyed');
    expect(contents.isDestroyed()).toBe(true);
    const tray = new api.Tray(api.nativeImage.createFromPath('/nowhere/icon.png'));
    expect((api.nativeImage.createFromPath('/nowhere/icon.png') as unknown as FakeImage).isEmpty()).toBe(true);
    tray.destroy();
    expect(() => tray.setToolTip('x')).toThrow('Tray is destroyed');
  });
});

describe('issue 11: what real Electron would break', () => {
  it('1. closing the export window during an export does not lose the export', async () => {
    const h = await launched();
    await advanceUntilSamples(h, 3);
    h.menu().click('Open daily chart');
    const window = h.fake.world.windows[0]!;
    const contents = window.webContents;
    const target = path.join(h.downloads, 'closed.csv');
    h.fake.world.saveDialogAnswers.push({ canceled: false, filePath: target });
    const exporting = h.fake.world.invoke('vigil:api:exportCsv', sender(contents), { date: formatDay(dayOf(h.clock.now())) });
    // The user closes the window while the export runs (the chart window really closes at quit).
    window.destroy();
    const result = (await exporting) as { value?: { rows: number; fileName: string }; error?: unknown };
    expect(result.error).toBeUndefined();
    expect(result.value!.fileName).toBe(target);
    expect(fs.readFileSync(target, 'utf8').trimEnd().split('\r\n').length - 1).toBe(result.value!.rows);
    expect(result.value!.rows).toBeGreaterThanOrEqual(3);
    await h.quit();
  });

  it('2. a notification is kept until it is clicked: the click still opens the chart after a garbage collection', async () => {
    const h = await launched();
    h.alerts.push({ severity: 'problem', title: 'db-1 is DOWN', details: ['No answer since 14:03'] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const shown = h.fake.world.shownNotifications.find((note) => note.options.title === 'db-1 is DOWN')!;
    await collectGarbage();
    const notification = shown.ref.deref();
    expect(notification, 'the notification was garbage-collected: its click would be lost').toBeDefined();
    notification!.click();
    expect(h.fake.world.windows.at(-1)?.loads).toEqual(['app://vigil/index.html']);
    await h.quit();
  });

  it('3. macOS: opening the running app again (activate) opens the chart window', async () => {
    const h = await launched({ platform: 'darwin' });
    for (const window of h.fake.world.windows) window.close();
    const before = h.fake.world.windows.filter((window) => !window.destroyed && window.visible).length;
    expect(before).toBe(0);
    h.fake.world.app.activate(false);
    await Promise.resolve();
    const chart = h.fake.world.windows.find((window) => !window.destroyed && window.visible);
    expect(chart?.loads).toEqual(['app://vigil/index.html']);
    await h.quit();
  });

  it('3. the first launch opens the chart and says where the icon lives; later launches do not', async () => {
    const home = tempDir('vigil-home-');
    const first = await launched({ platform: 'darwin', home, noDataDirEnv: true, firstLaunch: true });
    await Promise.resolve();
    expect(first.fake.world.windows.map((window) => window.loads)).toEqual([['app://vigil/index.html']]);
    expect(first.fake.world.windows[0]!.visible).toBe(true);
    const note = first.fake.world.shownNotifications.find((shown) => shown.options.title === 'Vigil is running');
    expect(note?.options.body).toContain('in the menu bar');
    await first.quit();
    const second = await launched({ platform: 'darwin', home, noDataDirEnv: true, firstLaunch: true });
    expect(second.fake.world.windows).toHaveLength(0);
    expect(second.fake.world.shownNotifications).toHaveLength(0);
    await second.quit();
  });

  it('4. a Windows session end (no before-quit) stops the core: samples written, data folder unlocked', async () => {
    const h = await launched({ platform: 'win32' });
    await h.clock.advance(3000);
    const sampled = h.app.runtime.engine.latest()!.ts;
    const sessionWindow = h.fake.world.baseWindows[0]!;
    sessionWindow.queryEndSession(['logoff']);
    sessionWindow.endSession(['logoff']);
    // Electron emits no before-quit here, and Windows ends the process once the handler returns.
    expect(h.fake.world.app.quitRequests).toBe(0);
    expect(await within(h.app.stopped, 10_000)).not.toBe('timed out');
    expect(await currentHolder(path.join(h.dataDir, 'agent.lock'))).toBeNull();
    const store = openSampleStore(path.join(h.dataDir, 'vigil.db'), { readonly: true });
    try {
      expect(store.lastTimestamp()).toBe(sampled);
    } finally {
      store.close();
    }
  });

  it('5. the tray menu is not replaced while it is open: a click in it is not lost', async () => {
    const h = await launched();
    const tray = h.tray();
    tray.openMenu();
    const setsWhileOpen = tray.menuSets;
    // Live figures change every second; the menu refresh (5 s) comes while it is open.
    await h.clock.advance(12_000);
    expect(tray.menuSets).toBe(setsWhileOpen);
    expect(tray.clickOpenMenu('Pause sampling')).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.app.runtime.engine.paused).toBe(true);
    // Once closed, the menu shows what changed meanwhile.
    expect(tray.menuSets).toBeGreaterThan(setsWhileOpen);
    expect(h.menu().find('Resume sampling')).toBeDefined();
    await h.quit();
  });

  it('6. macOS: the app comes to the front before its save and folder dialogs', async () => {
    const h = await launched({ platform: 'darwin', noDataDirEnv: true });
    h.fake.world.dialogOrder.length = 0;
    await h.app.dispatch('export:today');
    expect(h.fake.world.dialogOrder).toEqual(['focus', 'save']);
    expect(h.fake.world.app.focusCalls.at(-1)).toEqual({ steal: true });
    h.menu().click('Settings…');
    const contents = h.fake.world.windows.at(-1)!.webContents;
    await h.fake.world.invoke('vigil:app:chooseDataFolder', sender(contents), {});
    expect(h.fake.world.dialogOrder).toEqual(['focus', 'save', 'focus', 'open']);
    await h.quit();
  });

  it('8. menu labels escape & on Windows; the macOS title uses digits of one width; Chromium\'s profile is outside the data folder', async () => {
    const h = await launched({ platform: 'win32' });
    h.health.value = { ...NO_HEALTH, peersWatched: 2, peersDown: ['R&D lab'] };
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.menu().labels()).toContain('Peers down: R&&D lab (1 of 2)');
    const sessionData = h.fake.world.app.paths.get('sessionData')!;
    expect(path.relative(h.dataDir, sessionData).startsWith('..')).toBe(true);
    expect(sessionData).toBe(path.win32.join(h.home, 'AppData', 'Local', 'Vigil', 'Session'));
    await h.quit();

    const mac = await launched({ platform: 'darwin' });
    await mac.clock.advance(2000);
    expect(mac.tray().title).not.toBe('');
    expect(mac.tray().titleOptions).toEqual({ fontType: 'monospacedDigit' });
    expect(mac.fake.world.app.paths.get('sessionData')).toBe(path.join(mac.home, 'Library', 'Caches', 'Vigil'));
    await mac.quit();
  });

  it('8. the Electron bundle targets Chromium 146 and Node 24 (Electron 41)', () => {
    const script = fs.readFileSync(path.join(repoRoot, 'scripts', 'build-electron.ts'), 'utf8');
    expect(script).toContain("'chrome146'");
    expect(script).toContain("target: 'node24'");
    expect(script).not.toMatch(/target: 'node2[02]'/);
  });
});

describe('the app copes where Electron gives nothing back', () => {
  const state = (): ShellState => ({ platform: 'linux', now: 0, latest: null, paused: false, sleeping: false, openAtLogin: false, exporting: null, health: NO_HEALTH });

  it('a tray icon file that is missing (an empty image) falls back to the app icon, and says so', () => {
    const { api, world } = createFakeElectron({ platform: 'linux', appPath: repoRoot });
    world.app.makeReady();
    const missing: string[] = [];
    const fallback = path.join(repoRoot, 'assets', 'build', 'icon.png');
    new TrayController(
      { electron: api, assetsDir: tempDir(), platform: 'linux', dispatch: () => undefined, now: () => 0, menuRefreshMs: 5000, fallbackIconPath: fallback, onIconMissing: (file) => missing.push(file) },
      state(),
    );
    expect(world.trays[0]!.image.path).toBe(fallback);
    expect(world.trays[0]!.image.isEmpty()).toBe(false);
    expect(missing).toHaveLength(1);
  });

  it('a page that fails to load (no ready-to-show) does not leave a hidden window behind', async () => {
    const { api, world } = createFakeElectron({ platform: 'linux', appPath: repoRoot });
    world.app.makeReady();
    world.failingLoads = true;
    const failed: string[] = [];
    const windows = new WindowManager({ BrowserWindow: api.BrowserWindow, preloadPath: '/p.cjs', iconPath: null, platform: 'linux', devTools: false, logger: silentLogger, onLoadFailed: (page, message) => failed.push(`${page}: ${message}`) });
    windows.open('chart');
    await new Promise((resolve) => setImmediate(resolve));
    expect(failed).toEqual([expect.stringMatching(/^chart: ERR_FILE_NOT_FOUND/)]);
    expect(windows.get('chart')).toBeNull();
    expect(windows.trustedWebContents.size).toBe(0);
    // The next open tries again, and shows once the page loads.
    world.failingLoads = false;
    const again = windows.open('chart');
    await new Promise((resolve) => setImmediate(resolve));
    expect(again.isVisible()).toBe(true);
  });
});
