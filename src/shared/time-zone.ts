// Wall-clock time in a named time zone (the machine's, which /api/host reports), for a page that
// may run elsewhere: a browser in New York reading a server in Paris shows Paris times, the same
// ones the server's daily CSV files hold. Intl does the zone arithmetic; nothing here assumes the
// runtime's own zone. dates.ts stays the authority on what a day is (the server resolves days).
import type { LocalDay } from './dates.js';

export interface WallTime extends LocalDay {
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone if this runtime knows it, else undefined (the runtime's own zone). */
export function knownTimeZone(timeZone: string | null | undefined): string | undefined {
  if (!timeZone) return undefined;
  try {
    partsFormatter(timeZone);
    return timeZone;
  } catch {
    return undefined;
  }
}

/** The runtime's own IANA zone, e.g. Europe/Paris (UTC when it has none). */
export function runtimeTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function partsFormatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

/** The wall-clock fields of an instant in a zone. */
export function wallTime(ts: number, timeZone?: string): WallTime {
  const out: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of partsFormatter(timeZone).formatToParts(ts)) {
    if (part.type === 'year') out.year = Number(part.value);
    else if (part.type === 'month') out.month = Number(part.value);
    else if (part.type === 'day') out.day = Number(part.value);
    else if (part.type === 'hour') out.hour = Number(part.value) % 24;
    else if (part.type === 'minute') out.minute = Number(part.value);
    else if (part.type === 'second') out.second = Number(part.value);
  }
  return out;
}

/** The zone's offset from UTC at an instant, in ms (Paris in winter: +3,600,000). */
export function zoneOffsetMs(ts: number, timeZone?: string): number {
  const w = wallTime(ts, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (ts - (((ts % 1000) + 1000) % 1000));
}

/** The instant a wall-clock reading (as UTC-based ms) stands for; the earlier one when it repeats. */
export function instantOfWall(wallMs: number, timeZone?: string): number {
  let ts = wallMs - zoneOffsetMs(wallMs, timeZone);
  ts = wallMs - zoneOffsetMs(ts, timeZone);
  return ts;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** "14:03" or "14:03:05". */
export function formatClock(ts: number, timeZone?: string, seconds = false): string {
  const w = wallTime(ts, timeZone);
  return seconds ? `${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}` : `${pad2(w.hour)}:${pad2(w.minute)}`;
}

/** "22-11-2026". */
export function formatDayOf(ts: number, timeZone?: string): string {
  const w = wallTime(ts, timeZone);
  return `${pad2(w.day)}-${pad2(w.month)}-${w.year}`;
}

const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

/** A round tick step (1 s … 1 day) giving at most `maxTicks` ticks over the range. */
export function tickStepMs(rangeMs: number, maxTicks: number): number {
  for (const step of TICK_STEPS) if (rangeMs / step <= Math.max(1, maxTicks)) return step;
  return Math.ceil(rangeMs / Math.max(1, maxTicks) / 86_400_000) * 86_400_000;
}

/**
 * Tick positions on round wall-clock times of the zone (00:00, 03:00 … or every 10 s), so that a
 * DST day's axis still reads 03:00, 06:00 after the change; within [from, to].
 */
export function timeTicks(from: number, to: number, timeZone: string | undefined, maxTicks: number): { ticks: number[]; stepMs: number } {
  const stepMs = tickStepMs(Math.max(1, to - from), maxTicks);
  const ticks: number[] = [];
  const wallFrom = from + zoneOffsetMs(from, timeZone);
  const wallTo = to + zoneOffsetMs(to, timeZone);
  for (let wall = Math.ceil(wallFrom / stepMs) * stepMs; wall <= wallTo && ticks.length <= maxTicks * 2 + 2; wall += stepMs) {
    const ts = instantOfWall(wall, timeZone);
    if (ts < from || ts > to) continue;
    if (ticks.length > 0 && ts <= ticks[ticks.length - 1]!) continue;
    ticks.push(ts);
  }
  return { ticks, stepMs };
}

/** The local day of an instant in a zone. */
export function dayInZone(ts: number, timeZone?: string): LocalDay {
  const w = wallTime(ts, timeZone);
  return { day: w.day, month: w.month, year: w.year };
}

/**
 * [start, end) of a local day in a zone, like dates.ts's dayBounds for the runtime's zone: 23 or
 * 25 hours on DST days, and where midnight does not exist the day starts when the clock jumps.
 */
export function dayBoundsInZone(day: LocalDay, timeZone?: string): { from: number; to: number } {
  const next = new Date(Date.UTC(day.year, day.month - 1, day.day + 1));
  return {
    from: startOfDayInZone(day, timeZone),
    to: startOfDayInZone({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() }, timeZone),
  };
}

function startOfDayInZone(day: LocalDay, timeZone?: string): number {
  const midnight = Date.UTC(day.year, day.month - 1, day.day);
  let ts = instantOfWall(midnight, timeZone);
  // Midnight skipped by a DST jump: that instant reads as the evening before; move to the jump.
  const wall = ts + zoneOffsetMs(ts, timeZone);
  if (wall < midnight) ts += midnight - wall;
  return ts;
}

/** Ticks on the first day of months (00:00 in the zone), every 1, 2, 3 or 6 months to fit `maxTicks`. */
export function monthTicks(from: number, to: number, timeZone: string | undefined, maxTicks: number): number[] {
  const start = wallTime(from, timeZone);
  const end = wallTime(to, timeZone);
  const months = (end.year - start.year) * 12 + (end.month - start.month) + 1;
  const every = [1, 2, 3, 6, 12].find((n) => months / n <= Math.max(1, maxTicks)) ?? 12;
  const ticks: number[] = [];
  for (let index = start.year * 12 + start.month - 1; ; index++) {
    const year = Math.floor(index / 12);
    const month = (index % 12) + 1;
    if (year > end.year || (year === end.year && month > end.month)) break;
    if ((month - 1) % every !== 0) continue;
    const ts = dayBoundsInZone({ year, month, day: 1 }, timeZone).from;
    if (ts >= from && ts <= to) ticks.push(ts);
  }
  return ticks;
}

/**
 * Ticks at local midnights every 1, 2, 3, 7 or 14 days, counted from the range's first midnight
 * (a month reads 01, 08, 15, 22, 29), to fit `maxTicks`.
 */
export function dayTicks(from: number, to: number, timeZone: string | undefined, maxTicks: number): number[] {
  const days = (to - from) / 86_400_000;
  const every = [1, 2, 3, 7, 14].find((n) => days / n <= Math.max(1, maxTicks)) ?? 14;
  const first = dayInZone(from, timeZone);
  const ticks: number[] = [];
  for (let i = 0; ; i += every) {
    const day = new Date(Date.UTC(first.year, first.month - 1, first.day + i));
    const ts = dayBoundsInZone({ year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() }, timeZone).from;
    if (ts > to) break;
    if (ts >= from) ticks.push(ts);
  }
  return ticks;
}
