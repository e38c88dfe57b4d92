// Where the tables stand: the newest raw sample, how far the minute and hour rollups reach,
// and what retention has deleted. Derived from the tables on open (and by a reader at each
// call), never stored apart from them, except the two floors retention writes to meta.
import { HOUR_MS, MINUTE_MS, floorTo, type Coverage } from './plan.js';
import type { Statements } from './statements.js';

export class Watermarks {
  /** Newest raw ts, or null when there is none. */
  lastTs: number | null = null;
  /** Every minute before this is rolled up (null: nothing rolled yet). */
  minuteMark: number | null = null;
  /** Every hour before this is rolled up (null: nothing rolled yet). */
  hourMark: number | null = null;
  /** Retention deleted raw rows before this (and the store refuses samples older than it). */
  rawFloor = -Infinity;
  /** Retention deleted minute rollups before this. */
  minuteFloor = -Infinity;

  constructor(private readonly s: Statements) {}

  derive(): void {
    const s = this.s;
    const maxMinute = s.maxMinute.get() ?? null;
    const maxHour = s.maxHour.get() ?? null;
    let minuteMark: number | null = null;
    if (maxMinute !== null) minuteMark = maxMinute + MINUTE_MS;
    else {
      const minRaw = s.minRaw.get() ?? null;
      if (minRaw !== null) minuteMark = floorTo(minRaw, MINUTE_MS);
    }
    let hourMark: number | null = null;
    if (maxHour !== null) hourMark = maxHour + HOUR_MS;
    else {
      const minMinute = s.minMinute.get() ?? null;
      if (minMinute !== null) hourMark = floorTo(minMinute, HOUR_MS);
    }
    this.lastTs = s.maxRaw.get() ?? null;
    this.minuteMark = minuteMark;
    this.hourMark = hourMark;
    this.rawFloor = s.getMeta.get('raw_floor') ?? -Infinity;
    this.minuteFloor = s.getMeta.get('minute_floor') ?? -Infinity;
  }

  /** What each table holds, for the query planner. */
  coverage(): Coverage {
    return {
      rawFloor: this.rawFloor,
      minuteFloor: this.minuteFloor,
      minuteEnd: this.minuteMark ?? -Infinity,
      hourEnd: this.hourMark ?? -Infinity,
    };
  }
}
