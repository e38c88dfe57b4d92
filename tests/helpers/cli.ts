// Runs the real `vigil` command (bin/vigil.js on dist/, built by the global setup).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { killChild, trackChild } from './children.js';
import { scaledTimeout } from './load.js';

export const VIGIL_BIN = path.resolve('bin/vigil.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs vigil to completion. */
export function runVigil(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  const child = startVigil(args, options.env);
  return finished(child, options.timeoutMs ?? 20_000);
}

/**
 * Starts vigil in the background (stdout/stderr collected on the child). Started inside a test,
 * it is killed when that test finishes, whatever happened (after the test's own afterEach), unless
 * `outlivesTest` (the next tests use it: stop it in afterAll); started in a hook, at the end of
 * the file at the latest (tests/setup/kill-children.ts).
 */
export function startVigil(args: string[], env: NodeJS.ProcessEnv = {}, options: { outlivesTest?: boolean } = {}): ChildProcess & { output: { stdout: string; stderr: string } } {
  const child = trackChild(spawn(VIGIL_BIN, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }) as ChildProcess & { output: { stdout: string; stderr: string } });
  if (!options.outlivesTest) {
    try {
      onTestFinished(() => killChild(child));
    } catch {
      // Not inside a test (beforeAll): the file's end kills it.
    }
  }
  child.output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (child.output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (child.output.stderr += chunk.toString()));
  return child;
}

/** Waits for `child` to end; kills it after `timeoutMs`, scaled by the machine's load (load.ts). */
export function finished(child: ChildProcess & { output?: { stdout: string; stderr: string } }, timeoutMs = 20_000): Promise<CliResult> {
  timeoutMs = scaledTimeout(timeoutMs);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vigil did not finish within ${timeoutMs} ms: ${child.output?.stderr ?? ''}`));
    }, timeoutMs);
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: child.output?.stdout ?? '', stderr: child.output?.stderr ?? '' });
    };
    if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode, child.signalCode);
    else child.once('close', done);
  });
}

/** Waits until `predicate` holds, polling; fails with `what` after the timeout, scaled by the machine's load (load.ts). */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + scaledTimeout(timeoutMs);
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Data rows (header excluded) of every daily CSV in a data dir. */
export function csvLines(dataDir: string): { file: string; header: string; rows: string[]; raw: string }[] {
  const dir = path.join(dataDir, 'telemetry');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => {
      const raw = fs.readFileSync(path.join(dir, name), 'utf8');
      const lines = raw.split('\r\n');
      const tail = lines.pop();
      if (tail !== '') lines.push(tail!); // a torn last line stays visible to the test
      return { file: name, header: lines[0] ?? '', rows: lines.slice(1), raw };
    });
}
