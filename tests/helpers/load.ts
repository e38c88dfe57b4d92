// How busy the machine is, to scale the timeouts that wait on real processes: on a 2-core machine
// at load 14, an agent takes several times as long to start as on an idle one, and a test that
// waited a fixed 15 s failed for nothing. The factor only lengthens waits that would otherwise
// have failed; a passing test does not wait longer. No vitest import (vitest.config.ts uses it).
import os from 'node:os';

/** 1 on an idle machine, up to 4 when the 1-minute load average is 4× the cores or more. */
export function loadFactor(): number {
  const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const load = os.loadavg()[0] ?? 0;
  return Math.min(4, Math.max(1, load / cores));
}

/** `ms` scaled by the load factor (see loadFactor). */
export function scaledTimeout(ms: number): number {
  return Math.round(ms * loadFactor());
}
