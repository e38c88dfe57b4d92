// The one periodic-task helper, on the fake clock: start-to-start and wall-aligned schedules,
// single flight, stop() waiting for the run in flight, errors logged and the schedule going on.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../src/core/log.js';
import { PeriodicTask, alignDown, nextBoundary, type PeriodicRunContext, type PeriodicTaskOptions } from '../../src/core/periodic.js';
import { FakeClock } from '../helpers/fake-clock.js';

const T0 = Date.UTC(2026, 2, 14, 12, 0, 0, 300);

const tasks: { task: PeriodicTask; clock: FakeClock }[] = [];
afterEach(async () => {
  for (const { task, clock } of tasks.splice(0)) {
    // A run still waiting on the fake clock ends when the clock moves on.
    const stopping = task.stop();
    await clock.advance(60_000);
    await stopping;
  }
});

function recordingLogger(): Logger & { errors: { message: string; fields: unknown }[] } {
  const errors: { message: string; fields: unknown }[] = [];
  return { ...silentLogger, errors, error: (message: string, fields?: unknown) => void errors.push({ message, fields }) };
}

/** A task whose runs the test records (wall time, slot) and can make slow or failing. */
function setup(options: Partial<PeriodicTaskOptions> = {}, clockOptions: ConstructorParameters<typeof FakeClock>[0] = {}) {
  const clock = new FakeClock({ wall: T0, ...clockOptions });
  const logger = recordingLogger();
  const runs: { at: number; slot: number | null }[] = [];
  const behaviour: { spendMs: number; waitMs: number; endOnAbort: boolean; fail: 'throw' | 'reject' | null; onRun?: (context: PeriodicRunContext) => void } = {
    spendMs: 0,
    waitMs: 0,
    endOnAbort: false,
    fail: null,
  };
  let running = 0;
  let overlapped = false;
  const task = new PeriodicTask(clock, { name: 'test task', logger, everyMs: 1000, ...options }, (context) => {
    runs.push({ at: clock.now(), slot: context.slot });
    behaviour.onRun?.(context);
    if (behaviour.fail === 'throw') throw new Error('boom');
    clock.spend(behaviour.spendMs);
    if (behaviour.waitMs === 0 && behaviour.fail === null) return;
    running++;
    if (running > 1) overlapped = true;
    return new Promise<void>((resolve, reject) => {
      let ended = false;
      const done = () => {
        if (ended) return;
        ended = true;
        running--;
        if (behaviour.fail === 'reject') reject(new Error('async boom'));
        else resolve();
      };
      // A run that honours its signal (as a lookup given it does) ends when aborted.
      if (behaviour.endOnAbort) context.signal.addEventListener('abort', done);
      if (behaviour.waitMs === 0) done();
      else clock.setTimeout(done, behaviour.waitMs);
    });
  });
  tasks.push({ task, clock });
  return { clock, logger, runs, behaviour, task, overlapped: () => overlapped };
}

const offsets = (runs: { at: number }[]) => runs.map((r) => r.at - T0);

describe('PeriodicTask: monotonic (start to start)', () => {
  it('runs one period after start, then every period; now: true runs at once', async () => {
    const { clock, runs, task } = setup();
    task.start();
    expect(runs).toHaveLength(0);
    expect(task.nextRunAt).toBe(T0 + 1000);
    await clock.advance(3500);
    expect(offsets(runs)).toEqual([1000, 2000, 3000]);
    expect(runs.every((r) => r.slot === null)).toBe(true);

    const other = setup();
    other.task.start({ now: true });
    expect(offsets(other.runs)).toEqual([0]);
    await other.clock.advance(2000);
    expect(offsets(other.runs)).toEqual([0, 1000, 2000]);
  });

  it('firstRunInMs sets the first delay only', async () => {
    const { clock, runs, task } = setup();
    task.start({ firstRunInMs: 0 });
    expect(runs).toHaveLength(0);
    await clock.advance(2100);
    expect(offsets(runs)).toEqual([0, 1000, 2000]);
  });

  it('a run that takes time is counted in the period; one that overruns is followed at once, never overlapped', async () => {
    const { clock, runs, behaviour, task, overlapped } = setup();
    behaviour.waitMs = 300;
    task.start();
    await clock.advance(2500);
    expect(offsets(runs)).toEqual([1000, 2000]);
    behaviour.waitMs = 2500; // overruns the next two periods
    await clock.advance(5000);
    // 3000 starts a 2.5 s run: the next starts when it ends (5500), not at 4000 and 5000 as a burst.
    expect(offsets(runs)).toEqual([1000, 2000, 3000, 5500]);
    expect(overlapped()).toBe(false);
  });

  it('reads the period again for every scheduling; reschedule() applies a new one from now', async () => {
    let every = 1000;
    const { clock, runs, task } = setup({ everyMs: () => every });
    task.start();
    await clock.advance(1000);
    every = 5000;
    // The run at 1000 scheduled the next with the old period (the change comes after it).
    await clock.advance(1000);
    expect(offsets(runs)).toEqual([1000, 2000]);
    await clock.advance(5000);
    expect(offsets(runs)).toEqual([1000, 2000, 7000]);
    every = 200;
    await clock.advance(100);
    task.reschedule();
    expect(task.nextRunAt).toBe(T0 + 7100 + 200);
    await clock.advance(450);
    expect(offsets(runs)).toEqual([1000, 2000, 7000, 7300, 7500]);
  });
});

