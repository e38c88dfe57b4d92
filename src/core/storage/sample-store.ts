// SampleStore on SQLite (better-sqlite3, WAL). Schema: schema.ts; blob formats: codec.ts;
// query planning: plan.ts.
//
// Shape, and why:
// - One row per tick, ts (unix ms) as the rowid, values packed in one blob as varints of integer
//   steps whose meaning comes from the row's layout (an ordered list of series ids). A plain wide
//   row (one REAL/INTEGER column per series) costs ~7 B per value; this costs ~2–3 (bench/storage.ts).
//   The layout changes only when the set of series changes, so a new interface adds a layout,
//   never a column, and old rows stay as they were written.
// - Rollups per complete UTC minute and hour hold count/min/max/sum per series, written in the
//   same transaction as the raw rows they summarize, so they are never behind after a crash. A
//   minute is complete once a later sample exists; the watermarks (everything before them is
//   rolled) are derived from the tables on open, never stored separately.
// - A full-day chart reads 1,440 minute rows (~2 ms) instead of 86,400 raw rows (~110 ms).
// - Retention deletes raw rows only below the minute watermark and minute rows only below the
//   hour watermark, so nothing is ever deleted before it is summarized.
//
// One writer per database (the agent holds a lock on its data dir); any number of readers,
// e.g. `vigil status` / `vigil export` while the agent runs: WAL lets them read a consistent
// snapshot without blocking it. A read-only store re-derives its view of the tables at each call.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { DiskSample, DiskUsage, HostRecord, HostSnapshot, Sample } from '../../shared/model.js';
import type { Resolution, SeriesColumn, SeriesQuery, SeriesQueryResult } from '../../shared/query.js';
import { VigilError } from '../../shared/errors.js';
import { compareSeriesKeys, flattenSample, fromSteps, resolutionOf, toSteps, unflattenSample, type SeriesInfo, type SeriesKey } from '../../shared/series.js';
import { silentLogger, type Logger } from '../log.js';
import { Accumulator, feedRaw, feedRollup } from './accumulator.js';
import { CHUNK_ROWS, ChunkReader } from './chunks.js';
import { ByteReader, ByteWriter, MAX_STEPS, writeSummary } from './codec.js';
import { HOUR_MS, MINUTE_MS, effectiveBucketMs, floorTo, planSegments, type Coverage } from './plan.js';
import { SCHEMA_VERSION, migrate, newerSchemaError, schemaVersion } from './schema.js';
import { keyFilter } from './series-order.js';
import { toVigilError } from './sqlite-errors.js';
import type { RetentionPolicy, SampleStore, StoredRow } from './types.js';

export const DEFAULT_RETENTION: RetentionPolicy = { rawDays: 30, minuteDays: 365 };

/**
 * SQLite page cache per connection. 512 KiB: queries and appends are no slower than with 2, 8 or
 * 64 MiB (bench/storage.ts; the OS page cache does the rest), while the cache is what the
 * agent's resident memory grows by until it plateaus: with 2 MiB the malloc heap settles ~2 MB
 * higher, which the agent's 50 MB budget cannot spare (measured over days of fast-forwarded
 * ticks). The hub opens one store per machine, where a small cache matters even more.
 */
export const DEFAULT_CACHE_KIB = 512;

const DAY_MS = 86_400_000;

export interface SampleStoreOptions {
  /** Open an existing database for reading only (status, export while the agent writes). */
  readonly?: boolean;
  logger?: Logger;
  /** SQLite page cache size in KiB (default 2048). */
  cacheKiB?: number;
  /** Runs on the connection once the store has set it up: tuning, and tests (max_page_count). */
  configure?: (db: Database.Database) => void;
}

/** Opens (creating and migrating if needed) the sample database at `file` (':memory:' for tests). */
export function openSampleStore(file: string, options: SampleStoreOptions = {}): SampleStore {
  return new SqliteSampleStore(file, options);
}

interface SeriesEntry {
  id: number;
  info: SeriesInfo;
  resolution: number;
}

interface Layout {
  id: number;
  /** Series ids in value order; doubles as the accumulator slot map. */
  seriesIds: Int32Array;
  series: readonly SeriesInfo[];
  resolutions: Float64Array;
}

interface Prepared {
  ts: number;
  series: SeriesInfo[];
  values: (number | null)[];
}

interface State {
  /** Newest raw ts, or null when there is none. */
  lastTs: number | null;
  /** Every minute before this is rolled up (null: nothing rolled yet). */
  minuteMark: number | null;
  /** Every hour before this is rolled up (null: nothing rolled yet). */
  hourMark: number | null;
  /** Retention deleted raw rows before this (and the store refuses samples older than it). */
  rawFloor: number;
  /** Retention deleted minute rollups before this. */
  minuteFloor: number;
}

type Row = [ts: number, layout: number, data: Buffer];

