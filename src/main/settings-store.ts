// The app's settings: electron-store over <data-dir>/config.json, the agent's file, so the tray
// app and the agent read and write the same file with the same schema. The folder is given
// explicitly (cwd): it is userData only while the data folder is the default one (data-folder.ts).
// electron-store imports electron itself, so the app passes the class in (and
// tests can load the real one against a stub electron module).
import type ElectronStore from 'electron-store';
import { dataPaths } from '../core/paths.js';
import { settingsConfOptions, settingsStoreOver, type SettingsStore } from '../core/settings.js';

export type ElectronStoreClass = typeof ElectronStore;

export function openAppSettings(Store: ElectronStoreClass, dataDir: string): SettingsStore {
  return settingsStoreOver(dataPaths(dataDir).settings, () =>
    new Store<Record<string, unknown>>({
      ...settingsConfOptions(),
      // electron-store's defaults are name 'config' and cwd userData; said here so the file
      // follows the data folder, and cannot move away from the agent's if a default changes.
      name: 'config',
      cwd: dataDir,
    }),
  );
}
