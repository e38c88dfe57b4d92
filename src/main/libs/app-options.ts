// What startApp (app.ts) is given, and the running app it hands back.
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { MetricSources } from '../../core/metrics/index.js';
import type { Runtime } from '../../core/runtime.js';
import type { SettingsStore } from '../../core/settings.js';
import type { ElectronApi } from '../electron-api.js';
import type { Exporter } from '../export.js';
import type { AppFeatures, FeatureEnv } from '../features.js';
import type { Autostart } from '../platform/autostart.js';
import type { ElectronStoreClass } from '../settings-store.js';
import type { MenuAction } from '../tray/menu-model.js';
import type { ShellState } from '../tray/state.js';
import type { TrayController } from '../tray/tray.js';
import type { WindowManager } from '../windows/windows.js';

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
