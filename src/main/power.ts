// Suspend, resume and shutdown. Before the machine sleeps, the app announces it: Runtime.setSleeping
// makes /health say 'sleeping' (peers watching this machine then expect silence instead of
// raising a DOWN alert) and the sync service sends the new state to the hub at once. Pending
// samples are flushed to the database first, in case the machine never wakes (battery dies).
// The gap itself needs no marking here: the sampler sees the wall clock jump on resume, starts a
// fresh baseline and emits a 'gap' event, so no rate is ever averaged across the sleep.
import type { Logger } from '../core/log.js';
import type { PowerMonitorApi } from './electron-api.js';

export interface PowerTarget {
  setSleeping(sleeping: boolean): void;
  /** Writes pending samples to the database now. */
  flush(): void;
}

export function wirePowerEvents(powerMonitor: PowerMonitorApi, target: () => PowerTarget | null, logger: Logger, onChange: () => void): void {
  const goingDown = (why: 'suspend' | 'shutdown') => () => {
    const runtime = target();
    if (!runtime) return;
    try {
      runtime.flush();
    } catch (error) {
      logger.warn('could not flush before sleep', { error });
    }
    runtime.setSleeping(true);
    logger.info(why === 'suspend' ? 'machine is going to sleep' : 'machine is shutting down', {});
    onChange();
  };
  powerMonitor.on('suspend', goingDown('suspend'));
  powerMonitor.on('shutdown', goingDown('shutdown'));
  powerMonitor.on('resume', () => {
    const runtime = target();
    if (!runtime) return;
    runtime.setSleeping(false);
    logger.info('machine woke up', {});
    onChange();
  });
}
