// Retention: raw rows older than rawDays and minute rollups (with disk usage and each minute's
// top processes) older than minuteDays go; hour
// rollups stay forever. Whole minutes / hours only, and never past what is rolled up, so a late
// sample never finds its minute half deleted and nothing goes before it is summarized.
import { VigilError } from '../../shared/errors.js';
import type { StoreContext } from './context.js';
import { HOUR_MS, MINUTE_MS, floorTo } from './plan.js';
import { toVigilError } from './sqlite-errors.js';
import type { RetentionPolicy } from './types.js';
import type { Watermarks } from './watermarks.js';

const DAY_MS = 86_400_000;

export interface Deleted {
  raw: number;
  minute: number;
}

export function checkRetention(now: number, policy: RetentionPolicy): void {
  if (!Number.isFinite(now)) throw new VigilError('invalid_argument', `Invalid retention time ${String(now)}.`);
  const rawDays = policy?.rawDays;
  const minuteDays = policy?.minuteDays;
  if (!(Number.isFinite(rawDays) && rawDays >= 0 && Number.isFinite(minuteDays) && minuteDays >= rawDays)) {
    throw new VigilError('invalid_argument', `Invalid retention: raw ${String(rawDays)} days, minute rollups ${String(minuteDays)} days (need 0 ≤ raw ≤ minute).`);
  }
}

export class Retention {
  constructor(
    private readonly context: StoreContext,
    private readonly marks: Watermarks,
  ) {}

  /** Deletes what the policy no longer keeps; inside the facade's write transaction. */
  apply(now: number, policy: RetentionPolicy): Deleted {
    const st = this.marks;
    const s = this.context.s;
    const rawCut = Math.min(floorTo(now - policy.rawDays * DAY_MS, MINUTE_MS), st.minuteMark ?? -Infinity);
    const minuteCut = Math.min(floorTo(now - policy.minuteDays * DAY_MS, HOUR_MS), st.hourMark ?? -Infinity);
    let raw = 0;
    let minute = 0;
    if (rawCut > st.rawFloor) {
      raw = s.deleteRaw.run(rawCut).changes;
      s.putMeta.run('raw_floor', rawCut);
      st.rawFloor = rawCut;
    }
    if (minuteCut > st.minuteFloor) {
      minute = s.deleteMinutes.run(minuteCut).changes;
      s.putMeta.run('minute_floor', minuteCut);
      st.minuteFloor = minuteCut;
    }
    // Disk usage is sampled about once a minute: it lives as long as the minute rollups.
    s.deleteDisks.run(now - policy.minuteDays * DAY_MS);
    // So are the top processes of each minute, recorded beside the minute rollups.
    s.deleteTop.run(now - policy.minuteDays * DAY_MS);
    return { raw, minute };
  }

  /** Hands freed pages back to the file system (auto_vacuum = INCREMENTAL) and trims the WAL; after the commit. */
  reclaimSpace(): void {
    try {
      this.context.db.pragma('incremental_vacuum');
      // TRUNCATE resets the WAL file; with a reader active it does what it can, which is fine.
      this.context.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      this.context.logger.warn('storage: could not reclaim space after retention', { error: toVigilError(error, this.context.file, 'vacuuming') });
    }
  }
}
