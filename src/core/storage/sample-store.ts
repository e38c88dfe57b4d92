// SampleStore on SQLite (better-sqlite3, WAL): a facade over its parts, each in its own file —
// dictionary.ts (series and layouts), writes.ts (samples), rollups.ts, reads.ts (rows and
// query()), aux-tables.ts (disks, hosts), top-table.ts (each minute's top processes), retention.ts, watermarks.ts (where the tables stand),
// statements.ts. Schema: schema.ts; blob formats: codec.ts; query planning: plan.ts.
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
// Every call runs in one transaction, opened here and only here (write() and read() below): a
// write that fails is rolled back whole, raw rows and rollups together, and the in-memory view
// is re-derived from the tables, so a crash or kill -9 at any moment leaves a consistent file.
// write() is also where "when to commit" is decided.
//
// One writer per database (the agent holds a lock on its data dir); any number of readers,
// e.g. `vigil status` / `vigil export` while the agent runs: WAL lets them read a consistent
// snapshot without blocking it. A read-only store re-derives its view of the tables at each call.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { DiskSample, HostRecord, Sample } from '../../shared/model.js';
import type { TopMinute } from '../../shared/processes.js';
import type { SeriesQuery, SeriesQueryResult } from '../../shared/query.js';
import { VigilError } from '../../shared/errors.js';
import type { SeriesInfo } from '../../shared/series.js';
import { silentLogger, type Logger } from '../log.js';
import { Accumulator } from './accumulator.js';
import { AuxTables, checkDiskSample, checkHostRecord } from './aux-tables.js';
import { CHUNK_ROWS, ChunkReader } from './chunks.js';
import { warnOnceWith, type StoreContext } from './context.js';
import { SeriesDictionary } from './dictionary.js';
import { checkRange, checkTimestamp } from './input-checks.js';
import { effectiveBucketMs } from './plan.js';
import { SampleReader } from './reads.js';
import { Retention, checkRetention } from './retention.js';
import { Rollups } from './rollups.js';
import { SCHEMA_VERSION, migrate, newerSchemaError, schemaVersion } from './schema.js';
import { keyFilter } from './series-order.js';
import { toVigilError } from './sqlite-errors.js';
import { prepareStatements } from './statements.js';
import { TopTable, checkTopMinute } from './top-table.js';
import type { RetentionPolicy, SampleStore, StoredRow } from './types.js';
import { Watermarks } from './watermarks.js';
import { SampleWriter, prepareSample, type StoreOutcome } from './writes.js';

/**
 * SQLite page cache per connection. 512 KiB: queries and appends are no slower than with 2, 8 or
 * 64 MiB (bench/storage.ts; the OS page cache does the rest), while the cache is what the
 * agent's resident memory grows by until it plateaus: with 2 MiB the malloc heap settles ~2 MB
 * higher, which the agent's 50 MB budget cannot spare (measured over days of fast-forwarded
 * ticks). The hub opens one store per machine, where a small cache matters even more.
 */
export const DEFAULT_CACHE_KIB = 512;

export interface SampleStoreOptions {
  /** Open an existing database for reading only (status, export while the agent writes). */
  readonly?: boolean;
  logger?: Logger;
  /** SQLite page cache size in KiB (default DEFAULT_CACHE_KIB). */
  cacheKiB?: number;
  /**
   * 'normal' (default): a commit survives a crash of the process, not always a power cut
   * (synchronous=NORMAL); 'full': each commit is fsynced before it returns (synchronous=FULL).
   */
  durability?: 'normal' | 'full';
  /** Runs on the connection once the store has set it up: tuning, and tests (max_page_count). */
  configure?: (db: Database.Database) => void;
}

/** Opens (creating and migrating if needed) the sample database at `file` (':memory:' for tests). */
export function openSampleStore(file: string, options: SampleStoreOptions = {}): SampleStore {
  return new SqliteSampleStore(file, options);
}

class SqliteSampleStore implements SampleStore {
  private readonly db: Database.Database;
  private readonly readonly: boolean;
  private readonly context: StoreContext;
  private readonly transaction: (fn: () => unknown) => unknown;
  private readonly dictionary: SeriesDictionary;
  private readonly marks: Watermarks;
  private readonly writer: SampleWriter;
  private readonly reader: SampleReader;
  private readonly aux: AuxTables;
  private readonly top: TopTable;
  private readonly retention: Retention;
  /** Set when a write failed: in-memory state may be ahead of what was rolled back. */
  private stale = false;
  private closed = false;

