// The contract between the metric readers and the sampler.
//
// Every metric file (cpu, memory, network, load, disk, host) has the same shape:
//   - pure parse functions over text (tested on recorded /proc and /sys fixtures),
//   - a Linux reader that reads files under a configurable root (default '/'),
//   - a portable reader for other OSes (Node's os module, systeminformation where there is no
//     cheap path),
//   - where needed a small stateful computer that turns raw counters into rates.
// Readers return raw readings; the sampler owns the computers, so that baselines (first tick,
// pause/resume, long gaps) are decided in one place.
import type os from 'node:os';
import type * as systeminformation from 'systeminformation';
import type { CpuModeSeconds, DiskUsage, HostSnapshot, InterfaceCounters, LoadAverage, MemoryUsage } from '../../shared/model.js';

export type Awaitable<T> = T | Promise<T>;

/** Cumulative CPU time of one CPU (or of all of them), in the OS's tick unit. */
export interface CpuTicks {
  /** Everything except idle and iowait. */
  busy: number;
  /** busy + idle + iowait. */
  total: number;
  /** Seconds in each mode since boot, where the reader has them (exposed as counters, not used for usage). */
  modes?: CpuModeSeconds;
}

export interface CpuTimes {
  /** All CPUs together. */
  total: CpuTicks;
  /** Indexed by CPU number; null for a CPU the OS does not list right now (offline). */
  cores: (CpuTicks | null)[];
}

/** Cumulative counters of one interface, with its classification. */
export interface NetCounter extends InterfaceCounters {
  /** Negotiated link speed in Mbit/s when the OS tells (physical NICs); null otherwise. */
  linkSpeedMbps: number | null;
}

export interface CpuReader {
  read(): Awaitable<CpuTimes>;
}

export interface MemoryReader {
  read(): Awaitable<MemoryUsage>;
}

export interface LoadReader {
  /** null where the OS has no load average (Windows). */
  read(): Awaitable<LoadAverage | null>;
}

export interface NetworkReader {
  /** Every interface the OS reports, in any order. */
  read(): Awaitable<NetCounter[]>;
  /** Forget the cached classification / link speed of one interface (re-read on next read). */
  recheck?(iface: string): void;
}

export interface DiskReader {
  read(): Awaitable<DiskUsage[]>;
}

export interface HostSource {
  /**
   * A cheap summary of what can change while we run (hostname, interface names, addresses, …).
   * The sampler takes a full snapshot only when this string changes.
   */
  fingerprint(): string;
  snapshot(): Promise<HostSnapshot>;
}

export type MetricSourcesKind = 'linux' | 'windows' | 'macos' | 'portable';

/** What each reader set is called (a Linux root other than '/' is named in brackets after it). */
export const READER_SET_NAMES: Readonly<Record<MetricSourcesKind, string>> = {
  linux: 'linux /proc',
  windows: 'windows native',
  macos: 'macos native',
  portable: 'portable',
};

export interface MetricSources {
  /**
   * Which implementation this is: the Linux /proc fast path, the Windows or macOS native readers
   * (FFI through koffi), or the portable one (Node's os module + systeminformation).
   */
  readonly kind: MetricSourcesKind;
  /** The reader set's name, as `vigil sample` and the logs print it (READER_SET_NAMES). */
  readonly name: string;
  readonly platform: NodeJS.Platform;
  cpu: CpuReader;
  memory: MemoryReader;
  load: LoadReader;
  network: NetworkReader;
  disk: DiskReader;
  host: HostSource;
  /**
   * Slow background refresh of values that have no cheap per-tick path (the portable path's
   * swap figures). Called by the sampler on its host-check cadence, never on the tick path.
   */
  refresh?(): Promise<void>;
}

/** The part of Node's os module the readers use; injectable so tests can fake the machine. */
export type OsApi = Pick<
  typeof os,
  'cpus' | 'totalmem' | 'freemem' | 'loadavg' | 'hostname' | 'networkInterfaces' | 'userInfo' | 'arch' | 'release' | 'uptime'
>;

/** systeminformation, loaded lazily (see si.ts). */
export type SystemInformation = typeof systeminformation;
export type LoadSystemInformation = () => Promise<SystemInformation>;