const RESOLUTION_RANK: Record<Resolution, number> = { raw: 0, '1m': 1, '1h': 2 };

class SqliteSampleStore implements SampleStore {
  private readonly db: Database.Database;
  private readonly logger: Logger;
  private readonly readonly: boolean;
  private readonly s: ReturnType<typeof prepareStatements>;
  private readonly rawRows: ChunkReader;
  private readonly minuteRows: ChunkReader;
  private readonly hourRows: ChunkReader;
  private readonly tx: (fn: () => unknown) => unknown;
  private readonly writer = new ByteWriter();
  private readonly rollAcc = new Accumulator();
  private readonly queryAcc = new Accumulator();

  private readonly seriesById = new Map<number, SeriesEntry>();
  private readonly seriesByKey = new Map<string, SeriesEntry>();
  private readonly layoutsById = new Map<number, Layout>();
  /** By keys joined with NUL: the insert path's lookup. */
  private readonly layoutsByKeys = new Map<string, Layout>();
  /** By series_ids text: the rollup path's lookup (unions of layouts). */
  private readonly layoutsByIds = new Map<string, Layout>();
  private lastLayout: Layout | null = null;
  private dictionarySignature = '';

  private state: State = { lastTs: null, minuteMark: null, hourMark: null, rawFloor: -Infinity, minuteFloor: -Infinity };
  /** Set when a write failed: in-memory state may be ahead of what was rolled back. */
  private stale = false;
  private readonly warned = new Set<string>();
  private closed = false;

  constructor(
    private readonly file: string,
    options: SampleStoreOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.readonly = options.readonly ?? false;
    this.db = this.openDatabase(options);
    try {
      this.s = prepareStatements(this.db);
      this.rawRows = new ChunkReader(this.db, 'sample');
      this.minuteRows = new ChunkReader(this.db, 'rollup_1m');
      this.hourRows = new ChunkReader(this.db, 'rollup_1h');
      this.tx = this.db.transaction((fn: () => unknown) => fn());
      this.loadDictionaries();
      this.deriveState();
    } catch (error) {
      this.db.close();
      throw toVigilError(error, file, 'opening it');
    }
  }

  private openDatabase(options: SampleStoreOptions): Database.Database {
    const file = this.file;
    if (this.readonly && (file === ':memory:' || !fs.existsSync(file))) {
      throw new VigilError('not_found', `No Vigil database at ${file}: run the agent first (vigil agent) to create it.`);
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(file, this.readonly ? { readonly: true, fileMustExist: true } : {});
      if (this.readonly) {
        const version = schemaVersion(db);
        if (version > SCHEMA_VERSION) throw newerSchemaError(file, version, SCHEMA_VERSION);
        if (version < SCHEMA_VERSION) {
          throw new VigilError(
            'io_error',
            `The Vigil database ${file} has an older schema (${version}, this Vigil uses ${SCHEMA_VERSION}) and is opened read-only: run the agent once to upgrade it.`,
          );
        }
      } else {
        const fresh = schemaVersion(db) === 0 && db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() === 0;
        // Only possible before the first table exists; lets retention hand pages back to the OS.
        if (fresh) db.pragma('auto_vacuum = INCREMENTAL');
        db.pragma('journal_mode = WAL');
        // WAL + NORMAL: a commit survives a process crash; an OS crash may lose the last
        // commits but never corrupts the file. fsync per tick would cost more than sampling.
        db.pragma('synchronous = NORMAL');
        // Caps the WAL file left behind after a checkpoint (it is reused, not shrunk, otherwise).
        db.pragma('journal_size_limit = 4194304');
        migrate(db, file, this.logger);
      }
      db.pragma(`cache_size = -${Math.max(64, Math.round(options.cacheKiB ?? DEFAULT_CACHE_KIB))}`);
      options.configure?.(db);
      return db;
    } catch (error) {
      db?.close();
      throw toVigilError(error, file, 'opening it');
    }
  }

  // ---------------------------------------------------------------- dictionaries

  private loadDictionaries(): void {
    this.seriesById.clear();
    this.seriesByKey.clear();
    this.layoutsById.clear();
    this.layoutsByKeys.clear();
    this.layoutsByIds.clear();
    this.lastLayout = null;
    let maxId = 0;
    for (const [id, key, flags] of this.s.allSeries.all() as [number, string, number][]) {
      this.registerSeries(id, key, flags);
      maxId = Math.max(maxId, id);
    }
    this.rollAcc.ensure(maxId + 1);
    this.queryAcc.ensure(maxId + 1);
    for (const [id, ids] of this.s.allLayouts.all() as [number, string][]) this.registerLayout(id, parseIds(ids));
    this.dictionarySignature = this.readDictionarySignature();
  }

  private readDictionarySignature(): string {
    return String(this.s.dictionarySignature.get());
  }

