// The chart page: pick a day (DD-MM-YYYY), read CPU, memory and every interface's traffic, zoom
// down to single seconds, export CSV. It talks to one VigilClient: IPC when the tray app's preload
// bridge is there (window.vigil.api), HTTP to the server that served the page otherwise.
//
// Days and times are the machine's (HostInfo.timeZone), whatever the browser's zone.
import { DEFAULT_POINTS, MAX_POINTS, type HostInfo, type SeriesResult, type VigilClient } from '../shared/api.js';
import { createHttpClient, createIpcClient, type VigilBridge } from '../shared/api-client.js';
import { DARK_THEME, LIGHT_THEME, type ChartTheme } from '../shared/chart-config.js';
import { addDays, compareDays, formatDay, parseDay, type LocalDay } from '../shared/dates.js';
import { VigilError } from '../shared/errors.js';
import { dayInZone, formatClock, formatDayOf, knownTimeZone, runtimeTimeZone } from '../shared/time-zone.js';
import { formatDuration } from '../shared/units.js';
import { Calendar } from './calendar.js';
import { ChartBoard } from './charts.js';
import { byId, h } from './dom.js';
import { ExportPanel } from './export-panel.js';
import { askForToken, currentToken, forgetToken, takeTokenFromFragment } from './token.js';

declare global {
  interface Window {
    /** The tray app's preload bridge (see shared/api-client.ts). */
    vigil?: { api?: VigilBridge };
  }
}

type PageState = 'loading' | 'ready' | 'empty' | 'error';

/** While today is shown (whole day), new samples are fetched this often. */
const REFRESH_TODAY_MS = 60_000;

class Page {
  private host: HostInfo | null = null;
  private timeZone: string | undefined;
  /** The machine's clock minus this browser's, in ms. */
  private clockSkew = 0;
  private day: LocalDay | null = null;
  private dayData: SeriesResult | null = null;
  private shown: SeriesResult | null = null;
  private zoom: { from: number; to: number } | null = null;
  /** Interfaces the person switched on or off; others follow their kind (virtual/loopback off). */
  private readonly ifaceChoice = new Map<string, boolean>();
  private requestSeq = 0;
  private readonly board: ChartBoard;
  private readonly calendar: Calendar;
  private readonly dateInput = byId<HTMLInputElement>('date-input');
  private readonly status = byId('status');
  private readonly darkQuery = window.matchMedia('(prefers-color-scheme: dark)');

  constructor(
    private readonly client: VigilClient,
    /** Over HTTP a 401 means "ask for the token"; over IPC there is none. */
    private readonly transport: 'http' | 'ipc',
  ) {
    this.board = new ChartBoard(byId('charts'), {
      zoom: (from, to) => void this.zoomTo(from, to),
      zoomBy: (factor) => this.zoomBy(factor),
      pan: (fraction) => this.pan(fraction),
      reset: () => this.resetZoom(),
    });
    this.calendar = new Calendar({
      root: byId('calendar'),
      button: byId<HTMLButtonElement>('calendar-button'),
      daysWithData: async (from, to) => new Set((await this.authorized(() => this.client.days({ from: formatDay(from), to: formatDay(to) }))).days),
      today: () => this.today(),
      selected: () => this.day ?? this.today(),
      pick: (day) => void this.showDay(day),
    });
    new ExportPanel({
      client: () => this.client,
      shownDay: () => this.day ?? this.today(),
      today: () => this.today(),
      authorized: (run) => this.authorized(run),
    });
    this.wire();
  }

  async start(): Promise<void> {
    this.setState('loading');
    try {
      this.host = await this.authorized(() => this.client.host());
    } catch (error) {
      this.fail(error);
      return;
    }
    this.timeZone = knownTimeZone(this.host.timeZone);
    this.clockSkew = this.host.now - Date.now();
    byId('machine-name').textContent = this.host.machine.name;
    document.title = `Vigil · ${this.host.machine.name}`;
    this.describeZone();
    const asked = new URLSearchParams(window.location.search).get('date');
    await this.go(asked ?? this.host.today);
    window.setInterval(() => void this.refreshToday(), REFRESH_TODAY_MS);
  }

