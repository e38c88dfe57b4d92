// The safety net under every test that starts a process (children.ts, tests/setup/kill-children.ts,
// startVigil): what a failed or timed-out test leaves running is killed, and only that.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { killAllChildren, killChild, trackChild } from './children.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('tracked test processes', () => {
  it('killAllChildren kills what is still running, waits until it is gone, and names it', async () => {
    const first = trackChild(spawn('sleep', ['60']));
    const second = trackChild(spawn('sleep', ['61']));
    const killed = await killAllChildren();
    expect(killed.sort()).toEqual(['sleep 60', 'sleep 61']);
    expect(first.signalCode).toBe('SIGKILL');
    expect(alive(first.pid!)).toBe(false);
    expect(alive(second.pid!)).toBe(false);
    expect(await killAllChildren()).toEqual([]);
  });

  it('forgets a process that ended by itself, and one that never started', async () => {
    const done = trackChild(spawn('true'));
    await new Promise((resolve) => done.once('exit', resolve));
    const missing = trackChild(spawn('/nonexistent/vigil-test-binary'));
    await new Promise((resolve) => missing.once('error', resolve));
    expect(await killAllChildren()).toEqual([]);
  });

  it('killChild stops one process and leaves the others', async () => {
    const one = trackChild(spawn('sleep', ['60']));
    const other = trackChild(spawn('sleep', ['62']));
    await killChild(one);
    expect(alive(one.pid!)).toBe(false);
    expect(alive(other.pid!)).toBe(true);
    expect(await killAllChildren()).toEqual(['sleep 62']);
  });
});
