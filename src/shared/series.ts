// A Sample flattened into named series: the one mapping shared by storage (row layout), CSV
// (columns), the API and the charts, generated from the metric table (metrics/table.ts). Keys are
// stable strings, built by the helpers below from the table's patterns:
//
//   cpu                      total CPU %            cpu.<n>            CPU n %
//   mem.total|used|available|free   bytes          swap.total|used    bytes
//   load.1|5|15              load average
//   net.<iface>.rx|tx        bits per second (interface names may contain dots: eth0.100)
import { fill, parseSeriesKey, SAMPLE_BLOCKS, type MetricBlock, type MetricFamily } from './metrics/catalog.js';
import type { METRIC_TABLE } from './metrics/table.js';
import type { NetRate, Sample } from './model.js';

/** A key pattern of the table with its placeholder filled: 'cpu.{cpu}' → `cpu.${number}`. */
type Filled<P extends string> = P extends `${infer Head}{cpu}${infer Tail}`
  ? `${Head}${number}${Tail}`
  : P extends `${infer Head}{${string}}${infer Tail}`
    ? `${Head}${string}${Tail}`
    : P;

/** The name of one series: 'cpu', 'cpu.3', 'mem.used', 'load.15', 'net.eth0.rx', … */
export type SeriesKey = Filled<NonNullable<(typeof METRIC_TABLE)[number]['key']>>;
/** What a query selects: exact keys, or prefixes ending in '.' ('net.', 'net.eth0.'). */
export type SeriesSelector = SeriesKey | `${string}.`;

/** Bit flags stored with each series. */
export const SeriesFlag = { loopback: 1, virtual: 2 } as const;

export interface SeriesInfo {
  key: SeriesKey;
  flags: number;
}

export type NetDirection = 'rx' | 'tx';

export function cpuCoreKey(index: number): `cpu.${number}` {
  return `cpu.${index}`;
}

export function netKey(iface: string, direction: NetDirection): `net.${string}.${NetDirection}` {
  return `net.${iface}.${direction}`;
}

/** The selector of every series of one interface. */
export function netPrefix(iface: string): `net.${string}.` {
  return `net.${iface}.`;
}

/** The key of a family's instance (the CPU number, the interface; nothing for a machine-scope family). */
export function seriesKeyOf(family: MetricFamily, instance: string | number | null = null): SeriesKey {
  if (!family.key) throw new Error(`${family.descriptor.prometheus.name} is not a series`);
  return fill(family.key, instance) as SeriesKey;
}

/** Whether a string names a series of the table. */
export function isSeriesKey(key: string): key is SeriesKey {
  return parseSeriesKey(key) !== null;
}

/** Parses `net.<iface>.rx|tx`; null for any other key. */
export function parseNetKey(key: string): { iface: string; direction: NetDirection } | null {
  const parsed = parseSeriesKey(key);
  if (parsed?.family.scope !== 'interface') return null;
  const direction = parsed.family.descriptor.key!.endsWith('.rx') ? 'rx' : parsed.family.descriptor.key!.endsWith('.tx') ? 'tx' : null;
  return direction ? { iface: parsed.instance!, direction } : null;
}

/** Core index of `cpu.<n>`; null for the total and for other keys. */
export function parseCoreKey(key: string): number | null {
  const parsed = parseSeriesKey(key);
  return parsed?.family.scope === 'cpu' ? Number(parsed.instance) : null;
}

/**
 * The step every value of a series is a whole multiple of. Values are rounded to it at the
 * source, so integer storage (value / resolution) is lossless.
 */
export function resolutionOf(key: string): number {
  const parsed = parseSeriesKey(key);
  if (!parsed) throw new Error(`unknown series key: ${key}`);
  return parsed.family.descriptor.resolution;
}

/** value → integer step count. Exact for quantized values. */
export function toSteps(value: number, resolution: number): number {
  return resolution >= 1 ? Math.round(value / resolution) : Math.round(value * Math.round(1 / resolution));
}

/** integer step count → value; divides for fractional resolutions so 123 → 12.3 exactly. */
export function fromSteps(steps: number, resolution: number): number {
  return resolution >= 1 ? steps * resolution : steps / Math.round(1 / resolution);
}

/** Round a measured value to its series' resolution. */
export function quantize(value: number, resolution: number): number {
  return fromSteps(toSteps(value, resolution), resolution);
}

export function interfaceFlags(rate: Pick<NetRate, 'loopback' | 'virtual'>): number {
  return (rate.loopback ? SeriesFlag.loopback : 0) | (rate.virtual ? SeriesFlag.virtual : 0);
}

type Group = Record<string, number | null>;

/** A machine-scope family's value in a sample (null: none this tick, or a group the sample lacks). */
export function machineValue(sample: Sample, family: MetricFamily): number | null {
  const group = (sample as unknown as Record<string, Group | null | undefined>)[family.recordGroup!];
  return group?.[family.recordField!] ?? null;
}

/** Keys of instances already seen, per family: a tick then builds no key string. Bounded. */
const instanceKeys = new Map<MetricFamily, Map<string | number, SeriesKey>>();

function instanceKey(family: MetricFamily, instance: string | number): SeriesKey {
  let keys = instanceKeys.get(family);
  if (!keys) instanceKeys.set(family, (keys = new Map()));
  let key = keys.get(instance);
  if (key === undefined) {
    if (keys.size >= 1024) keys.clear();
    keys.set(instance, (key = fill(family.key!, instance) as SeriesKey));
  }
  return key;
}

