// How Vigil's data is named outside Vigil: one convention shared by the InfluxDB line protocol
// target (src/core/sync/line-protocol.ts) and the Prometheus exposition (./prometheus-text.ts).
//
// The convention: Prometheus / node_exporter naming (snake_case, `vigil_` namespace, base units
// spelled out as suffixes: _bytes, _ratio, _bytes_per_second, _seconds), split into a line
// protocol measurement and field so that `<measurement>_<field>` IS the Prometheus name:
//
//   line protocol                                              Prometheus / VictoriaMetrics
//   vigil_cpu,host=a,machine_id=… usage_ratio=0.123            vigil_cpu_usage_ratio{host="a",machine_id="…"}
//   vigil_network,device=eth0,… receive_bytes_per_second=125i  vigil_network_receive_bytes_per_second{device="eth0",…}
//
// `<measurement>_<field>` is exactly how VictoriaMetrics names line-protocol data (and how
// Telegraf's Prometheus output names it), so the same PromQL works whether an agent pushes line
// protocol into VictoriaMetrics or Prometheus scrapes its /metrics, and InfluxQL users get one
// measurement per subsystem with a few fields, the usual InfluxDB shape.
//
// Why these names and not node_exporter's own: node_exporter exposes kernel counters
// (node_cpu_seconds_total, node_network_receive_bytes_total) that you rate() yourself; Vigil
// measures rates and percentages over its own interval. Reusing node_ names for different
// semantics would collide with a real node_exporter in the same Prometheus, so the names are
// Vigil's, with honest units:
// - CPU as a 0–1 ratio (Prometheus' and OpenTelemetry's system.cpu.utilization unit; promtool
//   flags percent-like names), computed from the 0.1 % steps so the value prints short (0.123);
// - network in bytes per second (promtool's base unit; Vigil's bits/s are multiples of 8, so the
//   bytes are exact integers); multiply by 8 for bit/s;
// - memory, swap and filesystem sizes in bytes, load averages as plain numbers (node_load1).
// The whole-machine CPU has its own name (vigil_cpu_usage_ratio) rather than a cpu="total" label
// next to the cores (vigil_cpu_core_usage_ratio{cpu="0"}), so avg()/sum() over a metric never
// mixes a total with its parts.
//
// Tags/labels stay low-cardinality: host (the machine's display name), machine_id (its stable
// id), cpu, device (+ kind: physical, virtual or loopback), mountpoint and fstype — all fixed for
// a machine's life. Host facts (OS, kernel, CPU model) are the labels of an info metric
// (vigil_host_info = 1, the Prometheus pattern) rather than string fields: VictoriaMetrics stores
// a line-protocol string field as the number 0.
import type { DiskSample, HostSnapshot, Sample } from '../../shared/model.js';

export type FieldType = 'float' | 'integer' | 'string';

export interface Field {
  key: string;
  value: number | string;
  type: FieldType;
}

/** One measurement at one instant with one tag set: a line of line protocol. */
export interface Point {
  measurement: string;
  /**
   * Sorted by key (InfluxDB's recommended order; also Prometheus' label order here). Shared
   * between points of the same series: treat as read-only.
   */
  tags: readonly (readonly [string, string])[];
  fields: Field[];
  /** Unix ms. */
  ts: number;
}

/** The machine a point belongs to: its tags `host` and `machine_id`. */
export interface MachineLabels {
  machineId: string;
  name: string;
}

