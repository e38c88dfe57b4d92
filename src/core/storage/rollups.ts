// Minute and hour rollups: count/min/max/sum per series for every complete UTC minute (from the
// raw rows) and hour (from the minute rows). Run inside the transaction that wrote the raw rows
// they summarize, so after a crash they are never behind. A minute is complete once a later
// sample exists.
import { feedRaw, feedRollup, type Accumulator } from './accumulator.js';
import { ByteWriter, writeSummary } from './codec.js';
import type { StoreContext } from './context.js';
import { unionIds, type Layout, type SeriesDictionary } from './dictionary.js';
import { HOUR_MS, MINUTE_MS, floorTo } from './plan.js';
import type { Watermarks } from './watermarks.js';

export class Rollups {
  private readonly writer = new ByteWriter();

  constructor(
    private readonly context: StoreContext,
    private readonly dictionary: SeriesDictionary,
    private readonly marks: Watermarks,
    /** Slots by series id, sized by the dictionary as it grows. */
    private readonly accumulator: Accumulator,
  ) {}

  /**
   * Rolls every complete minute not rolled yet, and re-rolls the already rolled minutes that
   * late samples fell into; then the same for hours, from the minute rows.
   */
  update(dirtyMinutes: ReadonlySet<number>): void {
    const st = this.marks;
    const s = this.context.s;
    if (st.lastTs === null) return;
    // Raw rows exist here (lastTs is set): min(ts) is not NULL.
    if (st.minuteMark === null) st.minuteMark = floorTo(s.minRaw.get()!, MINUTE_MS);
    const minutesComplete = floorTo(st.lastTs, MINUTE_MS);
    if (minutesComplete > st.minuteMark) {
      this.roll('1m', st.minuteMark, minutesComplete);
      st.minuteMark = minutesComplete;
    }
    for (const minute of dirtyMinutes) this.roll('1m', minute, minute + MINUTE_MS);

    const hourBefore = st.hourMark;
    if (st.hourMark === null) {
      const first = s.minMinute.get() ?? null;
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
    const source = level === '1m' ? this.context.rows.raw : this.context.rows.minute;
    const feed = level === '1m' ? feedRaw : feedRollup;
    const put = level === '1m' ? this.context.s.putMinute : this.context.s.putHour;
    const acc = this.accumulator;
    const seen: Layout[] = [];
    let bucket = NaN;
    const flush = (): void => {
      if (seen.length === 0) return;
      // A bucket that saw several layouts (interface churn) gets their union.
      const layout = seen.length === 1 ? seen[0]! : this.dictionary.layoutForIds(unionIds(seen));
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
        const layout = this.dictionary.layout(chunk.layouts[i]!);
        if (!seen.includes(layout)) seen.push(layout);
        feed(chunk.data, chunk.offsets[i]!, chunk.offsets[i + 1]!, layout.seriesIds, acc);
      }
    }
    flush();
  }
}
