// power.ts on its own: the events of each OS (powerMonitor on Linux and macOS, the session-end
// events of a window on Windows) against a recording target, with Vitest's fake timers for the
// "the shutdown was cancelled" fallback. tests/main/app.test.ts runs the same through the app.
import type { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { SESSION_CANCEL_MS, sessionWindowOptions, wirePowerEvents, type PowerTarget } from '../../src/main/power.js';
import { createFakeElectron, type FakeBaseWindow } from './helpers/fake-electron.js';

function harness(platform: NodeJS.Platform) {
  const fake = createFakeElectron({ platform, appPath: '/app' });
  const calls: string[] = [];
  const target: PowerTarget = {
    setSleeping: (sleeping) => calls.push(sleeping ? 'sleeping' : 'awake'),
    flush: () => calls.push('flush'),
  };
  const sessionWindow = platform === 'win32' ? new fake.api.BaseWindow(sessionWindowOptions()) : null;
  const changes = { count: 0 };
  const stop = wirePowerEvents(fake.api.powerMonitor, () => target, silentLogger, () => changes.count++, { sessionWindow });
  return { fake, calls, changes, stop, window: fake.world.baseWindows[0] as FakeBaseWindow | undefined, power: fake.world.power as EventEmitter };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('power events', () => {
  it('Linux/macOS: suspend and shutdown flush, then announce sleep; resume wakes', () => {
    const h = harness('linux');
    h.power.emit('suspend');
    expect(h.calls).toEqual(['flush', 'sleeping']);
    h.power.emit('resume');
    expect(h.calls).toEqual(['flush', 'sleeping', 'awake']);
    h.power.emit('shutdown');
    expect(h.calls).toEqual(['flush', 'sleeping', 'awake', 'flush', 'sleeping']);
    expect(h.changes.count).toBe(3);
    expect(h.fake.world.baseWindows).toHaveLength(0);
  });

  it('Windows: the query announces once (flush first), the end does not repeat it, nothing is prevented', () => {
    vi.useFakeTimers();
    const h = harness('win32');
    expect(h.window!.queryEndSession(['shutdown'])).toBe(false);
    expect(h.calls).toEqual(['flush', 'sleeping']);
    h.window!.endSession(['shutdown']);
    expect(h.calls).toEqual(['flush', 'sleeping']);
    // The session ended: the cancel fallback must not wake a machine that is going away.
    vi.advanceTimersByTime(SESSION_CANCEL_MS * 2);
    expect(h.calls).toEqual(['flush', 'sleeping']);
  });

  it('Windows: a session end with no query before it (e.g. a forced log-off) still announces', () => {
    const h = harness('win32');
    h.window!.endSession(['logoff']);
    expect(h.calls).toEqual(['flush', 'sleeping']);
  });

  it('Windows: a query never followed by the end was cancelled: awake again after the timeout', () => {
    vi.useFakeTimers();
    const h = harness('win32');
    h.window!.queryEndSession(['shutdown']);
    vi.advanceTimersByTime(SESSION_CANCEL_MS - 1);
    expect(h.calls).toEqual(['flush', 'sleeping']);
    vi.advanceTimersByTime(1);
    expect(h.calls).toEqual(['flush', 'sleeping', 'awake']);
    // A later real shutdown is announced again.
    h.window!.queryEndSession(['shutdown']);
    h.window!.endSession(['shutdown']);
    expect(h.calls).toEqual(['flush', 'sleeping', 'awake', 'flush', 'sleeping']);
  });

  it('the returned function stops the cancel timer (quit)', () => {
    vi.useFakeTimers();
    const h = harness('win32');
    h.window!.queryEndSession();
    h.stop();
    vi.advanceTimersByTime(SESSION_CANCEL_MS * 2);
    expect(h.calls).toEqual(['flush', 'sleeping']);
  });

  it('the session window is a hidden BaseWindow, off the taskbar, that cannot take focus', () => {
    expect(sessionWindowOptions()).toMatchObject({ show: false, skipTaskbar: true, focusable: false, frame: false });
  });
});
