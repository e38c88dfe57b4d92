// The page's chrome: the view tabs, the live window buttons, previous/next, the date fields, the
// period's label and the live status, drawn from the view state; and the keyboard and buttons
// wired to the page's handlers.
import type { FollowStatus, HostInfo } from '../shared/api.js';
import { formatDay, type LocalDay } from '../shared/dates.js';
import { formatSpan } from '../shared/periods.js';
import { formatClock, formatDayOf, runtimeTimeZone } from '../shared/time-zone.js';
import { byId } from './dom.js';
import { anchorDay, formatWindow, parseWindow, reachesToday, viewDays, type ViewKind, type ViewState } from './view.js';

export interface NavHandlers {
  step(direction: -1 | 1): void;
  /** The Today button: today's live view. */
  today(): void;
  chooseKind(kind: ViewKind): void;
  liveWindow(windowMs: number): void;
  /** The date field (or the To field) was changed or Enter pressed. */
  go(): void;
  /** + / - and Zoom out: by a factor around the pointer (null: the page decides). */
  zoomBy(factor: number, anchor: number | null): void;
  /** The instant under the pointer over a chart, if any. */
  pointer(): number | null;
  resetZoom(): void;
  popstate(): void;
  visible(): void;
}

export function wireNav(handlers: NavHandlers, inputs: readonly HTMLInputElement[]): void {
  byId('prev-day').addEventListener('click', () => handlers.step(-1));
  byId('next-day').addEventListener('click', () => handlers.step(1));
  byId('today').addEventListener('click', () => handlers.today());
  byId('zoom-out').addEventListener('click', () => handlers.zoomBy(2, null));
  byId('zoom-reset').addEventListener('click', () => handlers.resetZoom());
  for (const button of byId('view-tabs').querySelectorAll<HTMLButtonElement>('button[data-view]')) {
    button.addEventListener('click', () => handlers.chooseKind(button.dataset.view as ViewKind));
  }
  for (const button of byId('live-nav').querySelectorAll<HTMLButtonElement>('button[data-window]')) {
    button.addEventListener('click', () => handlers.liveWindow(parseWindow(button.dataset.window!)));
  }
  for (const input of inputs) {
    input.addEventListener('change', () => handlers.go());
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        handlers.go();
      }
    });
  }
  document.addEventListener('keydown', (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
    if (event.altKey && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) {
      event.preventDefault();
      handlers.step(event.key === 'ArrowLeft' ? -1 : 1);
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === '+' || event.key === '=') {
      event.preventDefault();
      handlers.zoomBy(0.5, handlers.pointer());
    } else if (event.key === '-' || event.key === '_') {
      event.preventDefault();
      handlers.zoomBy(2, handlers.pointer());
    }
  });
  window.addEventListener('popstate', () => handlers.popstate());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') handlers.visible();
  });
}

/**
 * Tabs, arrows and the period's label from the state; and, when the view or zoom changed
 * (clearInput), the date fields too: a bad value typed earlier is replaced by what is shown.
 */
export function renderNav(state: ViewState, today: LocalDay, dateInput: HTMLInputElement, toInput: HTMLInputElement, clearInput: boolean): void {
  const { view, zoom } = state;
  for (const button of byId('view-tabs').querySelectorAll<HTMLButtonElement>('button[data-view]')) {
    button.setAttribute('aria-checked', String(button.dataset.view === view.kind));
  }
  const liveNav = byId('live-nav');
  liveNav.hidden = view.kind !== 'live';
  for (const button of liveNav.querySelectorAll<HTMLButtonElement>('button[data-window]')) {
    button.setAttribute('aria-pressed', String(view.kind === 'live' && button.dataset.window === formatWindow(view.windowMs)));
  }
  const prev = byId<HTMLButtonElement>('prev-day');
  const next = byId<HTMLButtonElement>('next-day');
  const unit = view.kind === 'live' ? 'span' : view.kind === 'custom' ? 'range' : view.kind;
  prev.title = `Previous ${unit} (Alt+Left)`;
  prev.setAttribute('aria-label', `Previous ${unit}`);
  next.title = `Next ${unit} (Alt+Right)`;
  next.setAttribute('aria-label', `Next ${unit}`);
  next.disabled = view.kind === 'live' ? zoom === null : reachesToday(view, today);
  byId<HTMLButtonElement>('today').disabled = view.kind === 'live' && zoom === null;
  byId('to-field').hidden = view.kind !== 'custom';
  if (clearInput) {
    const anchor = anchorDay(view, today);
    dateInput.value = formatDay(view.kind === 'custom' ? view.span.from : anchor);
    dateInput.removeAttribute('aria-invalid');
    if (view.kind === 'custom') toInput.value = formatDay(view.span.to);
    toInput.removeAttribute('aria-invalid');
  }
  const days = viewDays(view);
  byId('period-label').textContent = view.kind === 'day' || view.kind === 'live' ? '' : view.kind === 'custom' ? `${days ? spanDays(days) : ''}` : `${formatSpan(days!)}`;
  document.body.dataset.view = view.kind;
}

/** "Live", "Connecting…", "Paused (zoomed)"… beside the live window buttons. */
export function renderLiveStatus(state: ViewState, status: FollowStatus | null): void {
  const node = byId('live-status');
  const live = state.view.kind === 'live';
  const frozen = live && state.zoom !== null;
  node.textContent = !live ? '' : frozen ? 'Paused (zoomed)' : status === 'reconnecting' ? 'Reconnecting…' : status ? 'Live' : 'Connecting…';
  node.dataset.status = frozen ? 'paused' : (status ?? '');
  document.body.dataset.live = live ? (frozen ? 'paused' : (status ?? 'connecting')) : '';
}

/** The note saying which zone the days and times are in, and the latest sample. */
export function describeZone(host: HostInfo, timeZone: string | undefined): void {
  const note = byId('zone-note');
  const zone = host.timeZone;
  if (!zone) return;
  const last = host.lastSampleTs;
  const latest = last ? ` Latest sample: ${formatDayOf(last, timeZone)} ${formatClock(last, timeZone, true)}.` : ' No samples yet.';
  const here = zone === runtimeTimeZone() ? '' : ' (the machine’s local time, not this browser’s)';
  note.textContent = `Days and times in ${zone}${here}.${latest}`;
  note.hidden = false;
}

function spanDays(days: { from: LocalDay; to: LocalDay }): string {
  const a = Date.UTC(days.from.year, days.from.month - 1, days.from.day);
  const b = Date.UTC(days.to.year, days.to.month - 1, days.to.day);
  const n = Math.round((b - a) / 86_400_000) + 1;
  return `${n} day${n === 1 ? '' : 's'}`;
}
