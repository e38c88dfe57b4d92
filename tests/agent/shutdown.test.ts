// How the agent and the hub end on a signal, including one that comes while they are starting.
// The signals come from an EventEmitter standing in for the process, so a test can signal at a
// moment of its choosing (a real start-up on Linux seldom yields long enough to aim a kill at it).
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { handleShutdownSignals } from '../../src/agent/shutdown.js';
import { createLogger } from '../../src/core/log.js';

function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  return {
    on: (signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void) => emitter.on(signal, listener),
    off: (signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void) => emitter.off(signal, listener),
    exit: (code: number) => void exits.push(code),
    signal: (signal: NodeJS.Signals) => emitter.emit(signal, signal),
    listeners: () => emitter.listenerCount('SIGINT') + emitter.listenerCount('SIGTERM') + emitter.listenerCount('SIGHUP'),
    exits,
  };
}

function recordingLogger() {
  const lines: string[] = [];
  return { logger: createLogger({ stream: { write: (text: string) => lines.push(text) } }), lines };
}

function service() {
  const calls = { stop: 0 };
  return { calls, stop: async () => void calls.stop++ };
}

describe('handleShutdownSignals', () => {
  it('a SIGTERM during start-up is kept: the service is stopped as soon as it is up, and the exit code is 0', async () => {
    const signals = fakeProcess();
    const { logger, lines } = recordingLogger();
    const shutdown = handleShutdownSignals(logger, signals);
    expect(signals.listeners()).toBe(2); // SIGINT and SIGTERM, before anything has started
    signals.signal('SIGTERM');
    expect(lines.join('')).toContain('signal during start-up: stopping once started');
    const started = service();
    await expect(shutdown.run(started)).resolves.toBe(0);
    expect(started.calls.stop).toBe(1);
    expect(signals.exits).toEqual([]);
  });

  it('once running: the first signal stops cleanly, a second exits at once with 130', async () => {
    const signals = fakeProcess();
    const { logger, lines } = recordingLogger();
    const shutdown = handleShutdownSignals(logger, signals);
    let release = () => {};
    let stops = 0;
    const slow = { stop: () => new Promise<void>((resolve) => ((stops++, (release = resolve)))) };
    const stopped = shutdown.run(slow);
    signals.signal('SIGINT');
    expect(stops).toBe(1);
    expect(lines.join('')).toMatch(/shutting down \{"signal":"SIGINT"\}/);
    signals.signal('SIGTERM');
    expect(signals.exits).toEqual([130]);
    expect(stops).toBe(1);
    release();
    await expect(stopped).resolves.toBe(0);
  });

  it('a second signal while still starting exits at once', () => {
    const signals = fakeProcess();
    handleShutdownSignals(recordingLogger().logger, signals);
    signals.signal('SIGINT');
    signals.signal('SIGINT');
    expect(signals.exits).toEqual([130]);
  });

  it('a failed stop: exit code 74, said in the log', async () => {
    const signals = fakeProcess();
    const { logger, lines } = recordingLogger();
    const stopped = handleShutdownSignals(logger, signals).run({ stop: () => Promise.reject(new Error('disk gone')) });
    signals.signal('SIGTERM');
    await expect(stopped).resolves.toBe(74);
    expect(lines.join('')).toContain('unclean shutdown');
  });

  it('a start that failed takes its handlers away, so nothing waits on a service that never came', () => {
    const signals = fakeProcess();
    const shutdown = handleShutdownSignals(recordingLogger().logger, signals);
    shutdown.abandon();
    expect(signals.listeners()).toBe(0);
  });

  it.runIf(process.platform !== 'win32')('SIGHUP reloads once running, and not before', async () => {
    const signals = fakeProcess();
    const shutdown = handleShutdownSignals(recordingLogger().logger, signals);
    expect(signals.listeners()).toBe(2);
    let reloads = 0;
    const stopped = shutdown.run(service(), async () => void reloads++);
    signals.signal('SIGHUP');
    expect(reloads).toBe(1);
    signals.signal('SIGTERM');
    await expect(stopped).resolves.toBe(0);
  });
});
