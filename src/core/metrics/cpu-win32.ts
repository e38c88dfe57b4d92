// CPU on Windows: per-core times from NtQuerySystemInformation(SystemProcessorPerformanceInformation),
// one call into a Buffer we keep, no process spawned.
//
// That is the call libuv's os.cpus() makes too, but os.cpus() also opens two registry keys per
// core for the model name and clock speed on every call; we only need the times. Times are in
// 100 ns units. KernelTime includes IdleTime (and the DPC and interrupt time), so
// busy = KernelTime − IdleTime + UserTime and total = KernelTime + UserTime, as libuv and Task
// Manager count them. The total is the sum over cores. On a machine with more than 64 logical
// CPUs (several processor groups) this class lists the calling thread's group only, like libuv.
import type { CpuReader, CpuTicks, CpuTimes } from './types.js';
import { loadLibrary, type Koffi } from './koffi.js';
import { readU64, requireBytes, type StructLayout } from './struct.js';
import { VigilError } from '../../shared/errors.js';

/** SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION (winternl.h): five LARGE_INTEGERs and a ULONG. */
export const PROCESSOR_PERFORMANCE_LAYOUT = {
  size: 48,
  IdleTime: 0,
  KernelTime: 8,
  UserTime: 16,
  DpcTime: 24,
  InterruptTime: 32,
  InterruptCount: 40,
} as const satisfies StructLayout;

export const SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION = 8;
export const STATUS_INFO_LENGTH_MISMATCH = 0xc0000004 | 0;

/** Parses `length` bytes of SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION entries, one per logical CPU. */
export function parseProcessorPerformance(buffer: Buffer, length: number): CpuTimes {
  const L = PROCESSOR_PERFORMANCE_LAYOUT;
  if (length <= 0 || length % L.size !== 0) {
    throw new VigilError('io_error', `NtQuerySystemInformation returned ${length} bytes of processor times, not a multiple of ${L.size}`);
  }
  requireBytes(buffer, 0, length, 'processor times');
  const cores: CpuTicks[] = [];
  let busyAll = 0;
  let totalAll = 0;
  for (let at = 0; at < length; at += L.size) {
    const idle = readU64(buffer, at + L.IdleTime);
    const kernel = readU64(buffer, at + L.KernelTime);
    const user = readU64(buffer, at + L.UserTime);
    const busy = Math.max(0, kernel - idle) + user;
    const total = kernel + user;
    // 100 ns units. Kernel time includes idle time; DPC and interrupt time stay in system here.
    cores.push({ busy, total, modes: { user: user / 1e7, system: Math.max(0, kernel - idle) / 1e7, idle: idle / 1e7 } });
    busyAll += busy;
    totalAll += total;
  }
  return { total: { busy: busyAll, total: totalAll }, cores };
}

/** The one OS call the reader needs; a test passes a fake that writes bytes laid out by hand. */
export interface WindowsCpuApi {
  /** NtQuerySystemInformation(class, buffer, buffer.length, &returned): NTSTATUS and bytes written. */
  querySystemInformation(infoClass: number, buffer: Buffer): { status: number; returned: number };
}

export function createWindowsCpuReader(api: WindowsCpuApi, cpuCount: number): CpuReader {
  let buffer = Buffer.alloc(PROCESSOR_PERFORMANCE_LAYOUT.size * Math.max(1, cpuCount));
  return {
    read() {
      for (let attempt = 0; ; attempt++) {
        const { status, returned } = api.querySystemInformation(SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION, buffer);
        if (status === STATUS_INFO_LENGTH_MISMATCH && attempt < 3) {
          // A CPU came online: room for what the OS says, or twice as much.
          buffer = Buffer.alloc(Math.max(returned, buffer.length * 2));
          continue;
        }
        if (status !== 0) throw new VigilError('io_error', `NtQuerySystemInformation(SystemProcessorPerformanceInformation) failed: NTSTATUS 0x${(status >>> 0).toString(16)}`);
        return parseProcessorPerformance(buffer, returned);
      }
    },
  };
}

/** Binds NtQuerySystemInformation from ntdll.dll (shared with memory-win32.ts). */
export function bindQuerySystemInformation(koffi: Koffi): WindowsCpuApi['querySystemInformation'] {
  const ntdll = loadLibrary(koffi, 'ntdll.dll');
  const query = ntdll.func('int32_t __stdcall NtQuerySystemInformation(int32_t infoClass, void *info, uint32_t length, void *returned)');
  const returned = Buffer.alloc(4);
  return (infoClass, buffer) => {
    returned.writeUInt32LE(0, 0);
    const status = query(infoClass, buffer, buffer.length, returned) as number;
    return { status, returned: returned.readUInt32LE(0) };
  };
}