  private registerSeries(id: number, key: string, flags: number): SeriesEntry {
    let resolution = 1;
    try {
      resolution = resolutionOf(key);
    } catch {
      // A key from a newer Vigil: keep it readable, in raw steps.
      this.warnOnce(`unknown:${key}`, 'storage: unknown series key, values shown in raw steps', { key });
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
      if (!entry) throw new VigilError('io_error', `The Vigil database ${this.file} is damaged: layout ${id} names unknown series ${sid}.`);
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

  private layout(id: number): Layout {
    let layout = this.layoutsById.get(id);
    if (!layout) {
      // Written by another connection (we are a reader) since we last looked.
      this.loadDictionaries();
      layout = this.layoutsById.get(id);
      if (!layout) throw new VigilError('io_error', `The Vigil database ${this.file} is damaged: a row refers to unknown layout ${id}.`);
    }
    return layout;
  }

  /** The layout for a sample's series, creating series and layout rows as needed. */
  private layoutFor(series: readonly SeriesInfo[]): Layout {
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
      const id = Number(this.s.insertSeries.run(s.key, s.flags).lastInsertRowid);
      this.registerSeries(id, s.key, s.flags);
      this.rollAcc.ensure(id + 1);
      this.queryAcc.ensure(id + 1);
      return id;
    });
    this.logger.info('storage: new series layout', { series: series.length, keys: series.map((s) => s.key).join(' ') });
    return this.layoutForIds(ids);
  }

  private layoutForIds(ids: number[]): Layout {
    const text = ids.join(',');
    const cached = this.layoutsByIds.get(text);
    if (cached) return cached;
    const existing = this.s.layoutByIds.get(text) as number | undefined;
    const id = existing ?? Number(this.s.insertLayout.run(text).lastInsertRowid);
    return this.registerLayout(id, ids);
  }

  /** An interface became (or stopped being) loopback/virtual: the series keeps its id. */
  private updateFlags(layout: Layout, series: readonly SeriesInfo[]): Layout {
    series.forEach((s, i) => {
      if (layout.series[i]!.flags !== s.flags) this.s.updateFlags.run(s.flags, layout.seriesIds[i]);
    });
    this.logger.info('storage: series flags changed', { keys: series.filter((s, i) => layout.series[i]!.flags !== s.flags).map((s) => s.key) });
    this.loadDictionaries();
    return this.layout(layout.id);
  }

  // ---------------------------------------------------------------- state

  private deriveState(): void {
    const s = this.s;
    const lastTs = s.maxRaw.get() as number | null;
    const maxMinute = s.maxMinute.get() as number | null;
    const maxHour = s.maxHour.get() as number | null;
    let minuteMark: number | null = null;
    if (maxMinute !== null) minuteMark = maxMinute + MINUTE_MS;
    else {
      const minRaw = s.minRaw.get() as number | null;
      if (minRaw !== null) minuteMark = floorTo(minRaw, MINUTE_MS);
    }
    let hourMark: number | null = null;
    if (maxHour !== null) hourMark = maxHour + HOUR_MS;
    else {
      const minMinute = s.minMinute.get() as number | null;
      if (minMinute !== null) hourMark = floorTo(minMinute, HOUR_MS);
    }
    this.state = {
      lastTs,
      minuteMark,
      hourMark,
      rawFloor: (s.getMeta.get('raw_floor') as number | undefined) ?? -Infinity,
      minuteFloor: (s.getMeta.get('minute_floor') as number | undefined) ?? -Infinity,
    };
  }

  /** Readers see another connection's writes: refresh what we derived from the tables. */
  private refreshForRead(): void {
    if (this.stale) this.resync();
    if (!this.readonly) return;
    if (this.readDictionarySignature() !== this.dictionarySignature) this.loadDictionaries();
    this.deriveState();
  }

  private resync(): void {
    try {
      this.loadDictionaries();
      this.deriveState();
      this.stale = false;
    } catch {
      // Still failing (disk gone?): try again at the next call.
    }
  }

  private coverage(): Coverage {
    const st = this.state;
    return {
      rawFloor: st.rawFloor,
      minuteFloor: st.minuteFloor,
      minuteEnd: st.minuteMark ?? -Infinity,
      hourEnd: st.hourMark ?? -Infinity,
    };
  }

  // ---------------------------------------------------------------- transactions

  private assertOpen(): void {
    if (this.closed) throw new VigilError('internal', 'The sample store is closed.');
  }

  private write<T>(doing: string, fn: () => T): T {
    this.assertOpen();
    if (this.readonly) throw new VigilError('invalid_argument', `The Vigil database ${this.file} is open read-only; cannot ${doing}.`);
    if (this.stale) this.resync();
    try {
      return this.tx(fn) as T;
    } catch (error) {
      // The transaction was rolled back; caches and watermarks may hold what it had added.
      this.stale = true;
      this.resync();
      throw toVigilError(error, this.file, doing);
    }
  }

