// The series and layout dictionaries: which series id a key has, and which ordered list of
// series a row's values follow (its layout). Cached in memory, read back from the tables when
// another connection may have added to them (a reader), or after a failed write rolled back
// what this one had added.
import { VigilError } from '../../shared/errors.js';
import { resolutionOf, type SeriesInfo, type SeriesKey } from '../../shared/series.js';
import type { StoreContext } from './context.js';

export interface SeriesEntry {
  id: number;
  info: SeriesInfo;
  resolution: number;
}

export interface Layout {
  id: number;
  /** Series ids in value order; doubles as the accumulator slot map. */
  seriesIds: Int32Array;
  series: readonly SeriesInfo[];
  resolutions: Float64Array;
}

export class SeriesDictionary {
  private readonly seriesById = new Map<number, SeriesEntry>();
  private readonly seriesByKey = new Map<string, SeriesEntry>();
  private readonly layoutsById = new Map<number, Layout>();
  /** By keys joined with NUL: the insert path's lookup. */
  private readonly layoutsByKeys = new Map<string, Layout>();
  /** By series_ids text: the rollup path's lookup (unions of layouts). */
  private readonly layoutsByIds = new Map<string, Layout>();
  private lastLayout: Layout | null = null;
  private signature = '';

  /** `grow`: told the highest series id + 1 whenever it may have grown (accumulators size their slots by it). */
  constructor(
    private readonly context: StoreContext,
    private readonly grow: (idLimit: number) => void,
  ) {}

  /** (Re)reads both dictionaries from the tables. */
  load(): void {
    const s = this.context.s;
    this.seriesById.clear();
    this.seriesByKey.clear();
    this.layoutsById.clear();
    this.layoutsByKeys.clear();
    this.layoutsByIds.clear();
    this.lastLayout = null;
    let maxId = 0;
    for (const [id, key, flags] of s.allSeries.all()) {
      this.registerSeries(id, key, flags);
      maxId = Math.max(maxId, id);
    }
    this.grow(maxId + 1);
    for (const [id, ids] of s.allLayouts.all()) this.registerLayout(id, parseIds(ids));
    this.signature = this.readSignature();
  }

  /** Whether another connection changed the dictionaries since load(). */
  changed(): boolean {
    return this.readSignature() !== this.signature;
  }

  series(id: number): SeriesEntry {
    return this.seriesById.get(id)!;
  }

  layout(id: number): Layout {
    let layout = this.layoutsById.get(id);
    if (!layout) {
      // Written by another connection (we are a reader) since we last looked.
      this.load();
      layout = this.layoutsById.get(id);
      if (!layout) throw new VigilError('io_error', `The Vigil database ${this.context.file} is damaged: a row refers to unknown layout ${id}.`);
    }
    return layout;
  }

  /** The layout for a sample's series, creating series and layout rows as needed. */
  layoutFor(series: readonly SeriesInfo[]): Layout {
    let layout = this.lastLayout;
    if (!layout || !sameKeys(layout.series, series)) {
      const signature = series.map((s) => s.key).join('\0');
      layout = this.layoutsByKeys.get(signature) ?? this.createLayout(series);
      this.lastLayout = layout;
    }
    for (let i = 0; i < series.length; i++) {
      if (layout.series[i]!.flags !== series[i]!.flags) return this.updateFlags(layout, series);
    }
    return layout;
  }

  /** The layout of exactly these series ids, in this order (created if new). */
  layoutForIds(ids: number[]): Layout {
    const text = ids.join(',');
    const cached = this.layoutsByIds.get(text);
    if (cached) return cached;
    const s = this.context.s;
    const existing = s.layoutByIds.get(text);
    const id = existing ?? Number(s.insertLayout.run(text).lastInsertRowid);
    return this.registerLayout(id, ids);
  }

  private readSignature(): string {
    return String(this.context.s.dictionarySignature.get());
  }

  private registerSeries(id: number, key: string, flags: number): SeriesEntry {
    let resolution = 1;
    try {
      resolution = resolutionOf(key);
    } catch {
      // A key from a newer Vigil: keep it readable, in raw steps.
      this.context.warnOnce(`unknown:${key}`, 'storage: unknown series key, values shown in raw steps', { key });
    }
    // A key of no family (a newer Vigil's) is kept as it is, as the type of what a newer table names.
    const entry: SeriesEntry = { id, info: Object.freeze({ key: key as SeriesKey, flags }), resolution };
    this.seriesById.set(id, entry);
    this.seriesByKey.set(key, entry);
    return entry;
  }

  private registerLayout(id: number, ids: number[]): Layout {
    const entries = ids.map((sid) => {
      const entry = this.seriesById.get(sid);
      if (!entry) throw new VigilError('io_error', `The Vigil database ${this.context.file} is damaged: layout ${id} names unknown series ${sid}.`);
      return entry;
    });
    const layout: Layout = {
      id,
      seriesIds: Int32Array.from(ids),
      series: Object.freeze(entries.map((e) => e.info)),
      resolutions: Float64Array.from(entries.map((e) => e.resolution)),
    };
    this.layoutsById.set(id, layout);
    this.layoutsByIds.set(ids.join(','), layout);
    this.layoutsByKeys.set(entries.map((e) => e.info.key).join('\0'), layout);
    return layout;
  }

  private createLayout(series: readonly SeriesInfo[]): Layout {
    const seen = new Set<string>();
    for (const s of series) {
      if (seen.has(s.key)) throw new VigilError('invalid_argument', `A sample names series "${s.key}" twice (two interfaces with one name?).`);
      seen.add(s.key);
    }
    const ids = series.map((s) => {
      const existing = this.seriesByKey.get(s.key);
      if (existing) return existing.id;
      try {
        resolutionOf(s.key);
      } catch {
        throw new VigilError('invalid_argument', `Unknown series key "${s.key}".`);
      }
      const id = Number(this.context.s.insertSeries.run(s.key, s.flags).lastInsertRowid);
      this.registerSeries(id, s.key, s.flags);
      this.grow(id + 1);
      return id;
    });
    this.context.logger.info('storage: new series layout', { series: series.length, keys: series.map((s) => s.key).join(' ') });
    return this.layoutForIds(ids);
  }

  /** An interface became (or stopped being) loopback/virtual: the series keeps its id. */
  private updateFlags(layout: Layout, series: readonly SeriesInfo[]): Layout {
    series.forEach((s, i) => {
      if (layout.series[i]!.flags !== s.flags) this.context.s.updateFlags.run(s.flags, layout.seriesIds[i]!);
    });
    this.context.logger.info('storage: series flags changed', { keys: series.filter((s, i) => layout.series[i]!.flags !== s.flags).map((s) => s.key) });
    this.load();
    return this.layout(layout.id);
  }
}

function sameKeys(a: readonly SeriesInfo[], b: readonly SeriesInfo[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.key !== b[i]!.key) return false;
  return true;
}

function parseIds(text: string): number[] {
  return text === '' ? [] : text.split(',').map(Number);
}

/** The series ids of several layouts together, in first-seen order. */
export function unionIds(layouts: readonly Layout[]): number[] {
  const ids = new Set<number>();
  for (const l of layouts) for (const id of l.seriesIds) ids.add(id);
  return [...ids];
}
