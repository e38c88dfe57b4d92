// Memory on Windows: GlobalMemoryStatusEx for physical memory, the page files for swap; two calls
// into Buffers we keep, no process spawned.
//
// - total = ullTotalPhys, available = ullAvailPhys (free + standby + zeroed pages: what Task
//   Manager calls Available and what a new program can get without paging). Windows has no cheap
//   "completely unused" figure apart from that, so `free` is the same value.
// - swap = the page files, from NtQuerySystemInformation(SystemPageFileInformation): each page
//   file's size and use in pages (what the "Paging File(_Total)\% Usage" counter reads). Where that
//   class is not implemented (Wine), swap is estimated from the commit figures instead: the commit
//   limit is physical memory plus the page files, so page file size = ullTotalPageFile −
//   ullTotalPhys, and what is committed beyond physical memory in use is what lives in them.
import type { MemoryUsage } from '../../shared/model.js';
import { VigilError } from '../../shared/errors.js';
import { loadLibrary, type Koffi } from './koffi.js';
import { memoryUsage } from './memory.js';
import { readU64, requireBytes, type StructLayout } from './struct.js';
import type { MemoryReader } from './types.js';

/** MEMORYSTATUSEX (sysinfoapi.h). dwLength must be set to the size before the call. */
export const MEMORYSTATUSEX_LAYOUT = {
  size: 64,
  dwLength: 0,
  dwMemoryLoad: 4,
  ullTotalPhys: 8,
  ullAvailPhys: 16,
  ullTotalPageFile: 24,
  ullAvailPageFile: 32,
  ullTotalVirtual: 40,
  ullAvailVirtual: 48,
  ullAvailExtendedVirtual: 56,
} as const satisfies StructLayout;

/**
 * SYSTEM_PAGEFILE_INFORMATION: the four ULONGs we read (sizes in pages). PageFileName, a
 * UNICODE_STRING, follows at 16 (its size depends on the pointer size, so entries are walked with
 * NextEntryOffset, never with sizeof).
 */
export const PAGEFILE_INFORMATION_LAYOUT = {
  size: 32,
  NextEntryOffset: 0,
  TotalSize: 4,
  TotalInUse: 8,
  PeakUsage: 12,
  PageFileName: 16,
} as const satisfies StructLayout;

export const SYSTEM_PAGEFILE_INFORMATION = 18;

export interface MemoryStatus {
  totalPhys: number;
  availPhys: number;
  totalPageFile: number;
  availPageFile: number;
}

export function parseMemoryStatusEx(buffer: Buffer): MemoryStatus {
  const L = MEMORYSTATUSEX_LAYOUT;
  requireBytes(buffer, 0, L.size, 'MEMORYSTATUSEX');
  return {
    totalPhys: readU64(buffer, L.ullTotalPhys),
    availPhys: readU64(buffer, L.ullAvailPhys),
    totalPageFile: readU64(buffer, L.ullTotalPageFile),
    availPageFile: readU64(buffer, L.ullAvailPageFile),
  };
}

/** Sums every page file in `length` bytes of SYSTEM_PAGEFILE_INFORMATION entries, in bytes. */
export function parsePageFiles(buffer: Buffer, length: number, pageSize: number): { total: number; used: number } {
  const L = PAGEFILE_INFORMATION_LAYOUT;
  let total = 0;
  let used = 0;
  // No page file: the call succeeds and returns nothing.
  if (length === 0) return { total, used };
  let at = 0;
  for (let entries = 0; ; entries++) {
    requireBytes(buffer, at, L.PageFileName, 'SYSTEM_PAGEFILE_INFORMATION');
    if (at + L.PageFileName > length || entries > 64) throw new VigilError('io_error', `SYSTEM_PAGEFILE_INFORMATION entry at ${at} runs past the ${length} bytes returned`);
    total += buffer.readUInt32LE(at + L.TotalSize) * pageSize;
    used += buffer.readUInt32LE(at + L.TotalInUse) * pageSize;
    const next = buffer.readUInt32LE(at + L.NextEntryOffset);
    if (next === 0) break;
    at += next;
  }
  return { total, used };
}

