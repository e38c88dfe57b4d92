// CPU usage: total and per-core busy percentage from cumulative tick counters.
//
// Busy = everything except idle and iowait. On Linux that is user + nice + system + irq + softirq
// + steal (guest and guest_nice are already included in user and nice, so they are not added a
// second time). iowait counts as idle because the CPU was free to run something else; steal
// counts as busy because this machine could not use that time (as top's 100 − id − wa does).
// Elsewhere Node's os.cpus() gives user, nice, sys, idle, irq: busy = user + nice + sys + irq.
//
// A usage is a delta between two readings, so the first reading is a baseline (no value).
import path from 'node:path';
import type { CpuMode, CpuModeSeconds, CpuUsage } from '../../shared/model.js';
import { quantize } from '../../shared/series.js';
import { VigilError } from '../../shared/errors.js';
import { ProcFile } from './procfile.js';
import type { CpuReader, CpuTicks, CpuTimes, OsApi } from './types.js';

export const CPU_RESOLUTION = 0.1;

/** Parses the `cpu` and `cpuN` lines of /proc/stat. */
export function parseProcStat(text: string): CpuTimes {
  let total: CpuTicks | null = null;
  const cores: (CpuTicks | null)[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // The cpu lines come first; stop at the first other line (intr is long and not needed).
    if (!text.startsWith('cpu', start)) break;
    const line = text.slice(start, end);
    start = end + 1;
    const fields = line.split(/\s+/);
    const name = fields[0]!;
    const ticks = ticksFromProcStatFields(fields, line);
    if (name === 'cpu') {
      total = ticks;
    } else {
      const index = Number(name.slice(3));
      if (!Number.isInteger(index) || index < 0 || index > 65535) throw new VigilError('io_error', `unexpected /proc/stat line: ${line}`);
      // CPUs that are offline are not listed: leave a hole (null) so indexes keep their meaning.
      while (cores.length < index) cores.push(null);
      cores[index] = ticks;
    }
  }
  if (!total) throw new VigilError('io_error', '/proc/stat has no aggregate cpu line');
  return { total, cores };
}

/**
 * /proc/stat counts in USER_HZ, which the kernel fixes at 100 for user space on every
 * architecture (sysconf(_SC_CLK_TCK); node_exporter's procfs assumes the same).
 */
export const USER_HZ = 100;
/** The modes of /proc/stat's cpu lines, in their column order (guest time is inside user and nice). */
const PROC_STAT_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const satisfies readonly CpuMode[];

function ticksFromProcStatFields(fields: string[], line: string): CpuTicks {
  // user nice system idle iowait irq softirq steal [guest guest_nice]; old kernels have fewer.
  const value = (i: number): number => {
    const raw = fields[i];
    if (raw === undefined || raw === '') return 0;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new VigilError('io_error', `unexpected /proc/stat line: ${line}`);
    return n;
  };
  if (fields.length < 5) throw new VigilError('io_error', `unexpected /proc/stat line: ${line}`);
  const busy = value(1) + value(2) + value(3) + value(6) + value(7) + value(8);
  const idle = value(4) + value(5);
  const modes: CpuModeSeconds = {};
  // A mode an old kernel does not list is left out, not 0.
  PROC_STAT_MODES.forEach((mode, i) => {
    if (fields[i + 1] !== undefined && fields[i + 1] !== '') modes[mode] = value(i + 1) / USER_HZ;
  });
  return { busy, total: busy + idle, modes };
}

/** CPU times from Node's os.cpus() (milliseconds; the portable path). */
export function cpuTimesFromOs(cpus: readonly { times: { user: number; nice: number; sys: number; idle: number; irq: number } }[]): CpuTimes {
  if (cpus.length === 0) throw new VigilError('io_error', 'os.cpus() returned no CPU');
  let busyAll = 0;
  let totalAll = 0;
  const cores: CpuTicks[] = cpus.map(({ times }) => {
    const busy = times.user + times.nice + times.sys + times.irq;
    const total = busy + times.idle;
    busyAll += busy;
    totalAll += total;
    // Milliseconds; os.cpus() has no iowait, softirq or steal.
    const modes: CpuModeSeconds = { user: times.user / 1000, nice: times.nice / 1000, system: times.sys / 1000, idle: times.idle / 1000, irq: times.irq / 1000 };
    return { busy, total, modes };
  });
  return { total: { busy: busyAll, total: totalAll }, cores };
}

/** Turns successive CpuTimes into CpuUsage. The first reading (and the one after reset()) is a baseline. */
export class CpuUsageComputer {
  private previous: CpuTimes | null = null;

  reset(): void {
    this.previous = null;
  }

  /** null when there is no valid previous reading (baseline, CPU count changed, counters went backwards). */
  update(current: CpuTimes): CpuUsage | null {
    const previous = this.previous;
    this.previous = current;
    if (!previous || previous.cores.length !== current.cores.length) return null;
    const total = percent(previous.total, current.total);
    if (total === null) return null;
    const cores = new Array<number>(current.cores.length);
    for (let i = 0; i < cores.length; i++) {
      const before = previous.cores[i];
      const after = current.cores[i];
      // A CPU that is offline now, or was at the previous reading, has no usage to report.
      cores[i] = before && after ? (percent(before, after) ?? 0) : 0;
    }
    return { total, cores };
  }
}

/** Busy share between two readings, quantized; null if a counter went backwards. */
function percent(before: CpuTicks, after: CpuTicks): number | null {
  const dTotal = after.total - before.total;
  const dBusy = after.busy - before.busy;
  if (dTotal < 0 || dBusy < 0 || dTotal - dBusy < 0) return null;
  if (dTotal === 0) return 0;
  return quantize(Math.min(100, (dBusy / dTotal) * 100), CPU_RESOLUTION);
}

export function createLinuxCpuReader(root = '/'): CpuReader {
  const file = new ProcFile(path.join(root, 'proc/stat'));
  return { read: () => parseProcStat(file.read()) };
}

export function createPortableCpuReader(osApi: Pick<OsApi, 'cpus'>): CpuReader {
  return { read: () => cpuTimesFromOs(osApi.cpus()) };
}
