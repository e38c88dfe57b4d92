// SampleStore.rangesWithData: a calendar's "days with data", answered from raw rows, and from the
// rollups once retention has thinned the raw rows (and then the minute rows) away.
import { describe, expect, it } from 'vitest';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import { randomSamples } from '../../helpers/random.js';

const DAY = 86_400_000;
const D0 = Date.UTC(2025, 0, 6); // a Monday, 00:00 UTC

describe('rangesWithData', () => {
  it('tells, per range, whether any raw sample or rollup lies in it; retention keeps the answer', () => {
    const store = openSampleStore(':memory:');
    // Day 0: two hours of samples; day 1: nothing; day 2: one minute at 10:00.
    store.insertSamples(randomSamples(D0 + 3_600_000, 7200, 1000, 1));
    store.insertSamples(randomSamples(D0 + 2 * DAY + 10 * 3_600_000, 60, 1000, 2));
    // A later sample so that day 2's minute is complete and rolled up.
    store.insertSamples(randomSamples(D0 + 3 * DAY, 1, 1000, 3));
    const days = [0, 1, 2, 4].map((i) => ({ from: D0 + i * DAY, to: D0 + (i + 1) * DAY }));
    expect(store.rangesWithData(days)).toEqual([true, false, true, false]);
    // Edges are half-open: the hour before the first sample is empty, the one holding it is not.
    expect(store.rangesWithData([{ from: D0, to: D0 + 3_600_000 }, { from: D0 + 3_600_000, to: D0 + 3_600_001 }])).toEqual([false, true]);

    // 100 days later, raw rows are gone: the minute rollups answer…
    store.applyRetention(D0 + 100 * DAY, { rawDays: 1, minuteDays: 365 });
    expect(store.countSamples(D0, D0 + 3 * DAY)).toBe(0);
    expect(store.rangesWithData(days)).toEqual([true, false, true, false]);
    // …then they are gone too, and the hour rollups answer.
    store.applyRetention(D0 + 100 * DAY, { rawDays: 1, minuteDays: 2 });
    expect(store.query({ from: D0, to: D0 + 3 * DAY, bucketMs: 3_600_000 }).resolution).toBe('1h');
    expect(store.rangesWithData(days)).toEqual([true, false, true, false]);
    expect(store.rangesWithData([])).toEqual([]);
    expect(() => store.rangesWithData([{ from: D0 + DAY, to: D0 }])).toThrow(expect.objectContaining({ code: 'invalid_range' }));
    store.close();
  });
});
