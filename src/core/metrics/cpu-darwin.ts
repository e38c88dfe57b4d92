// CPU on macOS: per-core tick counters from host_processor_info(PROCESSOR_CPU_LOAD_INFO), one Mach
// call per tick, no process spawned.
//
// The kernel hands back an array it allocated in our address space (processor_cpu_load_info, four
// natural_t counters per CPU: user, system, idle, nice); it is copied into a Buffer and given back
// with vm_deallocate at once. busy = user + system + nice, total = busy + idle.
// The counters are 32-bit: at 100 ticks a second a core's counter wraps after ~16 months of busy
// time, so each one is unwrapped against its previous value (a counter that went down wrapped).
import { VigilError } from '../../shared/errors.js';
import { loadLibrary, type Koffi } from './koffi.js';
import { requireBytes, type StructLayout } from './struct.js';
import type { CpuReader, CpuTicks, CpuTimes } from './types.js';

/** processor_cpu_load_info (mach/processor_info.h): natural_t cpu_ticks[CPU_STATE_MAX = 4]. */
export const PROCESSOR_CPU_LOAD_INFO_LAYOUT = {
  size: 16,
  CPU_STATE_USER: 0,
  CPU_STATE_SYSTEM: 4,
  CPU_STATE_IDLE: 8,
  CPU_STATE_NICE: 12,
} as const satisfies StructLayout;

export const PROCESSOR_CPU_LOAD_INFO = 2;

export interface RawCpuTicks {
  user: number;
  system: number;
  idle: number;
  nice: number;
}

/** Parses `cpuCount` processor_cpu_load_info entries. */
export function parseProcessorCpuLoadInfo(buffer: Buffer, cpuCount: number): RawCpuTicks[] {
  const L = PROCESSOR_CPU_LOAD_INFO_LAYOUT;
  requireBytes(buffer, 0, cpuCount * L.size, `processor_cpu_load_info × ${cpuCount}`);
  const cpus: RawCpuTicks[] = new Array(cpuCount);
  for (let i = 0; i < cpuCount; i++) {
    const at = i * L.size;
    cpus[i] = {
      user: buffer.readUInt32LE(at + L.CPU_STATE_USER),
      system: buffer.readUInt32LE(at + L.CPU_STATE_SYSTEM),
      idle: buffer.readUInt32LE(at + L.CPU_STATE_IDLE),
      nice: buffer.readUInt32LE(at + L.CPU_STATE_NICE),
    };
  }
  return cpus;
}

const WRAP = 2 ** 32;
const STATES = ['user', 'system', 'idle', 'nice'] as const;
/** sysconf(_SC_CLK_TCK) on macOS. */
const DARWIN_CLK_TCK = 100;

/** Turns wrapping 32-bit tick counters into ever-growing ones, per CPU and state. */
export class TickUnwrapper {
  private last: RawCpuTicks[] = [];
  private offset: RawCpuTicks[] = [];

  unwrap(raw: readonly RawCpuTicks[]): CpuTimes {
    if (raw.length !== this.last.length) {
      // First call, or the CPU count changed: start over (the sampler takes a new baseline).
      this.last = raw.map((r) => ({ ...r }));
      this.offset = raw.map(() => ({ user: 0, system: 0, idle: 0, nice: 0 }));
    }
    let busyAll = 0;
    let totalAll = 0;
    const cores: CpuTicks[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const now = raw[i]!;
      const last = this.last[i]!;
      const offset = this.offset[i]!;
      for (const state of STATES) {
        if (now[state] < last[state]) offset[state] += WRAP;
        last[state] = now[state];
      }
      const busy = now.user + offset.user + now.system + offset.system + now.nice + offset.nice;
      const total = busy + now.idle + offset.idle;
      // Ticks of CLK_TCK (100 a second), as libuv's os.cpus() converts them.
      const seconds = (state: (typeof STATES)[number]) => (now[state] + offset[state]) / DARWIN_CLK_TCK;
      cores[i] = { busy, total, modes: { user: seconds('user'), nice: seconds('nice'), system: seconds('system'), idle: seconds('idle') } };
      busyAll += busy;
      totalAll += total;
    }
    return { total: { busy: busyAll, total: totalAll }, cores };
  }
}

export interface DarwinCpuApi {
  /** host_processor_info(PROCESSOR_CPU_LOAD_INFO): the CPU count and the array copied into a Buffer. */
  processorLoadInfo(): { cpuCount: number; buffer: Buffer };
}

export function createDarwinCpuReader(api: DarwinCpuApi): CpuReader {
  const unwrapper = new TickUnwrapper();
  return {
    read() {
      const { cpuCount, buffer } = api.processorLoadInfo();
      return unwrapper.unwrap(parseProcessorCpuLoadInfo(buffer, cpuCount));
    },
  };
}

/** The Mach calls of libSystem the macOS readers share. */
export interface MachApi {
  libSystem: ReturnType<Koffi['load']>;
  /** mach_host_self(), taken once (each call adds a reference to the port). */
  host: number;
  /** mach_task_self_, the task port (mach_task_self() is a macro reading this variable). */
  task: number;
  /** memcpy(destination Buffer, source pointer, length). */
  copy(destination: Buffer, source: unknown, length: number): void;
}

export function bindMach(koffi: Koffi): MachApi {
  const libSystem = loadLibrary(koffi, '/usr/lib/libSystem.B.dylib');
  const machHostSelf = libSystem.func('uint32_t mach_host_self()');
  const memcpy = libSystem.func('void *memcpy(void *destination, void *source, size_t length)');
  const task = koffi.decode(libSystem.symbol('mach_task_self_'), 'uint32_t') as number;
  return { libSystem, host: machHostSelf() as number, task, copy: (destination, source, length) => void memcpy(destination, source, length) };
}

export function bindDarwinCpu(mach: MachApi): DarwinCpuApi {
  const hostProcessorInfo = mach.libSystem.func(
    'int host_processor_info(uint32_t host, int flavor, _Out_ uint32_t *cpuCount, _Out_ void **info, _Out_ uint32_t *infoCount)',
  );
  const vmDeallocate = mach.libSystem.func('int vm_deallocate(uint32_t task, void *address, size_t size)');
  const cpuCount = [0];
  const info: unknown[] = [null];
  const infoCount = [0];
  let buffer = Buffer.alloc(64 * PROCESSOR_CPU_LOAD_INFO_LAYOUT.size);
  return {
    processorLoadInfo() {
      const status = hostProcessorInfo(mach.host, PROCESSOR_CPU_LOAD_INFO, cpuCount, info, infoCount) as number;
      if (status !== 0) throw new VigilError('io_error', `host_processor_info failed: kern_return_t ${status}`);
      // infoCount is in natural_t (4-byte) units.
      const bytes = infoCount[0]! * 4;
      try {
        if (buffer.length < bytes) buffer = Buffer.alloc(bytes * 2);
        mach.copy(buffer, info[0], bytes);
      } finally {
        vmDeallocate(mach.task, info[0], bytes);
      }
      return { cpuCount: cpuCount[0]!, buffer };
    },
  };
}
