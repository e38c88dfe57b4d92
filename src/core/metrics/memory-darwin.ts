// Memory on macOS, as Activity Monitor shows it: host_statistics64(HOST_VM_INFO64) page counts for
// physical memory, sysctl vm.swapusage for swap, hw.memsize for the total; three calls into
// Buffers we keep, no process spawned. (os.freemem() there is only the free page count, a few
// percent of memory on a machine that has been up a while: macOS keeps the rest as cache.)
//
// Activity Monitor's "Memory Used" is App Memory + Wired + Compressed. The Stats menu-bar app
// computes it from the same counters this way, which we follow:
//   used      = active + inactive + speculative + wired + compressor − purgeable − external
// (active + inactive + speculative pages are the anonymous and the file-backed ones; taking away
// the file-backed (external) and purgeable pages leaves App Memory). Then
//   available = total − used  (the file cache and purgeable pages count as available, as on Linux)
//   free      = free − speculative  (speculative pages are counted in free_count; vm_stat subtracts them).
// Pages are host_page_size() bytes (16 KiB on Apple silicon), as vm_stat counts them.
import type { MemoryUsage } from '../../shared/model.js';
import { VigilError } from '../../shared/errors.js';
import type { MachApi } from './cpu-darwin.js';
import { memoryUsage } from './memory.js';
import { readU64, requireBytes, type StructLayout } from './struct.js';
import type { MemoryReader } from './types.js';

/** struct vm_statistics64 (mach/vm_statistics.h), __attribute__((aligned(8))). */
export const VM_STATISTICS64_LAYOUT = {
  size: 152,
  free_count: 0,
  active_count: 4,
  inactive_count: 8,
  wire_count: 12,
  zero_fill_count: 16,
  reactivations: 24,
  pageins: 32,
  pageouts: 40,
  faults: 48,
  cow_faults: 56,
  lookups: 64,
  hits: 72,
  purges: 80,
  purgeable_count: 88,
  speculative_count: 92,
  decompressions: 96,
  compressions: 104,
  swapins: 112,
  swapouts: 120,
  compressor_page_count: 128,
  throttled_count: 132,
  external_page_count: 136,
  internal_page_count: 140,
  total_uncompressed_pages_in_compressor: 144,
} as const satisfies StructLayout;

/** HOST_VM_INFO64_COUNT: the struct's size in integer_t (4-byte) units. */
export const HOST_VM_INFO64_COUNT = VM_STATISTICS64_LAYOUT.size / 4;
export const HOST_VM_INFO64 = 4;

/** struct xsw_usage (sys/sysctl.h), what vm.swapusage returns. */
export const XSW_USAGE_LAYOUT = {
  size: 32,
  xsu_total: 0,
  xsu_avail: 8,
  xsu_used: 16,
  xsu_pagesize: 24,
  xsu_encrypted: 28,
} as const satisfies StructLayout;

export interface VmStatistics {
  free: number;
  active: number;
  inactive: number;
  wired: number;
  purgeable: number;
  speculative: number;
  compressor: number;
  external: number;
  internal: number;
}

/** Page counts from a vm_statistics64 buffer. */
export function parseVmStatistics64(buffer: Buffer): VmStatistics {
  const L = VM_STATISTICS64_LAYOUT;
  requireBytes(buffer, 0, L.size, 'vm_statistics64');
  const u32 = (offset: number) => buffer.readUInt32LE(offset);
  return {
    free: u32(L.free_count),
    active: u32(L.active_count),
    inactive: u32(L.inactive_count),
    wired: u32(L.wire_count),
    purgeable: u32(L.purgeable_count),
    speculative: u32(L.speculative_count),
    compressor: u32(L.compressor_page_count),
    external: u32(L.external_page_count),
    internal: u32(L.internal_page_count),
  };
}

export function parseXswUsage(buffer: Buffer): { total: number; used: number; available: number } {
  const L = XSW_USAGE_LAYOUT;
  requireBytes(buffer, 0, L.size, 'xsw_usage');
  return { total: readU64(buffer, L.xsu_total), used: readU64(buffer, L.xsu_used), available: readU64(buffer, L.xsu_avail) };
}

/** Activity Monitor's figures from the page counts (see the file comment). */
export function activityMonitorMemory(stats: VmStatistics, pageSize: number, total: number, swap: { total: number; used: number }): MemoryUsage {
  const pages =
    stats.active + stats.inactive + stats.speculative + stats.wired + stats.compressor - stats.purgeable - stats.external;
  const used = Math.min(total, Math.max(0, pages * pageSize));
  const free = Math.max(0, stats.free - stats.speculative) * pageSize;
  return memoryUsage(total, total - used, free, swap.total, swap.used);
}

export interface DarwinMemoryApi {
  /** host_statistics64(HOST_VM_INFO64) into a vm_statistics64 buffer; the kern_return_t. */
  vmStatistics(buffer: Buffer): number;
  /** sysctlbyname(name) into a buffer; the bytes written, or throws. */
  sysctlByName(name: string, buffer: Buffer): number;
  pageSize: number;
}

export function createDarwinMemoryReader(api: DarwinMemoryApi): MemoryReader {
  const stats = Buffer.alloc(VM_STATISTICS64_LAYOUT.size);
  const swap = Buffer.alloc(XSW_USAGE_LAYOUT.size);
  const memsize = Buffer.alloc(8);
  if (api.sysctlByName('hw.memsize', memsize) !== 8) throw new VigilError('io_error', 'sysctl hw.memsize did not return 8 bytes');
  const total = readU64(memsize, 0);
  return {
    read() {
      const status = api.vmStatistics(stats);
      if (status !== 0) throw new VigilError('io_error', `host_statistics64(HOST_VM_INFO64) failed: kern_return_t ${status}`);
      const written = api.sysctlByName('vm.swapusage', swap);
      if (written < XSW_USAGE_LAYOUT.xsu_pagesize) throw new VigilError('io_error', `sysctl vm.swapusage returned ${written} bytes`);
      return activityMonitorMemory(parseVmStatistics64(stats), api.pageSize, total, parseXswUsage(swap));
    },
  };
}

/** sysctlbyname from libSystem: name → bytes written into the buffer (throws on failure). */
export function bindSysctlByName(mach: MachApi): DarwinMemoryApi['sysctlByName'] {
  const sysctlbyname = mach.libSystem.func('int sysctlbyname(const char *name, void *old, void *oldLength, void *new, size_t newLength)');
  const length = Buffer.alloc(8);
  return (name, buffer) => {
    length.writeBigUInt64LE(BigInt(buffer.length), 0);
    if ((sysctlbyname(name, buffer, length, null, 0) as number) !== 0) throw new VigilError('io_error', `sysctl ${name} failed`);
    return Number(length.readBigUInt64LE(0));
  };
}

export function bindDarwinMemory(mach: MachApi): DarwinMemoryApi {
  const hostStatistics64 = mach.libSystem.func('int host_statistics64(uint32_t host, int flavor, void *info, _Inout_ uint32_t *count)');
  const hostPageSize = mach.libSystem.func('int host_page_size(uint32_t host, _Out_ uint64_t *pageSize)');
  const pageSize = [0];
  if ((hostPageSize(mach.host, pageSize) as number) !== 0) throw new VigilError('io_error', 'host_page_size failed');
  const count = [0];
  return {
    vmStatistics(buffer) {
      count[0] = HOST_VM_INFO64_COUNT;
      return hostStatistics64(mach.host, HOST_VM_INFO64, buffer, count) as number;
    },
    sysctlByName: bindSysctlByName(mach),
    pageSize: Number(pageSize[0]),
  };
}
