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
}

export interface SettingsView {
  settings: Settings;
  /** The settings file (<data-dir>/config.json). */
  file: string;
  /**
   * The data folder. Shown, not edited: the settings file itself lives in it, and so do the
   * history and the lock the agent checks; moving it is VIGIL_DATA_DIR's job (see README).
   */
  dataDir: string;
  secrets: SecretsState;
}

export interface SettingsUpdate {
  patch: SettingsPatch;
  /** New secret values; an empty string removes the secret, an absent key leaves it alone. */
  secrets?: { syncToken?: string; smtpPassword?: string };
}

/** The outcome of "Test connection" / "Send test email": shown as it is in the window. */
export interface TestOutcome {
  ok: boolean;
  message: string;
}

/** The app-only bridge, exposed as `window.vigil.app`. */
export interface AppBridge {
  getSettings(): Promise<Settled<SettingsView>>;
  updateSettings(update: SettingsUpdate): Promise<Settled<SettingsView>>;
  /** Tries the sync target(s) with the saved settings (after saving). */
  testSync(): Promise<Settled<TestOutcome>>;
  /** Sends a test email with the saved SMTP settings. */
  sendTestEmail(): Promise<Settled<TestOutcome>>;
  openDataFolder(): Promise<Settled<null>>;
  /** Opens an http(s) link in the user's browser; anything else is refused. */
  openExternal(params: { url: string }): Promise<Settled<null>>;
}

export type AppMethod = keyof AppBridge;

export const APP_CHANNELS: Record<AppMethod, string> = {
  getSettings: 'vigil:app:getSettings',
  updateSettings: 'vigil:app:updateSettings',
  testSync: 'vigil:app:testSync',
  sendTestEmail: 'vigil:app:sendTestEmail',
  openDataFolder: 'vigil:app:openDataFolder',
  openExternal: 'vigil:app:openExternal',
};

export const APP_METHODS = Object.keys(APP_CHANNELS) as AppMethod[];

/** What the preload puts on `window` (contextBridge.exposeInMainWorld(BRIDGE_KEY, …)). */
export const BRIDGE_KEY = 'vigil';

export interface WindowBridge {
  api: VigilBridge;
  app: AppBridge;
}
