// The app's one logger. Everything holds this one object; it writes to logs/app.log of the data
// folder in use, which changes when the data folder moves (switchTo).
import { createLogger, type Logger } from '../../core/log.js';
import { dataPaths } from '../../core/paths.js';
import type { Settings } from '../../shared/settings.js';

export interface AppLog {
  readonly logger: Logger;
  /** Logs to `dir` from now on (the previous file says where to, then closes). */
  switchTo(dir: string, settings: Settings): void;
}

export function openAppLog(dir: string, settings: Settings, stream: { write(text: string): unknown } | null): AppLog {
  const open = (folder: string, current: Settings): Logger =>
    createLogger({
      level: current.log.level,
      stream,
      // The app logs beside the agent's vigil.log, in its own file: the two may start on the same
      // data folder (one of them is then refused by the lock, and says so in its own log).
      file: dataPaths(folder).appLogFile,
      maxBytes: current.log.maxFileMegabytes * 1024 * 1024,
      maxFiles: current.log.maxFiles,
    });
  let file = open(dir, settings);
  const logger: Logger = {
    error: (message, fields) => file.error(message, fields),
    warn: (message, fields) => file.warn(message, fields),
    info: (message, fields) => file.info(message, fields),
    debug: (message, fields) => file.debug(message, fields),
    setLevel: (level) => file.setLevel(level),
    close: () => file.close(),
  };
  return {
    logger,
    switchTo(folder, current) {
      const previous = file;
      file = open(folder, current);
      previous.info('data folder moved; logging there from now on', { to: folder });
      previous.close();
    },
  };
}
