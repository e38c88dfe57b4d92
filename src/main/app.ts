// The tray app's composition root: lifecycle, the core, the tray, the windows, IPC, power and
// notifications, wired together. Every decision lives in the pure modules beside this file; this
// one only connects them, and takes its Electron API as a parameter (electron-api.ts) so that the
// whole wiring runs in plain Node against a recording fake in tests/main.
//
// The core runs IN-PROCESS, in the main process, not in a utilityProcess:
// - better-sqlite3 must be rebuilt for Electron's ABI either way (a utilityProcess runs Electron's
//   Node too), so isolation buys nothing there;
// - the core is the same code the headless agent runs for months, and the work it does per second
//   is a few /proc reads and a CSV line (~60 µs); queries are synchronous but short (a full day
//   bucketed in ~3 ms), and exports are sliced so they never hold the event loop for long;
// - in-process, the tray reads the latest sample, IPC handlers call the ChartService and an export
//   streams from the store directly; a utilityProcess would need a second IPC protocol for all of
//   it (and for progress, cancellation and the settings), to protect against a native crash that
//   would leave a tray app with nothing to show anyway.
// If the core ever needs isolation, Runtime is the seam: it would move behind a MessagePort.
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { createLogger, type Logger } from '../core/log.js';
import type { MetricSources } from '../core/metrics/index.js';
import { dataPaths } from '../core/paths.js';
import { Runtime } from '../core/runtime.js';
import { ChartService } from '../core/server/chart-service.js';
import type { SettingsStore } from '../core/settings.js';
import type { DataFolderOutcome, SettingsUpdate, SettingsView, TestOutcome } from '../shared/app-ipc.js';
import { VigilError, isVigilError } from '../shared/errors.js';
import type { Settings, SettingsPatch } from '../shared/settings.js';
import { carryOver, checkDataFolder, emptyAgain, locateDataFolder, saveDataFolderChoice, sessionDataDir } from './data-folder.js';
import type { DialogApi, ElectronApi } from './electron-api.js';
import { Exporter, exportPresetParams } from './export.js';
import { appFeatures, type AppFeatures, type FeatureEnv } from './features.js';
import { registerIpcHandlers } from './ipc/handlers.js';
import { alertNotification, createNotifier, type Notifier } from './notifications.js';
import { createAutostart, type Autostart } from './platform/autostart.js';
import { sessionWindowOptions, wirePowerEvents } from './power.js';
import { prepareSecrets, secretsState } from './secrets.js';
import { openAppSettings, type ElectronStoreClass } from './settings-store.js';
import type { MenuAction } from './tray/menu-model.js';
import type { ShellState } from './tray/state.js';
import { TrayController } from './tray/tray.js';
import { whereTheIconLives } from './tray/where.js';
import { createOpenExternal, denyAllPermissions, hardenWebContents } from './windows/hardening.js';
import { APP_SCHEME } from './windows/options.js';
import { APP_SCHEME_PRIVILEGES, appProtocolHandler } from './windows/protocol.js';
import { WindowManager } from './windows/windows.js';

export const APP_USER_MODEL_ID = 'app.vigil.monitor';

/** In userData: written once the first launch has shown where Vigil lives. */
export const FIRST_LAUNCH_MARKER = 'app-first-launch-done';

/**
 * Sections the running core cannot take live: the local server is bound at start, sync targets
 * are made at start. A change to them restarts the core (a second or so, in place), so it still
 * applies at once.
 */
const CORE_RESTART_SECTIONS = ['server', 'sync', 'influx'];

export interface AppOptions {
  electron: ElectronApi;
  ElectronStore: ElectronStoreClass;
  /** The app folder holding package.json, dist/ and assets/ (app.getAppPath()). */
  appRoot: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** process.execPath (the login item starts it). */
  execPath?: string;
  home?: string;
  /** Makes the core features beside the engine (default: the same set as the agent). */
  features?: (env: FeatureEnv) => AppFeatures | Promise<AppFeatures>;
  /** Passed to the engine (tests: recorded metric sources, a fake clock). */
  sources?: MetricSources;
  clock?: Clock;
  /** Where log lines go besides <data-dir>/logs/app.log (default stderr; null: nowhere). */
  logStream?: { write(text: string): unknown } | null;
  now?: () => number;
  /** Live figures rebuild the tray menu at most this often (ms). */
  menuRefreshMs?: number;
  /** The services' state (sync, peers) is read for the tray this often (ms). */
  healthPollMs?: number;
}