  // ------------------------------------------------------------ days

  /** A day typed or linked as text: checked here first, so a bad one never leaves the page. */
  private async go(text: string): Promise<void> {
    let day: LocalDay;
    try {
      day = parseDay(text.trim());
      if (compareDays(day, this.today()) > 0) throw new VigilError('future_date', `${formatDay(day)} is in the future (today is ${formatDay(this.today())})`);
    } catch (error) {
      this.dateInput.value = text.trim();
      this.dateInput.setAttribute('aria-invalid', 'true');
      this.setState('error');
      this.say((error as Error).message, 'error');
      return;
    }
    await this.showDay(day);
  }

  private async showDay(day: LocalDay): Promise<void> {
    this.day = day;
    this.zoom = null;
    this.dateInput.value = formatDay(day);
    this.dateInput.removeAttribute('aria-invalid');
    this.updateNav();
    this.rememberDay(day);
    const seq = ++this.requestSeq;
    this.setState('loading');
    this.say(`Loading ${formatDay(day)}…`, 'info');
    for (const name of ['vigil:request', 'vigil:data', 'vigil:drawn', 'vigil:painted']) performance.clearMarks(name);
    performance.clearMeasures('vigil:open');
    performance.mark('vigil:request');
    let data: SeriesResult;
    try {
      data = await this.authorized(() => this.client.day({ date: formatDay(day), points: this.points() }));
    } catch (error) {
      if (seq === this.requestSeq) this.fail(error);
      return;
    }
    if (seq !== this.requestSeq) return;
    performance.mark('vigil:data');
    this.dayData = data;
    this.show(data, { from: data.from, to: data.to });
    performance.mark('vigil:drawn');
    await this.painted(seq);
  }

  private async refreshToday(): Promise<void> {
    if (!this.day || this.zoom || document.visibilityState !== 'visible' || document.body.dataset.state === 'loading') return;
    if (compareDays(this.day, this.today()) !== 0) return;
    const seq = ++this.requestSeq;
    try {
      const data = await this.client.day({ date: formatDay(this.day), points: this.points() });
      if (seq !== this.requestSeq) return;
      this.dayData = data;
      this.show(data, { from: data.from, to: data.to });
      this.calendar.invalidate();
    } catch {
      // The next refresh tries again; a failure here must not replace the charts with an error.
    }
  }

  // ------------------------------------------------------------ zoom

  private async zoomTo(from: number, to: number): Promise<void> {
    const bounds = this.dayData;
    if (!bounds) return;
    const span = Math.min(to - from, bounds.to - bounds.from);
    from = Math.max(bounds.from, Math.min(from, bounds.to - span));
    to = from + span;
    if (from <= bounds.from && to >= bounds.to) {
      this.resetZoom();
      return;
    }
    this.zoom = { from, to };
    const seq = ++this.requestSeq;
    this.setState('loading');
    performance.clearMarks('vigil:zoom-request');
    performance.mark('vigil:zoom-request');
    let data: SeriesResult;
    try {
      data = await this.authorized(() => this.client.series({ from, to, points: this.points() }));
    } catch (error) {
      if (seq === this.requestSeq) this.fail(error);
      return;
    }
    if (seq !== this.requestSeq) return;
    this.show(data, { from, to });
  }

  private zoomBy(factor: number): void {
    const current = this.zoom ?? (this.dayData ? { from: this.dayData.from, to: this.dayData.to } : null);
    if (!current) return;
    const middle = (current.from + current.to) / 2;
    const span = Math.max(60_000, (current.to - current.from) * factor);
    void this.zoomTo(Math.round(middle - span / 2), Math.round(middle + span / 2));
  }

  private pan(fraction: number): void {
    if (!this.zoom) return;
    const span = this.zoom.to - this.zoom.from;
    const shift = Math.round(span * fraction);
    void this.zoomTo(this.zoom.from + shift, this.zoom.to + shift);
  }

