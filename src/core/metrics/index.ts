// Picks the metric readers for this machine:
// - Linux: the /proc fast path (files read with pread, no process spawned);
// - Windows and macOS: the native readers, which call the OS through koffi (FFI), one call per
//   metric per tick, no process spawned (native-win32.ts, native-darwin.ts);
// - elsewhere, on request (`portable`), or when the native readers cannot load: the portable path
//   (Node's os module every tick, systeminformation for what has no cheap path there), which runs
//   on Linux too so it is tested here.
//
// Nothing in this file imports koffi, systeminformation or an OS's native readers: they load
// lazily, only on the OS that needs them, so the Linux agent never pays their memory.
import os from 'node:os';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { createLinuxCpuReader, createPortableCpuReader } from './cpu.js';
import { createLinuxDiskReader, createPortableDiskReader } from './disk.js';
import { createLinuxHostSource, createOsHostSource, createPortableHostSource } from './host.js';
import { koffiPackageFor, loadKoffi, type Koffi, type LoadKoffi } from './koffi.js';
import { createLinuxLoadReader, createPortableLoadReader } from './load.js';
import { createLinuxMemoryReader, createPortableMemoryReader } from './memory.js';
import { createLinuxNetworkReader, createPortableNetworkReader } from './network.js';
import { loadSystemInformation } from './si.js';
import { READER_SET_NAMES, type HostSource, type LoadSystemInformation, type MetricSources, type OsApi } from './types.js';

export type * from './types.js';
export { READER_SET_NAMES } from './types.js';

export interface MetricSourcesOptions {
  /** Default: process.platform. */
  platform?: NodeJS.Platform;
  /** Default: process.arch (names koffi's platform package in messages). */
  arch?: string;
  /** Filesystem root the Linux readers read /proc, /sys and /etc under (default '/'). */
  root?: string;
  /** Use the portable readers whatever the OS. */
  portable?: boolean;
  /**
   * false: the host snapshot comes from Node's os module only, so systeminformation is never
   * loaded by it (`vigil sample` keeps no snapshot). Default true: the full inventory. The Linux
   * snapshot never needs systeminformation either way.
   */
  hostInventory?: boolean;
  /** Node's os module unless a test fakes the machine. */
  os?: OsApi;
  /** Where readers note what they leave out (a disk whose statfs hangs), and why a fallback happened. */
  logger?: Logger;
  /** systeminformation loader (tests may fake it). */
  loadSystemInformation?: LoadSystemInformation;
  /** koffi loader (tests make it fail to check the fallback). */
  loadKoffi?: LoadKoffi;
}

export async function createMetricSources(options: MetricSourcesOptions = {}): Promise<MetricSources> {
  const platform = options.platform ?? process.platform;
  const osApi = options.os ?? os;
  const logger = options.logger ?? silentLogger;
  const loadSi = options.loadSystemInformation ?? loadSystemInformation;
  const onDiskSkip = diskSkipLogger(logger);

  if (platform === 'linux' && !options.portable) {
    const root = options.root ?? '/';
    return {
      kind: 'linux',
      name: root === '/' ? READER_SET_NAMES.linux : `${READER_SET_NAMES.linux} (under ${root})`,
      platform,
      cpu: createLinuxCpuReader(root),
      memory: createLinuxMemoryReader(root),
      load: createLinuxLoadReader(root),
      network: createLinuxNetworkReader(root),
      disk: createLinuxDiskReader({ root, onSkip: onDiskSkip }),
      host: createLinuxHostSource({ root, os: osApi }),
    };
  }

  const host: HostSource =
    options.hostInventory === false ? createOsHostSource({ os: osApi, platform }) : createPortableHostSource({ os: osApi, loadSi, platform });

  if ((platform === 'win32' || platform === 'darwin') && !options.portable) {
    const kind = platform === 'win32' ? 'windows' : 'macos';
    const arch = options.arch ?? process.arch;
    let koffi: Koffi | null = null;
    try {
      koffi = await (options.loadKoffi ?? loadKoffi)();
    } catch (error) {
      logger.warn(
        `${READER_SET_NAMES[kind]} readers unavailable, using the portable readers: koffi did not load (${koffiPackageFor(platform, arch)} missing or unloadable: ${messageOf(error)})`,
      );
    }
    if (koffi) {
      try {
        if (platform === 'win32') {
          const { createWindowsSources } = await import('./native-win32.js');
          return createWindowsSources({ koffi, os: osApi, host, onDiskSkip });
        }
        const { createDarwinSources } = await import('./native-darwin.js');
        return createDarwinSources({ koffi, os: osApi, host, onDiskSkip });
      } catch (error) {
        logger.warn(`${READER_SET_NAMES[kind]} readers unavailable, using the portable readers: ${messageOf(error)}`);
      }
    }
  }

  const memory = createPortableMemoryReader(osApi, loadSi, platform);
  return {
    kind: 'portable',
    name: READER_SET_NAMES.portable,
    platform,
    cpu: createPortableCpuReader(osApi),
    memory,
    load: createPortableLoadReader(osApi, platform),
    network: createPortableNetworkReader(osApi, loadSi),
    disk: createPortableDiskReader(loadSi),
    host,
    refresh: () => memory.refresh(),
  };
}

/** A stuck mount would say the same thing every minute: warn once per mount and reason, then debug. */
function diskSkipLogger(logger: Logger): (mountPoint: string, reason: string) => void {
  const warned = new Set<string>();
  return (mountPoint, reason) => {
    const key = `${mountPoint}\n${reason}`;
    if (warned.has(key)) logger.debug('disk usage skipped', { mountPoint, reason });
    else logger.warn('disk usage skipped', { mountPoint, reason });
    warned.add(key);
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
