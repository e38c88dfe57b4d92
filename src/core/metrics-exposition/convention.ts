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
//
// The names, units and HELP texts of the measured families live in the metric table
// (src/shared/metrics/table.ts); this file turns a sample into points by that table, and adds the
// host facts, which are not measurements.
import { COUNTERS, FAMILIES, FILESYSTEM_FAMILIES, SAMPLE_BLOCKS, counterByName, familyByName, type MetricBlock, type MetricFamily } from '../../shared/metrics/catalog.js';
import { CPU_MODES, type CounterSnapshot, type DiskSample, type DiskUsage, type HostSnapshot, type InterfaceCounters, type NetRate, type Sample } from '../../shared/model.js';
import { diskUsedPercent } from '../../shared/disk-usage.js';
import { fromSteps, machineValue, toSteps } from '../../shared/series.js';

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

/** The host facts (hostPoints): not measurements, so not in the metric table. */
const HOST_FACTS = {
  vigil_host_info: 'Facts about the machine in labels (OS, kernel, architecture, CPU model); always 1.',
  vigil_host_boot_time_seconds: 'Unix time the machine booted.',
  vigil_host_cpu_threads: 'Logical CPUs.',
} as const;

/** HELP text of every family (Prometheus name = measurement_field), in exposition order: the metric table's, then the host facts. */
export const METRIC_HELP: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    FAMILIES.flatMap((family) => [
      [family.descriptor.prometheus.name, family.descriptor.prometheus.help],
      ...(family.descriptor.prometheus.counters ?? []).map((counter) => [counter.name, counter.help]),
    ]),
  ),
  ...HOST_FACTS,
};

