// Days as people say them (DD-MM-YYYY) and as the machine stores them (UTC unix ms).
//
// A "day" is a local calendar day in the time zone of the process (TZ) at query time, so a
// DST day lasts 23 or 25 hours. The JS Date local-time constructor does that arithmetic for us;
// we never add 86_400_000 to step a day.
import { VigilError } from './errors.js';

export interface LocalDay {
  day: number; // 1–31
  month: number; // 1–12
  year: number;
}

const DAY_PATTERN = /^(\d{2})-(\d{2})-(\d{4})$/;

/** Strict DD-MM-YYYY: two-digit day and month, four-digit year, a real calendar date. */
export function parseDay(text: string): LocalDay {
  const match = DAY_PATTERN.exec(text);
  if (!match) {
    throw new VigilError('invalid_date', `Invalid date "${truncate(text)}": expected DD-MM-YYYY, e.g. 22-11-2026`);
  }
  const day = Number(match[1]);
  const month = Number(match[2]);
  const year = Number(match[3]);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new VigilError('invalid_date', `Invalid date "${text}": no such day in the calendar`);
  }
  return { day, month, year };
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Strict ISO 8601 date, or date and time, with an optional offset (local time without one, UTC
 * for a date alone, as Date.parse reads them): unix ms, or null when the text is not one or
 * names no such moment. Date.parse alone rolls 2026-02-31 over to 3 March, and 24:30 to the next
 * day; here every field must be within its calendar bounds.
 */
export function parseIsoInstant(text: string): number | null {
  const match = ISO_INSTANT.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second, , offset] = match;
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  if (hour !== undefined && (Number(hour) > 23 || Number(minute) > 59 || (second !== undefined && Number(second) > 59))) return null;
  if (offset !== undefined && !/^z$/i.test(offset)) {
    const digits = offset.replace(':', '');
    if (Number(digits.slice(1, 3)) > 23 || Number(digits.slice(3, 5)) > 59) return null;
  }
  const ms = Date.parse(text.trim().replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}

export function isValidDay(text: string): boolean {
  try {
    parseDay(text);
    return true;
  } catch {
    return false;
  }
}

export function formatDay(day: LocalDay): string {
  return `${pad2(day.day)}-${pad2(day.month)}-${String(day.year).padStart(4, '0')}`;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The local day containing an instant. */
export function dayOf(ts: number): LocalDay {
  const d = new Date(ts);
  return { day: d.getDate(), month: d.getMonth() + 1, year: d.getFullYear() };
}

/** [start, end) of a local day in unix ms; 23 h or 25 h long on DST changes. */
export function dayBounds(day: LocalDay): { from: number; to: number } {
  return { from: startOfDay(day), to: startOfDay(addDays(day, 1)) };
}

/**
 * First instant of a local day. Where midnight itself does not exist (a DST jump at 00:00,
 * e.g. America/Santiago) the day starts at the first instant that does.
 */
export function startOfDay(day: LocalDay): number {
  return new Date(day.year, day.month - 1, day.day, 0, 0, 0, 0).getTime();
}

export function addDays(day: LocalDay, count: number): LocalDay {
  // Noon avoids any DST edge when moving across days.
  const d = new Date(day.year, day.month - 1, day.day + count, 12);
  return { day: d.getDate(), month: d.getMonth() + 1, year: d.getFullYear() };
}

export function compareDays(a: LocalDay, b: LocalDay): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Every local day from `from` to `to`, both included. */
export function daysBetween(from: LocalDay, to: LocalDay): LocalDay[] {
  const days: LocalDay[] = [];
  for (let d = from; compareDays(d, to) <= 0; d = addDays(d, 1)) days.push(d);
  return days;
}

/** ISO 8601 local time with its UTC offset, e.g. 2026-11-22T14:03:05+01:00 (ms shown when non-zero). */
export function formatLocalIso(ts: number): string {
  const d = new Date(ts);
  const offsetMinutes = -d.getTimezoneOffset();
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  const ms = d.getMilliseconds();
  return (
    `${String(d.getFullYear()).padStart(4, '0')}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}` +
    `T${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}` +
    (ms ? `.${String(ms).padStart(3, '0')}` : '') +
    `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`
  );
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