/** HELP text of every metric (Prometheus name = measurement_field), in exposition order. */
export const METRIC_HELP: Readonly<Record<string, string>> = {
  vigil_cpu_usage_ratio: 'Busy time of all CPUs over the last sampling interval, 0-1.',
  vigil_cpu_core_usage_ratio: 'Busy time of one logical CPU over the last sampling interval, 0-1.',
  vigil_memory_total_bytes: 'Physical memory.',
  vigil_memory_used_bytes: 'Memory in use: total minus available.',
  vigil_memory_available_bytes: 'Memory a new application could get without swapping (MemAvailable).',
  vigil_memory_free_bytes: 'Completely unused memory (MemFree).',
  vigil_swap_total_bytes: 'Swap space.',
  vigil_swap_used_bytes: 'Swap space in use.',
  vigil_system_load1: '1-minute load average.',
  vigil_system_load5: '5-minute load average.',
  vigil_system_load15: '15-minute load average.',
  vigil_network_receive_bytes_per_second: 'Receive rate of a network interface over the last sampling interval.',
  vigil_network_transmit_bytes_per_second: 'Transmit rate of a network interface over the last sampling interval.',
  vigil_filesystem_size_bytes: 'Size of a mounted filesystem.',
  vigil_filesystem_used_bytes: 'Used space of a mounted filesystem.',
  vigil_host_info: 'Facts about the machine in labels (OS, kernel, architecture, CPU model); always 1.',
  vigil_host_boot_time_seconds: 'Unix time the machine booted.',
  vigil_host_cpu_threads: 'Logical CPUs.',
};

type Tags = [string, string][];

