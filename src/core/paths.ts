// Where Vigil keeps its data. The default is the folder Electron calls `userData` for an app
// named "Vigil", so the headless agent and the tray app find the same database, CSV files and
// settings on the same machine.
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Vigil';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (env.VIGIL_DATA_DIR) return path.resolve(env.VIGIL_DATA_DIR);
  switch (platform) {
    case 'win32':
      return path.win32.join(env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'), APP_NAME);
    case 'darwin':
      return path.posix.join(home, 'Library', 'Application Support', APP_NAME);
    default:
      return path.posix.join(env.XDG_CONFIG_HOME || path.posix.join(home, '.config'), APP_NAME);
  }
}

/** Every path inside a data dir, named once. */
export function dataPaths(dataDir: string) {
  return {
    dataDir,
    database: path.join(dataDir, 'vigil.db'),
    settings: path.join(dataDir, 'config.json'),
    telemetry: path.join(dataDir, 'telemetry'),
    logs: path.join(dataDir, 'logs'),
    logFile: path.join(dataDir, 'logs', 'vigil.log'),
    /** The tray app's log: it shares the data folder, but may run beside an agent's log. */
    appLogFile: path.join(dataDir, 'logs', 'app.log'),
    lock: path.join(dataDir, 'agent.lock'),
  };
}

export type DataPaths = ReturnType<typeof dataPaths>;