  constructor(
    private readonly file: string,
    options: SampleStoreOptions,
  ) {
    const logger = options.logger ?? silentLogger;
    this.readonly = options.readonly ?? false;
    this.db = openDatabase(file, this.readonly, logger, options);
    try {
      const db = this.db;
      this.context = {
        db,
        file,
        logger,
        s: prepareStatements(db),
        rows: { raw: new ChunkReader(db, 'sample'), minute: new ChunkReader(db, 'rollup_1m'), hour: new ChunkReader(db, 'rollup_1h') },
        warnOnce: warnOnceWith(logger),
      };
      this.transaction = db.transaction((fn: () => unknown) => fn());
      this.marks = new Watermarks(this.context.s);
      // Slots by series id, one set for writing rollups and one for queries.
      const rollAcc = new Accumulator();
      const queryAcc = new Accumulator();
      this.dictionary = new SeriesDictionary(this.context, (idLimit) => {
        rollAcc.ensure(idLimit);
        queryAcc.ensure(idLimit);
      });
      const rollups = new Rollups(this.context, this.dictionary, this.marks, rollAcc);
      this.reader = new SampleReader(this.context, this.dictionary, this.marks, queryAcc);
      this.writer = new SampleWriter(this.context, this.dictionary, this.marks, rollups);
      this.aux = new AuxTables(this.context.s);
      this.top = new TopTable(this.context.s);
      this.retention = new Retention(this.context, this.marks);
      this.dictionary.load();
      this.marks.derive();
    } catch (error) {
      this.db.close();
      throw toVigilError(error, file, 'opening it');
    }
  }

  // ---------------------------------------------------------------- transactions

  private assertOpen(): void {
    if (this.closed) throw new VigilError('internal', 'The sample store is closed.');
  }

  /**
   * The one write path: every write runs in one transaction, committed when `fn` returns. On
   * failure it is rolled back, and the dictionaries and watermarks are re-derived from the tables.
   */
  private write<T>(doing: string, fn: () => T): T {
    this.assertOpen();
    if (this.readonly) throw new VigilError('invalid_argument', `The Vigil database ${this.file} is open read-only; cannot ${doing}.`);
    if (this.stale) this.resync();
    try {
      return this.transaction(fn) as T;
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
      return this.transaction(() => {
        this.refreshForRead();
        return fn();
      }) as T;
    } catch (error) {
      throw toVigilError(error, this.file, doing);
    }
  }

  /** Readers see another connection's writes: refresh what we derived from the tables. */
  private refreshForRead(): void {
    if (this.stale) this.resync();
    if (!this.readonly) return;
    if (this.dictionary.changed()) this.dictionary.load();
    this.marks.derive();
  }

  private resync(): void {
    try {
      this.dictionary.load();
      this.marks.derive();
      this.stale = false;
    } catch {
      // Still failing (disk gone?): try again at the next call.
    }
  }

  // ---------------------------------------------------------------- writing

  insertSamples(samples: readonly Sample[]): number {
    return this.storeSamples(samples).inserted;
  }

  storeSamples(samples: readonly Sample[]): StoreOutcome {
    this.assertOpen();
    if (samples.length === 0) return { inserted: 0, tooOld: 0 };
    const prepared = samples.map((sample, i) => prepareSample(sample, i));
    return this.write(`storing ${samples.length} sample${samples.length === 1 ? '' : 's'}`, () => this.writer.insert(prepared));
  }

  insertDiskSample(sample: DiskSample): void {
    this.assertOpen();
    const disks = checkDiskSample(sample);
    this.write('storing a disk sample', () => this.aux.insertDisks(sample.ts, disks));
  }

  insertHostSnapshot(record: HostRecord): boolean {
    this.assertOpen();
    const json = checkHostRecord(record);
    return this.write('storing a host snapshot', () => this.aux.insertHost(record.ts, json));
  }

  insertTopMinute(minute: TopMinute): void {
    this.assertOpen();
    const checked = checkTopMinute(minute);
    this.write('storing the top processes', () => this.top.insert(checked));
  }

  applyRetention(now: number, policy: RetentionPolicy): { raw: number; minute: number } {
    this.assertOpen();
    checkRetention(now, policy);
    const deleted = this.write('applying retention', () => this.retention.apply(now, policy));
    if (deleted.raw + deleted.minute > 0) this.retention.reclaimSpace();
    return deleted;
  }