/**
 * The series of one sample, in canonical order, with their values (null = no value this tick).
 * Runs every tick (for the CSV and the database), in the agent's interpreter-only V8: plain loops,
 * no closure per value.
 */
export function flattenSample(sample: Sample): { series: SeriesInfo[]; values: (number | null)[] } {
  const series: SeriesInfo[] = [];
  const values: (number | null)[] = [];
  const groups = sample as unknown as Record<string, Group | null | undefined>;
  for (let b = 0; b < SAMPLE_BLOCKS.length; b++) {
    const block = SAMPLE_BLOCKS[b]!;
    const families = block.families;
    const count = families.length;
    if (block.scope === 'machine') {
      for (let f = 0; f < count; f++) {
        const family = families[f]!;
        series.push({ key: family.key!.text as SeriesKey, flags: 0 });
        values.push(groups[family.recordGroup!]?.[family.recordField!] ?? null);
      }
    } else if (block.scope === 'cpu') {
      const cores = sample.cpu.cores;
      for (let i = 0; i < cores.length; i++) {
        for (let f = 0; f < count; f++) {
          series.push({ key: instanceKey(families[f]!, i), flags: 0 });
          values.push(cores[i]!);
        }
      }
    } else if (block.scope === 'interface') {
      const net = sample.net;
      for (let i = 0; i < net.length; i++) {
        const rate = net[i]!;
        const flags = interfaceFlags(rate);
        for (let f = 0; f < count; f++) {
          const family = families[f]!;
          series.push({ key: instanceKey(family, rate.iface), flags });
          values.push((rate as unknown as Group)[family.recordField!] ?? null);
        }
      }
    }
  }
  return { series, values };
}

/**
 * The inverse of flattenSample: rebuilds a Sample from named values. A missing value is 0 where
 * the table says a value is always measured, null where it may be missing; a group whose every
 * value may be missing (the load average) is null when none is there. Keys of no family are
 * ignored.
 */
export function unflattenSample(ts: number, series: readonly SeriesInfo[], values: readonly (number | null)[]): Sample {
  const machine = new Map<MetricFamily, number | null>();
  const cores: number[] = [];
  const nets = new Map<string, NetRate>();
  series.forEach((s, i) => {
    const parsed = parseSeriesKey(s.key);
    if (!parsed) return;
    const value = values[i] ?? null;
    const { family, instance } = parsed;
    switch (family.scope) {
      case 'machine':
        machine.set(family, value);
        break;
      case 'cpu':
        cores[Number(instance)] = value ?? 0;
        break;
      case 'interface': {
        let rate = nets.get(instance!);
        if (!rate) {
          rate = { iface: instance!, rxBitsPerSecond: null, txBitsPerSecond: null, loopback: (s.flags & SeriesFlag.loopback) !== 0, virtual: (s.flags & SeriesFlag.virtual) !== 0 };
          nets.set(instance!, rate);
        }
        (rate as unknown as Group)[family.recordField!] = value;
        break;
      }
    }
  });
  const sample: Record<string, unknown> = { ts };
  for (const block of SAMPLE_BLOCKS) {
    if (block.scope === 'cpu') ((sample.cpu ??= {}) as Record<string, unknown>).cores = Array.from(cores, (v) => v ?? 0);
    else if (block.scope === 'interface') sample.net = [...nets.values()].sort((a, b) => compareNames(a.iface, b.iface));
    else if (block.scope === 'machine') assignMachineGroups(sample, block, machine);
  }
  return sample as unknown as Sample;
}

interface SampleGroup {
  name: string;
  members: MetricFamily[];
  /** Every value of the group may be missing: the group is null when none is there (the load average). */
  optional: boolean;
}

/** The Sample groups (cpu, memory, load) of each machine block, computed once. */
const groupsOfBlock = new Map<MetricBlock, SampleGroup[]>(
  SAMPLE_BLOCKS.filter((block) => block.scope === 'machine').map((block) => {
    const groups = new Map<string, SampleGroup>();
    for (const family of block.families) {
      const name = family.recordGroup!;
      let group = groups.get(name);
      if (!group) groups.set(name, (group = { name, members: [], optional: true }));
      group.members.push(family);
      group.optional &&= family.descriptor.missing !== undefined;
    }
    return [block, [...groups.values()]];
  }),
);

function assignMachineGroups(sample: Record<string, unknown>, block: MetricBlock, values: Map<MetricFamily, number | null>): void {
  for (const { name, members, optional } of groupsOfBlock.get(block)!) {
    if (optional && members.every((family) => values.get(family) == null)) {
      sample[name] = null;
      continue;
    }
    const group = (sample[name] ??= {}) as Group;
    // Inside a group that is there, a value is 0 unless its family alone may be missing.
    for (const family of members) group[family.recordField!] = values.get(family) ?? (optional || family.descriptor.missing === undefined ? 0 : null);
  }
}

/** Canonical series order (CSV columns, stored layouts, query results): the table's order, instances of a block by number or name; keys of no family last, by name. */
export function compareSeriesKeys(a: string, b: string): number {
  const pa = parseSeriesKey(a);
  const pb = parseSeriesKey(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : compareNames(a, b);
  const fa = pa.family;
  const fb = pb.family;
  if (fa.rank !== fb.rank) return fa.rank - fb.rank;
  if (pa.instance !== pb.instance && pa.instance !== null && pb.instance !== null) {
    return fa.scope === 'cpu' ? Number(pa.instance) - Number(pb.instance) : compareNames(pa.instance, pb.instance);
  }
  return fa.index - fb.index;
}

/** Interface order everywhere (CSV columns, charts, samples): plain code-point order, locale-free. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
