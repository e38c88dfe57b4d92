// The app's settings: electron-store over <userData>/config.json, where userData is the default
// data folder (app.ts sets it), so the tray app and the agent read and write the same file with
// the same schema. electron-store imports electron itself, so the app passes the class in (and
// tests can load the real one against a stub electron module).
import type ElectronStore from 'electron-store';
import { dataPaths } from '../core/paths.js';
import { settingsConfOptions, settingsStoreOver, type SettingsStore } from '../core/settings.js';

export type ElectronStoreClass = typeof ElectronStore;

export function openAppSettings(Store: ElectronStoreClass, dataDir: string): SettingsStore {
  return settingsStoreOver(dataPaths(dataDir).settings, () =>
    new Store<Record<string, unknown>>({
      ...settingsConfOptions(),
      // electron-store's defaults would be the same (name 'config', cwd userData); said here so
      // the file cannot move away from the agent's if either default changes.
      name: 'config',
      cwd: dataDir,
    }),
  );
}
