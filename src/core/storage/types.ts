// The storage contract the rest of the core builds on. SQLite (better-sqlite3) is the source of
// truth; see sample-store.ts for the schema and why it is shaped the way it is.
import type { DiskSample, HostRecord, Sample } from '../../shared/model.js';
import type { TopMinute } from '../../shared/processes.js';
import type { SeriesQuery, SeriesQueryResult } from '../../shared/query.js';
import type { SeriesInfo } from '../../shared/series.js';

/** One raw sample as stored: values line up with `series`; null = no value that tick. */
export interface StoredRow {
  ts: number;
  series: readonly SeriesInfo[];
  values: readonly (number | null)[];
}

export interface RetentionPolicy {
  /** Raw (per-tick) samples are kept this many days (default 30). */
  rawDays: number;
  /** 1-minute rollups are kept this many days (default 365). 1-hour rollups are kept forever. */
  minuteDays: number;
}

export interface SampleStore {
  /**
   * Stores samples in one transaction. Any order; a sample whose ts is already stored is
   * ignored (idempotent), so re-sent or replayed batches never duplicate. Keeps rollups of
   * complete minutes and hours up to date, including minutes that late samples fall into.
   * Samples older than what retention has already deleted (their period survives only as
   * rollups) are ignored and logged. Returns how many samples were new.
   */
  insertSamples(samples: readonly Sample[]): number;
  /** insertSamples, telling also how many were ignored as older than the raw retention (the hub tells its agents). */
  storeSamples(samples: readonly Sample[]): { inserted: number; tooOld: number };
  insertDiskSample(sample: DiskSample): void;
  /** Records a host snapshot unless it equals the latest one; returns whether it was stored. */
  insertHostSnapshot(record: HostRecord): boolean;
  /** Records a minute's top processes (replacing what that minute had); kept as long as the minute rollups. */
  insertTopMinute(minute: TopMinute): void;

  latestSample(): Sample | null;
  latestHost(): HostRecord | null;
  /** Latest disk usage per mount. */
  latestDisks(): DiskSample | null;
  /** The ts of the newest / oldest stored raw sample, or null when empty. */
  lastTimestamp(): number | null;
  firstTimestamp(): number | null;
  countSamples(from: number, to: number): number;
  /**
   * For each [from, to): whether it holds any data — a raw sample, or a minute or hour rollup
   * starting in it (what outlives the raw rows). A calendar's "days with data", one index seek
   * per table and range.
   */
  rangesWithData(ranges: readonly { from: number; to: number }[]): boolean[];

  /** Raw samples in [from, to), oldest first, streamed (constant memory for any range). */
  iterateRows(from: number, to: number): IterableIterator<StoredRow>;
  /** Every series that has at least one raw sample in [from, to), in canonical order. */
  seriesInRange(from: number, to: number): SeriesInfo[];
  /**
   * The same series grouped by the raw sample that first had them (oldest first), each group in
   * canonical order: the order in which a daily CSV gained its columns.
   */
  seriesInOrderSeen(from: number, to: number): SeriesInfo[][];
  /**
   * Min/avg/max buckets (or raw samples) for charts; see SeriesQuery. Buckets start at `from`
   * (bucket i = [from + i·w, from + (i+1)·w)). A width of a minute or more is rounded up to
   * whole minutes so rollups can answer it (a day at 144 s → 180 s): `bucketMs` in the result
   * is the width used. `resolution` names the coarsest table that answered.
   */
  query(query: SeriesQuery): SeriesQueryResult;
  /** Disk samples in [from, to). */
  diskSamples(from: number, to: number): DiskSample[];
  /** The top processes recorded for the minute starting at `ts` (a whole minute), or null. */
  topMinute(ts: number): TopMinute | null;
  /** Host snapshots in [from, to), plus the one in force at `from`. */
  hostHistory(from: number, to: number): HostRecord[];

  /** Deletes what the policy no longer keeps (rolling it up first); returns rows deleted. */
  applyRetention(now: number, policy: RetentionPolicy): { raw: number; minute: number };
  /** Bytes the database occupies on disk (main file + WAL). */
  sizeOnDisk(): number;
  close(): void;
}
