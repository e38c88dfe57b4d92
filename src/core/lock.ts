// One sampler per data dir. Two agents (or an agent and the tray app) writing the same database
// and CSV files would interleave rows and fight over rollups, so the second one is refused with a
// clear message.
//
// The lock is one the operating system holds for the process, so the kernel drops it when the
// process ends, however it ends (kill -9, a crash, a Windows shutdown that never ran our exit
// code), and two processes can never both hold it (the kernel decides, atomically):
// - Linux: a listening Unix socket in the abstract namespace, named after the data dir's device
//   and inode. bind(2) is atomic (the second gets EADDRINUSE) and an abstract name has no file
//   left behind: it vanishes with the socket's last descriptor. Node has no flock(2), and the
//   agent must not load a native addon (koffi) for this.
// - macOS and Windows: a file opened with libuv's UV_FS_O_EXLOCK, which Node passes through
//   `fs.open` as a numeric flag: on macOS it is open(2)'s O_EXLOCK (a flock-style exclusive lock;
//   with O_NONBLOCK a second open fails at once with EAGAIN), on Windows CreateFileW with share
//   mode 0 (a second open fails with a sharing violation, EBUSY). The handle lives as long as the
//   process. (Checked here under Wine with Node 22's win-x64 build; macOS runs in CI.)
// Rejected: a PID file (what this was: O_EXCL then write, so a reader saw it empty and deleted it,
// and two processes started together both held it in 12 of 40 tries; and a PID reused after a
// reboot kept a stale lock alive on Windows and macOS); proper-lockfile (mtime-based: a lock is
// stale when it was not refreshed for some seconds, so a live holder frozen by a laptop's sleep or
// a stalled event loop loses it to a second process, and a dead one still blocks the next start
// for that long). Limits: on Linux the abstract namespace belongs to a network namespace, so two
// containers with their own networks sharing one data volume are not kept apart; a data dir on a
// network share is locked per machine on Linux.
//
// Who holds the lock (pid, role, since when, the local server's URL) is written beside it, in
// agent.lock, for `vigil status` and `vigil sleep`; it is trusted only while the OS lock is held,
// so a stale one left by a killed process is ignored, whoever has its PID now.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { VigilError } from '../shared/errors.js';

export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: number;
  /** What holds the lock: 'agent', 'app', … */
  role: string;
  /** The holder's local HTTP server, once it listens (`vigil sleep` talks to it). */
  url?: string;
}

export interface DataDirLock {
  /** The owner record (agent.lock). */
  readonly file: string;
  /** Records the holder's local server URL (null: it has none). */
  setUrl(url: string | null): void;
  /** Removes the owner record, then lets the OS lock go. */
  release(): Promise<void>;
}

/** libuv's UV_FS_O_EXLOCK: <sys/fcntl.h> O_EXLOCK on macOS; include/uv/win.h on Windows. */
const EXLOCK: Partial<Record<NodeJS.Platform, number>> = { darwin: 0x20, win32: 0x1000_0000 };
/** How long a start waits for a lock that is held only for an instant (a `vigil status` probe). */
const PROBE_GRACE_MS = 1000;

/** The file whose exclusive handle is the lock, on macOS and Windows. */
export function lockHandleFile(ownerFile: string): string {
  return `${ownerFile}.handle`;
}

interface OsLock {
  release(): Promise<void>;
}

