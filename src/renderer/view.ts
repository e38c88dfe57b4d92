// What the page shows, as a value: the live window, or a period of whole days (a day, a week, a
// month, a year, any span), plus a zoom inside it. The URL holds it, so a link opens the same view:
//   ?live=1h                  the last hour, following new samples (15m, 1h, 6h, and the zoom
//                             steps between: 1m 2m 5m 30m 2h)
//   ?date=DD-MM-YYYY          a day            ?week=DD-MM-YYYY   the week (Mon–Sun) holding it
//   ?month=MM-YYYY            a month          ?year=YYYY         a year
//   ?from=DD-MM-YYYY&to=DD-MM-YYYY            any span of days
//   &zoom=FROM-TO             a zoom inside the view, unix ms
// Pure functions over shared/ (no DOM), so they are easy to test and to reason about.
import { LIVE_WINDOWS } from '../shared/api.js';
import { addDays, compareDays, formatDay, parseDay, type LocalDay } from '../shared/dates.js';
import { VigilError } from '../shared/errors.js';
import { formatMonth, formatSpan, parseMonth, parseYear, periodOf, stepPeriod, stepSpan, type DaySpan, type PeriodKind } from '../shared/periods.js';

export type PeriodView = { kind: PeriodKind; day: LocalDay };
export type View = { kind: 'live'; windowMs: number } | PeriodView | { kind: 'custom'; span: DaySpan };
export type ViewKind = View['kind'];

export interface Zoom {
  from: number;
  to: number;
}

export interface ViewState {
  view: View;
  zoom: Zoom | null;
}

/** The live windows +/- step through (the three named ones among them). */
export const LIVE_STEPS = [60_000, 120_000, 300_000, LIVE_WINDOWS['15m'], 1_800_000, LIVE_WINDOWS['1h'], 7_200_000, LIVE_WINDOWS['6h']] as const;
export const DEFAULT_LIVE_MS: number = LIVE_WINDOWS['1h'];
/** Longest custom span of days the page asks for (the API allows ten years). */
export const MAX_CUSTOM_DAYS = 3660;

