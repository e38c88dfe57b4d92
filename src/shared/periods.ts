// Periods of local days: the week, month and year a chart or a traffic total covers, and the
// billing period that starts on a reset day. Pure calendar arithmetic on LocalDay (no instants):
// whoever turns days into instants does it in the machine's zone (ChartService), so a week that
// crosses a DST change still holds 7 local days. Weeks start on Monday (ISO 8601).
import { addDays, compareDays, daysInMonth, formatDay, type LocalDay } from './dates.js';
import { VigilError } from './errors.js';

export type PeriodKind = 'day' | 'week' | 'month' | 'year';

/** A run of whole local days, both ends included. */
export interface DaySpan {
  from: LocalDay;
  to: LocalDay;
}

/** Monday = 0 … Sunday = 6, for any calendar day (no time zone involved). */
export function weekdayOf(day: LocalDay): number {
  return (new Date(Date.UTC(day.year, day.month - 1, day.day)).getUTCDay() + 6) % 7;
}

/** The day, week (Monday to Sunday), month or year holding `day`. */
export function periodOf(kind: PeriodKind, day: LocalDay): DaySpan {
  switch (kind) {
    case 'day':
      return { from: day, to: day };
    case 'week': {
      const from = addDays(day, -weekdayOf(day));
      return { from, to: addDays(from, 6) };
    }
    case 'month':
      return { from: { ...day, day: 1 }, to: { ...day, day: daysInMonth(day.year, day.month) } };
    case 'year':
      return { from: { year: day.year, month: 1, day: 1 }, to: { year: day.year, month: 12, day: 31 } };
  }
}

/** The period `steps` before (negative) or after (positive) the one holding `day`. */
export function stepPeriod(kind: PeriodKind, day: LocalDay, steps: number): DaySpan {
  switch (kind) {
    case 'day':
      return periodOf('day', addDays(day, steps));
    case 'week':
      return periodOf('week', addDays(day, 7 * steps));
    case 'month': {
      const index = day.year * 12 + (day.month - 1) + steps;
      return periodOf('month', { year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 });
    }
    case 'year':
      return periodOf('year', { year: day.year + steps, month: 1, day: 1 });
  }
}

/** A custom span moved by its own length (a 10-day span moves by 10 days). */
export function stepSpan(span: DaySpan, steps: number): DaySpan {
  const length = spanLength(span);
  return { from: addDays(span.from, length * steps), to: addDays(span.to, length * steps) };
}

/** Days in a span, both ends included. */
export function spanLength(span: DaySpan): number {
  const a = Date.UTC(span.from.year, span.from.month - 1, span.from.day);
  const b = Date.UTC(span.to.year, span.to.month - 1, span.to.day);
  return Math.round((b - a) / 86_400_000) + 1;
}

const MONTH_PATTERN = /^(\d{2})-(\d{4})$/;

/** Strict MM-YYYY (the month of `--month` and the URL's month=). */
export function parseMonth(text: string): LocalDay {
  const match = MONTH_PATTERN.exec(text);
  const month = match ? Number(match[1]) : NaN;
  const year = match ? Number(match[2]) : NaN;
  if (!match || month < 1 || month > 12 || year < 1970) {
    throw new VigilError('invalid_date', `Invalid month "${text.length > 20 ? `${text.slice(0, 20)}…` : text}": expected MM-YYYY, e.g. 11-2026`);
  }
  return { year, month, day: 1 };
}

export function formatMonth(day: LocalDay): string {
  return `${String(day.month).padStart(2, '0')}-${String(day.year).padStart(4, '0')}`;
}

/** Strict YYYY (the URL's year=). */
export function parseYear(text: string): LocalDay {
  if (!/^\d{4}$/.test(text) || Number(text) < 1970) throw new VigilError('invalid_date', `Invalid year "${text.slice(0, 20)}": expected YYYY, e.g. 2026`);
  return { year: Number(text), month: 1, day: 1 };
}

/** "14-11-2025 to 20-11-2025", or the one day. */
export function formatSpan(span: DaySpan): string {
  return compareDays(span.from, span.to) === 0 ? formatDay(span.from) : `${formatDay(span.from)} to ${formatDay(span.to)}`;
}

/**
 * The billing period holding `day` when the counter resets on `resetDay` (1–28) of every month:
 * from that day of this month (or the previous one) to the day before it in the next.
 */
export function billingPeriodOf(day: LocalDay, resetDay: number): DaySpan {
  if (!Number.isInteger(resetDay) || resetDay < 1 || resetDay > 28) {
    throw new VigilError('invalid_argument', `The traffic reset day must be a whole number from 1 to 28, not ${String(resetDay)}`);
  }
  const index = day.year * 12 + (day.month - 1) - (day.day < resetDay ? 1 : 0);
  const from = { year: Math.floor(index / 12), month: (index % 12) + 1, day: resetDay };
  const next = index + 1;
  const to = addDays({ year: Math.floor(next / 12), month: (next % 12) + 1, day: resetDay }, -1);
  return { from, to };
}