export async function acquireDataDirLock(file: string, role: string, dataDir: string, platform: NodeJS.Platform = process.platform): Promise<DataDirLock> {
  // Only where a probe takes the lock itself (macOS, Windows) is a busy lock tried again.
  const deadline = Date.now() + (EXLOCK[platform] === undefined ? 0 : PROBE_GRACE_MS);
  let osLock: OsLock | null;
  for (;;) {
    try {
      osLock = await takeOsLock(file, dataDir, platform);
    } catch (error) {
      throw new VigilError('data_dir_unwritable', `Cannot write to data dir ${dataDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
    // Held. A `vigil status` probe holds it for an instant on macOS and Windows: try again for a
    // moment before calling it taken.
    if (osLock || Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!osLock) {
    const holder = readOwner(file);
    throw new VigilError(
      'already_running',
      holder
        ? `Another Vigil ${holder.role} (pid ${holder.pid}) is already using ${dataDir}; stop it first or pass a different --data-dir`
        : `Another Vigil process is already using ${dataDir}; stop it first or pass a different --data-dir`,
    );
  }
  const owner: LockOwner = { pid: process.pid, hostname: os.hostname(), startedAt: Date.now(), role };
  const write = () => writeOwner(file, owner);
  try {
    write();
  } catch (error) {
    await osLock.release();
    throw new VigilError('data_dir_unwritable', `Cannot write to data dir ${dataDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  const held = osLock;
  let released: Promise<void> | null = null;
  return {
    file,
    setUrl(url) {
      if (released) return;
      if (url === null) delete owner.url;
      else owner.url = url;
      write();
    },
    release() {
      released ??= (async () => {
        // The record goes first, while the lock is still ours: after the release it may be the
        // next holder's.
        fs.rmSync(file, { force: true });
        await held.release();
      })();
      return released;
    },
  };
}

/** Who holds the lock right now, or null when nobody does (whatever a stale record says). */
export async function currentHolder(file: string, dataDir = path.dirname(file), platform: NodeJS.Platform = process.platform): Promise<LockOwner | null> {
  if (!(await isHeld(file, dataDir, platform))) return null;
  // The holder writes its record right after it takes the lock: give it that instant.
  for (let attempt = 0; attempt < 5; attempt++) {
    const owner = readOwner(file);
    if (owner) return owner;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { pid: 0, hostname: os.hostname(), startedAt: 0, role: 'process' };
}

export function readOwner(file: string): LockOwner | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || !Number.isInteger(parsed.pid) || parsed.pid <= 0) return null;
    return {
      pid: parsed.pid,
      hostname: String(parsed.hostname ?? ''),
      startedAt: Number(parsed.startedAt ?? 0),
      role: String(parsed.role ?? 'agent'),
      ...(typeof parsed.url === 'string' ? { url: parsed.url } : {}),
    };
  } catch {
    return null;
  }
}

/** Written whole or not at all (a reader never sees it half written). */
function writeOwner(file: string, owner: LockOwner): void {
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, JSON.stringify(owner), { mode: 0o644 });
  try {
    fs.renameSync(partial, file);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
}

/** The lock, or null when another process holds it. Throws when the data dir cannot be used. */
async function takeOsLock(file: string, dataDir: string, platform: NodeJS.Platform): Promise<OsLock | null> {
  const exlock = EXLOCK[platform];
  if (exlock !== undefined) {
    const fd = openExclusive(lockHandleFile(file), exlock, platform);
    if (fd === null) return null;
    return {
      release: async () => {
        // The handle file stays: deleting a lock file races with a process that opened it just
        // before (it would lock a file nobody else can find any more).
        fs.closeSync(fd);
      },
    };
  }
  const name = abstractName(dataDir);
  const server = net.createServer((socket) => socket.destroy());
  const bound = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
    server.listen({ path: name, exclusive: true }, () => resolve(true));
  });
  if (!bound) return null;
  // The lock must not keep the process alive, nor need it to stay awake.
  server.unref();
  return { release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function openExclusive(handleFile: string, exlock: number, platform: NodeJS.Platform): number | null {
  const { O_RDWR, O_CREAT, O_NONBLOCK } = fs.constants;
  // O_NONBLOCK: on macOS, fail at once instead of waiting for the holder (Windows never waits).
  const flags = O_RDWR | O_CREAT | exlock | (platform === 'darwin' ? O_NONBLOCK : 0);
  try {
    return fs.openSync(handleFile, flags, 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EBUSY') return null;
    throw error;
  }
}

/** The Linux lock's name: one per data dir, whatever path (a symlink, a bind mount) names it. */
function abstractName(dataDir: string): string {
  const { dev, ino } = fs.statSync(dataDir, { bigint: true });
  return `\0vigil-data-dir-lock/${dev}:${ino}`;
}

async function isHeld(file: string, dataDir: string, platform: NodeJS.Platform): Promise<boolean> {
  const exlock = EXLOCK[platform];
  if (exlock !== undefined) {
    if (!fs.existsSync(lockHandleFile(file))) return false;
    let fd: number | null;
    try {
      fd = openExclusive(lockHandleFile(file), exlock, platform);
    } catch {
      return false;
    }
    if (fd === null) return true;
    fs.closeSync(fd);
    return false;
  }
  let name: string;
  try {
    name = abstractName(dataDir);
  } catch {
    return false;
  }
  // Connecting does not disturb the holder (it closes the connection); refused: nobody listens.
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ path: name });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