function sortTags(tags: Tags): Tags {
  return tags.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * Tag sets of one machine, built once and reused: a backfill encodes millions of points, and the
 * same tag-set object lets the line-protocol encoder reuse its escaped text (line-protocol.ts).
 */
export class MachineTags {
  readonly base: Tags;
  private readonly cores: Tags[] = [];
  private readonly interfaces = new Map<string, Tags>();
  private readonly filesystems = new Map<string, Tags>();

  constructor(machine: MachineLabels) {
    this.base = [
      ['host', machine.name],
      ['machine_id', machine.machineId],
    ];
  }

  core(index: number): Tags {
    return (this.cores[index] ??= sortTags([...this.base, ['cpu', String(index)]]));
  }

  network(device: string, kind: string): Tags {
    const key = `${kind}\0${device}`;
    let tags = this.interfaces.get(key);
    if (!tags) this.interfaces.set(key, (tags = sortTags([...this.base, ['device', device], ['kind', kind]])));
    return tags;
  }

  filesystem(device: string, fsType: string, mountPoint: string): Tags {
    const key = `${device}\0${fsType}\0${mountPoint}`;
    let tags = this.filesystems.get(key);
    if (!tags) this.filesystems.set(key, (tags = sortTags([...this.base, ['device', device], ['fstype', fsType], ['mountpoint', mountPoint]])));
    return tags;
  }
}

/** Keeps the last machines' tag sets (a hub exposes many machines; an agent has one). */
const tagCache = new Map<string, MachineTags>();

export function tagsOf(machine: MachineLabels): MachineTags {
  const key = `${machine.machineId}\0${machine.name}`;
  let tags = tagCache.get(key);
  if (!tags) {
    if (tagCache.size >= 4096) tagCache.clear();
    tagCache.set(key, (tags = new MachineTags(machine)));
  }
  return tags;
}

/** 12.3 (%, 0.1 steps) → 0.123: divided from whole steps so the ratio is the shortest decimal. */
export function percentToRatio(percent: number): number {
  return Math.round(percent * 10) / 1000;
}

/** bits/s (multiples of 8) → bytes/s (exact integers). */
export function bitsToBytes(bitsPerSecond: number): number {
  return Math.round(bitsPerSecond / 8);
}

export function interfaceKind(rate: { loopback: boolean; virtual: boolean }): 'loopback' | 'virtual' | 'physical' {
  return rate.loopback ? 'loopback' : rate.virtual ? 'virtual' : 'physical';
}

/** The points of one sample: CPU, cores, memory, swap, load and one point per interface. */
export function samplePoints(sample: Sample, machine: MachineLabels): Point[] {
  const tags = tagsOf(machine);
  const base = tags.base;
  const ts = sample.ts;
  const points: Point[] = [{ measurement: 'vigil_cpu', tags: base, fields: [{ key: 'usage_ratio', value: percentToRatio(sample.cpu.total), type: 'float' }], ts }];
  sample.cpu.cores.forEach((percent, index) => {
    points.push({ measurement: 'vigil_cpu_core', tags: tags.core(index), fields: [{ key: 'usage_ratio', value: percentToRatio(percent), type: 'float' }], ts });
  });
  const m = sample.memory;
  points.push({
    measurement: 'vigil_memory',
    tags: base,
    fields: [
      { key: 'total_bytes', value: m.total, type: 'integer' },
      { key: 'used_bytes', value: m.used, type: 'integer' },
      { key: 'available_bytes', value: m.available, type: 'integer' },
      { key: 'free_bytes', value: m.free, type: 'integer' },
    ],
    ts,
  });
  points.push({
    measurement: 'vigil_swap',
    tags: base,
    fields: [
      { key: 'total_bytes', value: m.swapTotal, type: 'integer' },
      { key: 'used_bytes', value: m.swapUsed, type: 'integer' },
    ],
    ts,
  });
  if (sample.load) {
    points.push({
      measurement: 'vigil_system',
      tags: base,
      fields: [
        { key: 'load1', value: sample.load.one, type: 'float' },
        { key: 'load5', value: sample.load.five, type: 'float' },
        { key: 'load15', value: sample.load.fifteen, type: 'float' },
      ],
      ts,
    });
  }
  for (const rate of sample.net) {
    // A null rate (baseline tick, counter reset) is no value, not zero: the field is left out,
    // and an interface with neither direction has no point this tick.
    const fields: Field[] = [];
    if (rate.rxBitsPerSecond !== null) fields.push({ key: 'receive_bytes_per_second', value: bitsToBytes(rate.rxBitsPerSecond), type: 'integer' });
    if (rate.txBitsPerSecond !== null) fields.push({ key: 'transmit_bytes_per_second', value: bitsToBytes(rate.txBitsPerSecond), type: 'integer' });
    if (fields.length === 0) continue;
    points.push({ measurement: 'vigil_network', tags: tags.network(rate.iface, interfaceKind(rate)), fields, ts });
  }
  return points;
}

/** One point per mounted filesystem. */
export function diskPoints(sample: DiskSample, machine: MachineLabels): Point[] {
  const tags = tagsOf(machine);
  return sample.disks.map((disk) => ({
    measurement: 'vigil_filesystem',
    tags: tags.filesystem(disk.device, disk.fsType, disk.mountPoint),
    fields: [
      { key: 'size_bytes', value: disk.total, type: 'integer' as const },
      { key: 'used_bytes', value: disk.used, type: 'integer' as const },
    ],
    ts: sample.ts,
  }));
}

/**
 * The host snapshot: an info point (facts in tags, info = 1) and a point with boot time and CPU
 * count under the machine tags only, so a kernel upgrade does not start new boot-time series.
 */
export function hostPoints(ts: number, host: HostSnapshot, machine: MachineLabels): Point[] {
  const base = tagsOf(machine).base;
  const facts = sortTags([
    ...base,
    ['arch', host.arch],
    ['cpu_model', host.cpu.model],
    ['kernel', host.kernel],
    ['os', host.os],
    ['platform', host.platform],
  ]);
  return [
    // Empty tag values are not allowed in line protocol (and mean "no label" in Prometheus).
    { measurement: 'vigil_host', tags: facts.filter(([, value]) => value !== ''), fields: [{ key: 'info', value: 1, type: 'integer' }], ts },
    {
      measurement: 'vigil_host',
      tags: base,
      fields: [
        { key: 'boot_time_seconds', value: Math.floor(host.bootTime / 1000), type: 'integer' },
        { key: 'cpu_threads', value: host.cpu.threads, type: 'integer' },
      ],
      ts,
    },
  ];
}