  private resetZoom(): void {
    if (!this.dayData) return;
    this.requestSeq++;
    this.zoom = null;
    this.show(this.dayData, { from: this.dayData.from, to: this.dayData.to });
  }

  // ------------------------------------------------------------ drawing

  private show(data: SeriesResult, range: { from: number; to: number }): void {
    this.shown = data;
    this.renderInterfaces(data);
    const zoomBar = byId('zoom-bar');
    zoomBar.hidden = this.zoom === null;
    if (this.zoom) {
      const resolution = data.bucketMs === null ? 'raw samples' : `${formatDuration(data.bucketMs)} buckets`;
      byId('zoom-label').textContent = `${formatClock(range.from, this.timeZone, true)} – ${formatClock(range.to, this.timeZone, true)} (${resolution})`;
    }
    if (data.timestamps.length === 0 && !this.zoom) {
      this.board.clear();
      this.setState('empty');
      this.say(`No data recorded on ${formatDay(this.day!)}. Days with data are marked in the calendar.`, 'empty');
      return;
    }
    this.board.render(data, { theme: this.theme(), timeZone: this.timeZone, range, interfaces: this.visibleInterfaces(data) });
    this.setState('ready');
    const resolution = data.bucketMs === null ? 'raw samples' : `min/avg/max per ${formatDuration(data.bucketMs)}`;
    this.say(data.timestamps.length === 0 ? 'No data in this span.' : `${formatDay(this.day!)} · ${resolution}`, 'info');
  }

  private async painted(seq: number): Promise<void> {
    await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
    if (seq !== this.requestSeq) return;
    performance.mark('vigil:painted');
    const measure = performance.measure('vigil:open', 'vigil:request', 'vigil:painted');
    document.body.dataset.openMs = measure.duration.toFixed(1);
  }

  private renderInterfaces(data: SeriesResult): void {
    const fieldset = byId('interfaces');
    const list = byId('interface-list');
    fieldset.hidden = data.interfaces.length === 0;
    list.replaceChildren(
      ...data.interfaces.map((iface) => {
        const input = h('input', { type: 'checkbox', 'data-iface': iface.name });
        input.checked = this.ifaceVisible(iface);
        input.addEventListener('change', () => {
          this.ifaceChoice.set(iface.name, input.checked);
          if (this.shown) this.show(this.shown, this.zoom ?? { from: this.shown.from, to: this.shown.to });
        });
        const kind = iface.loopback ? 'loopback' : iface.virtual ? 'virtual' : null;
        return h('label', {}, input, iface.name, kind ? ' ' : null, kind ? h('span', { className: 'kind', text: `(${kind})` }) : null);
      }),
    );
  }

  private ifaceVisible(iface: { name: string; loopback: boolean; virtual: boolean }): boolean {
    return this.ifaceChoice.get(iface.name) ?? !(iface.loopback || iface.virtual);
  }

  private visibleInterfaces(data: SeriesResult): string[] {
    return data.interfaces.filter((i) => this.ifaceVisible(i)).map((i) => i.name);
  }

  private theme(): ChartTheme {
    return this.darkQuery.matches ? DARK_THEME : LIGHT_THEME;
  }

  /** Points per series to ask for: about a chart's width in pixels. */
  private points(): number {
    const charts = byId('charts');
    const track = parseFloat(getComputedStyle(charts).gridTemplateColumns.split(' ')[0] ?? '');
    const width = Number.isFinite(track) && track > 0 ? track : Math.min(window.innerWidth, 1600) - 40;
    return Math.max(200, Math.min(MAX_POINTS, Math.round(width - 60) || DEFAULT_POINTS));
  }

  // ------------------------------------------------------------ chrome

