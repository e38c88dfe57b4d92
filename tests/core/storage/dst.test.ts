// A local day as the user names it (DD-MM-YYYY) lasts 23, 23.5, 24.5 or 25 hours on DST changes,
// and starts on a half hour in some zones. Queries over dayBounds() must bucket such days from
// local midnight and agree with a naive computation, whichever table answers.
//
// Node re-reads process.env.TZ when it is assigned (Date picks the new zone at once), and vitest
// runs each test file in its own process, so the zone is switched per test and restored after.
import { afterEach, describe, expect, it } from 'vitest';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import { dayBounds, parseDay } from '../../../src/shared/dates.js';
import type { Sample } from '../../../src/shared/model.js';
import { closeTo, naiveBuckets } from './helpers.js';
import { randomSample, seededRandom } from '../../helpers/random.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const savedTz = process.env.TZ;
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

const cases = [
  // zone, day, expected UTC bounds, hours, are hour rollups aligned with local midnight?
  ['Europe/Paris', '29-03-2026', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', 23, true],
  ['Europe/Paris', '25-10-2026', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', 25, true],
  ['America/New_York', '08-03-2026', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', 23, true],
  ['America/New_York', '01-11-2026', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', 25, true],
  ['Australia/Lord_Howe', '05-04-2026', '2026-04-04T13:00:00.000Z', '2026-04-05T13:30:00.000Z', 24.5, true],
  ['Australia/Lord_Howe', '04-10-2026', '2026-10-03T13:30:00.000Z', '2026-10-04T13:00:00.000Z', 23.5, false],
  ['Asia/Kolkata', '22-11-2026', '2026-11-21T18:30:00.000Z', '2026-11-22T18:30:00.000Z', 24, false],
] as const;

describe.each(cases)('%s, %s', (zone, day, fromIso, toIso, hours, hourAligned) => {
  it('buckets the local day from local midnight and matches a naive computation', () => {
    process.env.TZ = zone;
    const { from, to } = dayBounds(parseDay(day));
    expect(new Date(from).toISOString()).toBe(fromIso);
    expect(new Date(to).toISOString()).toBe(toIso);
    expect((to - from) / HOUR).toBe(hours);

    // a sample every 20 s from two hours before to two hours after the day, a few missing
    const random = seededRandom(hours * 10);
    const samples: Sample[] = [];
    for (let t = from - 2 * HOUR; t < to + 2 * HOUR; t += 20_000) if (random() > 0.02) samples.push(randomSample(t, random, { cores: 2 }));
    const store = openSampleStore(':memory:');
    try {
      store.insertSamples(samples);
      for (const bucketMs of [MIN, 15 * MIN, HOUR]) {
        const result = store.query({ from, to, bucketMs });
        expect(result.resolution).toBe(bucketMs === HOUR && hourAligned ? '1h' : '1m');
        expect(result.timestamps[0]).toBe(from);
        expect(result.timestamps).toHaveLength(Math.ceil((to - from) / bucketMs));
        expect(result.timestamps.every((ts, i) => ts === from + i * bucketMs)).toBe(true);
        const naive = naiveBuckets(samples, from, to, bucketMs);
        for (const key of ['cpu', 'mem.used', 'net.eth0.rx']) {
          const column = result.series.find((s) => s.key === key)!;
          expect(column.max).toEqual(naive.map((b) => b.values.get(key)?.max ?? null));
          expect(column.min).toEqual(naive.map((b) => b.values.get(key)?.min ?? null));
          const avgOk = naive.every((b, i) => {
            const want = b.values.get(key)?.avg ?? null;
            return want === null ? column.avg[i] === null : closeTo(key, column.avg[i]!, want);
          });
          expect(avgOk, `${key} averages`).toBe(true);
        }
      }
      expect(store.countSamples(from, to)).toBe(samples.filter((s) => s.ts >= from && s.ts < to).length);
    } finally {
      store.close();
    }
  });
});
