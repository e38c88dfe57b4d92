import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, currentHolder } from '../../src/core/lock.js';
import { VigilError } from '../../src/shared/errors.js';
import { tempDir } from '../helpers/tmp.js';

// The child processes run the built lock (dist/, made by the global setup): plain Node starts in
// ~40 ms, so many of them can start together.
const BUILT_LOCK = path.resolve('dist/core/lock.js');
const CONTENDER = `
import fs from 'node:fs';
import path from 'node:path';
const { acquireDataDirLock } = await import(process.argv[1]);
const [base, rounds] = process.argv.slice(2);
// Loaded: say so. Then for each round (a data dir of its own), spin until the test creates that
// round's go file, so all contenders take the lock at one instant, and say what happened. Every
// lock won is kept until the test closes stdin.
process.stdout.write('ready\\n');
for (let round = 0; round < Number(rounds); round++) {
  const dir = path.join(base, String(round));
  const go = path.join(dir, 'go');
  if (Number(rounds) > 1) while (!fs.existsSync(go)) {}
  try {
    await acquireDataDirLock(path.join(dir, 'agent.lock'), 'agent', dir);
    process.stdout.write(round + ' held\\n');
  } catch (error) {
    process.stdout.write(round + ' ' + (error.code ?? String(error)) + '\\n');
  }
}
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
`;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

interface Contender {
  child: ChildProcess;
  /** Resolves with line `n` of what it says ('ready', then 'ROUND OUTCOME' per round). */
  line(n: number): Promise<string>;
}

/**
 * A process that takes the lock of `base/0`, `base/1`, … in turn, each once `base/ROUND/go` exists
 * (with one round: `base/0` at once).
 */
function contend(base: string, rounds = 1): Contender {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CONTENDER, BUILT_LOCK, base, String(rounds)], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const line = (n: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const lines = out.split('\n');
        if (lines.length > n + 1) resolve(lines[n]!.replace(/^\d+ /, ''));
      };
      child.stdout!.on('data', check);
      child.once('exit', (code, signal) => reject(new Error(`contender exited (${code ?? signal}) having said: ${out}`)));
      check();
    });
  return { child, line };
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

async function thrown(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('data dir lock', () => {
  it('one holder at a time; released locks can be taken again', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'agent.lock');
    const lock = await acquireDataDirLock(file, 'agent', dir);
    expect((await currentHolder(file))?.pid).toBe(process.pid);
    const error = await thrown(() => acquireDataDirLock(file, 'app', dir));
    expect(error).toBeInstanceOf(VigilError);
    expect((error as VigilError).code).toBe('already_running');
    expect((error as VigilError).message).toContain(`Vigil agent (pid ${process.pid}) is already using ${dir}`);
    await lock.release();
    expect(fs.existsSync(file)).toBe(false);
    expect(await currentHolder(file)).toBeNull();
    await (await acquireDataDirLock(file, 'agent', dir)).release();
  });

  it('the record names the local server once it listens; the record alone holds nothing', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'agent.lock');
    const lock = await acquireDataDirLock(file, 'agent', dir);
    lock.setUrl('http://127.0.0.1:7999');
    expect(await currentHolder(file)).toMatchObject({ pid: process.pid, role: 'agent', url: 'http://127.0.0.1:7999' });
    // A record left behind (a process killed before it could remove it) is not a holder.
    const record = fs.readFileSync(file, 'utf8');
    await lock.release();
    fs.writeFileSync(file, record);
    expect(await currentHolder(file)).toBeNull();
    await (await acquireDataDirLock(file, 'agent', dir)).release();
  });

  it('a stale record naming a live, reused PID (or a torn one) does not keep the lock', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'agent.lock');
    // After a reboot, the old PID belongs to some other program: here, a running sleep and a
    // running Node (the old check let a PID whose command line says "node" keep the lock).
    const sleeper = spawn('sleep', ['30']);
    children.push(sleeper);
    for (const pid of [sleeper.pid!, process.ppid, process.pid]) {
      fs.writeFileSync(file, JSON.stringify({ pid, hostname: os.hostname(), startedAt: 1, role: 'app' }));
      expect(await currentHolder(file)).toBeNull();
      await (await acquireDataDirLock(file, 'agent', dir)).release();
    }
    fs.writeFileSync(file, '{"pid": 12');
    await (await acquireDataDirLock(file, 'agent', dir)).release();
  });

  it('an unwritable data dir is a clear error', async () => {
    const error = await thrown(() => acquireDataDirLock('/proc/vigil-cannot-exist/agent.lock', 'agent', '/proc/vigil-cannot-exist'));
    expect((error as Error).message).toMatch(/Cannot write to data dir \/proc\/vigil-cannot-exist/);
  });

  it('processes started together: exactly one holds it, round after round', async () => {
    const ROUNDS = 100;
    const CONTENDERS = 4;
    const base = tempDir();
    for (let round = 0; round < ROUNDS; round++) fs.mkdirSync(path.join(base, String(round)));
    const contenders = Array.from({ length: CONTENDERS }, () => contend(base, ROUNDS));
    await Promise.all(contenders.map((c) => c.line(0)));
    for (let round = 0; round < ROUNDS; round++) {
      fs.writeFileSync(path.join(base, String(round), 'go'), '');
      const outcomes = await Promise.all(contenders.map((c) => c.line(round + 1)));
      expect(outcomes.filter((o) => o === 'held'), `round ${round}: ${outcomes.join(', ')}`).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'already_running')).toHaveLength(CONTENDERS - 1);
    }
  }, 60_000);

  it('dies with its holder: after kill -9 the next start gets it, whoever has the old PID', async () => {
    const base = tempDir();
    const dir = path.join(base, '0');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'agent.lock');
    const holder = contend(base);
    expect(await holder.line(1)).toBe('held');
    const held = await currentHolder(file);
    expect(held).toMatchObject({ pid: holder.child.pid, role: 'agent' });
    const refused = contend(base);
    expect(await refused.line(1)).toBe('already_running');
    holder.child.kill('SIGKILL');
    await stopped(holder.child);
    // Its record is still there, and says nothing any more.
    expect(fs.existsSync(file)).toBe(true);
    expect(await currentHolder(file)).toBeNull();
    const next = contend(base);
    expect(await next.line(1)).toBe('held');
    expect((await currentHolder(file))?.pid).toBe(next.child.pid);
  });

  it('one lock per folder, whatever path names it (a symlink)', async () => {
    const dir = tempDir();
    const alias = path.join(tempDir(), 'alias');
    fs.symlinkSync(dir, alias);
    const lock = await acquireDataDirLock(path.join(dir, 'agent.lock'), 'agent', dir);
    try {
      const error = await thrown(() => acquireDataDirLock(path.join(alias, 'agent.lock'), 'app', alias));
      expect((error as VigilError).code).toBe('already_running');
    } finally {
      await lock.release();
    }
  });

  it('a process spawned by the holder does not inherit the lock', async () => {
    const dir = tempDir();
    const lock = await acquireDataDirLock(path.join(dir, 'agent.lock'), 'agent', dir);
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(child);
    await lock.release();
    // The lock went with our release, though a child born while we held it still runs.
    expect(spawnSync('kill', ['-0', String(child.pid)]).status).toBe(0);
    await (await acquireDataDirLock(path.join(dir, 'agent.lock'), 'agent', dir)).release();
  });
});