describe('PeriodicTask: wall-clock aligned', () => {
  it('runs on the wall clock boundaries and hands each run its slot', async () => {
    const { clock, runs, task } = setup({ everyMs: 60_000, align: 'wall' });
    task.start();
    await clock.advance(3 * 60_000);
    const minute = (m: number) => Date.UTC(2026, 2, 14, 12, m, 0);
    expect(runs.map((r) => r.at)).toEqual([minute(1), minute(2), minute(3)]);
    expect(runs.map((r) => r.slot)).toEqual([minute(1), minute(2), minute(3)]);
  });

  it('does not drift with late timers and slow runs, and skips the slots an overrun missed', async () => {
    const { clock, runs, behaviour, task } = setup({ align: 'wall' }, { latency: (n) => (n * 7919) % 41 });
    behaviour.spendMs = 5;
    task.start();
    await clock.advance(200_000);
    const slots = runs.map((r) => r.slot!);
    expect(slots.length).toBeGreaterThanOrEqual(198);
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBe(1000);
    expect(slots.every((s) => s % 1000 === 0)).toBe(true);
    // The timeouts were computed from the wall clock, not a constant period.
    expect(new Set(clock.requested.slice(2, 50)).size).toBeGreaterThan(5);

    const before = runs.length;
    behaviour.spendMs = 0;
    behaviour.waitMs = 2300; // the next run overruns two slots
    await clock.advance(1000);
    behaviour.waitMs = 0;
    await clock.advance(5000);
    const after = runs.slice(before - 1).map((r) => r.slot!);
    const steps = after.slice(1).map((s, i) => s - after[i]!);
    expect(steps).toContain(3000);
    expect(steps.every((step) => step % 1000 === 0)).toBe(true);
  });

  it('alignDown and nextBoundary allow for a timer firing a hair early', () => {
    expect(alignDown(12_345, 1000)).toBe(12_000);
    expect(nextBoundary(12_000, 1000)).toBe(13_000);
    expect(nextBoundary(12_990, 1000)).toBe(14_000);
    expect(nextBoundary(12_970, 1000)).toBe(13_000);
  });
});

describe('PeriodicTask: single flight, stop, errors', () => {
  it('runNow() joins the run in flight, and drops the armed timer: the next comes a period after it', async () => {
    const { clock, runs, behaviour, task } = setup();
    task.start();
    await clock.advance(400);
    behaviour.waitMs = 200;
    const first = task.runNow();
    const second = task.runNow();
    expect(second).toBe(first);
    expect(offsets(runs)).toEqual([400]);
    await clock.advance(200);
    await first;
    expect(task.nextRunAt).toBe(T0 + 1400);
    await clock.advance(1000);
    expect(offsets(runs)).toEqual([400, 1400]);
  });

  it('a synchronous run is over when runNow() returns: a second call runs again', async () => {
    const { runs, task } = setup();
    task.start();
    void task.runNow();
    void task.runNow();
    expect(runs).toHaveLength(2);
  });

  it('stop() clears the timer at once, aborts the run in flight and waits for it', async () => {
    const { clock, runs, behaviour, task } = setup();
    const signals: AbortSignal[] = [];
    behaviour.onRun = ({ signal }) => void signals.push(signal);
    behaviour.waitMs = 500;
    task.start();
    await clock.advance(1100); // a run is in flight
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    expect(signals[0]!.aborted).toBe(true);
    await clock.advance(100);
    expect(stopped).toBe(false);
    await clock.advance(400);
    await stopping;
    expect(stopped).toBe(true);
    expect(task.started).toBe(false);
    expect(task.nextRunAt).toBeNull();
    await clock.advance(10_000);
    expect(runs).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });

  it('started again while a run from before stop() is still in flight: that run schedules the next, no overlap', async () => {
    const { clock, runs, behaviour, task, overlapped } = setup();
    behaviour.waitMs = 500;
    task.start();
    await clock.advance(1100);
    void task.stop();
    task.start();
    expect(clock.pending).toBe(1); // only the run's own wait, no second schedule
    await clock.advance(3000);
    expect(offsets(runs)).toEqual([1000, 2000, 3000, 4000]);
    expect(overlapped()).toBe(false);
  });

  it('restart() aborts the run in flight, waits for it to end, then runs at once', async () => {
    const { clock, runs, task, behaviour, overlapped } = setup();
    const signals: AbortSignal[] = [];
    behaviour.onRun = ({ signal }) => void signals.push(signal);
    behaviour.waitMs = 10_000;
    behaviour.endOnAbort = true;
    task.start({ now: true });
    void task.restart();
    expect(signals[0]!.aborted).toBe(true);
    expect(runs).toHaveLength(1); // not before the aborted run has ended
    await clock.advance(0);
    expect(offsets(runs)).toEqual([0, 0]);
    expect(signals[1]!.aborted).toBe(false);
    expect(overlapped()).toBe(false);
    expect(task.started).toBe(true);
  });

  it('a run that throws or rejects is logged with the task name, and the schedule goes on', async () => {
    const { clock, logger, runs, behaviour, task } = setup();
    behaviour.fail = 'throw';
    task.start();
    await clock.advance(1000);
    behaviour.fail = 'reject';
    await clock.advance(1000);
    behaviour.fail = null;
    await clock.advance(1000);
    expect(offsets(runs)).toEqual([1000, 2000, 3000]);
    expect(logger.errors.map((e) => e.message)).toEqual(['test task failed', 'test task failed']);
    expect(logger.errors.map((e) => ((e.fields as { error: Error }).error).message)).toEqual(['boom', 'async boom']);
  });

  it('runNow() on a stopped task runs once and schedules nothing', async () => {
    const { clock, runs, task } = setup();
    await task.runNow();
    expect(runs).toHaveLength(1);
    expect(clock.pending).toBe(0);
    expect(task.nextRunAt).toBeNull();
  });
});
