// Top processes on Linux: /proc read directly — per process one small read of /proc/<pid>/stat,
// and for the few processes shown their owner (a stat() of /proc/<pid>) and /proc/<pid>/cmdline.
// No process is spawned: systeminformation's processes() spawns 93–110 per call here
// (bench/top.ts, docs/performance.md). CPU % is defined in processes.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VigilError } from '../../shared/errors.js';
import { TOP_PER_MINUTE, type TopProcess } from '../../shared/processes.js';
import {
  COMMAND_MAX_CHARS,
  DEFAULT_WINDOW_MS,
  MAX_WINDOW_MS,
  MIN_WINDOW_MS,
  smallest,
  truncate,
  validateListOptions,
  type ListOptions,
  type ProcessInfo,
  type ProcessList,
  type ProcessLister,
  type TopLists,
} from './processes-model.js';

/**
 * The unit of /proc's CPU times (USER_HZ). Fixed at 100 by the kernel ABI on every architecture
 * Node runs on, whatever the kernel's internal CONFIG_HZ; Node cannot ask sysconf(_SC_CLK_TCK).
 */
const USER_HZ = 100;

/** One process as /proc/<pid>/stat tells it. */
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** utime + stime, in USER_HZ ticks. */
  cpuTicks: number;
  threads: number;
  /** Start time after boot, in USER_HZ ticks (with pid, it tells a reused pid apart). */
  startTicks: number;
  rssPages: number;
}

/**
 * Parses /proc/<pid>/stat. The name (comm) is in parentheses and may itself hold spaces and
 * parentheses ("(sd-pam)", "(a) b)"), so the fields start after the *last* ')'.
 */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const fields = text.slice(close + 2).trim().split(' ');
  // fields[0] is field 3 of proc(5) (state); field n is fields[n - 3].
  if (!Number.isInteger(pid) || fields.length < 22) return null;
  const num = (n: number): number => Number(fields[n - 3]);
  const stat: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: fields[0]!,
    ppid: num(4),
    cpuTicks: num(14) + num(15),
    threads: num(20),
    startTicks: num(22),
    rssPages: num(24),
  };
  return Number.isFinite(stat.cpuTicks) && Number.isFinite(stat.startTicks) && Number.isFinite(stat.rssPages) ? stat : null;
}

/** uid → user name from a passwd file ("name:x:uid:gid:…" lines). */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (!name || uid === undefined || name.startsWith('#')) continue;
    const id = Number(uid);
    if (Number.isInteger(id) && !users.has(id)) users.set(id, name);
  }
  return users;
}

/** A /proc/<pid>/cmdline (NUL-separated arguments) as one line, or null when empty (kernel threads). */
export function formatCmdline(raw: string, max = COMMAND_MAX_CHARS): string | null {
  const line = raw.replace(/\0+$/, '').replace(/[\0\n\r\t]/g, ' ').trim();
  if (!line) return null;
  return truncate(line, max);
}

export interface LinuxListerOptions {
  /** Filesystem root holding proc/ and etc/passwd (a fixture tree in tests); default '/'. */
  root?: string;
  windowMs?: number;
  /** Bytes per page for RSS; default: measured on this process (4 KiB on x86, 16/64 KiB on some ARM). */
  pageSize?: number;
  /** Bytes of memory, for memoryPercent; default os.totalmem(). */
  totalMemory?: number;
  cpus?: number;
  /**
   * A previous reading older than this is not reused (default MAX_WINDOW_MS); the engine's
   * once-a-minute recording raises it so each minute's CPU % spans the whole minute.
   */
  maxWindowMs?: number;
  /** Monotonic ms and a sleep (injectable so tests need not wait). */
  monotonic?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface Reading {
  at: number;
  /** Seconds since boot at the reading (for the CPU % of processes born inside the window). */
  uptime: number;
  procs: Map<number, ProcStat>;
}

export function createLinuxProcessLister(options: LinuxListerOptions = {}): ProcessLister {
  const root = options.root ?? '/';
  const procDir = path.join(root, 'proc');
  const passwdFile = path.join(root, 'etc/passwd');
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const maxWindowMs = options.maxWindowMs ?? MAX_WINDOW_MS;
  const monotonic = options.monotonic ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const cpus = options.cpus ?? os.availableParallelism();
  const totalMemory = options.totalMemory ?? os.totalmem();
  let pageSize = options.pageSize ?? null;
  const buffer = Buffer.allocUnsafe(4096);
  let previous: Reading | null = null;
  let users: { mtimeMs: number; map: Map<number, string> } | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  /** A small /proc file read with one open/read/close into a reused buffer; null if the process is gone. */
  const readSmall = (file: string, max = buffer.length): string | null => {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return null;
    }
    try {
      const n = fs.readSync(fd, buffer, 0, Math.min(max, buffer.length), 0);
      return buffer.toString('latin1', 0, n);
    } catch {
      return null; // ESRCH: the process exited between open and read
    } finally {
      fs.closeSync(fd);
    }
  };

