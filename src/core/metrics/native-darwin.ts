// The macOS reader set ("macos native"): every per-tick reading is one Mach call or sysctl through
// koffi, into a Buffer we own; nothing spawns a process. Loaded by index.ts only on macOS, with
// koffi already imported; any failure here makes index.ts fall back to the portable readers and
// log why.
import type { Koffi } from './koffi.js';
import { bindDarwinCpu, bindMach, createDarwinCpuReader } from './cpu-darwin.js';
import { bindDarwinDisk, createDarwinDiskReader } from './disk-darwin.js';
import { bindDarwinMemory, createDarwinMemoryReader } from './memory-darwin.js';
import { createPortableLoadReader } from './load.js';
import { bindDarwinNetwork, createDarwinNetworkReader } from './network-darwin.js';
import type { HostSource, MetricSources, OsApi } from './types.js';

export interface DarwinSourcesOptions {
  koffi: Koffi;
  os: Pick<OsApi, 'loadavg' | 'arch'>;
  host: HostSource;
  onDiskSkip?: (mountPoint: string, reason: string) => void;
}

export function createDarwinSources(options: DarwinSourcesOptions): MetricSources {
  const mach = bindMach(options.koffi);
  const cpu = createDarwinCpuReader(bindDarwinCpu(mach));
  const memory = createDarwinMemoryReader(bindDarwinMemory(mach));
  const network = createDarwinNetworkReader(bindDarwinNetwork(mach));
  const disk = createDarwinDiskReader(bindDarwinDisk(mach, options.os.arch()), { onSkip: options.onDiskSkip });
  // One reading of each per-tick reader now, so a call that cannot work here fails while the
  // portable readers can still take over.
  cpu.read();
  memory.read();
  network.read();
  return {
    kind: 'macos',
    name: 'macos native',
    platform: 'darwin',
    cpu,
    memory,
    // os.loadavg() is getloadavg(3) there: one sysctl, no spawn.
    load: createPortableLoadReader(options.os, 'darwin'),
    network,
    disk,
    host: options.host,
  };
}
