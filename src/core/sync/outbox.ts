// The outbox: the agent's own samples table, read after a target's cursor. No copy of the data
// is queued anywhere: whatever the database still holds (local retention) can be sent, oldest
// first, however long the target was away.
//
// Reads go through a read-only connection of their own, one short transaction per slice, so sync
// never holds the engine's writer and never makes sampling wait (WAL: readers and the writer do
// not block each other).
import type { DiskSample, HostRecord, Sample } from '../../shared/model.js';
import { unflattenSample } from '../../shared/series.js';
import type { SampleStore, StoredRow } from '../storage/types.js';
import { aggregateDisks, aggregateRows, windowStart } from './windows.js';

export interface OutboxSlice {
  /** Exclusive lower bound: the cursor the slice was read after (or just before the oldest sample). */
  fromTs: number;
  /** Inclusive upper bound: the newest sample's ts in the slice (= fromTs when it holds none). */
  toTs: number;
  samples: Sample[];
  disks: DiskSample[];
  hosts: HostRecord[];
}

/** How far before the oldest sample the first slice looks for the disk reading in force (two of the longest sampling intervals). */
const FIRST_DISK_LOOKBACK_MS = 2 * 3600 * 1000;

export class Outbox {
  constructor(private readonly store: SampleStore) {}

  /**
   * Up to `max` samples with ts > cursor, oldest first, with the disk samples and host snapshots
   * of the same window. `cursor` null means nothing was ever sent: start at the oldest retained
   * sample and include the host snapshot in force then, so the target learns what the machine is.
   */
  next(cursor: number | null, max: number): OutboxSlice {
    const first = cursor === null ? this.store.firstTimestamp() : cursor + 1;
    const last = this.store.lastTimestamp();
    if (first === null || last === null || last < first) {
      const at = cursor ?? (last ?? 0);
      return { fromTs: at, toTs: at, samples: [], disks: [], hosts: cursor === null && last === null ? this.currentHost() : [] };
    }
    const samples: Sample[] = [];
    for (const row of this.store.iterateRows(first, last + 1)) {
      samples.push(unflattenSample(row.ts, row.series, row.values));
      if (samples.length >= max) break;
    }
    const fromTs = first - 1;
    const toTs = samples.length > 0 ? samples[samples.length - 1]!.ts : fromTs;
    if (toTs === fromTs) return { fromTs, toTs, samples, disks: [], hosts: [] };
    const disks = this.store.diskSamples(first, toTs + 1);
    if (cursor === null) {
      // The disk reading taken at start comes before the first sample (a baseline tick): like
      // the host snapshot, the one in force when the samples begin goes with them.
      const before = this.store.diskSamples(Math.max(0, first - FIRST_DISK_LOOKBACK_MS), first).at(-1);
      if (before) disks.unshift(before);
    }
    const history = this.store.hostHistory(first, toTs + 1);
    const hosts = cursor === null ? history : history.filter((h) => h.ts >= first);
    return { fromTs, toTs, samples, disks, hosts };
  }

  /** The next slice for a target: its samples as they are, or in windows (windowMs); `raw` counts the stored samples it covers. */
  nextFor(target: { windowMs?: number }, cursor: number | null, max: number): OutboxSlice & { raw: number } {
    if (target.windowMs) return this.nextWindows(cursor, max, target.windowMs);
    const slice = this.next(cursor, max);
    return { ...slice, raw: slice.samples.length };
  }

  /**
   * For a target that takes one point per window of `windowMs` (windows.ts): up to about `max`
   * samples after the cursor as whole, complete windows, each averaged into one sample at the
   * window's start, with the disk readings of those windows averaged the same way. A window is
   * complete once the store holds a sample at or after its end: samples are stored in time
   * order, so none can join it any more. The newest window (the one still filling) is never in
   * a slice, however long ago its last sample was: it stays in the database, the source of
   * truth, until a later sample completes it, across restarts (then it holds the samples of both
   * runs, and its point is written once). A window is never split between slices: a slice may
   * exceed `max` by the rest of its last window. `toTs` is the last window's end − 1, so the
   * next slice starts at a window boundary. `raw` counts the samples read.
   */
  nextWindows(cursor: number | null, max: number, windowMs: number): OutboxSlice & { raw: number } {
    const first = cursor === null ? this.store.firstTimestamp() : cursor + 1;
    const last = this.store.lastTimestamp();
    const at = cursor ?? (last ?? 0);
    const nothing = { fromTs: at, toTs: at, samples: [], disks: [], hosts: cursor === null && last === null ? this.currentHost() : [], raw: 0 };
    if (first === null || last === null) return nothing;
    // Everything before the start of the newest sample's window is in complete windows.
    const completeBefore = windowStart(last, windowMs);
    if (completeBefore <= first) return nothing;
    const samples: Sample[] = [];
    let raw = 0;
    let rows: StoredRow[] = [];
    let current = -1;
    for (const row of this.store.iterateRows(first, completeBefore)) {
      const start = windowStart(row.ts, windowMs);
      if (start !== current) {
        if (rows.length > 0) samples.push(unflattenRow(aggregateRows(current, rows)));
        rows = [];
        current = start;
        if (raw >= max) break;
      }
      rows.push(row);
      raw++;
    }
    if (rows.length > 0) samples.push(unflattenRow(aggregateRows(current, rows)));
    const fromTs = first - 1;
    if (samples.length === 0) return { ...nothing, fromTs, toTs: fromTs };
    const toTs = samples.at(-1)!.ts + windowMs - 1;
    // The first slice also takes a reading from before the oldest sample in its window (the one taken at start).
    const disks = aggregateDisks(this.store.diskSamples(cursor === null ? windowStart(first, windowMs) : first, toTs + 1), windowMs);
    const history = this.store.hostHistory(first, toTs + 1);
    const hosts = cursor === null ? history : history.filter((h) => h.ts >= first);
    return { fromTs, toTs, samples, disks, hosts, raw };
  }

  /**
   * How many stored samples are newer than the cursor (what a target still lacks). For a target
   * that takes windows (`windowMs`), those of the window still filling are not counted: they wait
   * by design, not for the target.
   */
  pending(cursor: number | null, windowMs?: number): number {
    const last = this.store.lastTimestamp();
    if (last === null) return 0;
    const from = cursor === null ? this.store.firstTimestamp() : cursor + 1;
    const to = windowMs ? windowStart(last, windowMs) : last + 1;
    if (from === null || from >= to) return 0;
    return this.store.countSamples(from, to);
  }

  private currentHost(): HostRecord[] {
    const host = this.store.latestHost();
    return host ? [host] : [];
  }
}

function unflattenRow(row: StoredRow): Sample {
  return unflattenSample(row.ts, row.series, row.values);
}