  const read = (): Reading => {
    const procs = new Map<number, ProcStat>();
    let names: string[];
    try {
      names = fs.readdirSync(procDir);
    } catch (error) {
      throw new VigilError('io_error', `Cannot list ${procDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
    for (const name of names) {
      const first = name.charCodeAt(0);
      if (first < 48 || first > 57) continue; // not a pid
      const text = readSmall(`${procDir}/${name}/stat`);
      const stat = text === null ? null : parseProcStat(text);
      if (stat) procs.set(stat.pid, stat);
    }
    const uptime = Number((readSmall(`${procDir}/uptime`) ?? '').split(' ')[0]);
    return { at: monotonic(), uptime: Number.isFinite(uptime) ? uptime : NaN, procs };
  };

  const userName = (pid: number): string => {
    let uid: number;
    try {
      uid = fs.statSync(`${procDir}/${pid}`).uid;
    } catch {
      return '?';
    }
    try {
      const mtimeMs = fs.statSync(passwdFile).mtimeMs;
      if (!users || users.mtimeMs !== mtimeMs) users = { mtimeMs, map: parsePasswd(fs.readFileSync(passwdFile, 'utf8')) };
    } catch {
      users ??= { mtimeMs: -1, map: new Map() };
    }
    // Users only in LDAP/NSS have no line here: show the uid, as ps does when it cannot resolve.
    return users.map.get(uid) ?? String(uid);
  };

  const commandOf = (stat: ProcStat): string => {
    let raw: string | null = null;
    try {
      const fd = fs.openSync(`${procDir}/${stat.pid}/cmdline`, 'r');
      try {
        const bytes = Buffer.allocUnsafe(COMMAND_MAX_CHARS * 4);
        raw = bytes.toString('utf8', 0, fs.readSync(fd, bytes, 0, bytes.length, 0));
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // gone, or not ours to read (hidepid): the name will do
    }
    return (raw !== null ? formatCmdline(raw) : null) ?? `[${stat.comm}]`;
  };

  type Row = { stat: ProcStat; cpuPercent: number; memoryBytes: number };

  /** CPU % since the previous reading (or over a fresh window) and RSS of every process. */
  const measure = async (): Promise<{ rows: Row[]; elapsed: number }> => {
    pageSize ??= root === '/' ? measurePageSize() : 4096;
    const size = pageSize;
    let before = previous;
    const age = before ? monotonic() - before.at : Infinity;
    if (!before || age > maxWindowMs) {
      before = read();
      await sleep(windowMs);
    } else if (age < MIN_WINDOW_MS) {
      await sleep(MIN_WINDOW_MS - age);
    }
    const after = read();
    previous = after;
    const elapsed = Math.max(1, after.at - before.at) / 1000;

    const rows: Row[] = [];
    for (const stat of after.procs.values()) {
      const old = before.procs.get(stat.pid);
      let cpuSeconds: number;
      let seconds = elapsed;
      if (old && old.startTicks === stat.startTicks) {
        cpuSeconds = (stat.cpuTicks - old.cpuTicks) / USER_HZ;
      } else {
        // Born inside the window (or a reused pid): its whole CPU time over its own age.
        cpuSeconds = stat.cpuTicks / USER_HZ;
        const age = after.uptime - stat.startTicks / USER_HZ;
        seconds = Number.isFinite(age) && age > 0 ? Math.min(age, elapsed) : elapsed;
      }
      const cpuPercent = Math.min(100 * cpus, Math.max(0, (cpuSeconds / seconds) * 100));
      rows.push({ stat, cpuPercent: Math.round(cpuPercent * 10) / 10, memoryBytes: stat.rssPages * size });
    }
    return { rows, elapsed };
  };
  const byCpu = (a: Row, b: Row) => b.cpuPercent - a.cpuPercent || b.memoryBytes - a.memoryBytes || a.stat.pid - b.stat.pid;
  const byMem = (a: Row, b: Row) => b.memoryBytes - a.memoryBytes || b.cpuPercent - a.cpuPercent || a.stat.pid - b.stat.pid;

  const listNow = async (options: ListOptions): Promise<ProcessList> => {
    const { sort, limit } = validateListOptions(options);
    const { rows, elapsed } = await measure();
    rows.sort(sort === 'cpu' ? byCpu : byMem);
    // Owner and command line only for the rows shown: the expensive part stays O(limit).
    const processes = rows.slice(0, limit).map(({ stat, cpuPercent, memoryBytes }): ProcessInfo => ({
      pid: stat.pid,
      ppid: stat.ppid,
      name: stat.comm,
      user: userName(stat.pid),
      cpuPercent,
      memoryBytes,
      memoryPercent: totalMemory > 0 ? Math.round((memoryBytes / totalMemory) * 1000) / 10 : 0,
      threads: stat.threads,
      state: stat.state,
      command: commandOf(stat),
    }));
    return { ts: now(), windowMs: Math.round(elapsed * 1000), cpus, total: rows.length, sort, processes };
  };

  const topNow = async (limit: number): Promise<TopLists> => {
    const { limit: checked } = validateListOptions({ limit });
    const { rows, elapsed } = await measure();
    const light = ({ stat, cpuPercent, memoryBytes }: Row): TopProcess => ({ pid: stat.pid, name: stat.comm, cpuPercent, memoryBytes });
    return { ts: now(), windowMs: Math.round(elapsed * 1000), byCpu: smallest(rows, checked, byCpu).map(light), byMemory: smallest(rows, checked, byMem).map(light) };
  };

  /** One listing at a time: concurrent callers would shorten each other's windows. */
  const serialized = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    source: 'linux /proc',
    list: (options = {}) => serialized(() => listNow(options)),
    top: (limit = TOP_PER_MINUTE) => serialized(() => topNow(limit)),
  };
}

/**
 * Bytes per memory page, from this process: its RSS in bytes (libuv) over its RSS in pages
 * (/proc/self/stat), rounded to a power of two. Node has no getpagesize().
 */
export function measurePageSize(): number {
  try {
    const pages = parseProcStat(fs.readFileSync('/proc/self/stat', 'latin1'))?.rssPages ?? 0;
    const bytes = process.memoryUsage.rss();
    if (pages <= 0) return 4096;
    const size = 2 ** Math.round(Math.log2(bytes / pages));
    return size >= 4096 && size <= 65536 ? size : 4096;
  } catch {
    return 4096;
  }
}
