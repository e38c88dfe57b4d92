// The chart page's state and what it shows: a view (live, day, week, month, year, a span of days)
// and its zoom, fetched through one VigilClient and drawn by the chart board. Days and times are
// the machine's (HostInfo.timeZone), whatever the browser's zone. What is shown lives in the URL
// (view.ts), so a link opens the same view.
//
// The chart code (chart.js, charts.ts) is its own chunk, loaded beside the first requests.
import type { HostInfo, SeriesResult, VigilClient } from '../shared/api.js';
import { formatDay, parseDay, type LocalDay } from '../shared/dates.js';
import { keysForPanels } from '../shared/panels.js';
import { dayInZone, knownTimeZone } from '../shared/time-zone.js';
import { Calendar } from './calendar.js';
import { ChartChoices } from './chart-choices.js';
import type { ChartBoard } from './charts.js';
import type { Authorized } from './client.js';
import { byId } from './dom.js';
import { LiveFeed } from './live-feed.js';
import { Menus } from './menus.js';
import { chartTheme, emptyText, failureText, onThemeChange, pointsForCharts, rememberView, renderZoomBar, say, setPageState, shownText, type PageState } from './page-dom.js';
import { ZoomControl } from './page-zoom.js';
import { describeZone, renderLiveStatus, renderNav, wireNav } from './nav-bar.js';
import { TopPanel } from './top-panel.js';
import { anchorDay, DEFAULT_LIVE_MS, parseViewSearch, reachesToday, startsAfter, stepView, viewDays, viewOfDay, viewOfKind, viewOfSpan, viewTitle, type View, type ViewState, type Zoom } from './view.js';

/** A period view that reaches today is fetched again this often (new samples at its end). */
const REFRESH_PERIOD_MS = 60_000;

export class Page {
  private host: HostInfo | null = null;
  private timeZone: string | undefined;
  private clockSkew = 0; // the machine's clock minus this browser's, in ms
  private state: ViewState = { view: { kind: 'live', windowMs: DEFAULT_LIVE_MS }, zoom: null };
  /** The live window last used, for the Live tab. */
  private liveWindowMs = DEFAULT_LIVE_MS;
  /** The whole view's data (not the zoom's), to go back to without asking again. */
  private base: SeriesResult | null = null;
  private shown: SeriesResult | null = null;
  private shownRange: Zoom | null = null;
  /** Charts were drawn before the host answered (in this browser's zone, default interfaces). */
  private drawnBeforeHost = false;
  private requestSeq = 0;
  private board: ChartBoard | null = null;
  private readonly boardLoad: Promise<ChartBoard>;
  private readonly live: LiveFeed;
  private readonly zoom: ZoomControl;
  private readonly choices: ChartChoices;
  private readonly menus: Menus;
  private readonly topPanel: TopPanel;
  private readonly calendar: Calendar;
  private readonly dateInput = byId<HTMLInputElement>('date-input');
  private readonly toInput = byId<HTMLInputElement>('to-input');

