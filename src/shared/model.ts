// The data model every layer speaks: sampler → storage → CSV → API → charts.
// Runtime-neutral on purpose (no Node, no DOM): the renderer imports it too.
//
// Values are quantized at the source (see series.ts, RESOLUTION) so that what the sampler
// emits, what SQLite stores, what the daily CSV holds and what an export reads back are the
// same numbers, bit for bit.
import type { HostSnapshot } from './wire.js';

/** CPU busy time over the last interval, in percent (0–100, 0.1 resolution). */
export interface CpuUsage {
  total: number;
  /** One entry per logical CPU, in the OS's order (cpu0, cpu1, …). */
  cores: number[];
}

/** Memory in bytes (multiples of 1024: the kernel reports KiB). */
export interface MemoryUsage {
  total: number;
  /** total − available: what applications hold and the kernel cannot hand back. */
  used: number;
  /** What a new application could get without swapping (MemAvailable on Linux). */
  available: number;
  /** Completely unused memory (MemFree); usually far below `available`. */
  free: number;
  swapTotal: number;
  swapUsed: number;
}

/** Run-queue load averages; null where the OS has none (Windows). */
export interface LoadAverage {
  one: number;
  five: number;
  fifteen: number;
}

/** Kind of network interface, so that totals can leave loopback and virtual ones out. */
export interface InterfaceFlags {
  loopback: boolean;
  /** Software interfaces: bridges, veth, docker, tun/tap, VPN, … (not a physical NIC). */
  virtual: boolean;
}

/** One interface's traffic over the last interval, in bits per second (multiples of 8). */
export interface NetRate extends InterfaceFlags {
  iface: string;
  /** null when there is no valid previous counter: the interface just appeared or its counter went backwards. */
  rxBitsPerSecond: number | null;
  txBitsPerSecond: number | null;
}

/** One tick of the sampler. */
export interface Sample {
  /** Unix ms of the tick's slot on the wall clock (a multiple of the interval). */
  ts: number;
  cpu: CpuUsage;
  memory: MemoryUsage;
  load: LoadAverage | null;
  /** Every interface the OS reports, sorted by name. */
  net: NetRate[];
}

/** Usage of one mounted filesystem, in bytes. Sampled less often than every tick. */
export interface DiskUsage {
  device: string;
  mountPoint: string;
  fsType: string;
  total: number;
  /** df's Used: size − free (so the root reserve counts as neither used nor available). */
  used: number;
  /**
   * Free blocks (statfs f_bfree), the root reserve included. Absent in a reading from before
   * Vigil kept it (stored or sent by an older agent).
   */
  free?: number;
  /** What an unprivileged user can still write (statfs f_bavail, df's Avail). Absent as `free` is. */
  available?: number;
}

/**
 * The CPU modes Vigil exposes as counters, named as node_exporter and /proc/stat name them. An OS
 * that does not count a mode leaves it out (Windows and macOS have no iowait or steal), never 0.
 */
export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
export type CpuMode = (typeof CPU_MODES)[number];
/** Seconds one CPU spent in each mode since boot (cumulative). */
export type CpuModeSeconds = Partial<Record<CpuMode, number>>;

/**
 * One interface's cumulative counters as the OS keeps them (since boot, or since the interface
 * was created): what the rates of a NetRate are computed from. Packets, errors and drops are
 * there where the OS reader has them cheaply (Linux /proc/net/dev).
 */
export interface InterfaceCounters extends InterfaceFlags {
  iface: string;
  rxBytes: number;
  txBytes: number;
  rxPackets?: number;
  txPackets?: number;
  rxErrors?: number;
  txErrors?: number;
  rxDrops?: number;
  txDrops?: number;
}

/**
 * The raw cumulative counters of the latest reading (issue 14: Prometheus' rate() and increase()
 * work on counters at any scrape interval, where a 1-second rate gauge sampled every 5 s does not).
 * Live only: not stored, not synced.
 */
export interface CounterSnapshot {
  /** Unix ms of the reading's slot. */
  ts: number;
  /** Indexed by CPU number; null for an offline CPU, or where the reader has no per-mode times. */
  cpu: (CpuModeSeconds | null)[];
  /** Every interface the OS reports, sorted by name. */
  net: InterfaceCounters[];
}

export interface DiskSample {
  ts: number;
  disks: DiskUsage[];
}

// What the machine is (HostSnapshot, its interfaces and public address): derived from the wire
// schema the hub validates and the API publishes (wire.ts), so the three cannot drift apart.
export type { HostSnapshot, InterfaceInfo, PublicIpInfo } from './wire.js';

export interface HostRecord {
  ts: number;
  host: HostSnapshot;
}
