// The chart page. It opens on the live view (the last hour at raw resolution, following every new
// sample), and shows any day, week, month, year or span of days from the rollups Vigil keeps;
// every recorded metric has a chart, shown or hidden as the person likes. Zoom down to single
// seconds, export CSV. It talks to one VigilClient: IPC when the tray app's preload bridge is
// there (window.vigil.api), HTTP to the server that served the page otherwise.
//
// Days and times are the machine's (HostInfo.timeZone), whatever the browser's zone. What is shown
// lives in the URL (view.ts), so a link opens the same view.
import { MAX_POINTS, type HostInfo, type SeriesResult, type VigilClient, type FollowStatus } from '../shared/api.js';
import { createHttpClient, createIpcClient, type VigilBridge } from '../shared/api-client.js';
import { DARK_THEME, LIGHT_THEME, PANEL_GROUPS, keysForPanels, type ChartTheme, type PanelKind } from '../shared/chart-config.js';
import { compareDays, formatDay, parseDay, type LocalDay } from '../shared/dates.js';
import { VigilError } from '../shared/errors.js';
import type { Sample } from '../shared/model.js';
import { formatSpan, periodOf } from '../shared/periods.js';
import { dayInZone, formatClock, formatDayOf, knownTimeZone, runtimeTimeZone } from '../shared/time-zone.js';
import { formatDuration } from '../shared/units.js';
import { Calendar } from './calendar.js';
import { ChartBoard } from './charts.js';
import { byId, h } from './dom.js';
import { LiveData } from './live-data.js';
import { TopPanel } from './top-panel.js';
import { loadInterfaceChoices, loadPanels, saveInterfaceChoices, savePanels } from './preferences.js';
import { askForToken, currentToken, forgetToken, takeTokenFromFragment } from './token.js';
import {
  DEFAULT_LIVE_MS,
  LIVE_STEPS,
  anchorDay,
  formatWindow,
  parseSpan,
  parseViewSearch,
  parseWindow,
  reachesToday,
  startsAfter,
  stepView,
  viewAt,
  viewDays,
  viewSearch,
  viewTitle,
  type View,
  type ViewKind,
  type ViewState,
  type Zoom,
} from './view.js';

declare global {
  interface Window {
    /** The tray app's preload bridge (see shared/api-client.ts). */
    vigil?: { api?: VigilBridge };
  }
}

type PageState = 'loading' | 'ready' | 'empty' | 'error';

/** A period view that reaches today is fetched again this often (new samples at its end). */
const REFRESH_PERIOD_MS = 60_000;
/** In the live view, disk usage (read once a minute) is asked for again this often. */
const REFRESH_LIVE_DISKS_MS = 60_000;
/** Smallest span a zoom shows: a minute of raw seconds. */
const MIN_SPAN_MS = 60_000;

class Page {
  private host: HostInfo | null = null;
  private timeZone: string | undefined;
  /** The machine's clock minus this browser's, in ms. */
  private clockSkew = 0;
  private state: ViewState = { view: { kind: 'live', windowMs: DEFAULT_LIVE_MS }, zoom: null };
  /** The live window last used, for the Live tab. */
  private liveWindowMs = DEFAULT_LIVE_MS;
  /** The whole view's data (not the zoom's), to go back to without asking again. */
  private base: SeriesResult | null = null;
  private shown: SeriesResult | null = null;
  private shownRange: Zoom | null = null;
  private live: LiveData | null = null;
  private liveFilling: Sample[] | null = null;
  private stopFollowing: (() => void) | null = null;
  private liveTimers: number[] = [];
  private liveRenderQueued = false;
  private lastLiveRender = 0;
  private liveStatus: FollowStatus | null = null;
  private panels: PanelKind[] = loadPanels();
  /** Interfaces the person switched on or off; others follow their kind (virtual/loopback off). */
  private ifaceChoice = new Map<string, boolean>();
  private requestSeq = 0;
  private trafficPanel: { refresh(): Promise<void> } | null = null;
  private readonly board: ChartBoard;
  private readonly topPanel: TopPanel;
  private readonly calendar: Calendar;
  private readonly dateInput = byId<HTMLInputElement>('date-input');
  private readonly toInput = byId<HTMLInputElement>('to-input');
  private readonly status = byId('status');
  private readonly darkQuery = window.matchMedia('(prefers-color-scheme: dark)');

