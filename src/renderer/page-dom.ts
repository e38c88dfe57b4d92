// The page's small DOM outputs, apart from its state: the status line, <body data-state>, the URL,
// the zoom bar's text, and the sizes and colours the charts are asked for.
import { MAX_POINTS, type SeriesResult } from '../shared/api.js';
import { DARK_THEME, LIGHT_THEME, type ChartTheme } from '../shared/chart/theme.js';
import { formatDay, type LocalDay } from '../shared/dates.js';
import { VigilError } from '../shared/errors.js';
import { formatClock, formatDayOf } from '../shared/time-zone.js';
import { formatDuration } from '../shared/units.js';
import { byId } from './dom.js';
import { anchorDay, viewSearch, viewTitle, type View, type ViewState, type Zoom } from './view.js';

/** <body data-state>: what tests and the bench wait for. */
export type PageState = 'loading' | 'ready' | 'empty' | 'error';

export function setPageState(state: PageState, view: View, today: LocalDay): void {
  document.body.dataset.state = state;
  if (view.kind !== 'live') document.body.dataset.day = formatDay(anchorDay(view, today));
  else delete document.body.dataset.day;
}

/** The status line under the bar. */
export function say(text: string, kind: 'info' | 'error' | 'empty'): void {
  const status = byId('status');
  status.textContent = text;
  status.className = `status ${kind}`;
}

export function failureText(error: unknown): string {
  return error instanceof VigilError ? error.message : `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
}

/** What the page says when a view has no data. */
export function emptyText(view: View): string {
  if (view.kind === 'live') return `No samples in the last ${formatDuration(view.windowMs)} yet: the charts fill in as they arrive.`;
  if (view.kind === 'day') return `No data recorded on ${formatDay(view.day)}. Days with data are marked in the calendar.`;
  return `No data recorded in ${viewTitle(view)}. Days with data are marked in the calendar.`;
}

/** The line under the charts' title: the view and its resolution. */
export function shownText(view: View, data: SeriesResult): string {
  const resolution = data.bucketMs === null ? 'raw samples' : `min/avg/max per ${formatDuration(data.bucketMs)}`;
  return data.timestamps.length === 0 ? 'No data in this span.' : `${viewTitle(view)} · ${resolution}`;
}

/** The zoom bar: shown while zoomed, with the zoom's span and resolution. */
export function renderZoomBar(view: View, zoom: Zoom | null, data: SeriesResult, range: Zoom, timeZone: string | undefined): void {
  byId('zoom-bar').hidden = zoom === null;
  byId('zoom-reset').textContent = view.kind === 'live' ? 'Back to live' : 'Whole view';
  if (!zoom) return;
  const resolution = data.bucketMs === null ? 'raw samples' : `${formatDuration(data.bucketMs)} buckets`;
  const days = range.to - range.from > 86_400_000;
  const at = (ts: number) => (days ? `${formatDayOf(ts, timeZone)} ` : '') + formatClock(ts, timeZone, true);
  byId('zoom-label').textContent = `${at(range.from)} – ${at(range.to)} (${resolution})`;
}

/** The view in the URL: a new history entry (push), the current one replaced, or none. */
export function rememberView(state: ViewState, history: 'push' | 'replace' | 'none'): void {
  if (history === 'none') return;
  const url = new URL(window.location.href);
  url.search = viewSearch(state);
  const target = url.pathname + url.search;
  if (target === window.location.pathname + window.location.search) return;
  if (history === 'push') window.history.pushState(null, '', target);
  else window.history.replaceState(window.history.state, '', target);
}

/** Points per series to ask for: about a chart's width in pixels. */
export function pointsForCharts(): number {
  const track = parseFloat(getComputedStyle(byId('charts')).gridTemplateColumns.split(' ')[0] ?? '');
  const width = Number.isFinite(track) && track > 0 ? track : Math.min(window.innerWidth, 1600) - 40;
  return Math.max(200, Math.min(MAX_POINTS, Math.round(width - 80) || 1000));
}

const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');

/** The system's light or dark, as a chart theme. */
export function chartTheme(): ChartTheme {
  return darkQuery.matches ? DARK_THEME : LIGHT_THEME;
}

/** Calls back when the system switches between light and dark. */
export function onThemeChange(callback: () => void): void {
  darkQuery.addEventListener('change', callback);
}
