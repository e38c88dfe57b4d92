// Quiet hours: a daily local-time window (e.g. 22:00–07:00) during which no email goes out.
// Alerts wait and leave as one digest when the window ends. Local time is the machine's own
// time zone, resolved per instant, so DST days work (a window may last 1 h more or less).

export interface QuietHours {
  /** Minutes after local midnight. */
  start: number;
  end: number;
}

/** "22:00" + "07:00" → a window; null when either is empty or both are equal (no window). */
export function parseQuietHours(start: string, end: string): QuietHours | null {
  if (!start || !end) return null;
  const s = parseTimeOfDay(start);
  const e = parseTimeOfDay(end);
  return s === e ? null : { start: s, end: e };
}

function parseTimeOfDay(text: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) throw new Error(`invalid time of day ${JSON.stringify(text)} (expected HH:MM)`);
  return Number(match[1]) * 60 + Number(match[2]);
}

function minutesOfDay(ts: number): number {
  const d = new Date(ts);
  return d.getHours() * 60 + d.getMinutes();
}

export function isQuiet(quiet: QuietHours | null, ts: number): boolean {
  if (!quiet) return false;
  const m = minutesOfDay(ts);
  return quiet.start < quiet.end ? m >= quiet.start && m < quiet.end : m >= quiet.start || m < quiet.end;
}

/** When the quiet window around `ts` ends (unix ms); `ts` itself when it is not quiet. */
export function quietEndsAt(quiet: QuietHours | null, ts: number): number {
  if (!quiet || !isQuiet(quiet, ts)) return ts;
  const end = new Date(ts);
  end.setHours(Math.floor(quiet.end / 60), quiet.end % 60, 0, 0);
  // setDate, not + 24 h: the next local day may have 23 or 25 hours.
  while (end.getTime() <= ts) end.setDate(end.getDate() + 1);
  return end.getTime();
}
