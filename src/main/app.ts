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
import path from 'node:path';
import type { Logger } from '../core/log.js';
import type { SettingsStore } from '../core/settings.js';
import type { TestOutcome } from '../shared/app-ipc.js';
import { VigilError, isVigilError } from '../shared/errors.js';
import { locateDataFolder, sessionDataDir } from './data-folder.js';
import { Exporter, exportPresetParams } from './export.js';
import { appFeatures } from './features.js';
import { registerIpcHandlers } from './ipc/handlers.js';
import type { AppOptions, VigilApp } from './libs/app-options.js';
import { openAppLog } from './libs/app-log.js';
import { CoreHolder, coreFactory, type Core } from './libs/core-holder.js';
import type { TrafficSummary } from '../core/traffic/report.js';
import { frontDialogs } from './libs/dialogs.js';
import { welcomeOnFirstLaunch } from './libs/first-launch.js';
import { settingsActions, type AppFolder } from './libs/settings-actions.js';
import { alertNotification, createNotifier, type Notifier } from './notifications.js';
import { createAutostart } from './platform/autostart.js';
import { sessionWindowOptions, wirePowerEvents } from './power.js';
import { openAppSettings } from './settings-store.js';
import { exportPresetOf, type MenuAction } from './tray/menu-model.js';
import type { ShellState } from './tray/state.js';
import { TrayController } from './tray/tray.js';
import { createOpenExternal, denyAllPermissions, hardenWebContents } from './windows/hardening.js';
import { APP_SCHEME } from './windows/options.js';
import { APP_SCHEME_PRIVILEGES, appProtocolHandler } from './windows/protocol.js';
import { WindowManager } from './windows/windows.js';

export const APP_USER_MODEL_ID = 'app.vigil.monitor';

export { FIRST_LAUNCH_MARKER } from './libs/first-launch.js';
export type { AppOptions, VigilApp } from './libs/app-options.js';


