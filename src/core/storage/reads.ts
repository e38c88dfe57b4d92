// Reading samples back: the latest one, rows in a range, the series present, and query(): chart
// buckets (count/min/max/sum accumulated straight from the blobs) from whichever table answers
// each part of the range (plan.ts). Each call runs inside one of the facade's read transactions,
// so it sees one snapshot while the agent commits.
import type { Sample } from '../../shared/model.js';
import type { Resolution, SeriesColumn, SeriesQueryResult } from '../../shared/query.js';
import { compareSeriesKeys, fromSteps, unflattenSample, type SeriesInfo } from '../../shared/series.js';
import { feedRaw, feedRollup, type Accumulator } from './accumulator.js';
import type { Chunk } from './chunks.js';
import { ByteReader } from './codec.js';
import type { StoreContext } from './context.js';
import type { Layout, SeriesDictionary } from './dictionary.js';
import { planSegments } from './plan.js';
import type { StoredRow } from './types.js';
import type { Watermarks } from './watermarks.js';

const RESOLUTION_RANK: Record<Resolution, number> = { raw: 0, '1m': 1, '1h': 2 };

export class SampleReader {
  constructor(
    private readonly context: StoreContext,
    private readonly dictionary: SeriesDictionary,
    private readonly marks: Watermarks,
    /** Slots by series id, sized by the dictionary as it grows. */
    private readonly accumulator: Accumulator,
  ) {}

  latestSample(): Sample | null {
    const row = this.context.s.latestRaw.get();
    if (!row) return null;
    const layout = this.dictionary.layout(row[1]);
    return unflattenSample(row[0], layout.series, this.decodeValues(layout, row[2]));
  }

  lastTimestamp(): number | null {
    return this.context.s.maxRaw.get() ?? null;
  }

  firstTimestamp(): number | null {
    return this.context.s.minRaw.get() ?? null;
  }

  countSamples(from: number, to: number): number {
    return this.context.s.countRaw.get(from, to) ?? 0;
  }

  /** For each range: whether a raw sample or a minute or hour rollup starts in it. */
  rangesWithData(ranges: readonly { from: number; to: number }[]): boolean[] {
    const s = this.context.s;
    return ranges.map(({ from, to }) => s.rawIn.get(from, to) === 1 || s.minuteIn.get(from, to) === 1 || s.hourIn.get(from, to) === 1);
  }

  /** Row i of a chunk of raw rows, decoded. */
  rowOf(chunk: Chunk, i: number): StoredRow {
    const layout = this.dictionary.layout(chunk.layouts[i]!);
    return { ts: chunk.ts[i]!, series: layout.series, values: this.decodeValues(layout, chunk.data, chunk.offsets[i]!, chunk.offsets[i + 1]!) };
  }

  seriesInRange(from: number, to: number): SeriesInfo[] {
    const ids = new Set<number>();
    for (const layoutId of this.context.s.layoutsInRange.all(from, to)) {
      for (const id of this.dictionary.layout(layoutId).seriesIds) ids.add(id);
    }
    return [...ids].map((id) => this.dictionary.series(id).info).sort((a, b) => compareSeriesKeys(a.key, b.key));
  }

  /**
   * The series of [from, to) grouped by the raw sample that first had them, oldest first; each
   * group in canonical order. What a daily CSV's column order is rebuilt from (csv/columns.ts).
   */
  seriesInOrderSeen(from: number, to: number): SeriesInfo[][] {
    const seen = new Set<number>();
    const groups: SeriesInfo[][] = [];
    for (const [layoutId] of this.context.s.layoutsFirstSeen.all(from, to)) {
      const fresh = Array.from(this.dictionary.layout(layoutId).seriesIds).filter((id) => !seen.has(id));
      if (fresh.length === 0) continue;
      for (const id of fresh) seen.add(id);
      groups.push(fresh.map((id) => this.dictionary.series(id).info).sort((a, b) => compareSeriesKeys(a.key, b.key)));
    }
    return groups;
  }

