// Memory: total, used (= total − available), available, free, swap total and used, in bytes
// quantized to 1024 (the kernel reports KiB).
//
// Linux: /proc/meminfo. Elsewhere: os.totalmem() and os.freemem() every tick, and
// systeminformation's mem() for free memory, swap and (macOS) reclaimable memory, refreshed in
// the background on the slow cadence: it spawns processes on macOS and Windows, so it never runs
// on the tick path. What os.freemem() means depends on the OS (libuv): MemAvailable on Linux,
// available physical memory (ullAvailPhys) on Windows, but only the free page count on macOS,
// which keeps most memory as reclaimable cache; there available = free now + the reclaimable
// amount systeminformation saw at its last refresh (its own definition: free + buffcache).
import path from 'node:path';
import type { MemoryUsage } from '../../shared/model.js';
import { quantize } from '../../shared/series.js';
import { VigilError } from '../../shared/errors.js';
import { ProcFile } from './procfile.js';
import type { LoadSystemInformation, MemoryReader, OsApi } from './types.js';

export const MEMORY_RESOLUTION = 1024;

const WANTED = ['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapTotal', 'SwapFree'] as const;
type Wanted = (typeof WANTED)[number];

/** Parses /proc/meminfo (values in kB = KiB). */
export function parseMeminfo(text: string): MemoryUsage {
  const kib: Partial<Record<Wanted, number>> = {};
  let found = 0;
  let start = 0;
  while (start < text.length && found < WANTED.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      const key = text.slice(start, colon) as Wanted;
      if ((WANTED as readonly string[]).includes(key)) {
        const value = Number.parseInt(text.slice(colon + 1, end), 10);
        if (!Number.isFinite(value) || value < 0) throw new VigilError('io_error', `unexpected /proc/meminfo line: ${text.slice(start, end)}`);
        kib[key] = value;
        found++;
      }
    }
    start = end + 1;
  }
  if (kib.MemTotal === undefined || kib.MemFree === undefined) throw new VigilError('io_error', '/proc/meminfo has no MemTotal or MemFree');
  const total = kib.MemTotal * 1024;
  const free = kib.MemFree * 1024;
  // MemAvailable exists since Linux 3.14; before it, free + buffers + page cache is the usual estimate.
  const availableKib = kib.MemAvailable ?? kib.MemFree + (kib.Buffers ?? 0) + (kib.Cached ?? 0);
  const available = Math.min(total, availableKib * 1024);
  const swapTotal = (kib.SwapTotal ?? 0) * 1024;
  const swapUsed = Math.max(0, swapTotal - (kib.SwapFree ?? 0) * 1024);
  return memoryUsage(total, available, free, swapTotal, swapUsed);
}

export function memoryUsage(total: number, available: number, free: number, swapTotal: number, swapUsed: number): MemoryUsage {
  const q = (v: number): number => quantize(Math.max(0, v), MEMORY_RESOLUTION);
  const t = q(total);
  const a = Math.min(t, q(available));
  const swap = q(swapTotal);
  // Within their totals, as the hub requires (a reader's rounding or a racy pair of readings must
  // not get a machine's samples refused).
  return { total: t, used: t - a, available: a, free: Math.min(t, q(free)), swapTotal: swap, swapUsed: Math.min(swap, q(swapUsed)) };
}

export function createLinuxMemoryReader(root = '/'): MemoryReader {
  const file = new ProcFile(path.join(root, 'proc/meminfo'));
  return { read: () => parseMeminfo(file.read()) };
}

export interface PortableMemoryReader extends MemoryReader {
  /** Re-reads free memory and swap through systeminformation (slow; off the tick path). */
  refresh(): Promise<void>;
}

export function createPortableMemoryReader(
  osApi: Pick<OsApi, 'totalmem' | 'freemem'>,
  loadSi: LoadSystemInformation,
  platform: NodeJS.Platform = process.platform,
): PortableMemoryReader {
  let slow: { free: number; reclaimable: number; swapTotal: number; swapUsed: number } | null = null;
  let inFlight: Promise<void> | null = null;

  const refresh = (): Promise<void> => {
    inFlight ??= (async () => {
      try {
        const si = await loadSi();
        const mem = await si.mem();
        slow = { free: mem.free, reclaimable: Math.max(0, mem.available - mem.free), swapTotal: mem.swaptotal, swapUsed: mem.swapused };
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };

  const fromOs = (): MemoryUsage => {
    const total = osApi.totalmem();
    const fromNode = osApi.freemem();
    if (platform === 'darwin') {
      return memoryUsage(total, fromNode + (slow?.reclaimable ?? 0), fromNode, slow?.swapTotal ?? 0, slow?.swapUsed ?? 0);
    }
    return memoryUsage(total, fromNode, slow?.free ?? fromNode, slow?.swapTotal ?? 0, slow?.swapUsed ?? 0);
  };

  let first = true;
  return {
    refresh,
    read() {
      if (!first) return fromOs();
      // The very first reading waits for swap (the first tick is a baseline, so nothing waits on
      // it); if that fails the error surfaces once, and later reads report swap as 0 until the
      // background refresh succeeds.
      first = false;
      return refresh().then(fromOs);
    },
  };
}
