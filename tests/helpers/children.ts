// Every long-running process the tests start (agents, hubs, services), so that none outlives its
// test file whatever happened: a test that failed or timed out before its own cleanup, a hook
// that threw. tests/setup/kill-children.ts kills what is left after each file (and on exit);
// startVigil() (cli.ts) also kills its process when the test that started it finishes.
//
// No vitest import here: services.ts, which benchmarks use too, registers its processes.
import type { ChildProcess } from 'node:child_process';

const REGISTRY = Symbol.for('vigil.tests.children');
const live: Set<ChildProcess> = ((globalThis as Record<symbol, unknown>)[REGISTRY] as Set<ChildProcess> | undefined) ?? new Set();
(globalThis as Record<symbol, unknown>)[REGISTRY] = live;

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Registers `child` until it exits. */
export function trackChild<T extends ChildProcess>(child: T): T {
  if (running(child)) {
    live.add(child);
    child.once('exit', () => live.delete(child));
    // A process that failed to start never emits 'exit'.
    child.once('error', () => {
      if (child.pid === undefined) live.delete(child);
    });
  }
  return child;
}

/** SIGKILLs `child` if it still runs and waits until it is gone (bounded: a zombie never blocks). */
export async function killChild(child: ChildProcess): Promise<void> {
  if (!running(child) || child.pid === undefined) {
    live.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  live.delete(child);
}

/** Kills every tracked process still running; returns the command lines it had to kill. */
export async function killAllChildren(): Promise<string[]> {
  const left = [...live].filter(running);
  await Promise.all(left.map(killChild));
  return left.map((child) => child.spawnargs.join(' '));
}

/** Synchronous last resort for process exit: SIGKILL, no waiting. */
export function killAllChildrenNow(): void {
  for (const child of live) if (running(child)) child.kill('SIGKILL');
}