  constructor(
    private readonly client: VigilClient,
    private readonly authorized: Authorized,
    apiBase: string | null,
  ) {
    // The chart code loads now, while the first requests are out; open() awaits it (and shows a failure).
    this.boardLoad = this.loadBoard();
    this.boardLoad.catch(() => {});
    this.live = new LiveFeed({
      client,
      stepMs: () => (this.host?.intervalSeconds ?? 1) * 1000,
      isCurrent: (seq) => seq === this.requestSeq,
      render: (first) => this.renderLive(first),
      statusChanged: () => renderLiveStatus(this.state, this.live.status),
      windowMs: () => this.liveWindowMs,
    });
    this.zoom = new ZoomControl({
      state: () => this.state,
      base: () => this.base,
      shown: () => this.shown,
      liveData: () => this.live.data,
      setZoom: (zoom) => {
        this.state = { ...this.state, zoom };
        rememberView(this.state, 'replace');
        this.renderNav();
      },
      machineNow: () => this.machineNow(),
      nextSeq: () => ++this.requestSeq,
      isCurrent: (seq) => seq === this.requestSeq,
      fetchSpan: (zoom) => {
        const { keys, disks } = keysForPanels(this.choices.panels);
        return this.authorized(() => this.client.series({ from: zoom.from, to: zoom.to, points: pointsForCharts(), keys, disks }));
      },
      show: (data, range) => this.show(data, range),
      renderLive: (first) => this.renderLive(first),
      open: (state, history) => void this.open(state, { history }),
      loading: () => this.setState('loading'),
      fail: (error) => this.fail(error),
    });
    this.choices = new ChartChoices({
      // Other series are needed: ask again for the same view.
      panelsChanged: () => void this.open(this.state, { history: 'none' }),
      interfacesChanged: () => this.shown && this.draw(),
    });
    this.menus = new Menus({
      client,
      authorized,
      today: () => this.today(),
      shownDay: () => anchorDay(this.state.view, this.today()),
      shownDays: () => viewDays(this.state.view),
    });
    this.topPanel = new TopPanel(byId('charts'), { client: () => this.client, timeZone: () => this.timeZone, authorized, loaded: () => this.board?.refreshTooltips() });
    this.calendar = new Calendar({
      root: byId('calendar'),
      button: byId<HTMLButtonElement>('calendar-button'),
      daysWithData: async (from, to) => new Set((await this.authorized(() => this.client.days({ from: formatDay(from), to: formatDay(to) }))).days),
      today: () => this.today(),
      selected: () => anchorDay(this.state.view, this.today()),
      pick: (day) => this.pickDay(day),
    });
    // A machine page of the hub: a way back to the fleet.
    const fleet = apiBase ? /^\/api\/machines\/[^/]+$/.test(apiBase) : false;
    byId('fleet-link').hidden = !fleet;
    wireNav(
      {
        step: (direction) => this.step(direction),
        today: () => void this.open({ view: { kind: 'live', windowMs: this.liveWindowMs }, zoom: null }),
        chooseKind: (kind) => void this.open({ view: viewOfKind(this.state.view, kind, this.today(), this.liveWindowMs), zoom: null }),
        liveWindow: (windowMs) => void this.open({ view: { kind: 'live', windowMs }, zoom: null }),
        go: () => this.go(),
        zoomBy: (factor, anchor) => this.zoom.zoomBy(factor, anchor),
        pointer: () => this.board?.pointer ?? null,
        resetZoom: () => this.zoom.reset(),
        popstate: () => {
          try {
            void this.open(parseViewSearch(new URLSearchParams(window.location.search)), { history: 'none' });
          } catch (error) {
            this.fail(error);
          }
        },
        visible: () => this.state.view.kind === 'live' && this.renderLive(false),
      },
      [this.dateInput, this.toInput],
    );
    onThemeChange(() => {
      if (this.shown && document.body.dataset.state === 'ready') this.draw();
    });
  }

  private async loadBoard(): Promise<ChartBoard> {
    const { ChartBoard } = await import('./charts.js');
    this.board = new ChartBoard(byId('charts'), {
      zoom: (from, to) => void this.zoom.zoomTo(from, to),
      zoomBy: (factor, anchor) => this.zoom.zoomBy(factor, anchor),
      pan: (fraction) => this.zoom.pan(fraction),
      reset: () => this.zoom.reset(),
      hover: (ts) => this.topPanel.show(ts),
      tooltipFooter: (ts) => this.topPanel.tooltipLines(ts),
    });
    return this.board;
  }

  async start(): Promise<void> {
    let asked: ViewState | null = null;
    let problem: unknown = null;
    try {
      asked = parseViewSearch(new URLSearchParams(window.location.search));
    } catch (error) {
      problem = error;
    }
    // The host and the first data at once: neither waits for the other.
    const hostRequest = this.authorized(() => this.client.host());
    // A page opened without a view keeps its plain URL (the default view is what it means).
    const first = asked ? this.open(asked, { history: window.location.search ? 'replace' : 'none' }) : null;
    // After the requests are out: the page's clock in its zone (Intl's first use) is not free.
    if (!first) this.setState('loading');
    try {
      this.host = await hostRequest;
    } catch (error) {
      this.fail(error);
      return;
    }
    this.timeZone = knownTimeZone(this.host.timeZone);
    this.clockSkew = this.host.now - Date.now();
    this.choices.forMachine(this.host.machine.id);
    byId('machine-name').textContent = this.host.machine.name;
    document.title = `Vigil · ${this.host.machine.name}`;
    describeZone(this.host, this.timeZone);
    if (problem) {
      // A link with a bad view: say so, and leave the page usable (today's live view behind it).
      const search = new URLSearchParams(window.location.search);
      this.badInput((search.get('date') ?? search.get('week') ?? search.get('from') ?? '').trim(), problem);
      this.renderNav(false);
      return;
    }
    await first;
    // Drawn before the host was known: again, in the machine's zone with its interface choices.
    // (Usually the host answers first, and the charts are drawn once.)
    if (this.drawnBeforeHost && this.shown && this.shownRange && document.body.dataset.state === 'ready') this.draw();
    window.setInterval(() => void this.refreshPeriod(), REFRESH_PERIOD_MS);
  }

