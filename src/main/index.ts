// The Electron main process entry (package.json "main": dist/main/index.js). Everything happens
// in app.ts, which takes the Electron API as a parameter; this file only hands it the real one.
//
// No top-level await here: Electron emits 'ready' only once the entry module has finished
// evaluating, so awaiting anything that waits for 'ready' (startApp does) would hang the app.
// What must happen before 'ready' (userData, the single-instance lock, the app:// scheme) runs
// synchronously at the start of startApp, during this module's evaluation.
import electron from 'electron';
import ElectronStore from 'electron-store';
import { startApp } from './app.js';
import { electronAddonPath, redirectSqliteAddon } from './dev-native.js';

// The app folder (package.json, dist/, assets/): app.getAppPath() both under `electron .` and
// inside the packaged asar archive.
const appRoot = electron.app.getAppPath();

function stopped(error: unknown): void {
  // startApp reports the errors it expects in a dialog; this is for the unexpected ones.
  console.error(error);
  void electron.app.whenReady().then(() => {
    electron.dialog.showErrorBox('Vigil stopped', error instanceof Error ? (error.stack ?? error.message) : String(error));
    electron.app.exit(70);
  });
}

try {
  // `npm start`: node_modules' better-sqlite3 is the system Node's build; use the Electron one.
  if (!electron.app.isPackaged) redirectSqliteAddon(electronAddonPath(appRoot, process.versions)!);
  startApp({ electron, ElectronStore, appRoot })
    .then((vigil) => {
      // The Playwright `_electron` suite (tests/e2e) reads the running app through this handle.
      if (vigil && process.env.VIGIL_E2E_HOOK === '1') (globalThis as { __vigilApp?: unknown }).__vigilApp = vigil;
    })
    .catch(stopped);
} catch (error) {
  stopped(error);
}