export interface VigilApp {
  /** The data folder in use (the settings window may move it: chooseDataFolder). */
  readonly dataDir: string;
  /** The running core (replaced when a settings change needs a restart). */
  readonly runtime: Runtime;
  /** The settings of the data folder in use (replaced with it). */
  readonly settings: SettingsStore;
  readonly windows: WindowManager;
  readonly tray: TrayController;
  readonly exporter: Exporter;
  readonly autostart: Autostart;
  readonly logger: Logger;
  state(): ShellState;
  /** Does what a tray menu item does. */
  dispatch(action: MenuAction): Promise<void>;
  /** Resolves once a quit has flushed and stopped the core. */
  readonly stopped: Promise<void>;
}

/**
 * Starts the app. Resolves null when this launch only handed over to a running instance, or when
 * the app could not start (the user was told in a dialog, and the app exits).
 */
export async function startApp(options: AppOptions): Promise<VigilApp | null> {
  const { electron } = options;
  const { app } = electron;
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;

  // The data folder: $VIGIL_DATA_DIR, else the one chosen in the settings window, else the
  // per-user default one, which the agent uses too (the two share the database, the CSV files and
  // config.json). userData is the default folder (or $VIGIL_DATA_DIR) whatever was chosen: the
  // single-instance lock lives there and must not move with the data (data-folder.ts). Set before
  // anything reads userData.
  const location = locateDataFolder(env, platform, options.home);
  let dataDir = location.dataDir;
  app.setPath('userData', location.homeDir);
  // Chromium's profile (caches, local storage) is not Vigil's data: it stays out of the data
  // folder, which the user may move, back up or share with the agent. Read by Chromium at start.
  app.setPath('sessionData', sessionDataDir(env, platform, options.home));

  // One app per user: a second launch hands over to the first (which shows its chart window).
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  let windows: WindowManager | null = null;
  // A relaunch always opens the chart window: the icon may be out of sight (see tray/where.ts).
  // macOS tells a running app it was opened again (Finder, Spotlight, the Dock) with 'activate',
  // never with 'second-instance'.
  app.on('second-instance', () => windows?.focusMain());
  if (platform === 'darwin') app.on('activate', () => windows?.focusMain());
  // A tray app keeps running with no window open.
  app.on('window-all-closed', () => undefined);
  // Privileged schemes must be registered before 'ready'.
  electron.protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

  await app.whenReady();
  // No dock icon on macOS (the packaged app also says LSUIElement; `electron .` needs this).
  if (platform === 'darwin') app.dock?.hide();
  // Windows shows notifications only for apps with an AppUserModelID (NSIS sets the same one).
  if (platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);

  const assetsDir = path.join(options.appRoot, 'assets');
  const rendererDir = path.join(options.appRoot, 'dist', 'renderer');
  const preloadPath = path.join(options.appRoot, 'dist', 'preload', 'preload.cjs');
  const iconPath = path.join(assetsDir, 'build', 'icon.png');

  const fail = (title: string, error: unknown, logger?: Logger): null => {
    const message = error instanceof Error ? error.message : String(error);
    logger?.error(title, { error: message });
    electron.dialog.showErrorBox(title, message);
    app.exit(isVigilError(error) ? error.exitCode : 70);
    return null;
  };

  let settings: SettingsStore;
  try {
    settings = openAppSettings(options.ElectronStore, dataDir);
  } catch (error) {
    return fail('Vigil cannot read its settings', error);
  }
  const initial = settings.get();
  const openLog = (dir: string, current: Settings): Logger =>
    createLogger({
      level: current.log.level,
      stream: options.logStream === undefined ? process.stderr : options.logStream,
      // The app logs beside the agent's vigil.log, in its own file: the two may start on the same
      // data folder (one of them is then refused by the lock, and says so in its own log).
      file: dataPaths(dir).appLogFile,
      maxBytes: current.log.maxFileMegabytes * 1024 * 1024,
      maxFiles: current.log.maxFiles,
    });
  // Everything holds this one logger; it writes to the log file of the data folder in use, which
  // changes when the data folder moves.
  let logFile = openLog(dataDir, initial);
  const logger: Logger = {
    error: (message, fields) => logFile.error(message, fields),
    warn: (message, fields) => logFile.warn(message, fields),
    info: (message, fields) => logFile.info(message, fields),
    debug: (message, fields) => logFile.debug(message, fields),
    setLevel: (level) => logFile.setLevel(level),
    close: () => logFile.close(),
  };
  // Shown in the settings window until the data folder moves.
  let folderProblem = location.problem;
  if (folderProblem) logger.warn('data folder', { problem: folderProblem });

  // Web contents rules first: nothing can open a window or navigate without them.
  const openExternal = createOpenExternal(electron.shell, (url, reason) => logger.warn('refused to open a link', { url, reason }));
  denyAllPermissions(electron.session.defaultSession);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal));
  electron.protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir));

  // The core: runtime (engine + server + services), its features, and the chart API over its
  // store. Held in one place, because a settings change may replace it (CORE_RESTART_SECTIONS).
  interface Core {
    runtime: Runtime;
    features: AppFeatures;
    chart: ChartService;
  }
  const makeFeatures = options.features ?? appFeatures;
  const startCore = async (startSettings: Settings, dir = dataDir): Promise<Core> => {
    const features = await makeFeatures({ dataDir: dir, settings: startSettings, currentSettings: () => settings.get(), logger, now });
    const runtime = await Runtime.start({
      dataDir: dir,
      settings: startSettings,
      logger,
      role: 'app',
      routes: features.routes,
      services: features.services,
      sources: options.sources,
      clock: options.clock,
    });
    const chart = new ChartService({
      store: runtime.engine.store,
      identity: runtime.identity,
      latest: () => runtime.engine.latest(),
      host: () => runtime.engine.host(),
      intervalSeconds: () => runtime.engine.intervalMs / 1000,
    });
    return { runtime, features, chart };
  };
  let core: Core;
  try {
    core = await startCore(initial);
  } catch (error) {
    const title = isVigilError(error) && error.code === 'already_running' ? 'Vigil is already sampling this machine' : 'Vigil cannot start';
    const result = fail(title, error, logger);
    logger.close();
    return result;
  }
  logger.info('vigil app running', { pid: process.pid, dataDir, settings: settings.path, url: core.runtime.url });

  const notifier: Notifier = createNotifier(electron.Notification, iconPath);
  // A tray-only app brings itself to the front before a dialog: on macOS 14+ a dialog without a
  // parent window otherwise opens behind the app the user is in.
  const dialog: Pick<DialogApi, 'showSaveDialog' | 'showOpenDialog'> = {
    showSaveDialog: (dialogOptions) => {
      if (platform === 'darwin') app.focus({ steal: true });
      return electron.dialog.showSaveDialog(dialogOptions);
    },
    showOpenDialog: (dialogOptions) => {
      if (platform === 'darwin') app.focus({ steal: true });
      return electron.dialog.showOpenDialog(dialogOptions);
    },
  };
  const autostart = createAutostart(app, {
    platform,
    execPath: options.execPath ?? process.execPath,
    isPackaged: app.isPackaged,
    appPath: options.appRoot,
    env,
  }, options.home);
  windows = new WindowManager({
    BrowserWindow: electron.BrowserWindow,
    preloadPath,
    iconPath,
    platform,
    devTools: !app.isPackaged,
    logger,
    onLoadFailed: (page, message) => electron.dialog.showErrorBox('Vigil cannot show this window', `The ${page} page did not load: ${message}`),
  });
  const windowManager = windows;

  let sleeping = false;
  let openAtLogin = safely(() => autostart.isEnabled(), false, logger);
  const state = (): ShellState => ({
    platform,
    now: now(),
    latest: core.runtime.engine.latest(),
    paused: core.runtime.engine.paused,
    sleeping,
    openAtLogin,
    exporting: exporter.running,
    health: safely(() => core.features.health(), { peersWatched: 0, peersDown: [], sync: { state: 'off' } }, logger),
  });
  const refresh = () => tray.update(state());

  const exporter = new Exporter({
    dialog,
    chart: () => core.chart,
    defaultDir: () => app.getPath('downloads'),
    onState: () => refresh(),
  });

  const exportFromTray = async (params: Parameters<Exporter['run']>[0]) => {
    try {
      const result = await exporter.run(params);
      if (result.fileName) {
        const file = result.fileName;
        notifier.show({ title: 'CSV export finished', body: `${result.rows.toLocaleString('en')} rows of ${result.plan.label} in ${path.basename(file)}`, urgency: 'low', silent: true }, () =>
          electron.shell.showItemInFolder(file),
        );
      }
    } catch (error) {
      logger.warn('export failed', { error: error instanceof Error ? error.message : String(error) });
      electron.dialog.showErrorBox('Export failed', error instanceof Error ? error.message : String(error));
    }
  };

  const openDataFolder = async () => {
    const problem = await electron.shell.openPath(dataDir);
    if (problem) throw new VigilError('io_error', `Cannot open ${dataDir}: ${problem}`);
  };

  const dispatch = async (action: MenuAction): Promise<void> => {
    switch (action) {
      case 'open-chart':
        windowManager.open('chart');
        break;
      case 'export:today':
      case 'export:yesterday':
      case 'export:last-7-days':
        await exportFromTray(exportPresetParams(action.slice('export:'.length) as 'today' | 'yesterday' | 'last-7-days', now()));
        break;
      case 'export:range':
        windowManager.open('export');
        break;
      case 'export:cancel':
        exporter.cancel();
        break;
      case 'pause':
        core.runtime.engine.pause();
        break;
      case 'resume':
        core.runtime.engine.resume();
        break;
      case 'open-settings':
        windowManager.open('settings');
        break;
      case 'toggle-login':
        try {
          autostart.setEnabled(!openAtLogin);
        } catch (error) {
          electron.dialog.showErrorBox('Start at login', error instanceof Error ? error.message : String(error));
        }
        openAtLogin = safely(() => autostart.isEnabled(), openAtLogin, logger);
        break;
      case 'open-data-folder':
        await openDataFolder().catch((error: unknown) => logger.warn('cannot open the data folder', { error: String(error) }));
        break;
      case 'quit':
        app.quit();
        break;
    }
    refresh();
  };

  const tray = new TrayController(
    {
      electron,
      assetsDir,
      platform,
      dispatch: (action) => void dispatch(action).catch((error: unknown) => logger.error('tray action failed', { action, error })),
      now,
      menuRefreshMs: options.menuRefreshMs ?? 5000,
      fallbackIconPath: iconPath,
      onIconMissing: (file) => logger.error('tray icon missing; showing the app icon instead', { file }),
    },
    state(),
  );

  const settingsView = (): SettingsView => {
    const current = settings.get();
    return {
      settings: current,
      file: settings.path,
      dataDir,
      dataFolder: {
        source: location.source === 'env' ? 'env' : dataDir === location.defaultDir ? 'default' : 'chosen',
        defaultDir: location.defaultDir,
        canChoose: location.source !== 'env',
        problem: folderProblem,
      },
      secrets: secretsState(dataDir, current),
    };
  };

  /** Replaces the core with one started on the saved settings; on failure, puts the old ones back. */
  const restartCore = async (previous: Settings): Promise<void> => {
    const old = core;
    old.runtime.engine.off('sample', refresh);
    await old.runtime.stop();
    try {
      core = await startCore(settings.get());
      logger.info('core restarted with the new settings', {});
    } catch (error) {
      logger.error('core did not start with the new settings; back to the previous ones', { error: error instanceof Error ? error.message : String(error) });
      settings.update(previous as SettingsPatch);
      core = await startCore(previous);
      throw new VigilError(isVigilError(error) ? error.code : 'invalid_settings', `Not applied, the previous settings are back: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      core.runtime.engine.on('sample', refresh);
      if (sleeping) core.runtime.setSleeping(true);
      refresh();
    }
  };

  // One settings change at a time (a restart must not interleave with another change).
  let settingsQueue: Promise<unknown> = Promise.resolve();
  const updateSettings = (update: SettingsUpdate): Promise<SettingsView> => {
    const run = async (): Promise<SettingsView> => {
      const previous = settings.get();
      // Secrets are checked first, then the settings file is written (validated whole, or not at
      // all), then the secret files, then the running core is told.
      const secrets = prepareSecrets(update.secrets, previous);
      const patch = mergePatches(update.patch, secrets.patch);
      const next = settings.update(patch);
      secrets.write(dataDir, next);
      const changed = Object.keys(patch).filter((section) => JSON.stringify((previous as Record<string, unknown>)[section]) !== JSON.stringify((next as Record<string, unknown>)[section]));
      // The sync and InfluxDB targets read their token files when the core starts.
      const restart =
        changed.some((section) => CORE_RESTART_SECTIONS.includes(section)) ||
        (update.secrets?.syncToken !== undefined && next.sync.enabled) ||
        (update.secrets?.influxToken !== undefined && next.influx.enabled);
      logger.info('settings changed in the settings window', { sections: changed, restart });
      logger.setLevel(next.log.level);
      if (restart) await restartCore(previous);
      else core.runtime.applySettings(next);
      refresh();
      return settingsView();
    };
    const result = settingsQueue.then(run, run);
    settingsQueue = result.catch(() => undefined);
    return result;
  };

  /**
   * Moves to another data folder: the core stops, starts again there (its lock, its database, its
   * settings), and the choice is kept for the next starts; if it cannot start there, it starts
   * again in the old folder, which is left as it was. See data-folder.ts for what is copied.
   */
  const moveDataFolder = async (target: string): Promise<DataFolderOutcome> => {
    if (path.resolve(target) === dataDir) return { moved: false, message: `Already using ${dataDir}.`, view: settingsView() };
    const checked = checkDataFolder(target, dataDir);
    const old = core;
    old.runtime.engine.off('sample', refresh);
    await old.runtime.stop();
    let started: Core | null = null;
    try {
      if (!checked.holdsData) carryOver(dataDir, checked.dir, settings.get());
      const nextSettings = openAppSettings(options.ElectronStore, checked.dir);
      started = await startCore(nextSettings.get(), checked.dir);
      saveDataFolderChoice(location.homeDir, checked.dir === location.defaultDir ? null : checked.dir);
      const from = dataDir;
      core = started;
      settings = nextSettings;
      dataDir = checked.dir;
      folderProblem = null;
      const previousLog = logFile;
      logFile = openLog(dataDir, settings.get());
      previousLog.info('data folder moved; logging there from now on', { to: dataDir });
      previousLog.close();
      logger.info('data folder moved', { from, to: dataDir, copiedSettings: !checked.holdsData });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error('could not move the data folder; staying in the old one', { to: checked.dir, error: message });
      if (started) await started.runtime.stop().catch((stopError: unknown) => logger.error('could not stop the core in the new folder', { error: stopError }));
      try {
        emptyAgain(checked);
      } catch (cleanError) {
        logger.warn('could not tidy the folder the move was refused for', { dir: checked.dir, error: String(cleanError) });
      }
      core = await startCore(settings.get());
      throw new VigilError(isVigilError(error) ? error.code : 'io_error', `Not moved, still using ${dataDir}: ${message}`);
    } finally {
      core.runtime.engine.on('sample', refresh);
      if (sleeping) core.runtime.setSleeping(true);
      logger.setLevel(settings.get().log.level);
      refresh();
    }
    const kept = checked.holdsData ? 'its own settings and history' : 'these settings and an empty history';
    return { moved: true, message: `Now using ${dataDir}, with ${kept}. The history so far stays in the previous folder.`, view: settingsView() };
  };

  const chooseDataFolder = async ({ useDefault }: { useDefault?: boolean }): Promise<DataFolderOutcome> => {
    if (location.source === 'env') {
      throw new VigilError('invalid_argument', `The data folder is set by $VIGIL_DATA_DIR (${dataDir}): change or unset that variable to use another one`);
    }
    let target = location.defaultDir;
    if (!useDefault) {
      // The folder comes from the OS dialog, never from the page: a page can ask, not point.
      const choice = await dialog.showOpenDialog({
        title: 'Choose the Vigil data folder',
        defaultPath: dataDir,
        buttonLabel: 'Use this folder',
        properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'],
      });
      const picked = choice.filePaths[0];
      if (choice.canceled || !picked) return { moved: false, message: 'No folder chosen.', view: settingsView() };
      target = picked;
    } else if (dataDir === location.defaultDir) {
      return { moved: false, message: `Already using the default folder ${dataDir}.`, view: settingsView() };
    }
    // One change at a time: a move waits for a settings change (and its restart) to finish.
    const result = settingsQueue.then(() => moveDataFolder(target));
    settingsQueue = result.catch(() => undefined);
    return result;
  };

  const unregisterIpc = registerIpcHandlers({
    ipcMain: electron.ipcMain,
    trustedWebContents: windowManager.trustedWebContents,
    api: () => core.chart,
    exportCsv: (params, progress) => exporter.run(params, progress).then(({ rows, fileName }) => ({ rows, fileName })),
    cancelExport: () => exporter.cancel(),
    logger,
    actions: {
      getSettings: settingsView,
      updateSettings,
      testSync: () => runTest(core.features.testSync, 'Sync is not part of this build'),
      sendTestEmail: () => runTest(core.features.sendTestEmail, 'Email alerts are not part of this build'),
      openDataFolder: () => openDataFolder().then(() => null),
      chooseDataFolder: (params) => chooseDataFolder(params ?? {}),
      openExternal: ({ url }) => openExternal(url).then(() => null),
    },
  });

  // Windows announces a shutdown only to windows, and a tray app may have none open: one hidden
  // window, kept from start to quit, hears it whatever the user has open (power.ts).
  const sessionWindow = platform === 'win32' ? new electron.BaseWindow(sessionWindowOptions()) : null;
  const stopPowerEvents = wirePowerEvents(
    electron.powerMonitor,
    () => ({
      setSleeping: (value) => {
        sleeping = value;
        core.runtime.setSleeping(value);
      },
      flush: () => core.runtime.engine.flush(),
    }),
    logger,
    refresh,
    { sessionWindow, onSessionEnd: () => shutdown() },
  );
  // Alerts become notifications; the services' state (peers, sync) reaches the tray icon.
  const poll = () => {
    for (const alert of safely(() => core.features.takeNewAlerts(), [], logger)) notifier.show(alertNotification(alert), () => windowManager.open('chart'));
    refresh();
  };
  safely(() => core.features.takeNewAlerts(), [], logger);
  core.runtime.engine.on('sample', refresh);
  const healthTimer = setInterval(poll, options.healthPollMs ?? 5000);
  healthTimer.unref();

  // Quitting flushes storage: Electron is held at 'before-quit' until the core has stopped
  // (pending samples written, database closed, lock released), then quits for real.
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let stopping = false;
  let done = false;
  app.on('before-quit', (event) => {
    if (done) return;
    event.preventDefault();
    shutdown();
  });

  // The first launch shows where Vigil lives: the chart window, and a note on where the icon is.
  const welcomed = path.join(location.homeDir, FIRST_LAUNCH_MARKER);
  if (!fs.existsSync(welcomed)) {
    windowManager.open('chart');
    notifier.show({ title: 'Vigil is running', body: whereTheIconLives(platform), urgency: 'normal', silent: true }, () => windowManager.open('chart'));
    try {
      fs.writeFileSync(welcomed, `${new Date(now()).toISOString()}\n`);
    } catch (error) {
      logger.warn('could not record the first launch', { error: String(error) });
    }
  }

  /**
   * Stops everything once: at 'before-quit', and at a Windows session end, where Electron emits
   * no 'before-quit' and Windows ends the process right after.
   */
  function shutdown(): void {
    if (stopping) return;
    stopping = true;
    windowManager.setQuitting();
    clearInterval(healthTimer);
    stopPowerEvents();
    core.runtime.engine.off('sample', refresh);
    unregisterIpc();
    tray.destroy();
    // A settings change in progress (a core restart) finishes first.
    settingsQueue
      .then(() => core.runtime.stop())
      .catch((error: unknown) => logger.error('unclean shutdown', { error }))
      .finally(() => {
        logger.info('vigil app stopped', {});
        logger.close();
        windowManager.destroyAll();
        if (sessionWindow && !sessionWindow.isDestroyed()) sessionWindow.destroy();
        done = true;
        resolveStopped();
        app.quit();
      });
  }

  return {
    get dataDir() {
      return dataDir;
    },
    get runtime() {
      return core.runtime;
    },
    get settings() {
      return settings;
    },
    windows: windowManager,
    tray,
    exporter,
    autostart,
    logger,
    state,
    dispatch,
    stopped,
  };
}

async function runTest(test: (() => Promise<TestOutcome>) | null, unavailable: string): Promise<TestOutcome> {
  if (!test) return { ok: false, message: unavailable };
  try {
    return await test();
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function mergePatches(a: SettingsUpdate['patch'], b: SettingsUpdate['patch']): SettingsUpdate['patch'] {
  const out: Record<string, Record<string, unknown>> = {};
  for (const patch of [a, b]) {
    for (const [section, values] of Object.entries(patch)) out[section] = { ...(out[section] ?? {}), ...(values ?? {}) };
  }
  return out as SettingsUpdate['patch'];
}

function safely<T>(read: () => T, fallback: T, logger: Logger): T {
  try {
    return read();
  } catch (error) {
    logger.warn('could not read state', { error: error instanceof Error ? error.message : String(error) });
    return fallback;
  }
}
