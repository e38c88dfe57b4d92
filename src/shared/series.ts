// A Sample flattened into named series: the one mapping shared by storage (row layout),
// CSV (columns), the API and the charts. Keys are stable strings:
//
//   cpu                      total CPU %            cpu.<n>            CPU n %
//   mem.total|used|available|free   bytes          swap.total|used    bytes
//   load.1|5|15              load average
//   net.<iface>.rx|tx        bits per second (interface names may contain dots: eth0.100)
import type { NetRate, Sample } from './model.js';

export type SeriesKey = string;

/** Bit flags stored with each series. */
export const SeriesFlag = { loopback: 1, virtual: 2 } as const;

export interface SeriesInfo {
  key: SeriesKey;
  flags: number;
}

export type SeriesKind = 'cpu' | 'mem' | 'swap' | 'load' | 'net';

export const MEMORY_KEYS = ['mem.total', 'mem.used', 'mem.available', 'mem.free', 'swap.total', 'swap.used'] as const;
export const LOAD_KEYS = ['load.1', 'load.5', 'load.15'] as const;

export function kindOf(key: SeriesKey): SeriesKind {
  const dot = key.indexOf('.');
  const head = dot < 0 ? key : key.slice(0, dot);
  if (head === 'cpu' || head === 'mem' || head === 'swap' || head === 'load' || head === 'net') return head;
  throw new Error(`unknown series key: ${key}`);
}

/**
 * The step every value of a series is a whole multiple of. Values are rounded to it at the
 * source, so integer storage (value / resolution) is lossless.
 */