  constructor(
    private readonly client: VigilClient,
    /** Over HTTP a 401 means "ask for the token"; over IPC there is none. */
    private readonly transport: 'http' | 'ipc',
    apiBase: string | null,
  ) {
    this.board = new ChartBoard(byId('charts'), {
      zoom: (from, to) => void this.zoomTo(from, to),
      zoomBy: (factor, anchor) => this.zoomBy(factor, anchor),
      pan: (fraction) => this.pan(fraction),
      reset: () => this.resetZoom(),
      hover: (ts) => this.topPanel.show(ts),
      tooltipFooter: (ts) => this.topPanel.tooltipLines(ts),
    });
    this.topPanel = new TopPanel(byId('charts'), { client: () => this.client, timeZone: () => this.timeZone, authorized: (run) => this.authorized(run), loaded: () => this.board.refreshTooltips() });
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
    this.renderChartPicker();
    this.wire();
  }

  async start(): Promise<void> {
    this.setState('loading');
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
    try {
      this.host = await hostRequest;
    } catch (error) {
      this.fail(error);
      return;
    }
    this.timeZone = knownTimeZone(this.host.timeZone);
    this.clockSkew = this.host.now - Date.now();
    this.ifaceChoice = loadInterfaceChoices(this.host.machine.id);
    byId('machine-name').textContent = this.host.machine.name;
    document.title = `Vigil · ${this.host.machine.name}`;
    this.describeZone();
    if (problem) {
      // A link with a bad view: say so, and leave the page usable (today's live view behind it).
      const search = new URLSearchParams(window.location.search);
      this.dateInput.value = (search.get('date') ?? search.get('week') ?? search.get('from') ?? '').trim();
      this.dateInput.setAttribute('aria-invalid', 'true');
      this.setState('error');
      this.say((problem as Error).message, 'error');
      this.renderNav(false);
      return;
    }
    await first;
    // Shown before the host was known: draw again in the machine's zone.
    if (this.shown && this.shownRange && document.body.dataset.state === 'ready') this.draw();
    window.setInterval(() => void this.refreshPeriod(), REFRESH_PERIOD_MS);
  }

  // ------------------------------------------------------------ views

