// How the chart service (chart-service.ts) shapes a series result: the keys a query asks for, the
// engine's unflushed samples appended to a raw result, and averages rounded to the series' resolution.
import { CHART_KEYS, type SeriesResult } from '../../shared/api.js';
import { VigilError } from '../../shared/errors.js';
import { isSeriesPrefix } from '../../shared/metrics/catalog.js';
import type { Sample } from '../../shared/model.js';
import type { SeriesColumn } from '../../shared/query.js';
import { SeriesFlag, compareNames, compareSeriesKeys, flattenSample, isSeriesKey, netPrefix, parseNetKey, resolutionOf } from '../../shared/series.js';
import { keyFilter } from '../storage/series-order.js';

export type QueryParams = { keys?: string[]; iface?: string[]; disks?: boolean };

/** The query keys: the ones asked for (validated) or the chart's; interfaces asked for are always included. */
export function chartKeys(keys: readonly string[] | undefined, ifaces: readonly string[] | null): string[] {
  const out = keys?.length ? [...keys] : [...CHART_KEYS];
  for (const key of out) {
    if (!isSeriesKey(key) && !isSeriesPrefix(key)) {
      throw new VigilError('invalid_argument', `Unknown series key "${key}" (keys look like cpu, cpu.0, mem.used, load.1, net.eth0.rx, or a prefix such as net.)`);
    }
  }
  if (ifaces && !out.includes('net.')) for (const name of ifaces) out.push(netPrefix(name));
  return out;
}

/**
 * Appends samples newer than the result's last timestamp (the engine's unflushed batch) to a raw
 * result, with the same key and interface filters, so /recent ends at the newest sample.
 */
export function appendSamples(result: SeriesResult, samples: readonly Sample[], params: QueryParams): void {
  const last = result.timestamps.at(-1) ?? -Infinity;
  const fresh = samples.filter((s) => s.ts > last && s.ts >= result.from && s.ts < result.to).sort((a, b) => a.ts - b.ts);
  if (fresh.length === 0) return;
  const ifaces = params.iface?.length ? new Set(params.iface) : null;
  const wanted = keyFilter(chartKeys(params.keys, ifaces ? [...ifaces] : null));
  const columns = new Map<string, SeriesColumn>(result.series.map((c) => [c.key, c]));
  const known = new Set(result.interfaces.map((i) => i.name));
  // Rollups standing in for deleted raw rows carry extremes: appended values are their own.
  const extremes = result.series.some((c) => c.min !== undefined);
  for (const sample of fresh) {
    const index = result.timestamps.length;
    result.timestamps.push(sample.ts);
    const flat = flattenSample(sample);
    flat.series.forEach((info, i) => {
      const net = parseNetKey(info.key);
      if (net && !known.has(net.iface)) {
        known.add(net.iface);
        result.interfaces.push({ name: net.iface, loopback: (info.flags & SeriesFlag.loopback) !== 0, virtual: (info.flags & SeriesFlag.virtual) !== 0 });
      }
      if (!wanted(info.key) || (net && ifaces && !ifaces.has(net.iface))) return;
      let column = columns.get(info.key);
      if (!column) {
        const empty = () => new Array<number | null>(index).fill(null);
        column = extremes ? { key: info.key, flags: info.flags, avg: empty(), min: empty(), max: empty() } : { key: info.key, flags: info.flags, avg: empty() };
        columns.set(info.key, column);
        result.series.push(column);
      }
      const value = flat.values[i] ?? null;
      column.avg.push(value);
      column.min?.push(value);
      column.max?.push(value);
    });
    for (const column of columns.values()) {
      if (column.avg.length > index) continue;
      column.avg.push(null);
      column.min?.push(null);
      column.max?.push(null);
    }
  }
  result.series.sort((a, b) => compareSeriesKeys(a.key, b.key));
  result.interfaces.sort((a, b) => compareNames(a.name, b.name));
}

/**
 * Averages of quantized values carry float noise (45.31666666666667): rounded to a tenth of the
 * series' resolution they stay exact for a chart and make the JSON about half as long.
 */
export function roundAverages(key: string, values: (number | null)[]): void {
  let resolution: number;
  try {
    resolution = resolutionOf(key);
  } catch {
    return;
  }
  const scale = resolution >= 1 ? 1 : Math.round(10 / resolution);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) values[i] = Math.round(v * scale) / scale;
  }
}