  private read<T>(doing: string, fn: () => T): T {
    this.assertOpen();
    try {
      // One transaction: a reader sees one snapshot even while the agent commits.
      return this.tx(() => {
        this.refreshForRead();
        return fn();
      }) as T;
    } catch (error) {
      throw toVigilError(error, this.file, doing);
    }
  }

  // ---------------------------------------------------------------- writing samples

  insertSamples(samples: readonly Sample[]): number {
    return this.storeSamples(samples).inserted;
  }

  storeSamples(samples: readonly Sample[]): { inserted: number; tooOld: number } {
    this.assertOpen();
    if (samples.length === 0) return { inserted: 0, tooOld: 0 };
    const prepared = samples.map((sample, i) => prepareSample(sample, i));
    return this.write(`storing ${samples.length} sample${samples.length === 1 ? '' : 's'}`, () => this.insertPrepared(prepared));
  }

  private insertPrepared(prepared: readonly Prepared[]): { inserted: number; tooOld: number } {
    const st = this.state;
    const markBefore = st.minuteMark;
    const dirtyMinutes = new Set<number>();
    let added = 0;
    let tooOld = 0;
    let newest = -Infinity;
    for (const p of prepared) {
      if (p.ts < st.rawFloor) {
        tooOld++;
        continue;
      }
      const layout = this.layoutFor(p.series);
      this.encodeValues(layout, p.values);
      if (this.s.insertSample.run(p.ts, layout.id, this.writer.view()).changes === 0) continue;
      added++;
      if (p.ts > newest) newest = p.ts;
      if (markBefore !== null && p.ts < markBefore) dirtyMinutes.add(floorTo(p.ts, MINUTE_MS));
    }
    if (tooOld > 0) {
      this.logger.warn('storage: samples older than the raw retention ignored (their period is already rolled up and thinned)', {
        count: tooOld,
        rawFloor: new Date(st.rawFloor).toISOString(),
      });
    }
    if (added > 0) {
      if (st.lastTs === null || newest > st.lastTs) st.lastTs = newest;
      this.updateRollups(dirtyMinutes);
    }
    return { inserted: added, tooOld };
  }

