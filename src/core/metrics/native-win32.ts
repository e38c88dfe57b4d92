// The Windows reader set ("windows native"): every per-tick reading is one call into the OS
// through koffi, into a Buffer we own; nothing spawns a process. Loaded by index.ts only on
// Windows, with koffi already imported; any failure here (a missing export, a call that fails on
// first use) makes index.ts fall back to the portable readers and log why.
import type { Koffi } from './koffi.js';
import { bindQuerySystemInformation, createWindowsCpuReader } from './cpu-win32.js';
import { bindWindowsDisk, createWindowsDiskReader } from './disk-win32.js';
import { bindWindowsMemory, createWindowsMemoryReader } from './memory-win32.js';
import { bindWindowsNetwork, createWindowsNetworkReader } from './network-win32.js';
import type { HostSource, MetricSources, OsApi } from './types.js';

export interface NativeSourcesOptions {
  koffi: Koffi;
  os: Pick<OsApi, 'cpus'>;
  host: HostSource;
  onDiskSkip?: (mountPoint: string, reason: string) => void;
}

export function createWindowsSources(options: NativeSourcesOptions): MetricSources {
  const { koffi } = options;
  const querySystemInformation = bindQuerySystemInformation(koffi);
  const cpu = createWindowsCpuReader({ querySystemInformation }, options.os.cpus().length);
  const memory = createWindowsMemoryReader({ ...bindWindowsMemory(koffi), querySystemInformation });
  const network = createWindowsNetworkReader(bindWindowsNetwork(koffi));
  const disk = createWindowsDiskReader(bindWindowsDisk(koffi), { onSkip: options.onDiskSkip });
  // One reading of each per-tick reader now, so a call that cannot work here fails while the
  // portable readers can still take over, not on every tick.
  cpu.read();
  memory.read();
  network.read();
  return {
    kind: 'windows',
    name: 'windows native',
    platform: 'win32',
    cpu,
    memory,
    // Windows has no load average: null, which the CSV, the charts and /metrics show as absent.
    load: { read: () => null },
    network,
    disk,
    host: options.host,
  };
}