/** The tray's traffic lines are read from the database at most this often. */
const TRAFFIC_REFRESH_MS = 60_000;

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
  const dataDir = location.dataDir;
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
  const log = openAppLog(dataDir, initial, options.logStream === undefined ? process.stderr : options.logStream);
  const { logger } = log;
  if (location.problem) logger.warn('data folder', { problem: location.problem });

  // Web contents rules first: nothing can open a window or navigate without them.
  const openExternal = createOpenExternal(electron.shell, (url, reason) => logger.warn('refused to open a link', { url, reason }));
  denyAllPermissions(electron.session.defaultSession);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal));
  electron.protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir));

  // The core (libs/core-holder.ts): replaced by a settings change or a move of the data folder.
  const startCore = coreFactory({ features: options.features ?? appFeatures, currentSettings: () => folder.settings.get(), logger, now, sources: options.sources, clock: options.clock });
  let firstCore: Core;
  try {
    firstCore = await startCore(initial, dataDir);
  } catch (error) {
    const title = isVigilError(error) && error.code === 'already_running' ? 'Vigil is already sampling this machine' : 'Vigil cannot start';
    const result = fail(title, error, logger);
    logger.close();
    return result;
  }
  const folder: AppFolder = { dataDir, settings, problem: location.problem };
  let sleeping = false;
  const holder = new CoreHolder(firstCore, { onSample: () => refresh(), sleeping: () => sleeping, onReplaced: () => refresh() });
  logger.info('vigil app running', { pid: process.pid, dataDir, settings: settings.path, url: holder.core.runtime.url });

  const notifier: Notifier = createNotifier(electron.Notification, iconPath);
  const dialog = frontDialogs(electron.dialog, app, platform);
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

  let openAtLogin = safely(() => autostart.isEnabled(), false, logger);
  // Today's and this billing period's traffic: read from the database at most once a minute (the
  // menu is refreshed with every sample).
  let traffic: { at: number; chart: Core['chart']; value: TrafficSummary | null } | null = null;
  const trafficTotals = (): TrafficSummary | null => {
    const chart = holder.core.chart;
    if (!traffic || traffic.chart !== chart || now() - traffic.at >= TRAFFIC_REFRESH_MS) traffic = { at: now(), chart, value: safely(() => chart.trafficSummary(), null, logger) };
    return traffic.value;
  };
  const state = (): ShellState => ({
    platform,
    now: now(),
    latest: holder.core.runtime.engine.latest(),
    paused: holder.core.runtime.engine.paused,
    sleeping,
    openAtLogin,
    exporting: exporter.running,
    health: safely(() => holder.core.features.health(), { peersWatched: 0, peersDown: [], sync: { state: 'off' } }, logger),
    traffic: trafficTotals(),
  });
  const refresh = () => tray.update(state());

  const exporter = new Exporter({
    dialog,
    chart: () => holder.core.chart,
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
    const problem = await electron.shell.openPath(folder.dataDir);
    if (problem) throw new VigilError('io_error', `Cannot open ${folder.dataDir}: ${problem}`);
  };

  const dispatch = async (action: MenuAction): Promise<void> => {
    switch (action) {
      case 'open-chart':
        windowManager.open('chart');
        break;
      case 'export:today':
      case 'export:yesterday':
      case 'export:last-7-days':
        await exportFromTray({ ...exportPresetParams(exportPresetOf(action), now()), timeFormat: folder.settings.get().csv.exportTimeFormat });
        break;
      case 'export:range':
        windowManager.open('export');
        break;
      case 'export:cancel':
        exporter.cancel();
        break;
      case 'pause':
        holder.core.runtime.engine.pause();
        break;
      case 'resume':
        holder.core.runtime.engine.resume();
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

  const settingsWindow = settingsActions({ folder, location, holder, startCore, ElectronStore: options.ElectronStore, dialog, log, onChange: () => refresh() });

  const unregisterIpc = registerIpcHandlers({
    ipcMain: electron.ipcMain,
    trustedWebContents: windowManager.trustedWebContents,
    api: () => holder.core.chart,
    exportCsv: (params, progress) => exporter.run(params, progress).then(({ rows, fileName }) => ({ rows, fileName })),
    cancelExport: () => exporter.cancel(),
    logger,
    actions: {
      getSettings: settingsWindow.view,
      updateSettings: settingsWindow.update,
      testSync: () => runTest(holder.core.features.testSync, 'Sync is not part of this build'),
      sendTestEmail: () => runTest(holder.core.features.sendTestEmail, 'Email alerts are not part of this build'),
      openDataFolder: () => openDataFolder().then(() => null),
      chooseDataFolder: (params) => settingsWindow.chooseDataFolder(params ?? {}),
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
        holder.core.runtime.setSleeping(value);
      },
      flush: () => holder.core.runtime.engine.flush(),
    }),
    logger,
    refresh,
    { sessionWindow, onSessionEnd: () => shutdown() },
  );
  // Alerts become notifications; the services' state (peers, sync) reaches the tray icon.
  const poll = () => {
    for (const alert of safely(() => holder.core.features.takeNewAlerts(), [], logger)) notifier.show(alertNotification(alert), () => windowManager.open('chart'));
    refresh();
  };
  safely(() => holder.core.features.takeNewAlerts(), [], logger);
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

  welcomeOnFirstLaunch({ userData: location.homeDir, platform, openChart: () => windowManager.open('chart'), notifier, logger, now });

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
    unregisterIpc();
    tray.destroy();
    // A settings change in progress (a core restart) finishes first.
    settingsWindow
      .idle()
      .then(() => holder.stop())
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
      return folder.dataDir;
    },
    get runtime() {
      return holder.core.runtime;
    },
    get settings() {
      return folder.settings;
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

function safely<T>(read: () => T, fallback: T, logger: Logger): T {
  try {
    return read();
  } catch (error) {
    logger.warn('could not read state', { error: error instanceof Error ? error.message : String(error) });
    return fallback;
  }
}
