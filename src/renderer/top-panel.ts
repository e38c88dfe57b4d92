// "What was running": beside the charts, the top 5 processes by CPU and by memory of the minute
// under the pointer (GET /api/top, recorded once a minute by the engine). It keeps the last
// minute shown when the pointer leaves the charts, so it can be read. Asked for once per minute
// crossed (after a short pause, so a sweep across a day does not send a request per pixel),
// never during a drag to zoom, the newest answer wins, and the minutes already fetched are kept
// for the page's life.
import type { TopResult, VigilClient } from '../shared/api.js';
import type { TopProcess } from '../shared/processes.js';
import { formatClock, formatDayOf } from '../shared/time-zone.js';
import { formatBytes } from '../shared/units.js';
import { h } from './dom.js';

const MINUTE_MS = 60_000;
/** Waits this long on a minute before asking: the pointer is resting, not sweeping. */
const SETTLE_MS = 120;
/** Minutes kept in memory (a day of minutes is 1,440; each answer is ~1 KB). */
const CACHE_MINUTES = 2000;

export interface TopPanelOptions {
  client: () => VigilClient;
  /** The machine's zone (the page shows its times). */
  timeZone: () => string | undefined;
  /** Runs a call, asking for the access token if the server wants one. */
  authorized<T>(run: () => Promise<T>): Promise<T>;
  /** A minute's lists arrived (the chart's tooltip can show them now). */
  loaded?(): void;
}

export class TopPanel {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly cache = new Map<number, TopResult>();
  /** The minute shown or being fetched. */
  private minute: number | null = null;
  private timer: number | null = null;
  private seq = 0;
  /** A button is down: a drag to zoom, whose minutes are not what the person is after. */
  private pressed = false;

  constructor(
    after: HTMLElement,
    private readonly options: TopPanelOptions,
  ) {
    this.body = h('div', { className: 'top-body', id: 'top-body', 'aria-live': 'polite' }, h('p', { className: 'note', text: 'Point at a chart to see which processes used the most CPU and memory in that minute.' }));
    this.element = h('aside', { id: 'top-panel', className: 'top-panel', 'aria-labelledby': 'top-title' }, h('h2', { id: 'top-title', className: 'top-title', text: 'What was running' }), this.body);
    after.after(this.element);
    window.addEventListener(
      'pointerdown',
      () => {
        this.pressed = true;
        this.cancel();
      },
      true,
    );
    for (const type of ['pointerup', 'pointercancel'] as const) window.addEventListener(type, () => (this.pressed = false), true);
  }

  private cancel(): void {
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
    // The minute was not shown: pointing at it again asks for it.
    if (this.element.dataset.minute !== String(this.minute)) this.minute = null;
  }

  /** The pointer is over the charts at `ts` (unix ms), or left them (null: the last minute stays). */
  show(ts: number | null): void {
    if (ts === null || this.pressed) return;
    const minute = ts - (((ts % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
    if (minute === this.minute) return;
    this.minute = minute;
    if (this.timer !== null) window.clearTimeout(this.timer);
    const cached = this.cache.get(minute);
    if (cached) {
      this.timer = null;
      this.seq++;
      this.render(cached);
      return;
    }
    this.timer = window.setTimeout(() => {
      this.timer = null;
      void this.fetch(minute);
    }, SETTLE_MS);
  }

  /** The tooltip's lines for the minute holding `ts`, once that minute has been fetched (else none). */
  tooltipLines(ts: number): string[] {
    const top = this.cache.get(ts - (((ts % MINUTE_MS) + MINUTE_MS) % MINUTE_MS))?.top;
    if (!top) return [];
    const names = (list: readonly TopProcess[], value: (p: TopProcess) => string) => list.slice(0, 3).map((p) => `${p.name} ${value(p)}`).join(', ');
    return [`Top CPU: ${names(top.byCpu, (p) => `${p.cpuPercent.toFixed(0)} %`)}`, `Top memory: ${names(top.byMemory, (p) => formatBytes(p.memoryBytes))}`];
  }

  private async fetch(minute: number): Promise<void> {
    const seq = ++this.seq;
    this.body.setAttribute('aria-busy', 'true');
    try {
      const result = await this.options.authorized(() => this.options.client().top({ at: minute }));
      // A minute not over yet (or just over) may still be recorded: only keep what is there.
      if (result.top) {
        if (this.cache.size >= CACHE_MINUTES) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(minute, result);
      }
      if (seq === this.seq) {
        this.render(result);
        if (result.top) this.options.loaded?.();
      }
    } catch (error) {
      if (seq === this.seq) this.body.replaceChildren(h('p', { className: 'error', role: 'alert', text: (error as Error).message }));
    } finally {
      if (seq === this.seq) this.body.removeAttribute('aria-busy');
    }
  }

  private render(result: TopResult): void {
    const zone = this.options.timeZone();
    const when = `${formatDayOf(result.minute, zone)} ${formatClock(result.minute, zone)}`;
    this.element.dataset.minute = String(result.minute);
    const heading = h('p', { className: 'top-minute', text: `Minute of ${when}` });
    if (!result.top) {
      this.body.replaceChildren(heading, h('p', { className: 'note', id: 'top-none', text: 'Nothing recorded for this minute: it is not over yet, nothing was sampled, or recording is off (processes.recordTop).' }));
      return;
    }
    const { byCpu, byMemory, windowMs } = result.top;
    const parts: HTMLElement[] = [heading];
    // Less than most of a minute: the agent started (or woke) inside it.
    if (windowMs < 50_000) parts.push(h('p', { className: 'note', text: `CPU over the last ${Math.round(windowMs / 1000)} s of the minute only.` }));
    parts.push(table('top-cpu', 'By CPU', byCpu, (p) => `${p.cpuPercent.toFixed(1)} %`, 'CPU'), table('top-memory', 'By memory', byMemory, (p) => formatBytes(p.memoryBytes), 'Memory'));
    this.body.replaceChildren(...parts);
  }
}

function table(id: string, caption: string, processes: readonly TopProcess[], value: (p: TopProcess) => string, valueLabel: string): HTMLElement {
  return h(
    'table',
    { className: 'top-table', id },
    h('caption', { text: caption }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Process' }), h('th', { scope: 'col', text: 'PID' }), h('th', { scope: 'col', text: valueLabel }))),
    h('tbody', {}, ...processes.map((p) => h('tr', { 'data-pid': p.pid }, h('th', { scope: 'row', text: p.name, title: p.name }), h('td', { text: String(p.pid) }), h('td', { text: value(p) })))),
  );
}
