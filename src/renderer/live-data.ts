// The live view's data: the last window as the API sent it (/recent), plus every sample the feed
// brings, kept in the API's columnar shape so the charts draw it like any other range. Old points
// are dropped in chunks as the window moves on.
import type { DiskSeries, InterfaceSummary, SeriesResult } from '../shared/api.js';
import type { Sample } from '../shared/model.js';
import type { SeriesColumn } from '../shared/query.js';
import { SeriesFlag, compareNames, compareSeriesKeys, flattenSample, parseNetKey } from '../shared/series.js';

export class LiveData {
  private timestamps: number[];
  private readonly columns = new Map<string, SeriesColumn>();
  private readonly interfaces = new Map<string, InterfaceSummary>();
  private disks: DiskSeries | null;
  private bucketMs: number | null;
  private readonly wanted: (key: string) => boolean;

  constructor(first: SeriesResult, keys: readonly string[]) {
    this.timestamps = [...first.timestamps];
    for (const column of first.series) this.columns.set(column.key, { ...column, avg: [...column.avg], min: column.min && [...column.min], max: column.max && [...column.max] });
    for (const iface of first.interfaces) this.interfaces.set(iface.name, iface);
    this.disks = first.disks;
    this.bucketMs = first.bucketMs;
    this.wanted = keyMatcher(keys);
  }

  /** Newest timestamp held, or null. */
  get lastTs(): number | null {
    return this.timestamps.at(-1) ?? null;
  }

  /** Oldest timestamp held, or null. */
  get firstTs(): number | null {
    return this.timestamps[0] ?? null;
  }

  get length(): number {
    return this.timestamps.length;
  }

  /** Adds a sample from the feed; one at or before the newest held is ignored (a replay). */
  append(sample: Sample): boolean {
    const last = this.lastTs;
    if (last !== null && sample.ts <= last) return false;
    const index = this.timestamps.length;
    this.timestamps.push(sample.ts);
    const flat = flattenSample(sample);
    flat.series.forEach((info, i) => {
      const net = parseNetKey(info.key);
      if (net && !this.interfaces.has(net.iface)) {
        this.interfaces.set(net.iface, { name: net.iface, loopback: (info.flags & SeriesFlag.loopback) !== 0, virtual: (info.flags & SeriesFlag.virtual) !== 0 });
      }
      if (!this.wanted(info.key)) return;
      let column = this.columns.get(info.key);
      if (!column) {
        const empty = () => new Array<number | null>(index).fill(null);
        column = this.bucketMs === null ? { key: info.key, flags: info.flags, avg: empty() } : { key: info.key, flags: info.flags, avg: empty(), min: empty(), max: empty() };
        this.columns.set(info.key, column);
      }
      const value = flat.values[i] ?? null;
      column.avg.push(value);
      column.min?.push(value);
      column.max?.push(value);
    });
    for (const column of this.columns.values()) {
      if (column.avg.length > index) continue;
      column.avg.push(null);
      column.min?.push(null);
      column.max?.push(null);
    }
    return true;
  }

  /** Merges a range fetched to fill a hole (e.g. a hub's batch): points newer than held are appended. */
  merge(result: SeriesResult): void {
    const last = this.lastTs ?? -Infinity;
    const byKey = new Map(result.series.map((c) => [c.key, c]));
    result.timestamps.forEach((ts, i) => {
      if (ts <= last) return;
      const index = this.timestamps.length;
      this.timestamps.push(ts);
      for (const [key, source] of byKey) {
        if (!this.wanted(key)) continue;
        let column = this.columns.get(key);
        if (!column) {
          column = { key, flags: source.flags, avg: new Array<number | null>(index).fill(null) };
          if (this.bucketMs !== null) {
            column.min = new Array<number | null>(index).fill(null);
            column.max = new Array<number | null>(index).fill(null);
          }
          this.columns.set(key, column);
        }
        const value = source.avg[i] ?? null;
        column.avg.push(value);
        column.min?.push(source.min?.[i] ?? value);
        column.max?.push(source.max?.[i] ?? value);
      }
      for (const column of this.columns.values()) {
        if (column.avg.length > index) continue;
        column.avg.push(null);
        column.min?.push(null);
        column.max?.push(null);
      }
    });
    for (const iface of result.interfaces) if (!this.interfaces.has(iface.name)) this.interfaces.set(iface.name, iface);
  }

  setDisks(disks: DiskSeries | null): void {
    this.disks = disks;
  }

  /** Drops points before `from`, in chunks (each drop moves every column's array). */
  trim(from: number): void {
    let cut = 0;
    while (cut < this.timestamps.length && this.timestamps[cut]! < from) cut++;
    if (cut === 0 || (cut < 64 && cut < this.timestamps.length / 20)) return;
    this.timestamps.splice(0, cut);
    for (const column of this.columns.values()) {
      column.avg.splice(0, cut);
      column.min?.splice(0, cut);
      column.max?.splice(0, cut);
    }
  }

  /** The held data as an API result over [from, to). */
  result(from: number, to: number): SeriesResult {
    return {
      from,
      to,
      bucketMs: this.bucketMs,
      resolution: this.bucketMs === null ? 'raw' : '1m',
      timestamps: this.timestamps,
      series: [...this.columns.values()].sort((a, b) => compareSeriesKeys(a.key, b.key)),
      day: null,
      interfaces: [...this.interfaces.values()].sort((a, b) => compareNames(a.name, b.name)),
      disks: this.disks,
    };
  }
}

/** The API's `keys` rule: exact keys, or prefixes ending in '.'. */
export function keyMatcher(keys: readonly string[]): (key: string) => boolean {
  const exact = new Set(keys.filter((k) => !k.endsWith('.')));
  const prefixes = keys.filter((k) => k.endsWith('.'));
  return (key) => exact.has(key) || prefixes.some((p) => key.startsWith(p));
}
