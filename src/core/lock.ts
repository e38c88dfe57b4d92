// One sampler per data dir. Two agents (or an agent and the tray app) writing the same database
// and CSV files would interleave rows and fight over rollups, so the second one is refused
// with a clear message. A PID file created with O_EXCL: portable (Node has no flock), and a
// lock left behind by a killed process is detected (its PID is gone) and taken over.
import fs from 'node:fs';
import os from 'node:os';
import { VigilError } from '../shared/errors.js';

export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: number;
  /** What holds the lock: 'agent', 'app', … */
  role: string;
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

export function acquireDataDirLock(file: string, role: string, dataDir: string): DataDirLock {
  const owner: LockOwner = { pid: process.pid, hostname: os.hostname(), startedAt: Date.now(), role };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o644);
      fs.writeSync(fd, JSON.stringify(owner));
      fs.closeSync(fd);
      let released = false;
      return {
        file,
        release() {
          if (released) return;
          released = true;
          // Only remove our own lock: a stale-lock takeover may have replaced it.
          if (readOwner(file)?.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new VigilError('data_dir_unwritable', `Cannot write to data dir ${dataDir}: ${code ?? String(error)}`, { cause: error });
      }
      const holder = readOwner(file);
      if (holder && holder.pid !== process.pid && isAlive(holder)) {
        throw new VigilError(
          'already_running',
          `Another Vigil ${holder.role} (pid ${holder.pid}) is already using ${dataDir}; stop it first or pass a different --data-dir`,
        );
      }
      // Stale (its process is gone) or unreadable (torn by a crash): take it over.
      fs.rmSync(file, { force: true });
    }
  }
  throw new VigilError('already_running', `Could not lock ${dataDir}: another process keeps taking the lock`);
}

export function readOwner(file: string): LockOwner | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || !Number.isInteger(parsed.pid) || parsed.pid <= 0) return null;
    return { pid: parsed.pid, hostname: String(parsed.hostname ?? ''), startedAt: Number(parsed.startedAt ?? 0), role: String(parsed.role ?? 'agent') };
  } catch {
    return null;
  }
}

/** Who holds the lock right now, or null when nobody does (no lock, or a stale one). */
export function currentHolder(file: string): LockOwner | null {
  const owner = readOwner(file);
  return owner && isAlive(owner) ? owner : null;
}

function isAlive(owner: LockOwner): boolean {
  // A lock written on another host (a data dir on a network share) cannot be checked: respect it.
  if (owner.hostname && owner.hostname !== os.hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !pidWasReused(owner.pid);
}

/**
 * After a crash and a reboot the old PID may belong to an unrelated process. Where the OS tells
 * us what a PID runs (Linux), a process that is neither Node, Electron nor Vigil is not our lock
 * holder.
 */
function pidWasReused(pid: number): boolean {
  try {
    const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').toLowerCase();
    return !/node|electron|vigil/.test(commandLine);
  } catch {
    return false;
  }
}
