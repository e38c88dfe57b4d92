// The tray app's own IPC contract (the settings and export windows): what the preload exposes as
// `window.vigil.app` and what the main process answers. The chart API's IPC mapping is in
// api-client.ts (`window.vigil.api`); this file follows the same rules: one channel per function,
// one JSON parameter object (or none), and every answer is a Settled envelope (`{ value }` or
// `{ error: { code, message } }`), because Electron drops an Error's code when it crosses IPC.
import type { Settled, VigilBridge } from './api-client.js';
import type { Settings, SettingsPatch } from './settings.js';

/** Secrets that never go into config.json (each lives in its own mode-0600 file). */
export interface SecretsState {
  /** The hub token (sync.tokenFile, default <data-dir>/sync-token) is set. */
  syncToken: boolean;
  /** The SMTP password (smtp.passwordFile) is set, or written in smtp.url. */
  smtpPassword: boolean;
  /** The InfluxDB token (influx.tokenFile, default <data-dir>/influx-token) is set. */
  influxToken: boolean;
}

/** The secrets the settings window can set (see SettingsUpdate.secrets). */
export interface SecretValues {
  syncToken?: string;
  smtpPassword?: string;
  influxToken?: string;
}

/** Where the data folder comes from, and whether the settings window may change it. */
export interface DataFolderView {
  /** The per-user default folder, $VIGIL_DATA_DIR, or a folder chosen in the settings window. */
  source: 'default' | 'env' | 'chosen';
  /** The per-user default folder (the choice itself is kept there, in data-folder.json). */
  defaultDir: string;
  /** False when $VIGIL_DATA_DIR names the folder: it wins over a choice made in the window. */
  canChoose: boolean;
  /** Why the chosen folder is not the one in use (it was missing at start), else null. */
  problem: string | null;
}

/** What "Choose…" / "Use the default folder" did. */
export interface DataFolderOutcome {
  /** False when the dialog was cancelled or the folder is the one in use already. */
  moved: boolean;
  message: string;
  view: SettingsView;
}

export interface SettingsView {
  settings: Settings;
  /** The settings file (<data-dir>/config.json). */
  file: string;
  /**
   * The data folder in use. Not a setting in config.json (that file lives in it): it changes
   * through chooseDataFolder, which restarts the core there.
   */
  dataDir: string;
  dataFolder: DataFolderView;
  secrets: SecretsState;
}

export interface SettingsUpdate {
  patch: SettingsPatch;
  /** New secret values; an empty string removes the secret, an absent key leaves it alone. */
  secrets?: SecretValues;
}

/** The outcome of "Test connection" / "Send test email": shown as it is in the window. */
export interface TestOutcome {
  ok: boolean;
  message: string;
}

/**
 * What the app's own windows (settings, export) may ask of the main process: one method per IPC
 * channel `vigil:app:<method>` (ipc-channels.ts), each with at most one parameter object.
 */
export interface AppCalls {
  getSettings(): SettingsView;
  updateSettings(update: SettingsUpdate): SettingsView;
  /** Tries the sync target(s) with the saved settings (after saving). */
  testSync(): TestOutcome;
  /** Sends a test email with the saved SMTP settings. */
  sendTestEmail(): TestOutcome;
  openDataFolder(): null;
  /**
   * Asks for a new data folder in the OS's folder dialog (the page never names a path), or with
   * `useDefault` goes back to the per-user default; the core restarts there. The history stays in
   * the old folder; an empty new folder gets this machine's settings, id and secrets.
   */
  chooseDataFolder(params?: { useDefault?: boolean }): DataFolderOutcome;
  /** Opens an http(s) link in the user's browser; anything else is refused. */
  openExternal(params: { url: string }): null;
}

export type AppMethod = keyof AppCalls;

/** The app methods at run time (the preload makes one function per entry); the type checks it is complete. */
export const APP_METHODS = ['getSettings', 'updateSettings', 'testSync', 'sendTestEmail', 'openDataFolder', 'chooseDataFolder', 'openExternal'] as const satisfies readonly AppMethod[];
const everyAppMethod: Exclude<AppMethod, (typeof APP_METHODS)[number]> extends never ? true : never = true;
void everyAppMethod;

/** The app-only bridge, exposed as `window.vigil.app`: AppCalls, answered in the Settled envelope. */
export type AppBridge = { [M in AppMethod]: (...args: Parameters<AppCalls[M]>) => Promise<Settled<ReturnType<AppCalls[M]>>> };

/** What the preload puts on `window` (contextBridge.exposeInMainWorld(BRIDGE_KEY, …)). */
export const BRIDGE_KEY = 'vigil';

export interface WindowBridge {
  api: VigilBridge;
  app: AppBridge;
}
