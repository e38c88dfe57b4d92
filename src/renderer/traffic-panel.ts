// "Traffic" (loaded the first time the menu opens): bytes received and sent per interface over the
// shown days (today in the live view), each day's physical total as a bar, and where each quota
// stands in its billing period with the pace's projection. Fetched again when the view changes
// while the menu is open.
import type { QuotaStatus, TrafficParams, TrafficReport, VigilClient } from '../shared/api.js';
import { formatDay, type LocalDay } from '../shared/dates.js';
import type { DaySpan } from '../shared/periods.js';
import { formatPercent, formatVolume } from '../shared/units.js';
import { byId, h } from './dom.js';

export interface TrafficPanelOptions {
  client: () => VigilClient;
  /** The days the page shows (null in the live view: today). */
  shownDays: () => DaySpan | null;
  today: () => LocalDay;
  /** Runs a call, asking for the access token if the server wants one. */
  authorized<T>(run: () => Promise<T>): Promise<T>;
}

export class TrafficPanel {
  private readonly details = byId<HTMLDetailsElement>('traffic');
  private readonly body = byId('traffic-body');
  private seq = 0;

  constructor(private readonly options: TrafficPanelOptions) {
    this.details.addEventListener('toggle', () => {
      if (this.details.open) void this.refresh();
    });
  }

  /** Fetches the shown days' totals (only while the menu is open). */
  async refresh(): Promise<void> {
    if (!this.details.open) return;
    const seq = ++this.seq;
    const days = this.options.shownDays();
    const params: TrafficParams = days === null ? { day: formatDay(this.options.today()) } : days.from === days.to ? { day: formatDay(days.from) } : { from: formatDay(days.from), to: formatDay(days.to) };
    this.body.setAttribute('aria-busy', 'true');
    try {
      const report = await this.options.authorized(() => this.options.client().traffic(params));
      if (seq !== this.seq) return;
      this.render(report);
    } catch (error) {
      if (seq !== this.seq) return;
      this.body.replaceChildren(h('p', { className: 'error', role: 'alert', text: (error as Error).message }));
    } finally {
      if (seq === this.seq) this.body.removeAttribute('aria-busy');
    }
  }

  private render(report: TrafficReport): void {
    const parts: HTMLElement[] = [h('h2', { className: 'traffic-title', text: `Traffic, ${report.label}` })];
    if (report.interfaces.length === 0) parts.push(h('p', { className: 'note', text: 'No traffic recorded in these days.' }));
    else {
      const rows = report.interfaces.map((t) =>
        h('tr', { 'data-iface': t.name }, h('th', { scope: 'row', text: `${t.name}${t.loopback ? ' (loopback)' : t.virtual ? ' (virtual)' : ''}` }), ...[t.rx, t.tx, t.total].map((n) => h('td', { text: formatVolume(n) }))),
      );
      const physical = report.physical;
      parts.push(
        h(
          'table',
          { className: 'traffic-table', id: 'traffic-interfaces' },
          h('thead', {}, h('tr', {}, ...['Interface', 'Received', 'Sent', 'Total'].map((label) => h('th', { scope: 'col', text: label })))),
          h('tbody', {}, ...rows),
          h('tfoot', {}, h('tr', { 'data-iface': 'physical' }, h('th', { scope: 'row', title: 'Loopback and virtual interfaces carry the same bytes again', text: 'Physical' }), ...[physical.rx, physical.tx, physical.total].map((n) => h('td', { text: formatVolume(n) })))),
        ),
      );
    }
    if (report.days.length > 1 && report.interfaces.length > 0) parts.push(this.dayBars(report));
    for (const quota of report.quotas) parts.push(quotaLine(quota));
    this.body.replaceChildren(...parts);
  }

  /** Each day's physical total as a bar: a month reads at a glance. */
  private dayBars(report: TrafficReport): HTMLElement {
    const totals = report.days.map((day) => ({
      day: day.day,
      bytes: day.interfaces.filter((t) => !t.loopback && !t.virtual).reduce((sum, t) => sum + t.total, 0),
      empty: day.interfaces.length === 0,
    }));
    const most = Math.max(1, ...totals.map((t) => t.bytes));
    return h(
      'ol',
      { className: 'traffic-days', id: 'traffic-days', 'aria-label': 'Physical total per day' },
      ...totals.map((t) => {
        const bar = h('span', { className: 'traffic-bar' });
        bar.style.width = `${((t.bytes / most) * 100).toFixed(1)}%`;
        return h('li', { 'data-day': t.day, className: t.empty ? 'empty' : undefined }, h('span', { className: 'traffic-day', text: t.day.slice(0, 5) }), h('span', { className: 'traffic-track' }, bar), h('span', { className: 'traffic-value', text: t.empty ? '–' : formatVolume(t.bytes) }));
      }),
    );
  }
}

function quotaLine(quota: QuotaStatus): HTMLElement {
  const counted = quota.direction === 'rx' ? 'received' : quota.direction === 'tx' ? 'sent' : 'received + sent';
  const meter = h('meter', { min: 0, max: 100, low: 80, high: 90, optimum: 0, value: Math.min(100, quota.percent), 'aria-label': `Quota of ${quota.iface}` });
  const pace = quota.projected !== quota.used ? `At this pace: ${formatVolume(quota.projected)} of ${formatVolume(quota.bytes)}.` : '';
  return h(
    'div',
    { className: 'traffic-quota', 'data-iface': quota.iface, 'data-level': quota.percent >= 100 ? 'over' : quota.percent >= 80 ? 'near' : 'ok' },
    h('span', { text: `Quota ${quota.iface} (${counted}): ${formatVolume(quota.used)} of ${formatVolume(quota.bytes)}, ${formatPercent(quota.percent)}` }),
    meter,
    pace ? h('span', { className: 'traffic-pace', text: pace }) : null,
  );
}