/** "15m", "1h", "6h" … for a live window. */
export function formatWindow(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`;
}

export function parseWindow(text: string): number {
  const match = /^(\d{1,3})(m|h)$/.exec(text);
  const ms = match ? Number(match[1]) * (match[2] === 'h' ? 3_600_000 : 60_000) : NaN;
  if (!(LIVE_STEPS as readonly number[]).includes(ms)) {
    throw new VigilError('invalid_argument', `Unknown live window "${text.slice(0, 12)}": use ${LIVE_STEPS.map(formatWindow).join(', ')}`);
  }
  return ms;
}

/** The state a URL's query string names; no parameter at all is the live view. Bad values throw. */
export function parseViewSearch(search: URLSearchParams): ViewState {
  const get = (name: string) => search.get(name);
  let view: View;
  if (get('date') !== null) view = { kind: 'day', day: parseDay(get('date')!.trim()) };
  else if (get('week') !== null) view = { kind: 'week', day: parseDay(get('week')!.trim()) };
  else if (get('month') !== null) view = { kind: 'month', day: parseMonth(get('month')!.trim()) };
  else if (get('year') !== null) view = { kind: 'year', day: parseYear(get('year')!.trim()) };
  else if (get('from') !== null || get('to') !== null) view = { kind: 'custom', span: parseSpan(get('from') ?? '', get('to') ?? '') };
  else view = { kind: 'live', windowMs: get('live') ? parseWindow(get('live')!) : DEFAULT_LIVE_MS };
  return { view, zoom: parseZoom(get('zoom')) };
}

/** from/to of a custom span, checked: real days, in order, not absurdly long. */
export function parseSpan(fromText: string, toText: string): DaySpan {
  if (!fromText.trim() || !toText.trim()) throw new VigilError('invalid_argument', 'A range of days needs both From and To (DD-MM-YYYY)');
  const from = parseDay(fromText.trim());
  const to = parseDay(toText.trim());
  if (compareDays(from, to) > 0) throw new VigilError('invalid_range', `From ${formatDay(from)} is after To ${formatDay(to)}`);
  const span = { from, to };
  if (compareDays(addDays(from, MAX_CUSTOM_DAYS - 1), to) < 0) throw new VigilError('invalid_range', `${formatSpan(span)} is longer than ${MAX_CUSTOM_DAYS} days`);
  return span;
}

function parseZoom(text: string | null): Zoom | null {
  const match = text ? /^(\d{1,16})-(\d{1,16})$/.exec(text) : null;
  if (!match) return null;
  const from = Number(match[1]);
  const to = Number(match[2]);
  return from < to ? { from, to } : null;
}

/** The query string for a state (without the leading "?"); other parameters are dropped. */
export function viewSearch(state: ViewState): string {
  const search = new URLSearchParams();
  const { view } = state;
  switch (view.kind) {
    case 'live':
      search.set('live', formatWindow(view.windowMs));
      break;
    case 'day':
      search.set('date', formatDay(view.day));
      break;
    case 'week':
      search.set('week', formatDay(periodOf('week', view.day).from));
      break;
    case 'month':
      search.set('month', formatMonth(view.day));
      break;
    case 'year':
      search.set('year', String(view.day.year));
      break;
    case 'custom':
      search.set('from', formatDay(view.span.from));
      search.set('to', formatDay(view.span.to));
      break;
  }
  if (state.zoom) search.set('zoom', `${Math.round(state.zoom.from)}-${Math.round(state.zoom.to)}`);
  return search.toString();
}

/** The days a view covers; null for the live view (it is a span of time, not of days). */
export function viewDays(view: View): DaySpan | null {
  if (view.kind === 'live') return null;
  if (view.kind === 'custom') return view.span;
  return periodOf(view.kind, view.day);
}

/** The view `steps` periods earlier (negative) or later; the live view has no period to step. */
export function stepView(view: View, steps: number): View {
  switch (view.kind) {
    case 'live':
      return view;
    case 'custom':
      return { kind: 'custom', span: stepSpan(view.span, steps) };
    default:
      return { kind: view.kind, day: stepPeriod(view.kind, view.day, steps).from };
  }
}

/** The view of the same kind holding `day` (a custom span keeps its length and starts there). */
export function viewAt(view: View, day: LocalDay): View {
  switch (view.kind) {
    case 'live':
      return { kind: 'day', day };
    case 'custom': {
      const length = Math.round((Date.UTC(view.span.to.year, view.span.to.month - 1, view.span.to.day) - Date.UTC(view.span.from.year, view.span.from.month - 1, view.span.from.day)) / 86_400_000);
      return { kind: 'custom', span: { from: day, to: addDays(day, length) } };
    }
    default:
      return { kind: view.kind, day };
  }
}

/** The day a period view is anchored on (what the date field shows). */
export function anchorDay(view: View, today: LocalDay): LocalDay {
  if (view.kind === 'live') return today;
  if (view.kind === 'custom') return view.span.from;
  return view.day;
}

/** "Live · last 1 h", "14-11-2025", "Week 10-11-2025 to 16-11-2025", "November 2025", "2025". */
export function viewTitle(view: View): string {
  switch (view.kind) {
    case 'live':
      return `Live · last ${view.windowMs >= 3_600_000 ? `${view.windowMs / 3_600_000} h` : `${view.windowMs / 60_000} min`}`;
    case 'day':
      return formatDay(view.day);
    case 'week':
      return `Week ${formatSpan(periodOf('week', view.day))}`;
    case 'month':
      return `${MONTH_NAMES[view.day.month - 1]} ${view.day.year}`;
    case 'year':
      return String(view.day.year);
    case 'custom':
      return formatSpan(view.span);
  }
}

export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Whether a period view reaches past today (its end holds no data yet). */
export function reachesToday(view: View, today: LocalDay): boolean {
  const days = viewDays(view);
  return days === null || compareDays(days.to, today) >= 0;
}

/** Whether the period view's first day is after today (nothing to show, ever). */
export function startsAfter(view: View, today: LocalDay): boolean {
  const days = viewDays(view);
  return days !== null && compareDays(days.from, today) > 0;
}

/** The view a tab means, from the one shown: the period holding its day; a range starts as its week. */
export function viewOfKind(current: View, kind: ViewKind, today: LocalDay, liveWindowMs: number): View {
  if (kind === 'live') return { kind: 'live', windowMs: liveWindowMs };
  const anchor = anchorDay(current, today);
  if (kind === 'custom') return { kind: 'custom', span: current.kind === 'day' ? periodOf('week', anchor) : (viewDays(current) ?? { from: periodOf('week', today).from, to: today }) };
  return { kind, day: anchor };
}

/** A day typed, picked or linked: today opens the live view (from a day or live); another day, the shown kind's period holding it. */
export function viewOfDay(current: View, day: LocalDay, today: LocalDay, liveWindowMs: number): View {
  if (compareDays(day, today) > 0) throw new VigilError('future_date', `${formatDay(day)} is in the future (today is ${formatDay(today)})`);
  if (compareDays(day, today) === 0 && (current.kind === 'live' || current.kind === 'day')) return { kind: 'live', windowMs: liveWindowMs };
  return viewAt(current, day);
}

/** The custom range's two fields, checked: a bad or future span throws a VigilError. */
export function viewOfSpan(fromText: string, toText: string, today: LocalDay): View {
  const span = parseSpan(fromText, toText);
  if (compareDays(span.from, today) > 0) throw new VigilError('future_date', `${formatDay(span.from)} is in the future (today is ${formatDay(today)})`);
  return { kind: 'custom', span };
}
