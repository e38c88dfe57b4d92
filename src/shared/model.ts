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
  used: number;
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