  /** Shows a view (and its zoom): the data, the URL, the navigation. */
  private async open(state: ViewState, options: { history?: 'push' | 'replace' | 'none' } = {}): Promise<void> {
    const seq = ++this.requestSeq;
    this.stopLive();
    this.state = state;
    this.base = null;
    if (state.view.kind === 'live') this.liveWindowMs = state.view.windowMs;
    this.remember(options.history ?? 'push');
    this.renderNav();
    void this.trafficPanel?.refresh();
    this.setState('loading');
    this.say(`Loading ${viewTitle(state.view)}…`, 'info');
    for (const name of ['vigil:request', 'vigil:data', 'vigil:drawn', 'vigil:painted']) performance.clearMarks(name);
    performance.clearMeasures('vigil:open');
    performance.mark('vigil:request');
    try {
      if (state.view.kind === 'live') {
        await this.openLive(state.view.windowMs, seq);
      } else {
        const data = await this.authorized(() => this.fetchView(state.view));
        if (seq !== this.requestSeq) return;
        performance.mark('vigil:data');
        this.base = data;
        if (state.zoom) await this.showZoom(state.zoom, seq);
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
    const { keys, disks } = keysForPanels(this.panels);
    const points = this.points();
    if (view.kind === 'day') return this.client.day({ date: formatDay(view.day), points, keys, disks });
    const days = viewDays(view)!;
    return this.client.range({ from: formatDay(days.from), to: formatDay(days.to), points, keys, disks });
  }

  /** A day typed, picked or linked: today opens the live view; another day, the current kind's period holding it. */
  private pickDay(day: LocalDay): void {
    const today = this.today();
    if (compareDays(day, today) > 0) {
      this.badInput(this.dateInput, formatDay(day), new VigilError('future_date', `${formatDay(day)} is in the future (today is ${formatDay(today)})`));
      return;
    }
    const view = this.state.view;
    if (compareDays(day, today) === 0 && (view.kind === 'live' || view.kind === 'day')) {
      void this.open({ view: { kind: 'live', windowMs: this.liveWindowMs }, zoom: null });
      return;
    }
    void this.open({ view: viewAt(view, day), zoom: null });
  }

  /** The date field (and the custom span's To field): checked here first, so a bad value never leaves the page. */
  private go(): void {
    const view = this.state.view;
    try {
      if (view.kind === 'custom') {
        const span = parseSpan(this.dateInput.value, this.toInput.value);
        if (compareDays(span.from, this.today()) > 0) throw new VigilError('future_date', `${formatDay(span.from)} is in the future (today is ${formatDay(this.today())})`);
        void this.open({ view: { kind: 'custom', span }, zoom: null });
        return;
      }
      this.pickDay(parseDay(this.dateInput.value.trim()));
    } catch (error) {
      this.badInput(this.dateInput, this.dateInput.value.trim(), error);
    }
  }

  private badInput(input: HTMLInputElement, text: string, error: unknown): void {
    input.value = text;
    input.setAttribute('aria-invalid', 'true');
    this.setState('error');
    this.say((error as Error).message, 'error');
  }

  private chooseKind(kind: ViewKind): void {
    const today = this.today();
    const current = this.state.view;
    const anchor = anchorDay(current, today);
    let view: View;
    if (kind === 'live') view = { kind: 'live', windowMs: this.liveWindowMs };
    else if (kind === 'custom') {
      const days = viewDays(current) ?? { from: periodOf('week', today).from, to: today };
      view = { kind: 'custom', span: current.kind === 'day' ? periodOf('week', anchor) : days };
    } else view = { kind, day: anchor };
    void this.open({ view, zoom: null });
  }

  private step(direction: -1 | 1): void {
    const view = this.state.view;
    if (view.kind === 'live') {
      // Earlier / later by the shown span, back to following at the newest.
      const range = this.currentRange();
      if (!range) return;
      const span = range.to - range.from;
      const now = this.machineNow();
      if (direction > 0 && range.to + span >= now) {
        this.resetZoom();
        return;
      }
      void this.zoomTo(range.from + direction * span, range.to + direction * span);
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

  private async openLive(windowMs: number, seq: number): Promise<void> {
    const { keys, disks } = keysForPanels(this.panels);
    const data = await this.authorized(() => this.client.recent({ windowMs, keys, disks }));
    if (seq !== this.requestSeq) return;
    performance.mark('vigil:data');
    // The machine's now, as the server saw it (its to is now + 1).
    this.clockSkew = data.to - 1 - Date.now();
    this.live = new LiveData(data, keys);
    this.renderLive(true);
    const intervalMs = (this.host?.intervalSeconds ?? 1) * 1000;
    this.stopFollowing = this.client.follow((sample) => this.onLiveSample(sample, seq), {
      pollMs: Math.max(1000, intervalMs),
      onStatus: (status) => {
        this.liveStatus = status;
        this.renderLiveStatus();
      },
    });
    // The axis moves on even when no sample comes (the machine paused, the feed lost).
    this.liveTimers.push(
      window.setInterval(() => {
        if (performance.now() - this.lastLiveRender > 900) this.renderLive(false);
      }, 1000),
    );
    if (disks) {
      this.liveTimers.push(
        window.setInterval(() => {
          if (document.visibilityState !== 'visible') return;
          this.client.recent({ windowMs: this.liveWindowMs, keys: ['cpu'], disks: true }).then(
            (fresh) => seq === this.requestSeq && this.live?.setDisks(fresh.disks),
            () => {},
          );
        }, REFRESH_LIVE_DISKS_MS),
      );
    }
  }

  private onLiveSample(sample: Sample, seq: number): void {
    const live = this.live;
    if (!live || seq !== this.requestSeq) return;
    if (this.liveFilling) {
      this.liveFilling.push(sample);
      return;
    }
    const last = live.lastTs;
    const stepMs = (this.host?.intervalSeconds ?? 1) * 1000;
    if (last !== null && sample.ts - last > 2.5 * stepMs) {
      // A hole (a hub's batch brings only its newest sample; a reconnection): fetch what is
      // stored between, then go on with the samples that came meanwhile.
      this.liveFilling = [sample];
      const { keys } = keysForPanels(this.panels);
      void this.client
        .series({ from: last + 1, to: sample.ts + 1, points: MAX_POINTS, keys })
        .then(
          (hole) => seq === this.requestSeq && live.merge(hole),
          () => {},
        )
        .finally(() => {
          const queued = this.liveFilling ?? [];
          this.liveFilling = null;
          if (seq !== this.requestSeq) return;
          for (const s of queued) live.append(s);
          this.queueLiveRender();
        });
      return;
    }
    if (live.append(sample)) this.queueLiveRender();
  }

  private queueLiveRender(): void {
    if (this.liveRenderQueued) return;
    this.liveRenderQueued = true;
    requestAnimationFrame(() => {
      this.liveRenderQueued = false;
      this.renderLive(false);
    });
  }

  /** Draws the live window ending at the machine's now (or the frozen zoom). */
  private renderLive(first: boolean): void {
    const live = this.live;
    const view = this.state.view;
    if (!live || view.kind !== 'live') return;
    if (!first && (document.visibilityState !== 'visible' || this.state.zoom)) return;
    this.lastLiveRender = performance.now();
    const now = this.machineNow();
    live.trim(now - view.windowMs - 60_000);
    if (this.state.zoom) {
      void this.showZoom(this.state.zoom, this.requestSeq);
      return;
    }
    const range = { from: now - view.windowMs, to: now };
    this.show(live.result(range.from, range.to), range);
  }

  private stopLive(): void {
    this.stopFollowing?.();
    this.stopFollowing = null;
    for (const timer of this.liveTimers) window.clearInterval(timer);
    this.liveTimers = [];
    this.live = null;
    this.liveFilling = null;
    this.liveStatus = null;
    this.renderLiveStatus();
  }

  private renderLiveStatus(): void {
    const node = byId('live-status');
    const frozen = this.state.view.kind === 'live' && this.state.zoom !== null;
    const text = this.state.view.kind !== 'live' ? '' : frozen ? 'Paused (zoomed)' : this.liveStatus === 'reconnecting' ? 'Reconnecting…' : this.liveStatus ? 'Live' : 'Connecting…';
    node.textContent = text;
    node.dataset.status = frozen ? 'paused' : (this.liveStatus ?? '');
    document.body.dataset.live = this.state.view.kind === 'live' ? (frozen ? 'paused' : (this.liveStatus ?? 'connecting')) : '';
  }

  // ------------------------------------------------------------ zoom

  /** What is on screen now: the zoom, or the whole view. */
  private currentRange(): Zoom | null {
    if (this.state.zoom) return this.state.zoom;
    if (this.state.view.kind === 'live') {
      const now = this.machineNow();
      return { from: now - this.state.view.windowMs, to: now };
    }
    return this.base ? { from: this.base.from, to: this.base.to } : null;
  }

  /** The span a zoom may cover: the view's (live: anything up to now). */
  private bounds(): Zoom | null {
    if (this.state.view.kind === 'live') return { from: 0, to: this.machineNow() };
    return this.base ? { from: this.base.from, to: this.base.to } : null;
  }

  private async zoomTo(from: number, to: number): Promise<void> {
    const bounds = this.bounds();
    if (!bounds) return;
    const view = this.state.view;
    let span = Math.max(MIN_SPAN_MS, to - from);
    if (view.kind !== 'live') span = Math.min(span, bounds.to - bounds.from);
    from = Math.max(bounds.from, Math.min(from, bounds.to - span));
    to = from + span;
    const live = view.kind === 'live';
    if (!live && from <= bounds.from && to >= bounds.to) {
      this.resetZoom();
      return;
    }
    const zoom = { from: Math.round(from), to: Math.round(to) };
    this.state = { ...this.state, zoom };
    this.remember('replace');
    this.renderNav();
    await this.showZoom(zoom, ++this.requestSeq);
  }

  private async showZoom(zoom: Zoom, seq: number): Promise<void> {
    // Live data held in the page covers the zoom: draw from it, no request.
    const live = this.live;
    if (live && this.state.view.kind === 'live' && (live.firstTs ?? Infinity) <= zoom.from) {
      this.show(live.result(zoom.from, zoom.to), zoom);
      return;
    }
    this.setState('loading');
    performance.clearMarks('vigil:zoom-request');
    performance.mark('vigil:zoom-request');
    const { keys, disks } = keysForPanels(this.panels);
    let data: SeriesResult;
    try {
      data = await this.authorized(() => this.client.series({ from: zoom.from, to: zoom.to, points: this.points(), keys, disks }));
    } catch (error) {
      if (seq === this.requestSeq) this.fail(error);
      return;
    }
    if (seq !== this.requestSeq) return;
    this.show(data, zoom);
  }

  /**
   * Zoom by `factor` around `anchor` (the pointer), else around the latest data. The live view
   * zoomed around its newest data stays live, with a narrower or wider window.
   */
  private zoomBy(factor: number, anchor: number | null): void {
    const current = this.currentRange();
    if (!current) return;
    const view = this.state.view;
    const span = current.to - current.from;
    if (view.kind === 'live' && !this.state.zoom && (anchor === null || anchor >= current.to - span * 0.05)) {
      const windowMs = nextWindow(view.windowMs, factor);
      if (windowMs !== view.windowMs) void this.open({ view: { kind: 'live', windowMs }, zoom: null }, { history: 'replace' });
      return;
    }
    if (anchor === null || anchor < current.from || anchor > current.to) anchor = this.latestIn(current) ?? (current.from + current.to) / 2;
    const next = Math.max(MIN_SPAN_MS, span * factor);
    const from = anchor - ((anchor - current.from) / span) * next;
    void this.zoomTo(from, from + next);
  }

  /** Where the newest data within a range ends (a bucket ends a bucket after its start), if any. */
  private latestIn(range: Zoom): number | null {
    const ts = this.shown?.timestamps;
    if (!ts?.length) return null;
    const width = this.shown?.bucketMs ?? 0;
    for (let i = ts.length - 1; i >= 0; i--) if (ts[i]! <= range.to) return ts[i]! >= range.from ? Math.min(range.to, ts[i]! + width) : null;
    return null;
  }

  private pan(fraction: number): void {
    const range = this.state.zoom;
    if (!range) return;
    const shift = Math.round((range.to - range.from) * fraction);
    if (this.state.view.kind === 'live' && range.to + shift >= this.machineNow()) {
      this.resetZoom();
      return;
    }
    void this.zoomTo(range.from + shift, range.to + shift);
  }

  private resetZoom(): void {
    if (!this.state.zoom) return;
    this.requestSeq++;
    this.state = { ...this.state, zoom: null };
    this.remember('replace');
    this.renderNav();
    if (this.state.view.kind === 'live') {
      if (this.live) this.renderLive(true);
      else void this.open(this.state, { history: 'none' });
      return;
    }
    if (this.base) this.show(this.base, { from: this.base.from, to: this.base.to });
  }

  // ------------------------------------------------------------ drawing

  private show(data: SeriesResult, range: Zoom): void {
    this.shown = data;
    this.shownRange = range;
    this.draw();
  }

  private draw(): void {
    const data = this.shown!;
    const range = this.shownRange!;
    const { view, zoom } = this.state;
    this.renderInterfaces(data);
    // Not the date fields: data arriving must not overwrite what someone is typing.
    this.renderNav(false);
    const zoomBar = byId('zoom-bar');
    zoomBar.hidden = zoom === null;
    byId('zoom-reset').textContent = view.kind === 'live' ? 'Back to live' : 'Whole view';
    if (zoom) {
      const resolution = data.bucketMs === null ? 'raw samples' : `${formatDuration(data.bucketMs)} buckets`;
      const days = range.to - range.from > 86_400_000;
      const at = (ts: number) => (days ? `${formatDayOf(ts, this.timeZone)} ` : '') + formatClock(ts, this.timeZone, true);
      byId('zoom-label').textContent = `${at(range.from)} – ${at(range.to)} (${resolution})`;
    }
    if (data.timestamps.length === 0 && !zoom) {
      this.board.clear();
      this.setState('empty');
      const empty =
        view.kind === 'live'
          ? `No samples in the last ${formatDuration(view.windowMs)} yet: the charts fill in as they arrive.`
          : view.kind === 'day'
            ? `No data recorded on ${formatDay(view.day)}. Days with data are marked in the calendar.`
            : `No data recorded in ${viewTitle(view)}. Days with data are marked in the calendar.`;
      this.say(empty, 'empty');
      return;
    }
    this.board.render(data, {
      theme: this.theme(),
      timeZone: this.timeZone,
      range,
      interfaces: this.visibleInterfaces(data),
      panels: this.panels,
    });
    this.setState('ready');
    const resolution = data.bucketMs === null ? 'raw samples' : `min/avg/max per ${formatDuration(data.bucketMs)}`;
    this.say(data.timestamps.length === 0 ? 'No data in this span.' : `${viewTitle(view)} · ${resolution}`, 'info');
  }

  /** The frame after the charts: a rAF, then a task (the frame is painted by then). */
  private async painted(seq: number): Promise<void> {
    await new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    if (seq !== this.requestSeq) return;
    performance.mark('vigil:painted');
    const measure = performance.measure('vigil:open', 'vigil:request', 'vigil:painted');
    document.body.dataset.openMs = measure.duration.toFixed(1);
  }

  private renderInterfaces(data: SeriesResult): void {
    const fieldset = byId('interfaces');
    const list = byId('interface-list');
    fieldset.hidden = data.interfaces.length === 0 || !this.panels.includes('net');
    const names = data.interfaces.map((i) => i.name).join('\0');
    // Rebuilt only when the interfaces change (the live view draws every second).
    if (list.dataset.names === names) {
      for (const iface of data.interfaces) {
        const input = list.querySelector<HTMLInputElement>(`input[data-iface="${CSS.escape(iface.name)}"]`);
        if (input) input.checked = this.ifaceVisible(iface);
      }
      return;
    }
    list.dataset.names = names;
    list.replaceChildren(
      ...data.interfaces.map((iface) => {
        const input = h('input', { type: 'checkbox', 'data-iface': iface.name });
        input.checked = this.ifaceVisible(iface);
        input.addEventListener('change', () => {
          this.ifaceChoice.set(iface.name, input.checked);
          if (this.host) saveInterfaceChoices(this.host.machine.id, this.ifaceChoice);
          if (this.shown) this.draw();
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

  /** The "Charts" menu: a checkbox per chart; the choice is remembered in this browser. */
  private renderChartPicker(): void {
    const list = byId('chart-list');
    list.replaceChildren(
      ...PANEL_GROUPS.map((group) => {
        const input = h('input', { type: 'checkbox', 'data-panel-kind': group.id });
        input.checked = this.panels.includes(group.id);
        input.addEventListener('change', () => {
          const shown = new Set(this.panels);
          if (input.checked) shown.add(group.id);
          else shown.delete(group.id);
          this.panels = PANEL_GROUPS.map((g) => g.id).filter((id) => shown.has(id));
          savePanels(this.panels);
          // Other series are needed: ask again for the same view.
          void this.open(this.state, { history: 'none' });
        });
        return h('label', {}, input, group.label);
      }),
    );
  }

  private theme(): ChartTheme {
    return this.darkQuery.matches ? DARK_THEME : LIGHT_THEME;
  }

  /** Points per series to ask for: about a chart's width in pixels. */
  private points(): number {
    const charts = byId('charts');
    const track = parseFloat(getComputedStyle(charts).gridTemplateColumns.split(' ')[0] ?? '');
    const width = Number.isFinite(track) && track > 0 ? track : Math.min(window.innerWidth, 1600) - 40;
    return Math.max(200, Math.min(MAX_POINTS, Math.round(width - 80) || 1000));
  }

  // ------------------------------------------------------------ chrome

  private wire(): void {
    byId('prev-day').addEventListener('click', () => this.step(-1));
    byId('next-day').addEventListener('click', () => this.step(1));
    byId('today').addEventListener('click', () => void this.open({ view: { kind: 'live', windowMs: this.liveWindowMs }, zoom: null }));
    byId('zoom-out').addEventListener('click', () => this.zoomBy(2, null));
    byId('zoom-reset').addEventListener('click', () => this.resetZoom());
    for (const button of byId('view-tabs').querySelectorAll<HTMLButtonElement>('button[data-view]')) {
      button.addEventListener('click', () => this.chooseKind(button.dataset.view as ViewKind));
    }
    for (const button of byId('live-nav').querySelectorAll<HTMLButtonElement>('button[data-window]')) {
      button.addEventListener('click', () => void this.open({ view: { kind: 'live', windowMs: parseWindow(button.dataset.window!) }, zoom: null }));
    }
    for (const input of [this.dateInput, this.toInput]) {
      input.addEventListener('change', () => this.go());
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          this.go();
        }
      });
    }
    document.addEventListener('keydown', (event) => {
      const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
      if (event.altKey && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) {
        event.preventDefault();
        this.step(event.key === 'ArrowLeft' ? -1 : 1);
        return;
      }
      if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === '+' || event.key === '=') {
        event.preventDefault();
        this.zoomBy(0.5, this.board.pointer);
      } else if (event.key === '-' || event.key === '_') {
        event.preventDefault();
        this.zoomBy(2, this.board.pointer);
      }
    });
    window.addEventListener('popstate', () => {
      try {
        void this.open(parseViewSearch(new URLSearchParams(window.location.search)), { history: 'none' });
      } catch (error) {
        this.fail(error);
      }
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && this.state.view.kind === 'live') this.renderLive(false);
    });
    this.darkQuery.addEventListener('change', () => {
      if (this.shown && document.body.dataset.state === 'ready') this.draw();
    });
    byId<HTMLDetailsElement>('export').addEventListener('toggle', () => void this.loadExportPanel(), { once: true });
    byId<HTMLDetailsElement>('traffic').addEventListener('toggle', () => void this.loadTrafficPanel(), { once: true });
  }

  /** The traffic totals' code loads the first time the menu is opened; then it follows the view. */
  private async loadTrafficPanel(): Promise<void> {
    const { TrafficPanel } = await import('./traffic-panel.js');
    this.trafficPanel = new TrafficPanel({
      client: () => this.client,
      shownDays: () => viewDays(this.state.view),
      today: () => this.today(),
      authorized: (run) => this.authorized(run),
    });
    await this.trafficPanel.refresh();
  }

  /** The export panel's code loads the first time it is opened. */
  private async loadExportPanel(): Promise<void> {
    const { ExportPanel } = await import('./export-panel.js');
    const panel = new ExportPanel({
      client: () => this.client,
      shownDay: () => anchorDay(this.state.view, this.today()),
      today: () => this.today(),
      authorized: (run) => this.authorized(run),
    });
    panel.fillDefaults();
  }

  /**
   * Tabs, arrows and the period's label from the state; and, when the view or zoom changed
   * (clearInput), the date fields too: a bad value typed earlier is replaced by what is shown.
   */
  private renderNav(clearInput = true): void {
    const { view, zoom } = this.state;
    const today = this.today();
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
      this.dateInput.value = formatDay(view.kind === 'custom' ? view.span.from : anchor);
      this.dateInput.removeAttribute('aria-invalid');
      if (view.kind === 'custom') this.toInput.value = formatDay(view.span.to);
      this.toInput.removeAttribute('aria-invalid');
    }
    const days = viewDays(view);
    byId('period-label').textContent = view.kind === 'day' || view.kind === 'live' ? '' : view.kind === 'custom' ? `${days ? spanDays(days) : ''}` : `${formatSpan(days!)}`;
    document.body.dataset.view = view.kind;
    this.renderLiveStatus();
  }

  private remember(history: 'push' | 'replace' | 'none'): void {
    if (history === 'none') return;
    const url = new URL(window.location.href);
    url.search = viewSearch(this.state);
    const target = url.pathname + url.search;
    if (target === window.location.pathname + window.location.search) return;
    if (history === 'push') window.history.pushState(null, '', target);
    else window.history.replaceState(window.history.state, '', target);
  }

  /** Unix ms on the machine's clock. */
  private machineNow(): number {
    return Date.now() + this.clockSkew;
  }

  /** Today on the machine: its clock in its zone, so a page left open crosses midnight with it. */
  private today(): LocalDay {
    return dayInZone(this.machineNow(), this.timeZone);
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
    const view = this.state.view;
    if (view.kind !== 'live') document.body.dataset.day = formatDay(anchorDay(view, this.today()));
    else delete document.body.dataset.day;
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

/** The live window one zoom step narrower (factor < 1) or wider, within 1 min – 6 h. */
function nextWindow(windowMs: number, factor: number): number {
  const steps: readonly number[] = LIVE_STEPS;
  const index = Math.max(0, steps.indexOf(windowMs));
  return steps[factor < 1 ? Math.max(0, index - 1) : Math.min(steps.length - 1, index + 1)]!;
}

function spanDays(days: { from: LocalDay; to: LocalDay }): string {
  const a = Date.UTC(days.from.year, days.from.month - 1, days.from.day);
  const b = Date.UTC(days.to.year, days.to.month - 1, days.to.day);
  const n = Math.round((b - a) / 86_400_000) + 1;
  return `${n} day${n === 1 ? '' : 's'}`;
}

/** IPC when the tray app's preload bridge is there, else HTTP to the server that served the page. */
function createClient(): { client: VigilClient; transport: 'http' | 'ipc'; base: string | null } {
  const bridge = window.vigil?.api;
  if (bridge) return { client: createIpcClient(bridge), transport: 'ipc', base: null };
  const base = document.querySelector<HTMLMetaElement>('meta[name="vigil-api-base"]')?.content || 'api';
  const client = createHttpClient({
    baseUrl: new URL(base, document.baseURI).href,
    fetch: (url, init) => window.fetch(url, { ...init, credentials: 'omit', cache: 'no-store' }),
    token: currentToken,
    saveFile: download,
  });
  return { client, transport: 'http', base };
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
const { client, transport, base } = createClient();
void new Page(client, transport, base).start();