export function resolutionOf(key: SeriesKey): number {
  switch (kindOf(key)) {
    case 'cpu':
      return 0.1;
    case 'load':
      return 0.01;
    case 'mem':
    case 'swap':
      return 1024;
    case 'net':
      return 8;
  }
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

export function cpuCoreKey(index: number): SeriesKey {
  return `cpu.${index}`;
}

export function netKey(iface: string, direction: 'rx' | 'tx'): SeriesKey {
  return `net.${iface}.${direction}`;
}

/** Parses `net.<iface>.rx|tx`; null for any other key. */
export function parseNetKey(key: SeriesKey): { iface: string; direction: 'rx' | 'tx' } | null {
  if (!key.startsWith('net.')) return null;
  const direction = key.endsWith('.rx') ? 'rx' : key.endsWith('.tx') ? 'tx' : null;
  if (!direction || key.length <= 7) return null;
  return { iface: key.slice(4, -3), direction };
}

/** Core index of `cpu.<n>`; null for the total and for other keys. */
export function parseCoreKey(key: SeriesKey): number | null {
  const match = /^cpu\.(\d+)$/.exec(key);
  return match ? Number(match[1]) : null;
}

export function interfaceFlags(rate: Pick<NetRate, 'loopback' | 'virtual'>): number {
  return (rate.loopback ? SeriesFlag.loopback : 0) | (rate.virtual ? SeriesFlag.virtual : 0);
}

/** The series of one sample, in canonical order, with their values (null = no value this tick). */
export function flattenSample(sample: Sample): { series: SeriesInfo[]; values: (number | null)[] } {
  const series: SeriesInfo[] = [{ key: 'cpu', flags: 0 }];
  const values: (number | null)[] = [sample.cpu.total];
  sample.cpu.cores.forEach((pct, i) => {
    series.push({ key: cpuCoreKey(i), flags: 0 });
    values.push(pct);
  });
  const m = sample.memory;
  const memoryValues = [m.total, m.used, m.available, m.free, m.swapTotal, m.swapUsed];
  MEMORY_KEYS.forEach((key, i) => {
    series.push({ key, flags: 0 });
    values.push(memoryValues[i] ?? null);
  });
  const l = sample.load;
  const loadValues = l ? [l.one, l.five, l.fifteen] : [null, null, null];
  LOAD_KEYS.forEach((key, i) => {
    series.push({ key, flags: 0 });
    values.push(loadValues[i] ?? null);
  });
  for (const rate of sample.net) {
    const flags = interfaceFlags(rate);
    series.push({ key: netKey(rate.iface, 'rx'), flags }, { key: netKey(rate.iface, 'tx'), flags });
    values.push(rate.rxBitsPerSecond, rate.txBitsPerSecond);
  }
  return { series, values };
}

/** The inverse of flattenSample: rebuilds a Sample from named values (missing → 0 / null). */
export function unflattenSample(ts: number, series: readonly SeriesInfo[], values: readonly (number | null)[]): Sample {
  const byKey = new Map<SeriesKey, number | null>();
  series.forEach((s, i) => byKey.set(s.key, values[i] ?? null));
  const cores: number[] = [];
  const nets = new Map<string, NetRate>();
  series.forEach((s, i) => {
    const core = parseCoreKey(s.key);
    if (core !== null) cores[core] = values[i] ?? 0;
    const net = parseNetKey(s.key);
    if (net) {
      let rate = nets.get(net.iface);
      if (!rate) {
        rate = {
          iface: net.iface,
          rxBitsPerSecond: null,
          txBitsPerSecond: null,
          loopback: (s.flags & SeriesFlag.loopback) !== 0,
          virtual: (s.flags & SeriesFlag.virtual) !== 0,
        };
        nets.set(net.iface, rate);
      }
      if (net.direction === 'rx') rate.rxBitsPerSecond = values[i] ?? null;
      else rate.txBitsPerSecond = values[i] ?? null;
    }
  });
  const get = (key: SeriesKey): number => byKey.get(key) ?? 0;
  const hasLoad = byKey.get('load.1') != null;
  return {
    ts,
    cpu: { total: get('cpu'), cores: Array.from(cores, (v) => v ?? 0) },
    memory: {
      total: get('mem.total'),
      used: get('mem.used'),
      available: get('mem.available'),
      free: get('mem.free'),
      swapTotal: get('swap.total'),
      swapUsed: get('swap.used'),
    },
    load: hasLoad ? { one: get('load.1'), five: get('load.5'), fifteen: get('load.15') } : null,
    net: [...nets.values()].sort((a, b) => compareNames(a.iface, b.iface)),
  };
}

const MEMORY_RANK = new Map<string, number>(MEMORY_KEYS.map((k, i) => [k, i]));
const LOAD_RANK = new Map<string, number>(LOAD_KEYS.map((k, i) => [k, i]));

/** Canonical series order (CSV columns, stored layouts, query results): total CPU, cores by index, memory, swap, load, interfaces by name (rx, tx). */
export function compareSeriesKeys(a: SeriesKey, b: SeriesKey): number {
  const ga = group(a);
  const gb = group(b);
  if (ga !== gb) return ga - gb;
  switch (ga) {
    case 1:
      return parseCoreKey(a)! - parseCoreKey(b)!;
    case 2:
      return (MEMORY_RANK.get(a) ?? MEMORY_KEYS.length) - (MEMORY_RANK.get(b) ?? MEMORY_KEYS.length) || compareNames(a, b);
    case 3:
      return (LOAD_RANK.get(a) ?? LOAD_KEYS.length) - (LOAD_RANK.get(b) ?? LOAD_KEYS.length) || compareNames(a, b);
    case 4: {
      const na = parseNetKey(a)!;
      const nb = parseNetKey(b)!;
      return compareNames(na.iface, nb.iface) || compareNames(na.direction, nb.direction);
    }
    default:
      return compareNames(a, b);
  }
}

function group(key: SeriesKey): number {
  if (key === 'cpu') return 0;
  if (parseCoreKey(key) !== null) return 1;
  if (key.startsWith('mem.') || key.startsWith('swap.')) return 2;
  if (key.startsWith('load.')) return 3;
  if (parseNetKey(key)) return 4;
  return 5;
}

/** Interface order everywhere (CSV columns, charts, samples): plain code-point order, locale-free. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
