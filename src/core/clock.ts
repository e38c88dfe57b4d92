// Time as the core sees it. Injected so tests drive ticks, DST days and suspend gaps with a fake
// clock instead of waiting on the real one.

export interface Clock {
  /** Wall-clock unix ms (may jump: NTP, the user, suspend). */
  now(): number;
  /** Monotonic ms for measuring elapsed time (never jumps). */
  monotonic(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export type TimerHandle = unknown;

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
