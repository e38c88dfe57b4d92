// The tray app started against the recording fake of Electron (helpers/fake-electron.ts), the
// real core (engine, SQLite, CSV) on made-up metric readers and a fake clock, and the real
// electron-store (loaded against a stub 'electron' module). Every app a test starts is quit in
// afterEach, the way a user would, so no lock or database stays open.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { FIRST_LAUNCH_MARKER, startApp, type VigilApp } from '../../../src/main/app.js';
import type { AppFeatures } from '../../../src/main/features.js';
import type { AlertLike } from '../../../src/main/notifications.js';
import { NO_HEALTH, type ShellHealth } from '../../../src/main/tray/state.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/tmp.js';
import { createFakeElectron, type FakeMenu, type FakeTray } from './fake-electron.js';
import { loadElectronStore } from './electron-module.js';
import { fakeSources } from './fake-sources.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const running: (() => Promise<void>)[] = [];

afterEach(async () => {
  // Every app a test started is quit the way a user would, so no lock or database stays open.
  for (const quit of running.splice(0)) await quit();
});

export interface Harness {
  app: VigilApp;
  fake: ReturnType<typeof createFakeElectron>;
  clock: FakeClock;
  dataDir: string;
  home: string;
  downloads: string;
  health: { value: ShellHealth };
  /** What the fake features hand out as new alerts at the next poll. */
  alerts: AlertLike[];
  tray(): FakeTray;
  menu(): FakeMenu;
  quit(): Promise<void>;
}

export async function launch(
  options: {
    platform?: NodeJS.Platform;
    dataDir?: string;
    lock?: boolean;
    features?: Partial<AppFeatures>;
    home?: string;
    noDataDirEnv?: boolean;
    /** Called each time a core is about to start, with its data folder (may throw). */
    beforeCore?: (dataDir: string) => void;
    /** Launch as the very first time (default: as a later launch, without the welcome). */
    firstLaunch?: boolean;
  } = {},
): Promise<Harness | { app: null; fake: ReturnType<typeof createFakeElectron> }> {
  const platform = options.platform ?? 'linux';
  const fake = createFakeElectron({ platform, appPath: repoRoot });
  fake.world.app.singleInstanceLock = options.lock ?? true;
  const home = options.home ?? tempDir('vigil-home-');
  // noDataDirEnv: no $VIGIL_DATA_DIR, so the per-user default folder under `home` (or the folder
  // chosen there) is used, as for a user who installed the app.
  const dataDir = options.noDataDirEnv ? path.join(home, '.config', 'Vigil') : (options.dataDir ?? tempDir('vigil-app-'));
  if (!options.firstLaunch) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, FIRST_LAUNCH_MARKER), '');
  }
  const downloads = tempDir('vigil-downloads-');
  fake.world.app.setPath('downloads', downloads);
  const clock = new FakeClock({ wall: Date.now() });
  const health = { value: NO_HEALTH };
  const alerts: AlertLike[] = [];
  const ElectronStore = await loadElectronStore({ app: fake.api.app, ipcMain: { on: () => undefined }, shell: fake.api.shell });
  const started = startApp({
    electron: fake.api,
    ElectronStore,
    appRoot: repoRoot,
    platform,
    env: options.noDataDirEnv ? { XDG_CONFIG_HOME: path.join(home, '.config') } : { VIGIL_DATA_DIR: dataDir, XDG_CONFIG_HOME: path.join(home, '.config') },
    execPath: '/opt/Vigil/vigil',
    home,
    sources: fakeSources(),
    clock,
    logStream: null,
    now: () => clock.now(),
    healthPollMs: 20,
    features: (env) => {
      options.beforeCore?.(env.dataDir);
      return {
        routes: [],
        services: [],
        health: () => health.value,
        takeNewAlerts: () => alerts.splice(0),
        testSync: null,
        sendTestEmail: null,
        ...options.features,
      };
    },
  });
  fake.world.app.makeReady();
  const app = await started;
  if (!app) return { app: null, fake };
  const quit = async () => {
    fake.world.app.quit();
    await app.stopped;
  };
  running.push(quit);
  return {
    app,
    fake,
    clock,
    dataDir,
    home,
    downloads,
    health,
    alerts,
    tray: () => fake.world.trays[0]!,
    menu: () => fake.world.trays[0]!.menu!,
    quit,
  };
}

export async function launched(options?: Parameters<typeof launch>[0]): Promise<Harness> {
  const result = await launch(options);
  if (!result.app) throw new Error('the app did not start');
  return result as Harness;
}

/**
 * Moves the fake clock a second at a time until `count` samples are stored (flushed), at most 30 s:
 * on a loaded machine a tick's work can take more than the clock's settle, and a fixed span of
 * fake time then holds a sample fewer.
 */
export async function advanceUntilSamples(h: Harness, count: number): Promise<void> {
  const stored = () => h.app.runtime.engine.store.countSamples(0, h.clock.now() + 1);
  for (let second = 0; second < 30 && stored() < count; second++) {
    await h.clock.advance(1000);
    h.app.runtime.engine.flush();
  }
}

/** Opens the settings window from the tray; its webContents, to call IPC as the page would. */
export const settingsWindow = (h: Harness) => {
  h.menu().click('Settings…');
  return h.fake.world.windows.at(-1)!.webContents;
};

export const sender = (webContents: { id: number; isDestroyed(): boolean; send(): void } | object, extra: { url?: string; subframe?: boolean; noFrame?: boolean } = {}) =>
  ({ webContents, ...extra }) as Parameters<ReturnType<typeof createFakeElectron>['world']['invoke']>[1];