  // ------------------------------------------------------------ views

  /** Shows a view (and its zoom): the data, the URL, the navigation. */
  private async open(state: ViewState, options: { history?: 'push' | 'replace' | 'none' } = {}): Promise<void> {
    const seq = ++this.requestSeq;
    for (const name of ['vigil:request', 'vigil:data', 'vigil:drawn', 'vigil:painted']) performance.clearMarks(name);
    performance.clearMeasures('vigil:open');
    performance.mark('vigil:request');
    // The request goes out first; the page's own work below runs while it is answered.
    const request = this.authorized(() => this.fetchView(state.view));
    request.catch(() => {}); // awaited below, where a failure is shown
    this.live.stop(); // renderNav() below says so in the live status
    this.state = state;
    this.base = null;
    if (state.view.kind === 'live') this.liveWindowMs = state.view.windowMs;
    rememberView(this.state, options.history ?? 'push');
    this.renderNav();
    this.menus.viewChanged();
    this.setState('loading');
    say(`Loading ${viewTitle(state.view)}…`, 'info');
    try {
      const { keys, disks } = keysForPanels(this.choices.panels);
      const data = await request;
      if (seq !== this.requestSeq) return;
      performance.mark('vigil:data');
      await this.boardLoad;
      if (seq !== this.requestSeq) return;
      if (state.view.kind === 'live') {
        // The machine's now, as the server saw it (its to is now + 1).
        this.clockSkew = data.to - 1 - Date.now();
        this.live.start(data, keys, disks, seq);
      } else {
        this.base = data;
        if (state.zoom) await this.zoom.show(state.zoom, seq);
        else this.show(data, { from: data.from, to: data.to });
      }
    } catch (error) {
      if (seq === this.requestSeq) this.fail(error);
      return;
    }
    if (seq !== this.requestSeq) return;
    performance.mark('vigil:drawn');
    await this.painted(seq);
  }

  private fetchView(view: View): Promise<SeriesResult> {
    const { keys, disks } = keysForPanels(this.choices.panels);
    if (view.kind === 'live') return this.client.recent({ windowMs: view.windowMs, keys, disks });
    const points = pointsForCharts();
    if (view.kind === 'day') return this.client.day({ date: formatDay(view.day), points, keys, disks });
    const days = viewDays(view)!;
    return this.client.range({ from: formatDay(days.from), to: formatDay(days.to), points, keys, disks });
  }

  /** A day picked in the calendar or typed: a future one is refused where it was typed. */
  private pickDay(day: LocalDay): void {
    try {
      void this.open({ view: viewOfDay(this.state.view, day, this.today(), this.liveWindowMs), zoom: null });
    } catch (error) {
      this.badInput(formatDay(day), error);
    }
  }

  /** The date field (and the custom span's To field): checked here first, so a bad value never leaves the page. */
  private go(): void {
    const text = this.dateInput.value.trim();
    let day: LocalDay;
    try {
      if (this.state.view.kind === 'custom') {
        void this.open({ view: viewOfSpan(this.dateInput.value, this.toInput.value, this.today()), zoom: null });
        return;
      }
      day = parseDay(text);
    } catch (error) {
      this.badInput(text, error);
      return;
    }
    this.pickDay(day);
  }

  private badInput(text: string, error: unknown): void {
    this.dateInput.value = text;
    this.dateInput.setAttribute('aria-invalid', 'true');
    this.setState('error');
    say((error as Error).message, 'error');
  }

