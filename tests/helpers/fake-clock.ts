// A deterministic Clock for tests (see src/core/clock.ts): nothing waits on real time.
//
// Two clocks move separately, as on a real machine:
// - monotonic: drives timers; only advance()/spend()/stall() move it;
// - wall (now): moves with monotonic, plus jumps (jumpWall: NTP step, the user setting the clock;
//   suspend: on Linux CLOCK_MONOTONIC stops while suspended, the wall clock does not).
//
//   const clock = new FakeClock({ wall: Date.UTC(2026, 0, 1, 0, 0, 0, 300) });
//   sampler.start();
//   await clock.advance(5000);        // runs every timer due in the next 5 s, in order
//
// Timer callbacks may start promise chains (an async tick); advance() lets them settle between
// timers, so a tick that awaits a fake-timer promise (a slow reader) behaves like the real thing.
import type { Clock, TimerHandle } from '../../src/core/clock.js';

interface Timer {
  id: number;
  due: number;
  callback: () => void;
}

export interface FakeClockOptions {
  /** Initial wall-clock unix ms. */
  wall?: number;
  /** Initial monotonic ms. */
  monotonic?: number;
  /** Extra delay added to each timer (ms), like a busy event loop: (timer sequence number) → ms. */
  latency?: (sequence: number) => number;
}

export class FakeClock implements Clock {
  private mono: number;
  private wallOffset: number;
  private timers: Timer[] = [];
  private nextId = 1;
  private readonly latency: (sequence: number) => number;
  /** Every setTimeout delay requested, in order (for assertions on scheduling). */
  readonly requested: number[] = [];

  constructor(options: FakeClockOptions = {}) {
    this.mono = options.monotonic ?? 1_000_000;
    this.wallOffset = (options.wall ?? Date.UTC(2026, 0, 1, 0, 0, 0, 0)) - this.mono;
    this.latency = options.latency ?? (() => 0);
  }

  now(): number {
    return this.mono + this.wallOffset;
  }

  monotonic(): number {
    return this.mono;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.requested.push(ms);
    const due = this.mono + Math.max(0, ms) + Math.max(0, this.latency(id));
    this.timers.push({ id, due, callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves both clocks forward by ms, firing every timer that falls due, each at its due time. */
  async advance(ms: number): Promise<void> {
    const target = this.mono + ms;
    await settle();
    for (;;) {
      const next = this.earliest();
      if (!next || next.due > target) break;
      this.mono = Math.max(this.mono, next.due);
      this.timers = this.timers.filter((t) => t !== next);
      next.callback();
      await settle();
    }
    this.mono = target;
    await settle();
  }

  /** Time passes inside the current task (a reader doing work): no timer fires now. */
  spend(ms: number): void {
    this.mono += ms;
  }

  /** The process was stopped (debugger, SIGSTOP) for ms: overdue timers fire late, once, at the end. */
  async stall(ms: number): Promise<void> {
    this.mono += ms;
    await this.advance(0);
  }

  /** The wall clock is set forward (ms > 0) or back (ms < 0); monotonic time does not move. */
  jumpWall(ms: number): void {
    this.wallOffset += ms;
  }

  /** The machine sleeps for ms: on Linux the monotonic clock stops, the wall clock does not. */
  suspend(ms: number): void {
    this.jumpWall(ms);
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    return best;
  }
}

/** Lets pending promise chains run to completion (a macrotask turn drains all microtasks). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
