// What a process listing is, whatever the OS: the rows and lists the listers return, the
// argument checks, the orderings and the truncation every lister shares (processes.ts picks the
// lister; processes-linux.ts reads /proc; the portable lister is in processes.ts).
import { VigilError } from '../../shared/errors.js';
import { DEFAULT_PROCESS_LIMIT, MAX_PROCESS_LIMIT, type ProcessSort, type TopProcess } from '../../shared/processes.js';

export interface ProcessInfo {
  pid: number;
  /** Parent pid; 0 for the kernel's own roots (and where the OS does not tell). */
  ppid: number;
  /** The short process name (Linux: the kernel's comm, 15 characters at most). */
  name: string;
  /** Owner's user name, or the numeric uid when it has no local name. */
  user: string;
  /** CPU time over wall time in the window, in % of one CPU (200 = two busy cores). */
  cpuPercent: number;
  /** Resident memory (RSS), bytes. */
  memoryBytes: number;
  /** RSS in % of the machine's memory. */
  memoryPercent: number;
  /** Threads; null where the OS does not tell cheaply. */
  threads: number | null;
  /** One letter (R running, S sleeping, D disk wait, Z zombie, …); null where unknown. */
  state: string | null;
  /** Command line (arguments joined by spaces), truncated; `[name]` for kernel threads. */
  command: string;
}

export type { ProcessSort } from '../../shared/processes.js';

export interface ProcessList {
  /** Unix ms of the reading. */
  ts: number;
  /** The CPU % window, ms (since the previous call, or the first call's own window). */
  windowMs: number;
  /** Logical CPUs: all of them busy is 100 × cpus %. */
  cpus: number;
  /** Processes on the machine, before the limit. */
  total: number;
  sort: ProcessSort;
  processes: ProcessInfo[];
}

export interface ListOptions {
  sort?: ProcessSort;
  /** How many to return (1 to MAX_PROCESS_LIMIT); default DEFAULT_PROCESS_LIMIT. */
  limit?: number;
}

/** The top processes by CPU and by memory from one reading: what the engine records each minute. */
export interface TopLists {
  /** Unix ms of the reading. */
  ts: number;
  /** The CPU % window, ms. */
  windowMs: number;
  byCpu: TopProcess[];
  byMemory: TopProcess[];
}

export interface ProcessLister {
  readonly source: 'linux /proc' | 'systeminformation';
  list(options?: ListOptions): Promise<ProcessList>;
  /**
   * The `limit` (default TOP_PER_MINUTE) biggest by CPU and by memory, from one reading; only
   * pid, name, CPU % and RSS, so none of the per-row owner and command-line reads of list().
   */
  top(limit?: number): Promise<TopLists>;
}

/** Command lines are cut to this many characters (a UI row, not an audit trail). */
export const COMMAND_MAX_CHARS = 256;
/** The first call's window: long enough for ±2 % at 100 CPU ticks per second. */
export const DEFAULT_WINDOW_MS = 500;
/** A call sooner than this after the previous one waits for the rest: shorter windows are noise. */
export const MIN_WINDOW_MS = 200;
/** A previous reading older than this is not reused: CPU % since then says little about now. */
export const MAX_WINDOW_MS = 60_000;

export function truncate(text: string, max = COMMAND_MAX_CHARS): string {
  if (text.length <= max) return text;
  // Never cut a surrogate pair in half.
  const end = /[\uD800-\uDBFF]/.test(text[max - 2] ?? '') ? max - 2 : max - 1;
  return `${text.slice(0, end)}…`;
}

export function validateListOptions(options: ListOptions = {}): { sort: ProcessSort; limit: number } {
  const sort = options.sort ?? 'cpu';
  if (sort !== 'cpu' && sort !== 'mem') throw new VigilError('invalid_argument', `sort must be cpu or mem, not ${JSON.stringify(sort)}`);
  const limit = options.limit ?? DEFAULT_PROCESS_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PROCESS_LIMIT) throw new VigilError('invalid_argument', `limit must be a whole number from 1 to ${MAX_PROCESS_LIMIT}`);
  return { sort, limit };
}

export function compareProcesses(sort: ProcessSort): (a: ProcessInfo, b: ProcessInfo) => number {
  return sort === 'cpu'
    ? (a, b) => b.cpuPercent - a.cpuPercent || b.memoryBytes - a.memoryBytes || a.pid - b.pid
    : (a, b) => b.memoryBytes - a.memoryBytes || b.cpuPercent - a.cpuPercent || a.pid - b.pid;
}

/** The first `limit` of `items` by `compare`, without sorting them all (limit is a handful, items hundreds). */
export function smallest<T>(items: readonly T[], limit: number, compare: (a: T, b: T) => number): T[] {
  const best: T[] = [];
  for (const item of items) {
    if (best.length === limit && compare(item, best[limit - 1]!) >= 0) continue;
    let i = best.length === limit ? limit - 1 : best.length;
    while (i > 0 && compare(item, best[i - 1]!) < 0) {
      best[i] = best[i - 1]!;
      i--;
    }
    best[i] = item;
    best.length = Math.min(best.length, limit);
  }
  return best;
}
