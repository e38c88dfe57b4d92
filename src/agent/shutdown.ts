// How a long-running command (agent, hub) ends: the first SIGINT/SIGTERM stops it cleanly
// (flush, close), a second one exits at once; SIGHUP, where the OS has it, reloads.
// The handlers go in before the service starts: a supervisor may stop it while it is still
// starting (systemd's stop right after a start, a Ctrl-C during a slow first open), and until Node
// has a handler a SIGTERM kills the process without a clean stop. A signal during start-up is
// kept; the service is stopped as soon as it is up, and the command exits 0.
import type { Logger } from '../core/log.js';

interface Stoppable {
  stop(): Promise<void>;
}

export interface ShutdownHandlers {
  /**
   * The service is up: resolves with the exit code once a signal has stopped it (at once if a
   * signal came while it was starting). Call it before saying "running".
   */
  run(service: Stoppable, onReload?: () => Promise<void>): Promise<number>;
  /** The start failed: the handlers go, so the failure ends the process as it would without them. */
  abandon(): void;
}

/** Where the signals come from, and how a second one ends the process (the tests give their own). */
interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

/** Installs the SIGINT/SIGTERM handlers now, synchronously; call it before starting the service. */
export function handleShutdownSignals(logger: Logger, source: SignalSource = process): ShutdownHandlers {
  let signalled: NodeJS.Signals | null = null;
  let stopService: ((signal: NodeJS.Signals) => void) | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled !== null) {
      logger.warn('second signal: exiting without a clean shutdown', { signal });
      source.exit(130);
      return;
    }
    signalled = signal;
    if (stopService) stopService(signal);
    else logger.info('signal during start-up: stopping once started', { signal });
  };
  source.on('SIGINT', onSignal);
  source.on('SIGTERM', onSignal);
  let onHangup: (() => void) | null = null;
  return {
    run(service, onReload) {
      if (onReload && process.platform !== 'win32') {
        onHangup = () => void onReload();
        source.on('SIGHUP', onHangup);
      }
      return new Promise((resolve) => {
        stopService = (signal) => {
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
        if (signalled !== null) stopService(signalled);
      });
    },
    abandon() {
      source.off('SIGINT', onSignal);
      source.off('SIGTERM', onSignal);
      if (onHangup) source.off('SIGHUP', onHangup);
    },
  };
}
