// Top processes, on demand: `vigil top` and GET /api/processes. Never part of the per-second
// loop — the sampler does not call this, and nothing here runs unless someone asks.
//
// CPU % is defined as top defines it: a process's CPU time (user + system, all its threads)
// between two readings, over the wall time between them, in percent of one CPU — a process
// keeping two cores busy shows 200 %. A lister keeps its last reading, so a UI that asks every
// few seconds gets the CPU % since its previous call; the first call (or one after a long pause)
// takes two readings `windowMs` (500 ms) apart.
//
// Linux: /proc read directly (processes-linux.ts), no process spawned.
// Elsewhere (macOS, Windows): systeminformation's processes(), loaded lazily on the first call.
// The sampler stays the only *per-tick* caller of systeminformation: its module-level caches
// (currentLoad, networkStats) are per function, and processes() is only ever called from here,
// on demand. Its CPU % is what systeminformation reports (on macOS `ps`'s own %cpu).
import os from 'node:os';
import { TOP_PER_MINUTE, type TopProcess } from '../../shared/processes.js';
import { createLinuxProcessLister } from './processes-linux.js';
import { compareProcesses, smallest, truncate, validateListOptions, type ProcessInfo, type ProcessLister } from './processes-model.js';
import type { LoadSystemInformation } from './types.js';

export * from './processes-model.js';
export { createLinuxProcessLister, formatCmdline, measurePageSize, parsePasswd, parseProcStat, type LinuxListerOptions, type ProcStat } from './processes-linux.js';

// ---- elsewhere: systeminformation ----------------------------------------------------------

export function createPortableProcessLister(options: { loadSi: LoadSystemInformation; totalMemory?: number; now?: () => number }): ProcessLister {
  const totalMemory = options.totalMemory ?? os.totalmem();
  const now = options.now ?? Date.now;
  let last: number | null = null;
  const readAll = async (): Promise<{ processes: ProcessInfo[]; windowMs: number }> => {
    const si = await options.loadSi();
    const data = await si.processes();
    const at = performance.now();
    const processes = data.list.map((p): ProcessInfo => {
      const memoryBytes = Math.max(0, p.memRss) * 1024;
      const command = [p.command || p.name, p.params].filter(Boolean).join(' ');
      return {
        pid: p.pid,
        ppid: p.parentPid ?? 0,
        name: p.name,
        user: p.user || '?',
        cpuPercent: Math.round((p.cpu || 0) * 10) / 10,
        memoryBytes,
        memoryPercent: totalMemory > 0 ? Math.round((memoryBytes / totalMemory) * 1000) / 10 : 0,
        threads: null,
        state: p.state ? p.state.charAt(0).toUpperCase() : null,
        command: truncate(command || `[${p.name}]`),
      };
    });
    const windowMs = last === null ? 0 : Math.round(at - last);
    last = at;
    return { processes, windowMs };
  };
  return {
    source: 'systeminformation',
    async list(listOptions = {}) {
      const { sort, limit } = validateListOptions(listOptions);
      const { processes, windowMs } = await readAll();
      processes.sort(compareProcesses(sort));
      return { ts: now(), windowMs, cpus: os.availableParallelism(), total: processes.length, sort, processes: processes.slice(0, limit) };
    },
    async top(limit = TOP_PER_MINUTE) {
      const { limit: checked } = validateListOptions({ limit });
      const { processes, windowMs } = await readAll();
      const light = (p: ProcessInfo): TopProcess => ({ pid: p.pid, name: p.name, cpuPercent: p.cpuPercent, memoryBytes: p.memoryBytes });
      return { ts: now(), windowMs, byCpu: smallest(processes, checked, compareProcesses('cpu')).map(light), byMemory: smallest(processes, checked, compareProcesses('mem')).map(light) };
    },
  };
}

/** The lister for this OS. */
export async function createProcessLister(options: { platform?: NodeJS.Platform; windowMs?: number; maxWindowMs?: number } = {}): Promise<ProcessLister> {
  if ((options.platform ?? process.platform) === 'linux') return createLinuxProcessLister({ windowMs: options.windowMs, maxWindowMs: options.maxWindowMs });
  const { loadSystemInformation } = await import('./si.js');
  return createPortableProcessLister({ loadSi: loadSystemInformation });
}