  private decodeValues(layout: Layout, data: Uint8Array, start = 0, end = data.length): (number | null)[] {
    const reader = new ByteReader(data, start, end);
    const n = layout.seriesIds.length;
    const values: (number | null)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = reader.uint();
      values[i] = v === 0 ? null : fromSteps(v - 1, layout.resolutions[i]!);
    }
    reader.end();
    return values;
  }

  /** query() once its arguments are checked: `bucketMs` null for raw points. */
  query(from: number, to: number, bucketMs: number | null, wanted: (key: string) => boolean, counts = false): SeriesQueryResult {
    const dictionary = this.dictionary;
    const segments = planSegments(from, to, bucketMs, this.marks.coverage());
    // Raw points carry no extremes (min = avg = max), unless rollups stand in for deleted raw rows.
    const extremes = bucketMs !== null || segments.some((s) => s.level !== 'raw');
    const acc = this.accumulator;
    acc.reset();
    const slotMaps = new Map<number, Int32Array>();
    let lastLayoutId = NaN;
    let lastSlots: Int32Array = new Int32Array(0);
    // Slots of a layout's series for this query: the series id, or -1 where `keys` leaves it out.
    const slotsFor = (layoutId: number): Int32Array => {
      if (layoutId === lastLayoutId) return lastSlots;
      let slots = slotMaps.get(layoutId);
      if (!slots) {
        slots = dictionary.layout(layoutId).seriesIds.map((id) => (wanted(dictionary.series(id).info.key) ? id : -1));
        slotMaps.set(layoutId, slots);
      }
      lastLayoutId = layoutId;
      lastSlots = slots;
      return slots;
    };

    interface Column {
      id: number;
      /** value = steps × mul / div: fromSteps without its branch, per cell. */
      mul: number;
      div: number;
      avg: (number | null)[];
      min: (number | null)[];
      max: (number | null)[];
      count: number[];
    }
    const columns: Column[] = [];
    const columnOf = new Map<number, Column>();
    const timestamps: number[] = [];
    let key = NaN; // bucket index, or the row's ts for raw points
    const flush = (): void => {
      if (acc.touched.length === 0) return;
      const filled = timestamps.length;
      timestamps.push(bucketMs === null ? key : from + key * bucketMs);
      for (const id of acc.touched) {
        if (columnOf.has(id)) continue;
        const resolution = dictionary.series(id).resolution;
        const column: Column = {
          id,
          // same arithmetic as fromSteps: multiply by whole resolutions, divide by 1/fractional ones
          mul: resolution >= 1 ? resolution : 1,
          div: resolution >= 1 ? 1 : Math.round(1 / resolution),
          avg: new Array<number | null>(filled).fill(null),
          min: extremes ? new Array<number | null>(filled).fill(null) : [],
          max: extremes ? new Array<number | null>(filled).fill(null) : [],
          count: counts ? new Array<number>(filled).fill(0) : [],
        };
        columns.push(column);
        columnOf.set(id, column);
      }
      const { count, sum, min, max } = acc;
      for (const c of columns) {
        const n = count[c.id]!;
        if (counts) c.count.push(n);
        if (n === 0) {
          c.avg.push(null);
          if (extremes) {
            c.min.push(null);
            c.max.push(null);
          }
          continue;
        }
        c.avg.push(((sum[c.id]! / n) * c.mul) / c.div);
        if (extremes) {
          c.min.push((min[c.id]! * c.mul) / c.div);
          c.max.push((max[c.id]! * c.mul) / c.div);
        }
      }
      acc.reset();
    };

    const tables = this.context.rows;
    let resolution: Resolution = 'raw';
    for (const segment of segments) {
      const source = segment.level === 'raw' ? tables.raw : segment.level === '1m' ? tables.minute : tables.hour;
      const feed = segment.level === 'raw' ? feedRaw : feedRollup;
      let rows = 0;
      for (const chunk of source.chunks(segment.from, segment.to)) {
        const { ts, layouts, offsets, data } = chunk;
        for (let i = 0; i < chunk.count; i++) {
          const k = bucketMs === null ? ts[i]! : Math.floor((ts[i]! - from) / bucketMs);
          if (k !== key) {
            flush();
            key = k;
          }
          feed(data, offsets[i]!, offsets[i + 1]!, slotsFor(layouts[i]!), acc);
        }
        rows += chunk.count;
      }
      if (rows > 0 && RESOLUTION_RANK[segment.level] > RESOLUTION_RANK[resolution]) resolution = segment.level;
    }
    flush();

    const series: SeriesColumn[] = columns
      .map((c) => {
        const info = dictionary.series(c.id).info;
        const column: SeriesColumn = extremes ? { key: info.key, flags: info.flags, avg: c.avg, min: c.min, max: c.max } : { key: info.key, flags: info.flags, avg: c.avg };
        if (counts) column.count = c.count;
        return column;
      })
      .sort((a, b) => compareSeriesKeys(a.key, b.key));
    return { from, to, bucketMs, resolution, timestamps, series };
  }
}