  private step(direction: -1 | 1): void {
    const view = this.state.view;
    if (view.kind === 'live') {
      // Earlier / later by the shown span, back to following at the newest.
      const range = this.zoom.currentRange();
      if (!range) return;
      const span = range.to - range.from;
      if (direction > 0 && range.to + span >= this.machineNow()) {
        this.zoom.reset();
        return;
      }
      void this.zoom.zoomTo(range.from + direction * span, range.to + direction * span);
      return;
    }
    const next = stepView(view, direction);
    if (direction > 0 && startsAfter(next, this.today())) return;
    void this.open({ view: next, zoom: null });
  }

  /** A period that reaches today gains data: fetch it again now and then (not while zoomed). */
  private async refreshPeriod(): Promise<void> {
    const view = this.state.view;
    if (view.kind === 'live' || this.state.zoom || document.visibilityState !== 'visible' || document.body.dataset.state === 'loading') return;
    if (!reachesToday(view, this.today())) return;
    const seq = ++this.requestSeq;
    try {
      const data = await this.fetchView(view);
      if (seq !== this.requestSeq) return;
      this.base = data;
      this.show(data, { from: data.from, to: data.to });
      this.calendar.invalidate();
    } catch {
      // The next refresh tries again; a failure here must not replace the charts with an error.
    }
  }

  // ------------------------------------------------------------ live

  /** Draws the live window ending at the machine's now (or the frozen zoom). */
  private renderLive(first: boolean): void {
    const live = this.live.data;
    const view = this.state.view;
    if (!live || view.kind !== 'live') return;
    if (!first && (document.visibilityState !== 'visible' || this.state.zoom)) return;
    this.live.lastRender = performance.now();
    const now = this.machineNow();
    live.trim(now - view.windowMs - 60_000);
    if (this.state.zoom) {
      void this.zoom.show(this.state.zoom, this.requestSeq);
      return;
    }
    const range = { from: now - view.windowMs, to: now };
    this.show(live.result(range.from, range.to), range);
  }

  // ------------------------------------------------------------ drawing

  private show(data: SeriesResult, range: Zoom): void {
    this.shown = data;
    this.shownRange = range;
    this.draw();
  }

  private draw(): void {
    const board = this.board;
    if (!board) return; // the charts' code has not come yet: open() draws once it has
    const data = this.shown!;
    const range = this.shownRange!;
    const { view, zoom } = this.state;
    this.choices.renderInterfaces(data);
    // Not the date fields: data arriving must not overwrite what someone is typing.
    this.renderNav(false);
    renderZoomBar(view, zoom, data, range, this.timeZone);
    if (data.timestamps.length === 0 && !zoom) {
      board.clear();
      this.setState('empty');
      say(emptyText(view), 'empty');
      return;
    }
    this.drawnBeforeHost = this.host === null;
    board.render(data, { theme: chartTheme(), timeZone: this.timeZone, range, interfaces: this.choices.visibleInterfaces(data), panels: this.choices.panels });
    this.setState('ready');
    say(shownText(view, data), 'info');
  }

  /** The frame after the charts: a rAF, then a task (the frame is painted by then). */
  private async painted(seq: number): Promise<void> {
    await new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    if (seq !== this.requestSeq) return;
    performance.mark('vigil:painted');
    const measure = performance.measure('vigil:open', 'vigil:request', 'vigil:painted');
    document.body.dataset.openMs = measure.duration.toFixed(1);
  }

  // ------------------------------------------------------------ chrome

  private renderNav(clearInput = true): void {
    renderNav(this.state, this.today(), this.dateInput, this.toInput, clearInput);
    renderLiveStatus(this.state, this.live.status);
  }

  /** Unix ms on the machine's clock. */
  private machineNow(): number {
    return Date.now() + this.clockSkew;
  }

  /** Today on the machine: its clock in its zone, so a page left open crosses midnight with it. */
  private today(): LocalDay {
    return dayInZone(this.machineNow(), this.timeZone);
  }

  private setState(state: PageState): void {
    setPageState(state, this.state.view, this.today());
  }

  private fail(error: unknown): void {
    this.setState('error');
    say(failureText(error), 'error');
  }
}
