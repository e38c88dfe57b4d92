// Picks the metric readers for this machine: the Linux /proc fast path, or the portable path
// (Node's os module every tick, systeminformation for what has no cheap path) that macOS and
// Windows run — and that runs on Linux too when asked, so it is tested here.
//
// Nothing in this file imports systeminformation: the portable readers load it lazily through
// si.ts, so the Linux agent never pays its memory.
import os from 'node:os';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { createLinuxCpuReader, createPortableCpuReader } from './cpu.js';
import { createLinuxDiskReader, createPortableDiskReader } from './disk.js';
import { createLinuxHostSource, createPortableHostSource } from './host.js';
import { createLinuxLoadReader, createPortableLoadReader } from './load.js';
import { createLinuxMemoryReader, createPortableMemoryReader } from './memory.js';
import { createLinuxNetworkReader, createPortableNetworkReader } from './network.js';
import { loadSystemInformation } from './si.js';
import type { LoadSystemInformation, MetricSources, OsApi } from './types.js';

export type * from './types.js';

export interface MetricSourcesOptions {
  /** Default: process.platform. */
  platform?: NodeJS.Platform;
  /** Filesystem root the Linux readers read /proc, /sys and /etc under (default '/'). */
  root?: string;
  /** Use the portable readers even on Linux. */
  portable?: boolean;
  /** Node's os module unless a test fakes the machine. */
  os?: OsApi;
  /** Where readers note what they leave out (a disk whose statfs hangs). */
  logger?: Logger;
  /** systeminformation loader (tests may fake it). */
  loadSystemInformation?: LoadSystemInformation;
}

export function createMetricSources(options: MetricSourcesOptions = {}): MetricSources {
  const platform = options.platform ?? process.platform;
  const osApi = options.os ?? os;
  const logger = options.logger ?? silentLogger;
  const loadSi = options.loadSystemInformation ?? loadSystemInformation;

  if (platform === 'linux' && !options.portable) {
    const root = options.root ?? '/';
    const warned = new Set<string>();
    return {
      kind: 'linux',
      name: root === '/' ? 'linux /proc' : `linux /proc under ${root}`,
      platform,
      cpu: createLinuxCpuReader(root),
      memory: createLinuxMemoryReader(root),
      load: createLinuxLoadReader(root),
      network: createLinuxNetworkReader(root),
      disk: createLinuxDiskReader({
        root,
        onSkip(mountPoint, reason) {
          // A stuck mount would say the same thing every minute: warn once, then debug.
          const key = `${mountPoint}\n${reason}`;
          if (warned.has(key)) logger.debug('disk usage skipped', { mountPoint, reason });
          else logger.warn('disk usage skipped', { mountPoint, reason });
          warned.add(key);
        },
      }),
      host: createLinuxHostSource({ root, os: osApi }),
    };
  }

  const memory = createPortableMemoryReader(osApi, loadSi, platform);
  return {
    kind: 'portable',
    name: `portable (os + systeminformation) on ${platform}`,
    platform,
    cpu: createPortableCpuReader(osApi),
    memory,
    load: createPortableLoadReader(osApi, platform),
    network: createPortableNetworkReader(osApi, loadSi),
    disk: createPortableDiskReader(loadSi),
    host: createPortableHostSource({ os: osApi, loadSi, platform }),
    refresh: () => memory.refresh(),
  };
}