/** Prometheus TYPE of a family by name (gauge unless the table says counter). */
export function metricType(name: string): 'gauge' | 'counter' {
  // The table's counters, and the others' (process_cpu_seconds_total, the hub's ingest counts).
  if (counterByName(name) || name.endsWith('_total')) return 'counter';
  return familyByName(name)?.descriptor.prometheus.type ?? 'gauge';
}

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
  private readonly cpuModes = new Map<string, Tags>();
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

  /** A CPU's tags with its mode (vigil_cpu_seconds_total). */
  cpuMode(index: number, mode: string): Tags {
    const key = `${index}\0${mode}`;
    let tags = this.cpuModes.get(key);
    if (!tags) this.cpuModes.set(key, (tags = sortTags([...this.base, ['cpu', String(index)], ['mode', mode]])));
    return tags;
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

/** How a family's value leaves Vigil (metric table: exportScale, lineProtocol.type), computed once per family. */
export interface ExportedField {
  family: MetricFamily;
  /** The line-protocol field (and the Prometheus name's tail). */
  key: string;
  type: 'float' | 'integer';
  /**
   * For a family with an exportScale: its resolution, and the exported value of one step. The
   * value is converted from its integer steps, so exactly: 12.3 % is 123 steps of 0.1, and 123
   * steps of 0.001 are 0.123 (not 0.12300000000000001). null: exported as it is.
   */
  steps: { resolution: number; step: number } | null;
}

function exportedField(family: MetricFamily): ExportedField {
  const { resolution, exportScale } = family.descriptor;
  const step = resolution * (exportScale ?? 1);
  return {
    family,
    key: family.lineProtocolField,
    type: family.descriptor.lineProtocol.type,
    steps: exportScale === undefined || exportScale === 1 ? null : { resolution, step: step >= 1 ? Math.round(step) : 1 / Math.round(1 / step) },
  };
}

/** Vigil's value of a field → the exported one (see ExportedField.steps). */
export function exportValue(field: ExportedField, value: number): number {
  return field.steps === null ? value : fromSteps(toSteps(value, field.steps.resolution), field.steps.step);
}

/** Families of one instance that travel as one point: consecutive ones of a block with one measurement. */
export interface PointShape {
  measurement: string;
  fields: readonly ExportedField[];
}

function pointShapes(families: readonly MetricFamily[]): PointShape[] {
  const shapes: { measurement: string; fields: ExportedField[] }[] = [];
  for (const family of families) {
    const measurement = family.descriptor.lineProtocol.measurement;
    const last = shapes.at(-1);
    if (last?.measurement === measurement) last.fields.push(exportedField(family));
    else shapes.push({ measurement, fields: [exportedField(family)] });
  }
  return shapes;
}

/** The point shapes of each block of a Sample, and of a filesystem, in table order. */
export const SAMPLE_POINT_SHAPES: ReadonlyMap<MetricBlock, readonly PointShape[]> = new Map(SAMPLE_BLOCKS.map((block) => [block, pointShapes(block.families)]));
export const FILESYSTEM_POINT_SHAPES: readonly PointShape[] = pointShapes(FILESYSTEM_FAMILIES);

export function interfaceKind(rate: { loopback: boolean; virtual: boolean }): 'loopback' | 'virtual' | 'physical' {
  return rate.loopback ? 'loopback' : rate.virtual ? 'virtual' : 'physical';
}

type Values = Record<string, number | null | undefined>;

/** One point per shape; a null value (baseline tick, counter reset, no load average) is no field, not 0, and a point without fields is left out. */
function pushPoints(points: Point[], shapes: readonly PointShape[], tags: Point['tags'], ts: number, valueOf: (family: MetricFamily) => number | null | undefined): void {
  for (const shape of shapes) {
    const fields: Field[] = [];
    for (const field of shape.fields) {
      const value = valueOf(field.family);
      if (value != null) fields.push({ key: field.key, value: exportValue(field, value), type: field.type });
    }
    if (fields.length > 0) points.push({ measurement: shape.measurement, tags, fields, ts });
  }
}

/** The points of one sample, by the metric table: CPU, cores, memory, swap, load and one point per interface. */
export function samplePoints(sample: Sample, machine: MachineLabels): Point[] {
  const tags = tagsOf(machine);
  const points: Point[] = [];
  for (const [block, shapes] of SAMPLE_POINT_SHAPES) {
    switch (block.scope) {
      case 'machine':
        pushPoints(points, shapes, tags.base, sample.ts, (family) => machineValue(sample, family));
        break;
      case 'cpu':
        sample.cpu.cores.forEach((percent, index) => pushPoints(points, shapes, tags.core(index), sample.ts, () => percent));
        break;
      case 'interface':
        for (const rate of sample.net) pushPoints(points, shapes, tags.network(rate.iface, interfaceKind(rate)), sample.ts, (family) => (rate as NetRate & Values)[family.recordField!]);
        break;
    }
  }
  return points;
}

/** One point per mounted filesystem. */
export function diskPoints(sample: DiskSample, machine: MachineLabels): Point[] {
  const tags = tagsOf(machine);
  const points: Point[] = [];
  for (const disk of sample.disks) {
    pushPoints(points, FILESYSTEM_POINT_SHAPES, tags.filesystem(disk.device, disk.fsType, disk.mountPoint), sample.ts, (family) =>
      family.recordField === 'usedPercent' ? diskUsedPercent(disk) : (disk as DiskUsage & Values)[family.recordField!],
    );
  }
  return points;
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

/** The counters' names as points carry them: measurement `vigil`, the rest of the name as the field. */
const COUNTER_MEASUREMENT = 'vigil';

/**
 * The raw counters of the latest reading as points (for /metrics only: counters are not stored,
 * so the line protocol, which sends stored samples, has none): per CPU and mode
 * (vigil_cpu_seconds_total{cpu,mode}), per interface (vigil_network_*_total{device,kind}), by
 * the metric table's `counters`. A counter the OS reader does not have is left out, never 0.
 */
export function counterPoints(counters: CounterSnapshot, machine: MachineLabels): Point[] {
  const tags = tagsOf(machine);
  const points: Point[] = [];
  const field = (name: string, value: number): Field => ({ key: name.slice(COUNTER_MEASUREMENT.length + 1), value, type: 'float' });
  for (const { counter } of COUNTERS) {
    if (counter.at === 'mode') {
      counters.cpu.forEach((modes, cpu) => {
        if (!modes) return;
        for (const mode of CPU_MODES) {
          const seconds = modes[mode];
          if (seconds !== undefined) points.push({ measurement: COUNTER_MEASUREMENT, tags: tags.cpuMode(cpu, mode), fields: [field(counter.name, seconds)], ts: counters.ts });
        }
      });
    } else {
      const at = counter.at;
      for (const iface of counters.net) {
        const value = (iface as InterfaceCounters)[at];
        if (value !== undefined) points.push({ measurement: COUNTER_MEASUREMENT, tags: tags.network(iface.iface, interfaceKind(iface)), fields: [field(counter.name, value)], ts: counters.ts });
      }
    }
  }
  return points;
}
