// The outbox: the agent's own samples table, read after a target's cursor. No copy of the data
// is queued anywhere: whatever the database still holds (local retention) can be sent, oldest
// first, however long the target was away.
//
// Reads go through a read-only connection of their own, one short transaction per slice, so sync
// never holds the engine's writer and never makes sampling wait (WAL: readers and the writer do
// not block each other).
import type { DiskSample, HostRecord, Sample } from '../../shared/model.js';
import { unflattenSample } from '../../shared/series.js';
import type { SampleStore } from '../storage/types.js';

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

  /** How many stored samples are newer than the cursor (what a target still lacks). */
  pending(cursor: number | null): number {
    const last = this.store.lastTimestamp();
    if (last === null) return 0;
    const from = cursor === null ? this.store.firstTimestamp() : cursor + 1;
    if (from === null || from > last) return 0;
    return this.store.countSamples(from, last + 1);
  }

  private currentHost(): HostRecord[] {
    const host = this.store.latestHost();
    return host ? [host] : [];
  }
}
