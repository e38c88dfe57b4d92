// `vigil sleep --data-dir D` finds the agent of D through its lock, which records the URL of the
// agent's local server, whatever --port it was started with (issue 13, item 12).
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readOwner } from '../../src/core/lock.js';
import { finished, runVigil, startVigil, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { freePort } from '../core/alerts/smtp-sink.js';

const agents: ChildProcess[] = [];
afterEach(() => {
  for (const agent of agents.splice(0)) agent.kill('SIGKILL');
});

describe('vigil sleep --data-dir', () => {
  it('reaches an agent started with --port through the URL its lock records', { timeout: 90_000 }, async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const agent = startVigil(['agent', '--data-dir', dataDir, '--port', String(port)]);
    agents.push(agent);
    const lock = path.join(dataDir, 'agent.lock');
    await waitFor(() => readOwner(lock)?.url !== undefined || agent.exitCode !== null, 'the agent to record its URL', 30_000);
    expect(readOwner(lock)).toMatchObject({ pid: agent.pid, role: 'agent', url: `http://127.0.0.1:${port}` });

    const sleep = await runVigil(['sleep', '--for', '10m', '--data-dir', dataDir]);
    expect(sleep.stderr, sleep.stdout + sleep.stderr).toBe('');
    expect(sleep.code).toBe(0);
    expect(sleep.stdout).toContain('Announced: this machine is going to sleep until');
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { state: string };
    expect(health.state).toBe('sleeping');
    const wake = await runVigil(['sleep', '--wake', '--data-dir', dataDir]);
    expect(wake.code, wake.stderr).toBe(0);

    // --json: the agent's answer as one JSON object.
    const before = Date.now();
    const sleepJson = await runVigil(['sleep', '--for', '90s', '--json', '--data-dir', dataDir]);
    expect(sleepJson.code, sleepJson.stderr).toBe(0);
    const slept = JSON.parse(sleepJson.stdout) as { state: string; sleepUntil: number };
    expect(slept.state).toBe('sleeping');
    expect(slept.sleepUntil).toBeGreaterThanOrEqual(before + 89_000);
    expect(slept.sleepUntil).toBeLessThanOrEqual(Date.now() + 91_000);
    const wakeJson = await runVigil(['sleep', '--wake', '--json', '--data-dir', dataDir]);
    expect(JSON.parse(wakeJson.stdout)).toEqual({ state: 'running', sleepUntil: null });

    // Stopped, it removes its record; a sleep then says nobody answers where the settings point.
    agent.kill('SIGTERM');
    expect((await finished(agent)).code).toBe(0);
    expect(fs.existsSync(lock)).toBe(false);
    const none = await runVigil(['sleep', '--for', '10m', '--data-dir', dataDir]);
    expect(none.code).toBe(74);
    expect(none.stderr).toContain('No Vigil agent answers at http://127.0.0.1:7470');
  });
});
