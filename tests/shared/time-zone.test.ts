// Wall-clock arithmetic in a named zone (shared/time-zone.ts) agrees with the runtime's own
// (shared/dates.ts, on the Date object) when the runtime runs in that zone — on DST days too.
import { afterAll, describe, expect, it } from 'vitest';
import { addDays, dayBounds, dayOf, formatDay, parseDay } from '../../src/shared/dates.js';
import { dayBoundsInZone, dayInZone, formatClock, timeTicks, zoneOffsetMs } from '../../src/shared/time-zone.js';

const originalTz = process.env.TZ;
afterAll(() => {
  process.env.TZ = originalTz;
});

const ZONES: Record<string, string[]> = {
  'Europe/Paris': ['30-03-2025', '26-10-2025', '15-01-2025'],
  'America/New_York': ['09-03-2025', '02-11-2025'],
  'Australia/Lord_Howe': ['06-04-2025', '05-10-2025'],
  // Midnight itself is skipped here when summer time starts.
  'America/Santiago': ['07-09-2025', '06-04-2025'],
  'Asia/Kolkata': ['01-06-2025'],
};

describe('time zones', () => {
  for (const [zone, days] of Object.entries(ZONES)) {
    it(`day bounds and days of instants in ${zone} match the runtime's own in that zone`, () => {
      process.env.TZ = zone;
      for (const text of days) {
        for (const day of [addDays(parseDay(text), -1), parseDay(text), addDays(parseDay(text), 1)]) {
          const expected = dayBounds(day);
          expect(dayBoundsInZone(day, zone), `${zone} ${formatDay(day)}`).toEqual(expected);
          for (const ts of [expected.from, expected.from + 3_600_000 * 5, expected.to - 1]) expect(dayInZone(ts, zone)).toEqual(dayOf(ts));
        }
      }
    });
  }

  it('offsets and clock readings', () => {
    expect(zoneOffsetMs(Date.UTC(2025, 0, 15, 12), 'Europe/Paris')).toBe(3_600_000);
    expect(zoneOffsetMs(Date.UTC(2025, 6, 15, 12), 'Europe/Paris')).toBe(7_200_000);
    expect(zoneOffsetMs(Date.UTC(2025, 6, 15, 12), 'Asia/Kolkata')).toBe(19_800_000);
    expect(formatClock(Date.UTC(2025, 6, 15, 12, 3, 5), 'Europe/Paris', true)).toBe('14:03:05');
    expect(formatClock(Date.UTC(2025, 6, 15, 0, 0, 0), 'America/New_York')).toBe('20:00');
  });

  it('ticks fall on round wall-clock times, also on a 25-hour day', () => {
    const zone = 'Europe/Paris';
    const { from, to } = dayBoundsInZone(parseDay('26-10-2025'), zone);
    expect(to - from).toBe(25 * 3_600_000);
    const { ticks, stepMs } = timeTicks(from, to, zone, 9);
    expect(stepMs).toBe(3 * 3_600_000);
    expect(ticks.map((t) => formatClock(t, zone))).toEqual(['00:00', '03:00', '06:00', '09:00', '12:00', '15:00', '18:00', '21:00', '00:00']);
    // A 10-minute window gets minute ticks.
    const window = timeTicks(from + 3_600_000 * 14 + 17_000, from + 3_600_000 * 14 + 617_000, zone, 6);
    expect(window.stepMs).toBe(120_000);
    expect(window.ticks.map((t) => formatClock(t, zone))).toEqual(['13:02', '13:04', '13:06', '13:08', '13:10']);
  });
});
