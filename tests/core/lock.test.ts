import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock, currentHolder } from '../../src/core/lock.js';
import { VigilError } from '../../src/shared/errors.js';
import { tempDir } from '../helpers/tmp.js';

describe('data dir lock', () => {
  it('one holder at a time; released locks can be taken again', () => {
    const dir = tempDir();
    const file = path.join(dir, 'agent.lock');
    const lock = acquireDataDirLock(file, 'agent', dir);
    expect(currentHolder(file)?.pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(file)).toBe(false);
    acquireDataDirLock(file, 'agent', dir).release();
  });

  it('refuses while another live process holds it, naming it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'agent.lock');
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      fs.writeFileSync(file, JSON.stringify({ pid: other.pid, hostname: os.hostname(), startedAt: Date.now(), role: 'app' }));
      const error = (() => {
        try {
          acquireDataDirLock(file, 'agent', dir);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(VigilError);
      expect((error as VigilError).code).toBe('already_running');
      expect((error as VigilError).message).toContain(`pid ${other.pid}`);
      expect((error as VigilError).message).toContain('app');
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a lock whose process is gone, and a torn lock file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'agent.lock');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    fs.writeFileSync(file, JSON.stringify({ pid: Number(gone), hostname: os.hostname(), startedAt: 1, role: 'agent' }));
    expect(currentHolder(file)).toBeNull();
    acquireDataDirLock(file, 'agent', dir).release();
    fs.writeFileSync(file, '{"pid": 12');
    acquireDataDirLock(file, 'agent', dir).release();
  });

  it('a PID reused by an unrelated program is not a holder', () => {
    const dir = tempDir();
    const file = path.join(dir, 'agent.lock');
    const sleeper = spawn('sleep', ['30']);
    try {
      fs.writeFileSync(file, JSON.stringify({ pid: sleeper.pid, hostname: os.hostname(), startedAt: 1, role: 'agent' }));
      expect(currentHolder(file)).toBeNull();
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('an unwritable data dir is a clear error', () => {
    const file = path.join('/proc', 'vigil-cannot-exist', 'agent.lock');
    expect(() => acquireDataDirLock(file, 'agent', '/proc/vigil-cannot-exist')).toThrow(/Cannot write to data dir/);
  });
});