  private encodeValues(layout: Layout, values: readonly (number | null)[]): void {
    const w = this.writer;
    w.reset();
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        w.uint(0);
        continue;
      }
      let steps = toSteps(v, layout.resolutions[i]!);
      if (!(steps >= 0 && steps <= MAX_STEPS)) {
        const key = layout.series[i]!.key;
        if (Number.isNaN(steps)) {
          this.warnOnce(`nan:${key}`, 'storage: non-numeric value stored as "no value"', { key, value: String(v) });
          w.uint(0);
          continue;
        }
        // Never negative by definition (rates, bytes, %): a negative one is an upstream bug.
        this.warnOnce(steps < 0 ? `neg:${key}` : `big:${key}`, 'storage: out-of-range value clamped', { key, value: v });
        steps = steps < 0 ? 0 : MAX_STEPS;
      }
      w.uint(steps + 1);
    }
  }

  private warnOnce(id: string, message: string, fields: Record<string, unknown>): void {
    if (this.warned.has(id)) return;
    this.warned.add(id);
    this.logger.warn(message, fields);
  }

  // ---------------------------------------------------------------- rollups

  /**
   * Rolls every complete minute not rolled yet, and re-rolls the already rolled minutes that
   * late samples fell into; then the same for hours, from the minute rows.
   */
  private updateRollups(dirtyMinutes: ReadonlySet<number>): void {
    const st = this.state;
    if (st.lastTs === null) return;
    if (st.minuteMark === null) st.minuteMark = floorTo(this.s.minRaw.get() as number, MINUTE_MS);
    const minutesComplete = floorTo(st.lastTs, MINUTE_MS);
    if (minutesComplete > st.minuteMark) {
      this.roll('1m', st.minuteMark, minutesComplete);
      st.minuteMark = minutesComplete;
    }
    for (const minute of dirtyMinutes) this.roll('1m', minute, minute + MINUTE_MS);

    const hourBefore = st.hourMark;
    if (st.hourMark === null) {
      const first = this.s.minMinute.get() as number | null;
      if (first === null) return;
      st.hourMark = floorTo(first, HOUR_MS);
    }
    const hoursComplete = floorTo(st.minuteMark, HOUR_MS);
    if (hoursComplete > st.hourMark) {
      this.roll('1h', st.hourMark, hoursComplete);
      st.hourMark = hoursComplete;
    }
    if (hourBefore !== null) {
      const dirtyHours = new Set([...dirtyMinutes].map((m) => floorTo(m, HOUR_MS)).filter((h) => h < hourBefore));
      for (const hour of dirtyHours) this.roll('1h', hour, hour + HOUR_MS);
    }
  }

  /** (Re)writes the rollup rows of every minute (hour) holding data in [from, to). */
  private roll(level: '1m' | '1h', from: number, to: number): void {
    const unit = level === '1m' ? MINUTE_MS : HOUR_MS;
    const source = level === '1m' ? this.rawRows : this.minuteRows;
    const feed = level === '1m' ? feedRaw : feedRollup;
    const put = level === '1m' ? this.s.putMinute : this.s.putHour;
    const acc = this.rollAcc;
    const seen: Layout[] = [];
    let bucket = NaN;
    const flush = (): void => {
      if (seen.length === 0) return;
      // A bucket that saw several layouts (interface churn) gets their union.
      const layout = seen.length === 1 ? seen[0]! : this.layoutForIds(unionIds(seen));
      const w = this.writer;
      w.reset();
      for (const id of layout.seriesIds) writeSummary(w, acc.count[id]!, acc.min[id]!, acc.max[id]!, acc.sum[id]!);
      put.run(bucket, layout.id, w.view());
      acc.reset();
      seen.length = 0;
    };
    for (const chunk of source.chunks(from, to)) {
      for (let i = 0; i < chunk.count; i++) {
        const b = floorTo(chunk.ts[i]!, unit);
        if (b !== bucket) {
          flush();
          bucket = b;
        }
        const layout = this.layout(chunk.layouts[i]!);
        if (!seen.includes(layout)) seen.push(layout);
        feed(chunk.data, chunk.offsets[i]!, chunk.offsets[i + 1]!, layout.seriesIds, acc);
      }
    }
    flush();
  }

  // ---------------------------------------------------------------- disks and hosts

  insertDiskSample(sample: DiskSample): void {
    this.assertOpen();
    checkTimestamp(sample?.ts, 'disk sample');
    const disks = (sample.disks ?? []).map((d, i) => checkDisk(d, i));
    this.write('storing a disk sample', () => {
      for (const d of disks) {
        let mount = this.s.mountId.get(d.device, d.mountPoint, d.fsType) as number | undefined;
        mount ??= Number(this.s.insertMount.run(d.device, d.mountPoint, d.fsType).lastInsertRowid);
        this.s.insertDisk.run(sample.ts, mount, d.total, d.used);
      }
    });
  }

  insertHostSnapshot(record: HostRecord): boolean {
    this.assertOpen();
    checkTimestamp(record?.ts, 'host snapshot');
    if (typeof record.host !== 'object' || record.host === null) throw new VigilError('invalid_argument', 'A host snapshot has no host.');
    const json = stableJson(record.host);
    return this.write('storing a host snapshot', () => {
      const latest = this.s.latestHost.get() as [number, string] | undefined;
      if (latest && latest[1] === json) return false;
      return this.s.insertHost.run(record.ts, json).changes === 1;
    });
  }

  latestHost(): HostRecord | null {
    return this.read('reading the host', () => {
      const row = this.s.latestHost.get() as [number, string] | undefined;
      return row ? hostRecord(row) : null;
    });
  }

  hostHistory(from: number, to: number): HostRecord[] {
    checkRange(from, to);
    return this.read('reading host history', () => {
      const before = this.s.hostBefore.get(from) as [number, string] | undefined;
      const rows = this.s.hostRange.all(from, to) as [number, string][];
      return (before ? [before, ...rows] : rows).map(hostRecord);
    });
  }

  latestDisks(): DiskSample | null {
    return this.read('reading disks', () => {
      const ts = this.s.maxDisk.get() as number | null;
      return ts === null ? null : (groupDisks(this.s.diskRange.all(ts, ts + 1) as DiskRow[])[0] ?? null);
    });
  }

  diskSamples(from: number, to: number): DiskSample[] {
    checkRange(from, to);
    return this.read('reading disks', () => groupDisks(this.s.diskRange.all(from, to) as DiskRow[]));
  }

  // ---------------------------------------------------------------- reading samples

  latestSample(): Sample | null {
    return this.read('reading the latest sample', () => {
      const row = this.s.latestRaw.get() as Row | undefined;
      if (!row) return null;
      const layout = this.layout(row[1]);
      return unflattenSample(row[0], layout.series, this.decodeValues(layout, row[2]));
    });
  }

  lastTimestamp(): number | null {
    return this.read('reading', () => this.s.maxRaw.get() as number | null);
  }

  firstTimestamp(): number | null {
    return this.read('reading', () => this.s.minRaw.get() as number | null);
  }

  countSamples(from: number, to: number): number {
    checkRange(from, to);
    return this.read('counting samples', () => this.s.countRaw.get(from, to) as number);
  }

  rangesWithData(ranges: readonly { from: number; to: number }[]): boolean[] {
    for (const r of ranges) checkRange(r?.from, r?.to);
    return this.read('listing days with data', () =>
      ranges.map(
        ({ from, to }) => this.s.rawIn.get(from, to) === 1 || this.s.minuteIn.get(from, to) === 1 || this.s.hourIn.get(from, to) === 1,
      ),
    );
  }

  *iterateRows(from: number, to: number): IterableIterator<StoredRow> {
    checkRange(from, to);
    // A chunk at a time, each read in its own short transaction: no statement stays open while
    // the caller holds a row, so it may write to this store (or take its time) meanwhile.
    for (let cur = from; cur < to; ) {
      const chunk = this.read('reading samples', () => this.rawRows.read(cur, to));
      for (let i = 0; i < chunk.count; i++) {
        const layout = this.layout(chunk.layouts[i]!);
        yield { ts: chunk.ts[i]!, series: layout.series, values: this.decodeValues(layout, chunk.data, chunk.offsets[i]!, chunk.offsets[i + 1]!) };
      }
      if (chunk.count < CHUNK_ROWS) return;
      cur = chunk.ts[chunk.count - 1]! + 1;
    }
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

  seriesInRange(from: number, to: number): SeriesInfo[] {
    checkRange(from, to);
    return this.read('listing series', () => {
      const ids = new Set<number>();
      for (const layoutId of this.s.layoutsInRange.all(from, to) as number[]) {
        for (const id of this.layout(layoutId).seriesIds) ids.add(id);
      }
      return [...ids].map((id) => this.seriesById.get(id)!.info).sort((a, b) => compareSeriesKeys(a.key, b.key));
    });
  }

  query(q: SeriesQuery): SeriesQueryResult {
    checkRange(q?.from, q?.to);
    const requested = q.bucketMs ?? null;
    if (requested !== null && !(Number.isSafeInteger(requested) && requested >= 1)) {
      throw new VigilError('invalid_argument', `Invalid bucket width ${String(requested)}: expected a whole number of milliseconds ≥ 1.`);
    }
    const bucketMs = requested === null ? null : effectiveBucketMs(requested);
    const wanted = keyFilter(q.keys);
    return this.read('querying samples', () => this.runQuery(q.from, q.to, bucketMs, wanted));
  }

  private runQuery(from: number, to: number, bucketMs: number | null, wanted: (key: string) => boolean): SeriesQueryResult {
    const segments = planSegments(from, to, bucketMs, this.coverage());
    // Raw points carry no extremes (min = avg = max), unless rollups stand in for deleted raw rows.
    const extremes = bucketMs !== null || segments.some((s) => s.level !== 'raw');
    const acc = this.queryAcc;
    acc.reset();
    const slotMaps = new Map<number, Int32Array>();
    let lastLayoutId = NaN;
    let lastSlots: Int32Array = new Int32Array(0);
    // Slots of a layout's series for this query: the series id, or -1 where `keys` leaves it out.
    const slotsFor = (layoutId: number): Int32Array => {
      if (layoutId === lastLayoutId) return lastSlots;
      let slots = slotMaps.get(layoutId);
      if (!slots) {
        slots = this.layout(layoutId).seriesIds.map((id) => (wanted(this.seriesById.get(id)!.info.key) ? id : -1));
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
        const resolution = this.seriesById.get(id)!.resolution;
        const column: Column = {
          id,
          // same arithmetic as fromSteps: multiply by whole resolutions, divide by 1/fractional ones
          mul: resolution >= 1 ? resolution : 1,
          div: resolution >= 1 ? 1 : Math.round(1 / resolution),
          avg: new Array<number | null>(filled).fill(null),
          min: extremes ? new Array<number | null>(filled).fill(null) : [],
          max: extremes ? new Array<number | null>(filled).fill(null) : [],
        };
        columns.push(column);
        columnOf.set(id, column);
      }
      const { count, sum, min, max } = acc;
      for (const c of columns) {
        const n = count[c.id]!;
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

    let resolution: Resolution = 'raw';
    for (const segment of segments) {
      const source = segment.level === 'raw' ? this.rawRows : segment.level === '1m' ? this.minuteRows : this.hourRows;
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
        const info = this.seriesById.get(c.id)!.info;
        return extremes ? { key: info.key, flags: info.flags, avg: c.avg, min: c.min, max: c.max } : { key: info.key, flags: info.flags, avg: c.avg };
      })
      .sort((a, b) => compareSeriesKeys(a.key, b.key));
    return { from, to, bucketMs, resolution, timestamps, series };
  }

  // ---------------------------------------------------------------- retention and housekeeping

  applyRetention(now: number, policy: RetentionPolicy): { raw: number; minute: number } {
    this.assertOpen();
    if (!Number.isFinite(now)) throw new VigilError('invalid_argument', `Invalid retention time ${String(now)}.`);
    const rawDays = policy?.rawDays;
    const minuteDays = policy?.minuteDays;
    if (!(Number.isFinite(rawDays) && rawDays >= 0 && Number.isFinite(minuteDays) && minuteDays >= rawDays)) {
      throw new VigilError(
        'invalid_argument',
        `Invalid retention: raw ${String(rawDays)} days, minute rollups ${String(minuteDays)} days (need 0 ≤ raw ≤ minute).`,
      );
    }
    const deleted = this.write('applying retention', () => {
      const st = this.state;
      // Whole minutes / hours only, and never past what is rolled up: a late sample must never
      // find its minute half deleted, and nothing goes before it is summarized.
      const rawCut = Math.min(floorTo(now - rawDays * DAY_MS, MINUTE_MS), st.minuteMark ?? -Infinity);
      const minuteCut = Math.min(floorTo(now - minuteDays * DAY_MS, HOUR_MS), st.hourMark ?? -Infinity);
      let raw = 0;
      let minute = 0;
      if (rawCut > st.rawFloor) {
        raw = this.s.deleteRaw.run(rawCut).changes;
        this.s.putMeta.run('raw_floor', rawCut);
        st.rawFloor = rawCut;
      }
      if (minuteCut > st.minuteFloor) {
        minute = this.s.deleteMinutes.run(minuteCut).changes;
        this.s.putMeta.run('minute_floor', minuteCut);
        st.minuteFloor = minuteCut;
      }
      // Disk usage is sampled about once a minute: it lives as long as the minute rollups.
      this.s.deleteDisks.run(now - minuteDays * DAY_MS);
      return { raw, minute };
    });
    if (deleted.raw + deleted.minute > 0) this.reclaimSpace();
    return deleted;
  }

  /** Hands freed pages back to the file system (auto_vacuum = INCREMENTAL) and trims the WAL. */
  private reclaimSpace(): void {
    try {
      this.db.pragma('incremental_vacuum');
      // TRUNCATE resets the WAL file; with a reader active it does what it can, which is fine.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      this.logger.warn('storage: could not reclaim space after retention', { error: toVigilError(error, this.file, 'vacuuming') });
    }
  }

  sizeOnDisk(): number {
    this.assertOpen();
    if (this.file === ':memory:') {
      return (this.db.pragma('page_count', { simple: true }) as number) * (this.db.pragma('page_size', { simple: true }) as number);
    }
    return fileSize(this.file) + fileSize(`${this.file}-wal`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

function prepareStatements(db: Database.Database) {
  const raw = (sql: string) => db.prepare(sql).raw();
  const pluck = (sql: string) => db.prepare(sql).pluck();
  return {
    allSeries: raw('SELECT id, key, flags FROM series ORDER BY id'),
    allLayouts: raw('SELECT id, series_ids FROM layout ORDER BY id'),
    dictionarySignature: pluck(
      "SELECT (SELECT coalesce(max(id), 0) FROM layout) || '/' || (SELECT coalesce(group_concat(id || ':' || flags), '') FROM series)",
    ),
    insertSeries: db.prepare('INSERT INTO series (key, flags) VALUES (?, ?)'),
    updateFlags: db.prepare('UPDATE series SET flags = ? WHERE id = ?'),
    layoutByIds: pluck('SELECT id FROM layout WHERE series_ids = ?'),
    insertLayout: db.prepare('INSERT INTO layout (series_ids) VALUES (?)'),

    insertSample: db.prepare('INSERT OR IGNORE INTO sample (ts, layout, data) VALUES (?, ?, ?)'),
    latestRaw: raw('SELECT ts, layout, data FROM sample ORDER BY ts DESC LIMIT 1'),
    maxRaw: pluck('SELECT max(ts) FROM sample'),
    minRaw: pluck('SELECT min(ts) FROM sample'),
    countRaw: pluck('SELECT count(*) FROM sample WHERE ts >= ? AND ts < ?'),
    layoutsInRange: pluck('SELECT DISTINCT layout FROM sample WHERE ts >= ? AND ts < ?'),
    rawIn: pluck('SELECT EXISTS (SELECT 1 FROM sample WHERE ts >= ? AND ts < ?)'),
    minuteIn: pluck('SELECT EXISTS (SELECT 1 FROM rollup_1m WHERE ts >= ? AND ts < ?)'),
    hourIn: pluck('SELECT EXISTS (SELECT 1 FROM rollup_1h WHERE ts >= ? AND ts < ?)'),

    putMinute: db.prepare('INSERT OR REPLACE INTO rollup_1m (ts, layout, data) VALUES (?, ?, ?)'),
    putHour: db.prepare('INSERT OR REPLACE INTO rollup_1h (ts, layout, data) VALUES (?, ?, ?)'),
    maxMinute: pluck('SELECT max(ts) FROM rollup_1m'),
    minMinute: pluck('SELECT min(ts) FROM rollup_1m'),
    maxHour: pluck('SELECT max(ts) FROM rollup_1h'),

    getMeta: pluck('SELECT value FROM meta WHERE key = ?'),
    putMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    deleteRaw: db.prepare('DELETE FROM sample WHERE ts < ?'),
    deleteMinutes: db.prepare('DELETE FROM rollup_1m WHERE ts < ?'),
    deleteDisks: db.prepare('DELETE FROM disk_sample WHERE ts < ?'),

    mountId: pluck('SELECT id FROM mount WHERE device = ? AND mount_point = ? AND fs_type = ?'),
    insertMount: db.prepare('INSERT INTO mount (device, mount_point, fs_type) VALUES (?, ?, ?)'),
    insertDisk: db.prepare('INSERT OR IGNORE INTO disk_sample (ts, mount, total, used) VALUES (?, ?, ?, ?)'),
    maxDisk: pluck('SELECT max(ts) FROM disk_sample'),
    diskRange: raw(
      `SELECT d.ts, m.device, m.mount_point, m.fs_type, d.total, d.used
         FROM disk_sample d JOIN mount m ON m.id = d.mount
        WHERE d.ts >= ? AND d.ts < ?
        ORDER BY d.ts, m.mount_point, m.device`,
    ),

    latestHost: raw('SELECT ts, data FROM host_snapshot ORDER BY ts DESC LIMIT 1'),
    insertHost: db.prepare('INSERT OR IGNORE INTO host_snapshot (ts, data) VALUES (?, ?)'),
    hostBefore: raw('SELECT ts, data FROM host_snapshot WHERE ts < ? ORDER BY ts DESC LIMIT 1'),
    hostRange: raw('SELECT ts, data FROM host_snapshot WHERE ts >= ? AND ts < ? ORDER BY ts'),
  };
}

// ---------------------------------------------------------------- helpers

function prepareSample(sample: Sample, index: number): Prepared {
  checkTimestamp(sample?.ts, `sample #${index}`);
  let flat: ReturnType<typeof flattenSample>;
  try {
    flat = flattenSample(sample);
  } catch (error) {
    throw new VigilError('invalid_argument', `Sample #${index} (ts ${sample.ts}) is malformed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { ts: sample.ts, series: flat.series, values: flat.values };
}

function checkTimestamp(ts: unknown, what: string): void {
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) {
    throw new VigilError('invalid_argument', `Invalid timestamp ${String(ts)} in ${what}: expected unix milliseconds (a whole number ≥ 0).`);
  }
}

function checkRange(from: unknown, to: unknown): asserts from is number {
  if (typeof from !== 'number' || typeof to !== 'number' || !Number.isSafeInteger(from) || !Number.isSafeInteger(to)) {
    throw new VigilError('invalid_range', `Invalid range [${String(from)}, ${String(to)}): expected two unix-millisecond times (whole numbers).`);
  }
  if (from >= to) throw new VigilError('invalid_range', `Invalid range: the start (${from}) must be before the end (${to}).`);
}

function checkDisk(d: DiskUsage, index: number): DiskUsage {
  const ok =
    d &&
    typeof d.device === 'string' &&
    typeof d.mountPoint === 'string' &&
    typeof d.fsType === 'string' &&
    Number.isFinite(d.total) &&
    Number.isFinite(d.used) &&
    d.total >= 0 &&
    d.used >= 0;
  if (!ok) throw new VigilError('invalid_argument', `Disk #${index} of a disk sample is malformed (device, mount point, fs type, total and used bytes ≥ 0).`);
  return { ...d, total: Math.round(d.total), used: Math.round(d.used) };
}

function sameKeys(a: readonly SeriesInfo[], b: readonly SeriesInfo[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.key !== b[i]!.key) return false;
  return true;
}

function parseIds(text: string): number[] {
  return text === '' ? [] : text.split(',').map(Number);
}

function unionIds(layouts: readonly Layout[]): number[] {
  const ids = new Set<number>();
  for (const l of layouts) for (const id of l.seriesIds) ids.add(id);
  return [...ids];
}

type DiskRow = [ts: number, device: string, mountPoint: string, fsType: string, total: number, used: number];

function groupDisks(rows: readonly DiskRow[]): DiskSample[] {
  const out: DiskSample[] = [];
  for (const [ts, device, mountPoint, fsType, total, used] of rows) {
    let last = out[out.length - 1];
    if (!last || last.ts !== ts) out.push((last = { ts, disks: [] }));
    last.disks.push({ device, mountPoint, fsType, total, used });
  }
  return out;
}

function hostRecord([ts, data]: [number, string]): HostRecord {
  return { ts, host: JSON.parse(data) as HostSnapshot };
}

/** JSON with object keys sorted, so equal snapshots compare equal whatever built them. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