  // ---------------------------------------------------------------- reading

  latestSample(): Sample | null {
    return this.read('reading the latest sample', () => this.reader.latestSample());
  }

  lastTimestamp(): number | null {
    return this.read('reading', () => this.reader.lastTimestamp());
  }

  firstTimestamp(): number | null {
    return this.read('reading', () => this.reader.firstTimestamp());
  }

  countSamples(from: number, to: number): number {
    checkRange(from, to);
    return this.read('counting samples', () => this.reader.countSamples(from, to));
  }

  rangesWithData(ranges: readonly { from: number; to: number }[]): boolean[] {
    for (const r of ranges) checkRange(r?.from, r?.to);
    return this.read('listing days with data', () => this.reader.rangesWithData(ranges));
  }

  *iterateRows(from: number, to: number): IterableIterator<StoredRow> {
    checkRange(from, to);
    // A chunk at a time, each read in its own short transaction: no statement stays open while
    // the caller holds a row, so it may write to this store (or take its time) meanwhile.
    for (let cur = from; cur < to; ) {
      const chunk = this.read('reading samples', () => this.context.rows.raw.read(cur, to));
      for (let i = 0; i < chunk.count; i++) yield this.reader.rowOf(chunk, i);
      if (chunk.count < CHUNK_ROWS) return;
      cur = chunk.ts[chunk.count - 1]! + 1;
    }
  }

  seriesInRange(from: number, to: number): SeriesInfo[] {
    checkRange(from, to);
    return this.read('listing series', () => this.reader.seriesInRange(from, to));
  }

  seriesInOrderSeen(from: number, to: number): SeriesInfo[][] {
    checkRange(from, to);
    return this.read('listing series', () => this.reader.seriesInOrderSeen(from, to));
  }

  query(q: SeriesQuery): SeriesQueryResult {
    checkRange(q?.from, q?.to);
    const requested = q.bucketMs ?? null;
    if (requested !== null && !(Number.isSafeInteger(requested) && requested >= 1)) {
      throw new VigilError('invalid_argument', `Invalid bucket width ${String(requested)}: expected a whole number of milliseconds ≥ 1.`);
    }
    const bucketMs = requested === null ? null : effectiveBucketMs(requested);
    const wanted = keyFilter(q.keys);
    return this.read('querying samples', () => this.reader.query(q.from, q.to, bucketMs, wanted, q.counts === true));
  }

  latestHost(): HostRecord | null {
    return this.read('reading the host', () => this.aux.latestHost());
  }

  hostHistory(from: number, to: number): HostRecord[] {
    checkRange(from, to);
    return this.read('reading host history', () => this.aux.hostHistory(from, to));
  }

  latestDisks(): DiskSample | null {
    return this.read('reading disks', () => this.aux.latestDisks());
  }

  diskSamples(from: number, to: number): DiskSample[] {
    checkRange(from, to);
    return this.read('reading disks', () => this.aux.diskSamples(from, to));
  }

  topMinute(ts: number): TopMinute | null {
    checkTimestamp(ts, 'a top-processes query');
    return this.read('reading the top processes', () => this.top.at(ts));
  }

  // ---------------------------------------------------------------- housekeeping

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

function openDatabase(file: string, readonly: boolean, logger: Logger, options: SampleStoreOptions): Database.Database {
  if (readonly && (file === ':memory:' || !fs.existsSync(file))) {
    throw new VigilError('not_found', `No Vigil database at ${file}: run the agent first (vigil agent) to create it.`);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, readonly ? { readonly: true, fileMustExist: true } : {});
    if (readonly) {
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
      // FULL (the hub's hub.durability) fsyncs the WAL at each commit.
      db.pragma(options.durability === 'full' ? 'synchronous = FULL' : 'synchronous = NORMAL');
      // Caps the WAL file left behind after a checkpoint (it is reused, not shrunk, otherwise).
      db.pragma('journal_size_limit = 4194304');
      migrate(db, file, logger);
    }
    db.pragma(`cache_size = -${Math.max(64, Math.round(options.cacheKiB ?? DEFAULT_CACHE_KIB))}`);
    options.configure?.(db);
    return db;
  } catch (error) {
    db?.close();
    throw toVigilError(error, file, 'opening it');
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
