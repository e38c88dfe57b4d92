// How a long-running command (agent, hub) ends: the first SIGINT/SIGTERM stops it cleanly
// (flush, close), a second one exits at once; SIGHUP, where the OS has it, reloads. The handlers
// are installed synchronously, when this is called: call it before saying "running".
import type { Logger } from '../core/log.js';

export function runUntilSignalled(service: { stop(): Promise<void> }, logger: Logger, onReload?: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn('second signal: exiting without a clean shutdown', { signal });
        process.exit(130);
      }
      stopping = true;
      logger.info('shutting down', { signal });
      service
        .stop()
        .then(() => resolve(0))
        .catch((error: unknown) => {
          logger.error('unclean shutdown', { error });
          resolve(74);
        })
        .finally(() => logger.close());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (onReload && process.platform !== 'win32') process.on('SIGHUP', () => void onReload());
  });
}
