// The engine's once-a-minute top processes, on the fake clock with a scripted lister: each
// whole minute's lists land in the store under the minute that just ended, a failing lister
// skips its minutes without stopping anything, and processes.recordTop switches it all off.
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/core/engine.js';
import type { ProcessLister, TopLists } from '../../src/core/metrics/processes.js';
import { defaultSettings, mergeSettings } from '../../src/shared/settings.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { fakeSources } from '../main/helpers/fake-sources.js';
import { recordingLogger, tempDir } from './csv/helpers.js';

const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 22, 12, 0, 0, 300);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A lister whose n-th call (from 1) names its processes after n; `fail(n)` makes call n throw. */
function scriptedLister(fail: (call: number) => boolean = () => false): ProcessLister & { calls: number } {
  const lister = {
    source: 'linux /proc' as const,
    calls: 0,
    list: () => Promise.reject(new Error('not used by the recorder')),
    async top(limit = 5): Promise<TopLists> {
      const call = ++lister.calls;
      if (fail(call)) throw new Error(`EACCES reading /proc (call ${call})`);
      const byCpu = Array.from({ length: limit }, (_, i) => ({ pid: 100 + i, name: `cpu${call}-${i}`, cpuPercent: 90 - i * 10, memoryBytes: 4096 }));
      const byMemory = [{ pid: 7, name: `mem${call}`, cpuPercent: 0.5, memoryBytes: 2 ** 30 }, byCpu[0]!];
      return { ts: 0, windowMs: 60_000, byCpu, byMemory };
    },
  };
  return lister;
}

async function startEngine(lister: ProcessLister, recordTop = true) {
  const { dir, cleanup } = tempDir('vigil-top-');
  const clock = new FakeClock({ wall: START });
  const logger = recordingLogger();
  const settings = mergeSettings(defaultSettings(), { processes: { recordTop } });
  const engine = await Engine.start({ dataDir: dir, settings, sources: fakeSources(), clock, logger, processLister: async () => lister });
  cleanups.push(cleanup, async () => {
    const stopping = engine.stop();
    await clock.advance(10_000);
    await stopping;
  });
  const minutes = async (n: number) => {
    for (let i = 0; i < n * 60; i++) await clock.advance(1000);
  };
  return { engine, clock, logger, settings, minutes };
}

describe('top processes of every minute', () => {
  it('stores each whole minute under its start, measured from the previous reading; the first reading only primes', async () => {
    const lister = scriptedLister();
    const { engine, minutes } = await startEngine(lister);
    await minutes(3);
    // Calls: at start (prime), 12:01 (minute 12:00), 12:02 (12:01), 12:03 (12:02).
    expect(lister.calls).toBe(4);
    const m0 = Date.UTC(2026, 10, 22, 12, 0);
    const first = engine.store.topMinute(m0);
    expect(first?.byCpu.map((p) => p.name)).toEqual(['cpu2-0', 'cpu2-1', 'cpu2-2', 'cpu2-3', 'cpu2-4']);
    expect(first?.byMemory).toEqual([
      { pid: 7, name: 'mem2', cpuPercent: 0.5, memoryBytes: 2 ** 30 },
      { pid: 100, name: 'cpu2-0', cpuPercent: 90, memoryBytes: 4096 },
    ]);
    expect(first?.windowMs).toBe(60_000);
    expect(engine.store.topMinute(m0 + 2 * MINUTE)?.byMemory[0]!.name).toBe('mem4');
    expect(engine.store.topMinute(m0 - MINUTE)).toBeNull();
    expect(engine.store.topMinute(m0 + 3 * MINUTE)).toBeNull(); // not over yet
  });

  it('a failing lister skips its minutes (and the next, which re-primes), logs once, and sampling goes on', async () => {
    const lister = scriptedLister((call) => call === 3 || call === 4);
    const { engine, logger, minutes } = await startEngine(lister);
    await minutes(5);
    const m0 = Date.UTC(2026, 10, 22, 12, 0);
    const recorded = [0, 1, 2, 3, 4].map((i) => engine.store.topMinute(m0 + i * MINUTE) !== null);
    // Calls: 1 prime, 2 → 12:00, 3 and 4 fail (12:01, 12:02 lost), 5 primes again (12:03 lost), 6 → 12:04.
    expect(recorded).toEqual([true, false, false, false, true]);
    const warnings = logger.lines.filter((l) => /cannot list processes/.test(l.message));
    expect(warnings).toHaveLength(1);
    expect(logger.lines.some((l) => /top processes recorded again/.test(l.message))).toBe(true);
    expect(engine.latest()?.ts).toBeGreaterThan(START + 4 * MINUTE);
  });

  it('processes.recordTop off: the lister is never asked; switched on, recording starts', async () => {
    const lister = scriptedLister();
    const { engine, settings, minutes } = await startEngine(lister, false);
    await minutes(2);
    expect(lister.calls).toBe(0);
    engine.applySettings(mergeSettings(settings, { processes: { recordTop: true } }));
    await minutes(2);
    expect(lister.calls).toBe(3);
    expect(engine.store.topMinute(Date.UTC(2026, 10, 22, 12, 3))).not.toBeNull();
    engine.applySettings(settings);
    await minutes(2);
    expect(lister.calls).toBe(3);
  });
});