/**
 * A commit limit this close to physical memory means no page file: the two figures come from
 * different counters and can differ by a few pages (Wine's differ by 2), while Windows' smallest
 * page file is megabytes.
 */
export const NO_PAGE_FILE_BELOW = 1024 * 1024;

/** Swap estimated from the commit figures (where the page file class is missing: Wine). */
export function swapFromCommit(status: MemoryStatus): { total: number; used: number } {
  const difference = status.totalPageFile - status.totalPhys;
  if (difference < NO_PAGE_FILE_BELOW) return { total: 0, used: 0 };
  const total = difference;
  const committed = status.totalPageFile - status.availPageFile;
  const physicalInUse = status.totalPhys - status.availPhys;
  return { total, used: Math.min(total, Math.max(0, committed - physicalInUse)) };
}

export function windowsMemoryUsage(status: MemoryStatus, swap: { total: number; used: number }): MemoryUsage {
  return memoryUsage(status.totalPhys, status.availPhys, status.availPhys, swap.total, Math.min(swap.used, swap.total));
}

export interface WindowsMemoryApi {
  /** GlobalMemoryStatusEx into a MEMORYSTATUSEX buffer (dwLength already set); false on failure. */
  globalMemoryStatus(buffer: Buffer): boolean;
  querySystemInformation(infoClass: number, buffer: Buffer): { status: number; returned: number };
  pageSize: number;
}

export function createWindowsMemoryReader(api: WindowsMemoryApi): MemoryReader {
  const status = Buffer.alloc(MEMORYSTATUSEX_LAYOUT.size);
  let pageFiles = Buffer.alloc(1024);
  let pageFileClass = true;

  const readSwap = (memory: MemoryStatus): { total: number; used: number } => {
    while (pageFileClass) {
      const { status: ntstatus, returned } = api.querySystemInformation(SYSTEM_PAGEFILE_INFORMATION, pageFiles);
      if (ntstatus === 0) return parsePageFiles(pageFiles, returned, api.pageSize);
      // STATUS_INFO_LENGTH_MISMATCH: many page files with long names.
      if (ntstatus === (0xc0000004 | 0) && pageFiles.length < 1 << 20) {
        pageFiles = Buffer.alloc(Math.max(returned, pageFiles.length * 4));
        continue;
      }
      // Not implemented here (Wine answers STATUS_INVALID_INFO_CLASS): use the commit figures from now on.
      pageFileClass = false;
    }
    return swapFromCommit(memory);
  };

  return {
    read() {
      status.fill(0);
      status.writeUInt32LE(MEMORYSTATUSEX_LAYOUT.size, MEMORYSTATUSEX_LAYOUT.dwLength);
      if (!api.globalMemoryStatus(status)) throw new VigilError('io_error', 'GlobalMemoryStatusEx failed');
      const memory = parseMemoryStatusEx(status);
      return windowsMemoryUsage(memory, readSwap(memory));
    },
  };
}

/** Binds GlobalMemoryStatusEx and reads the page size (GetSystemInfo) once. */
export function bindWindowsMemory(koffi: Koffi): Pick<WindowsMemoryApi, 'globalMemoryStatus' | 'pageSize'> {
  const kernel32 = loadLibrary(koffi, 'kernel32.dll');
  const globalMemoryStatusEx = kernel32.func('int __stdcall GlobalMemoryStatusEx(void *status)');
  const getSystemInfo = kernel32.func('void __stdcall GetSystemInfo(void *info)');
  // SYSTEM_INFO: dwPageSize is the ULONG at offset 4 (48 bytes on x64, 36 on x86).
  const info = Buffer.alloc(64);
  getSystemInfo(info);
  const pageSize = info.readUInt32LE(4) || 4096;
  return { globalMemoryStatus: (buffer) => (globalMemoryStatusEx(buffer) as number) !== 0, pageSize };
}
