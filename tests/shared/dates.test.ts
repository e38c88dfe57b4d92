import { afterEach, describe, expect, it } from 'vitest';
import { addDays, dayBounds, dayOf, daysBetween, formatDay, formatLocalIso, isValidDay, parseDay } from '../../src/shared/dates.js';
import { VigilError } from '../../src/shared/errors.js';

const originalTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalTz;
});

/** Node applies a TZ assignment at once (it resets V8's date cache). */
function inZone(zone: string): void {
  process.env.TZ = zone;
}

const HOUR = 3_600_000;

describe('parseDay', () => {
  it('accepts real DD-MM-YYYY days', () => {
    expect(parseDay('22-11-2026')).toEqual({ day: 22, month: 11, year: 2026 });
    expect(parseDay('29-02-2028')).toEqual({ day: 29, month: 2, year: 2028 });
    expect(parseDay('01-01-1970')).toEqual({ day: 1, month: 1, year: 1970 });
  });

  it.each([
    ['31-02-2026', 'no such day'],
    ['29-02-2026', 'no such day'],
    ['31-04-2026', 'no such day'],
    ['00-01-2026', 'no such day'],
    ['01-13-2026', 'no such day'],
    ['2026-11-22', 'expected DD-MM-YYYY'],
    ['1-1-2026', 'expected DD-MM-YYYY'],
    ['22/11/2026', 'expected DD-MM-YYYY'],
    ['../x', 'expected DD-MM-YYYY'],
    ['22-11-2026\n', 'expected DD-MM-YYYY'],
    [' 22-11-2026', 'expected DD-MM-YYYY'],
    ['', 'expected DD-MM-YYYY'],
    ['22-11-20266', 'expected DD-MM-YYYY'],
  ])('refuses %j with a clear message', (text, reason) => {
    expect(() => parseDay(text)).toThrow(VigilError);
    expect(() => parseDay(text)).toThrow(reason);
    expect(isValidDay(text)).toBe(false);
  });

  it('formats back to the same text', () => {
    for (const text of ['01-01-2026', '31-12-1999', '29-02-2028', '09-07-2030']) expect(formatDay(parseDay(text))).toBe(text);
  });
});

describe('local days', () => {
  it('a normal day lasts 24 hours', () => {
    inZone('Europe/Paris');
    const { from, to } = dayBounds(parseDay('22-11-2026'));
    expect(to - from).toBe(24 * HOUR);
    expect(new Date(from).toISOString()).toBe('2026-11-21T23:00:00.000Z');
  });

  it('the spring DST day lasts 23 hours and the autumn one 25 (Europe/Paris)', () => {
    inZone('Europe/Paris');
    const spring = dayBounds(parseDay('29-03-2026'));
    const autumn = dayBounds(parseDay('25-10-2026'));
    expect(spring.to - spring.from).toBe(23 * HOUR);
    expect(autumn.to - autumn.from).toBe(25 * HOUR);
  });

  it('the same holds in New York, on its own dates', () => {
    inZone('America/New_York');
    expect(span('08-03-2026')).toBe(23 * HOUR);
    expect(span('01-11-2026')).toBe(25 * HOUR);
    expect(span('29-03-2026')).toBe(24 * HOUR);
  });

  it('half-hour DST (Lord Howe) gives 23.5 and 24.5 hours', () => {
    inZone('Australia/Lord_Howe');
    expect(span('05-04-2026')).toBe(24.5 * HOUR);
    expect(span('04-10-2026')).toBe(23.5 * HOUR);
  });

  it('a day whose midnight does not exist starts at its first instant (Santiago)', () => {
    inZone('America/Santiago');
    const { from } = dayBounds(parseDay('06-09-2026'));
    expect(new Date(from).getHours()).toBe(1);
    expect(formatDay(dayOf(from))).toBe('06-09-2026');
    expect(formatDay(dayOf(from - 1))).toBe('05-09-2026');
  });

  it('UTC and far-east zones place the same instant on different days', () => {
    const instant = Date.UTC(2026, 10, 22, 20, 0, 0);
    inZone('UTC');
    expect(formatDay(dayOf(instant))).toBe('22-11-2026');
    inZone('Pacific/Kiritimati');
    expect(formatDay(dayOf(instant))).toBe('23-11-2026');
  });

  it('consecutive days tile time with no gap or overlap, across a DST change', () => {
    inZone('Europe/Paris');
    const days = daysBetween(parseDay('24-10-2026'), parseDay('27-10-2026'));
    expect(days.map(formatDay)).toEqual(['24-10-2026', '25-10-2026', '26-10-2026', '27-10-2026']);
    for (let i = 1; i < days.length; i++) expect(dayBounds(days[i - 1]!).to).toBe(dayBounds(days[i]!).from);
    expect(formatDay(addDays(parseDay('31-12-2026'), 1))).toBe('01-01-2027');
    expect(formatDay(addDays(parseDay('01-03-2028'), -1))).toBe('29-02-2028');
  });
});

describe('formatLocalIso', () => {
  it('writes local time with its offset', () => {
    inZone('Europe/Paris');
    expect(formatLocalIso(Date.UTC(2026, 10, 22, 13, 3, 5))).toBe('2026-11-22T14:03:05+01:00');
    expect(formatLocalIso(Date.UTC(2026, 6, 1, 0, 0, 0, 250))).toBe('2026-07-01T02:00:00.250+02:00');
    inZone('America/St_Johns');
    expect(formatLocalIso(Date.UTC(2026, 10, 22, 13, 0, 0))).toBe('2026-11-22T09:30:00-03:30');
    inZone('UTC');
    expect(formatLocalIso(0)).toBe('1970-01-01T00:00:00+00:00');
  });

  it('tells apart the two 02:30s of an autumn DST night by their offsets', () => {
    inZone('Europe/Paris');
    const first = Date.UTC(2026, 9, 25, 0, 30);
    const second = first + HOUR;
    expect(formatLocalIso(first)).toBe('2026-10-25T02:30:00+02:00');
    expect(formatLocalIso(second)).toBe('2026-10-25T02:30:00+01:00');
  });
});

function span(text: string): number {
  const { from, to } = dayBounds(parseDay(text));
  return to - from;
}
