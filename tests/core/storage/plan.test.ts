import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS, effectiveBucketMs, planSegments, type Coverage } from '../../../src/core/storage/plan.js';
import { chooseBucketMs } from '../../../src/shared/query.js';

const DAY = 86_400_000;
const T = Date.UTC(2026, 10, 22); // midnight UTC: hour-aligned
const all: Coverage = { rawFloor: -Infinity, minuteFloor: -Infinity, minuteEnd: T + DAY - 5 * MINUTE_MS, hourEnd: T + DAY - 2 * HOUR_MS };

describe('planSegments', () => {
  it('reads hours, then minutes, then the raw tail for hour buckets', () => {
    expect(planSegments(T, T + DAY, HOUR_MS, all)).toEqual([
      { level: '1h', from: T, to: T + DAY - 2 * HOUR_MS, exact: true },
      { level: '1m', from: T + DAY - 2 * HOUR_MS, to: T + DAY - 5 * MINUTE_MS, exact: true },
      { level: 'raw', from: T + DAY - 5 * MINUTE_MS, to: T + DAY, exact: true },
    ]);
  });

  it('reads minutes for minute buckets, raw after the watermark and inside a partial last minute', () => {
    const to = T + 3 * HOUR_MS + 30_500;
    const c = { ...all, minuteEnd: T + DAY };
    expect(planSegments(T, to, 2 * MINUTE_MS, c)).toEqual([
      { level: '1m', from: T, to: T + 3 * HOUR_MS, exact: true },
      { level: 'raw', from: T + 3 * HOUR_MS, to, exact: true },
    ]);
  });

  it('reads raw rows when buckets do not line up with minutes', () => {
    expect(planSegments(T + 1000, T + HOUR_MS, MINUTE_MS, all)).toEqual([{ level: 'raw', from: T + 1000, to: T + HOUR_MS, exact: true }]);
    expect(planSegments(T, T + HOUR_MS, 10_000, all)).toEqual([{ level: 'raw', from: T, to: T + HOUR_MS, exact: true }]);
    expect(planSegments(T, T + HOUR_MS, null, all)).toEqual([{ level: 'raw', from: T, to: T + HOUR_MS, exact: true }]);
  });

  it('uses minutes for hour buckets that start on a half hour (India, Lord Howe)', () => {
    const from = T + 30 * MINUTE_MS;
    expect(planSegments(from, from + 5 * HOUR_MS, HOUR_MS, all)).toEqual([{ level: '1m', from, to: from + 5 * HOUR_MS, exact: true }]);
  });

  it('falls back to the finest rollup kept where retention deleted raw rows', () => {
    const c: Coverage = { rawFloor: T + 10 * DAY, minuteFloor: T + 5 * DAY, minuteEnd: T + 20 * DAY, hourEnd: T + 20 * DAY };
    // raw asked: hours (minutes gone), then minutes (raw gone), then raw
    expect(planSegments(T + 4 * DAY, T + 11 * DAY, null, c)).toEqual([
      { level: '1h', from: T + 4 * DAY, to: T + 5 * DAY, exact: false },
      { level: '1m', from: T + 5 * DAY, to: T + 10 * DAY, exact: false },
      { level: 'raw', from: T + 10 * DAY, to: T + 11 * DAY, exact: true },
    ]);
    // minute buckets: exact from minutes where kept, approximate from hours before
    expect(planSegments(T + 4 * DAY, T + 6 * DAY, MINUTE_MS, c)).toEqual([
      { level: '1h', from: T + 4 * DAY, to: T + 5 * DAY, exact: false },
      { level: '1m', from: T + 5 * DAY, to: T + 6 * DAY, exact: true },
    ]);
    // hour buckets: all from hours, exact
    expect(planSegments(T + 4 * DAY, T + 6 * DAY, HOUR_MS, c)).toEqual([{ level: '1h', from: T + 4 * DAY, to: T + 6 * DAY, exact: true }]);
  });

  it('plans only raw rows for an empty store', () => {
    const empty: Coverage = { rawFloor: -Infinity, minuteFloor: -Infinity, minuteEnd: -Infinity, hourEnd: -Infinity };
    expect(planSegments(T, T + DAY, HOUR_MS, empty)).toEqual([{ level: 'raw', from: T, to: T + DAY, exact: true }]);
  });

  it('covers [from, to) without gaps or overlaps for any coverage', () => {
    const units = [1000, MINUTE_MS, 7 * MINUTE_MS, HOUR_MS, 2 * HOUR_MS, null];
    for (let i = 0; i < 500; i++) {
      const pick = (n: number) => T + Math.floor(((i * 7919 + n * 104_729) % 1000) / 1000 * 3 * DAY / MINUTE_MS) * MINUTE_MS;
      const [a, b, c2, d] = [pick(1), pick(2), pick(3), pick(4)].sort((x, y) => x - y);
      const coverage: Coverage = { minuteFloor: floorHour(a!), rawFloor: b!, minuteEnd: Math.max(b!, d!), hourEnd: floorHour(c2!) };
      const from = T + (i % 5) * 17 * MINUTE_MS + (i % 3) * 1000;
      const to = from + ((i * 31) % 3 + 1) * DAY - (i % 4) * 1234;
      const segments = planSegments(from, to, units[i % units.length]!, coverage);
      expect(segments[0]!.from).toBe(from);
      expect(segments[segments.length - 1]!.to).toBe(to);
      segments.forEach((s, k) => {
        expect(s.to).toBeGreaterThan(s.from);
        if (k > 0) expect(s.from).toBe(segments[k - 1]!.to);
        if (s.level === 'raw') expect(s.from).toBeGreaterThanOrEqual(coverage.rawFloor);
        if (s.level === '1m') expect(s.from >= coverage.minuteFloor && s.to <= coverage.minuteEnd).toBe(true);
        if (s.level === '1h') expect(s.to).toBeLessThanOrEqual(coverage.hourEnd);
      });
    }
  });
});

function floorHour(t: number): number {
  return t - (t % HOUR_MS);
}

describe('bucket widths', () => {
  it('rounds widths of a minute or more up to whole minutes, keeps shorter ones', () => {
    expect(effectiveBucketMs(10_000)).toBe(10_000);
    expect(effectiveBucketMs(59_999)).toBe(59_999);
    expect(effectiveBucketMs(60_000)).toBe(60_000);
    expect(effectiveBucketMs(144_000)).toBe(180_000);
    expect(effectiveBucketMs(HOUR_MS)).toBe(HOUR_MS);
  });

  it('chooses round widths giving at most maxPoints buckets', () => {
    expect(chooseBucketMs(DAY, 1440)).toBe(60_000);
    expect(chooseBucketMs(DAY, 600)).toBe(180_000);
    expect(chooseBucketMs(DAY, 100_000)).toBe(1000);
    expect(chooseBucketMs(25 * HOUR_MS, 1440)).toBe(120_000);
    expect(chooseBucketMs(365 * DAY, 600)).toBe(DAY);
    expect(chooseBucketMs(3650 * DAY, 600)).toBe(7 * DAY);
    for (const points of [10, 100, 600, 1000, 5000]) {
      for (const range of [HOUR_MS, DAY, 23 * HOUR_MS, 30 * DAY]) expect(range / chooseBucketMs(range, points)).toBeLessThanOrEqual(points);
    }
  });
});
