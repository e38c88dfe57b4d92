// Periods of local days: weeks (Monday first), months, years, custom spans, billing periods.
import { describe, expect, it } from 'vitest';
import type { formatDay} from '../../src/shared/dates.js';
import { parseDay } from '../../src/shared/dates.js';
import { billingPeriodOf, formatMonth, formatSpan, parseMonth, parseYear, periodOf, spanLength, stepPeriod, stepSpan, weekdayOf } from '../../src/shared/periods.js';

const d = parseDay;
const span = (s: { from: Parameters<typeof formatDay>[0]; to: Parameters<typeof formatDay>[0] }) => formatSpan(s);

describe('periods', () => {
  it('a week runs Monday to Sunday, across months and years', () => {
    expect(weekdayOf(d('03-11-2025'))).toBe(0);
    expect(weekdayOf(d('09-11-2025'))).toBe(6);
    expect(span(periodOf('week', d('05-11-2025')))).toBe('03-11-2025 to 09-11-2025');
    expect(span(periodOf('week', d('01-01-2026')))).toBe('29-12-2025 to 04-01-2026');
    expect(span(stepPeriod('week', d('05-11-2025'), -1))).toBe('27-10-2025 to 02-11-2025');
  });

  it('months and years, stepped forwards and back, leap days included', () => {
    expect(span(periodOf('month', d('15-02-2024')))).toBe('01-02-2024 to 29-02-2024');
    expect(span(stepPeriod('month', d('31-01-2026'), 1))).toBe('01-02-2026 to 28-02-2026');
    expect(span(stepPeriod('month', d('15-01-2026'), -1))).toBe('01-12-2025 to 31-12-2025');
    expect(span(periodOf('year', d('15-06-2025')))).toBe('01-01-2025 to 31-12-2025');
    expect(span(stepPeriod('year', d('15-06-2025'), -2))).toBe('01-01-2023 to 31-12-2023');
    expect(span(stepPeriod('day', d('31-12-2025'), 1))).toBe('01-01-2026');
  });

  it('a custom span moves by its own length', () => {
    const s = { from: d('12-11-2025'), to: d('14-11-2025') };
    expect(spanLength(s)).toBe(3);
    expect(span(stepSpan(s, -1))).toBe('09-11-2025 to 11-11-2025');
    expect(span(stepSpan(s, 2))).toBe('18-11-2025 to 20-11-2025');
  });

  it('MM-YYYY and YYYY, strictly', () => {
    expect(formatMonth(parseMonth('02-2026'))).toBe('02-2026');
    expect(() => parseMonth('2-2026')).toThrow('expected MM-YYYY');
    expect(() => parseMonth('13-2026')).toThrow('expected MM-YYYY');
    expect(() => parseMonth('11-2026x')).toThrow('expected MM-YYYY');
    expect(parseYear('2025').year).toBe(2025);
    expect(() => parseYear('25')).toThrow('expected YYYY');
  });

  it('billing periods start on the reset day and end the day before it', () => {
    expect(span(billingPeriodOf(d('20-11-2025'), 15))).toBe('15-11-2025 to 14-12-2025');
    expect(span(billingPeriodOf(d('14-11-2025'), 15))).toBe('15-10-2025 to 14-11-2025');
    expect(span(billingPeriodOf(d('15-11-2025'), 15))).toBe('15-11-2025 to 14-12-2025');
    expect(span(billingPeriodOf(d('05-01-2026'), 28))).toBe('28-12-2025 to 27-01-2026');
    expect(span(billingPeriodOf(d('01-03-2024'), 1))).toBe('01-03-2024 to 31-03-2024');
    expect(() => billingPeriodOf(d('01-03-2024'), 29)).toThrow('1 to 28');
  });
});