  private wire(): void {
    byId('prev-day').addEventListener('click', () => this.step(-1));
    byId('next-day').addEventListener('click', () => this.step(1));
    byId('today').addEventListener('click', () => void this.showDay(this.today()));
    byId('zoom-out').addEventListener('click', () => this.zoomBy(2));
    byId('zoom-reset').addEventListener('click', () => this.resetZoom());
    this.dateInput.addEventListener('change', () => void this.go(this.dateInput.value));
    this.dateInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        void this.go(this.dateInput.value);
      }
    });
    document.addEventListener('keydown', (event) => {
      if (!event.altKey || (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight')) return;
      event.preventDefault();
      this.step(event.key === 'ArrowLeft' ? -1 : 1);
    });
    this.darkQuery.addEventListener('change', () => {
      if (this.shown && document.body.dataset.state === 'ready') this.show(this.shown, this.zoom ?? { from: this.shown.from, to: this.shown.to });
    });
  }

  private step(days: number): void {
    if (!this.day) return;
    const day = addDays(this.day, days);
    if (compareDays(day, this.today()) > 0) return;
    void this.showDay(day);
  }

  private updateNav(): void {
    const isToday = this.day !== null && compareDays(this.day, this.today()) >= 0;
    byId<HTMLButtonElement>('next-day').disabled = isToday;
    byId<HTMLButtonElement>('today').disabled = isToday;
  }

  private rememberDay(day: LocalDay): void {
    const url = new URL(window.location.href);
    url.searchParams.set('date', formatDay(day));
    history.replaceState(history.state, '', url.pathname + url.search);
  }

  /** Today on the machine: its clock (as of /host) in its zone, so a page left open crosses midnight with it. */
  private today(): LocalDay {
    if (!this.host) return dayInZone(Date.now());
    return dayInZone(Date.now() + this.clockSkew, this.timeZone);
  }

  private describeZone(): void {
    const note = byId('zone-note');
    const zone = this.host?.timeZone;
    if (!zone) return;
    const last = this.host?.lastSampleTs;
    const latest = last ? ` Latest sample: ${formatDayOf(last, this.timeZone)} ${formatClock(last, this.timeZone, true)}.` : ' No samples yet.';
    const here = zone === runtimeTimeZone() ? '' : ' (the machine’s local time, not this browser’s)';
    note.textContent = `Days and times in ${zone}${here}.${latest}`;
    note.hidden = false;
  }

  private setState(state: PageState): void {
    document.body.dataset.state = state;
    if (this.day) document.body.dataset.day = formatDay(this.day);
  }

  private say(text: string, kind: 'info' | 'error' | 'empty'): void {
    this.status.textContent = text;
    this.status.className = `status ${kind}`;
  }

  private fail(error: unknown): void {
    this.setState('error');
    const message = error instanceof VigilError ? error.message : `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
    this.say(message, 'error');
  }

  /** Runs an API call; on 401 asks for the token (once per refusal) and tries again. */
  async authorized<T>(run: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await run();
      } catch (error) {
        if (!(error instanceof VigilError) || error.code !== 'unauthorized' || this.transport !== 'http') throw error;
        const hadToken = currentToken() !== null;
        forgetToken();
        await askForToken(hadToken ? error.message : null);
      }
    }
  }
}

/** IPC when the tray app's preload bridge is there, else HTTP to the server that served the page. */
function createClient(): { client: VigilClient; transport: 'http' | 'ipc' } {
  const bridge = window.vigil?.api;
  if (bridge) return { client: createIpcClient(bridge), transport: 'ipc' };
  const base = document.querySelector<HTMLMetaElement>('meta[name="vigil-api-base"]')?.content || 'api';
  const client = createHttpClient({
    baseUrl: new URL(base, document.baseURI).href,
    fetch: (url, init) => window.fetch(url, { ...init, credentials: 'omit', cache: 'no-store' }),
    token: currentToken,
    saveFile: download,
  });
  return { client, transport: 'http' };
}

function download(data: Blob, fileName: string): void {
  const url = URL.createObjectURL(data);
  const link = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the object URL; release it once the click is handled.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

takeTokenFromFragment();
const { client, transport } = createClient();
void new Page(client, transport).start();
