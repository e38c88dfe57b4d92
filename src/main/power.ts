// Suspend, resume and shutdown. Before the machine sleeps, the app announces it: Runtime.setSleeping
// makes /health say 'sleeping' (peers watching this machine then expect silence instead of
// raising a DOWN alert) and the sync service sends the new state to the hub at once. Pending
// samples are flushed to the database first, in case the machine never wakes (battery dies).
// The gap itself needs no marking here: the sampler sees the wall clock jump on resume, starts a
// fresh baseline and emits a 'gap' event, so no rate is ever averaged across the sleep.
//
// Shutdown is announced the same way, but Electron reports it differently per OS:
// - Linux and macOS: powerMonitor 'shutdown' (Electron emits it there only).
// - Windows: the session-end messages, which Windows sends to every top-level window of the
//   process (WM_QUERYENDSESSION, then WM_ENDSESSION), and which Electron emits on that window as
//   'query-session-end' and 'session-end'. A tray app often has no window open, so app.ts keeps a
//   hidden BaseWindow for the app's whole life just to hear them (see sessionWindowOptions).
//   The query comes first and leaves the most time to reach the hub, so it announces; the end
//   confirms. A query can still be cancelled (another program refuses, the user cancels), and
//   Windows says nothing then: if the process is still running `sessionCancelMs` after a query
//   with no end, the session did not end, and the app says it is awake again rather than stay
//   'sleeping' (which would keep peers from ever alerting on this machine).
import type * as Electron from 'electron';
import type { Logger } from '../core/log.js';
import type { PowerMonitorApi, SessionWindowApi } from './electron-api.js';

export interface PowerTarget {
  setSleeping(sleeping: boolean): void;
  /** Writes pending samples to the database now. */
  flush(): void;
}

export interface PowerEventsOptions {
  /** Windows: the hidden window the session-end events arrive on (null or absent elsewhere). */
  sessionWindow?: SessionWindowApi | null;
  /** A session-end query with no end within this time was cancelled (ms, default 2 min). */
  sessionCancelMs?: number;
  /**
   * The Windows session ends: Windows terminates the process right after, and Electron emits no
   * 'before-quit' then, so this is the last chance to stop the core (flush, close, unlock).
   */
  onSessionEnd?: () => void;
}

/**
 * Options of the hidden window that hears Windows' session end: a BaseWindow, which has no web
 * contents (no renderer process, nothing to load or to attack), never shown, off the taskbar.
 */
export function sessionWindowOptions(): Electron.BaseWindowConstructorOptions {
  return { show: false, width: 1, height: 1, frame: false, resizable: false, focusable: false, skipTaskbar: true, title: 'Vigil' };
}

export const SESSION_CANCEL_MS = 2 * 60 * 1000;

type GoingDown = 'suspend' | 'shutdown' | 'session-end';

const GOING_DOWN_LOG: Record<GoingDown, string> = {
  suspend: 'machine is going to sleep',
  shutdown: 'machine is shutting down',
  'session-end': 'Windows session is ending',
};

/** Wires the events; the returned function removes the cancel timer (quit). */
export function wirePowerEvents(powerMonitor: PowerMonitorApi, target: () => PowerTarget | null, logger: Logger, onChange: () => void, options: PowerEventsOptions = {}): () => void {
  // Announced once per going-down: a query followed by its end, or several windows hearing the
  // same message, must not flush and notify the hub twice.
  let down: GoingDown | null = null;
  let cancelTimer: NodeJS.Timeout | null = null;
  const clearCancel = () => {
    if (cancelTimer) clearTimeout(cancelTimer);
    cancelTimer = null;
  };

  const goingDown = (why: GoingDown, fields: Record<string, unknown> = {}) => {
    if (down !== null) return;
    const runtime = target();
    if (!runtime) return;
    down = why;
    try {
      runtime.flush();
    } catch (error) {
      logger.warn('could not flush before sleep', { error });
    }
    runtime.setSleeping(true);
    logger.info(GOING_DOWN_LOG[why], fields);
    onChange();
  };
  const awake = (message: string) => {
    clearCancel();
    if (down === null) return;
    const runtime = target();
    if (!runtime) return;
    down = null;
    runtime.setSleeping(false);
    logger.info(message, {});
    onChange();
  };

  powerMonitor.on('suspend', () => goingDown('suspend'));
  powerMonitor.on('shutdown', () => goingDown('shutdown'));
  powerMonitor.on('resume', () => awake('machine woke up'));

  const window = options.sessionWindow;
  if (window) {
    window.on('query-session-end', (event) => {
      // Not prevented: the user asked for the shutdown, and the flush below is what matters.
      goingDown('session-end', { phase: 'query', reasons: event.reasons });
      if (down !== 'session-end') return;
      clearCancel();
      cancelTimer = setTimeout(() => awake('the Windows session did not end (cancelled): awake again'), options.sessionCancelMs ?? SESSION_CANCEL_MS);
      cancelTimer.unref();
    });
    window.on('session-end', (event) => {
      // Nothing can stop it now; the cancel timer must not wake a machine that is going away.
      clearCancel();
      goingDown('session-end', { phase: 'end', reasons: event.reasons });
      options.onSessionEnd?.();
    });
  }
  return clearCancel;
}
