// Writing samples: one row per tick, ts (unix ms) as the rowid, values packed in one blob as
// varints of integer steps whose meaning comes from the row's layout. Runs inside the facade's
// one write transaction, together with the rollups of what it wrote.
import { VigilError } from '../../shared/errors.js';
import type { Sample } from '../../shared/model.js';
import { flattenSample, toSteps, type SeriesInfo } from '../../shared/series.js';
import { ByteWriter, MAX_STEPS } from './codec.js';
import type { StoreContext } from './context.js';
import type { Layout, SeriesDictionary } from './dictionary.js';
import { checkTimestamp } from './input-checks.js';
import { MINUTE_MS, floorTo } from './plan.js';
import type { Rollups } from './rollups.js';
import type { Watermarks } from './watermarks.js';

/** A sample checked and flattened, before the transaction starts (a bad one fails the call early). */
export interface PreparedSample {
  ts: number;
  series: SeriesInfo[];
  values: (number | null)[];
}

export interface StoreOutcome {
  /** Samples that were new. */
  inserted: number;
  /** Samples older than what retention already deleted: ignored. */
  tooOld: number;
}

export function prepareSample(sample: Sample, index: number): PreparedSample {
  checkTimestamp(sample?.ts, `sample #${index}`);
  let flat: ReturnType<typeof flattenSample>;
  try {
    flat = flattenSample(sample);
  } catch (error) {
    throw new VigilError('invalid_argument', `Sample #${index} (ts ${sample.ts}) is malformed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { ts: sample.ts, series: flat.series, values: flat.values };
}

export class SampleWriter {
  private readonly writer = new ByteWriter();

  constructor(
    private readonly context: StoreContext,
    private readonly dictionary: SeriesDictionary,
    private readonly marks: Watermarks,
    private readonly rollups: Rollups,
  ) {}

  /** Stores the samples (a ts already stored is ignored) and rolls up what they completed or changed. */
  insert(prepared: readonly PreparedSample[]): StoreOutcome {
    const st = this.marks;
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
      const layout = this.dictionary.layoutFor(p.series);
      this.encodeValues(layout, p.values);
      if (this.context.s.insertSample.run(p.ts, layout.id, this.writer.view()).changes === 0) continue;
      added++;
      if (p.ts > newest) newest = p.ts;
      if (markBefore !== null && p.ts < markBefore) dirtyMinutes.add(floorTo(p.ts, MINUTE_MS));
    }
    if (tooOld > 0) {
      this.context.logger.warn('storage: samples older than the raw retention ignored (their period is already rolled up and thinned)', {
        count: tooOld,
        rawFloor: new Date(st.rawFloor).toISOString(),
      });
    }
    if (added > 0) {
      if (st.lastTs === null || newest > st.lastTs) st.lastTs = newest;
      this.rollups.update(dirtyMinutes);
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
          this.context.warnOnce(`nan:${key}`, 'storage: non-numeric value stored as "no value"', { key, value: String(v) });
          w.uint(0);
          continue;
        }
        // Never negative by definition (rates, bytes, %): a negative one is an upstream bug.
        this.context.warnOnce(steps < 0 ? `neg:${key}` : `big:${key}`, 'storage: out-of-range value clamped', { key, value: v });
        steps = steps < 0 ? 0 : MAX_STEPS;
      }
      w.uint(steps + 1);
    }
  }
}
