// Zooming the page's view: a drag, + and -, moving by a fraction, back to the whole view. In the
// live view a zoom freezes the window (drawn from the samples held in the page when they cover
// it); zooming around the newest data instead narrows or widens the live window.
import type { SeriesResult } from '../shared/api.js';
import type { LiveData } from './live-data.js';
import type { ViewState, Zoom } from './view.js';
import { clampZoom, latestIn, nextWindow, zoomAround } from './zoom.js';

export interface ZoomHost {
  state(): ViewState;
  /** Sets the zoom in the state, the URL (replaced) and the navigation. */
  setZoom(zoom: Zoom | null): void;
  /** The whole view's data (a period view), once it came. */
  base(): SeriesResult | null;
  /** What is drawn now. */
  shown(): SeriesResult | null;
  /** The live view's samples held in the page. */
  liveData(): LiveData | null;
  machineNow(): number;
  /** A new request number (what an older answer is compared with). */
  nextSeq(): number;
  isCurrent(seq: number): boolean;
  /** Asks the server for a span at the charts' resolution. */
  fetchSpan(zoom: Zoom): Promise<SeriesResult>;
  show(data: SeriesResult, range: Zoom): void;
  renderLive(first: boolean): void;
  /** Opens the view again (history: replace or none). */
  open(state: ViewState, history: 'replace' | 'none'): void;
  loading(): void;
  fail(error: unknown): void;
}

export class ZoomControl {
  constructor(private readonly page: ZoomHost) {}

  /** What is on screen now: the zoom, or the whole view. */
  currentRange(): Zoom | null {
    const [state, base] = [this.page.state(), this.page.base()];
    if (state.zoom) return state.zoom;
    if (state.view.kind === 'live') {
      const now = this.page.machineNow();
      return { from: now - state.view.windowMs, to: now };
    }
    return base ? { from: base.from, to: base.to } : null;
  }

  /** The span a zoom may cover: the view's (live: anything up to now). */
  private bounds(): Zoom | null {
    const [state, base] = [this.page.state(), this.page.base()];
    if (state.view.kind === 'live') return { from: 0, to: this.page.machineNow() };
    return base ? { from: base.from, to: base.to } : null;
  }

  async zoomTo(from: number, to: number): Promise<void> {
    const bounds = this.bounds();
    if (!bounds) return;
    const zoom = clampZoom(from, to, bounds, this.page.state().view.kind === 'live');
    if (!zoom) {
      this.reset();
      return;
    }
    this.page.setZoom(zoom);
    await this.show(zoom, this.page.nextSeq());
  }

  async show(zoom: Zoom, seq: number): Promise<void> {
    // Live data held in the page covers the zoom: draw from it, no request.
    const live = this.page.liveData();
    if (live && this.page.state().view.kind === 'live' && (live.firstTs ?? Infinity) <= zoom.from) {
      this.page.show(live.result(zoom.from, zoom.to), zoom);
      return;
    }
    this.page.loading();
    performance.clearMarks('vigil:zoom-request');
    performance.mark('vigil:zoom-request');
    let data: SeriesResult;
    try {
      data = await this.page.fetchSpan(zoom);
    } catch (error) {
      if (this.page.isCurrent(seq)) this.page.fail(error);
      return;
    }
    if (!this.page.isCurrent(seq)) return;
    this.page.show(data, zoom);
  }

  /**
   * Zoom by `factor` around `anchor` (the pointer), else around the latest data. The live view
   * zoomed around its newest data stays live, with a narrower or wider window.
   */
  zoomBy(factor: number, anchor: number | null): void {
    const current = this.currentRange();
    if (!current) return;
    const state = this.page.state();
    const view = state.view;
    const span = current.to - current.from;
    if (view.kind === 'live' && !state.zoom && (anchor === null || anchor >= current.to - span * 0.05)) {
      const windowMs = nextWindow(view.windowMs, factor);
      if (windowMs !== view.windowMs) this.page.open({ view: { kind: 'live', windowMs }, zoom: null }, 'replace');
      return;
    }
    if (anchor === null || anchor < current.from || anchor > current.to) anchor = latestIn(this.page.shown(), current) ?? (current.from + current.to) / 2;
    const next = zoomAround(current, factor, anchor);
    void this.zoomTo(next.from, next.to);
  }

  pan(fraction: number): void {
    const range = this.page.state().zoom;
    if (!range) return;
    const shift = Math.round((range.to - range.from) * fraction);
    if (this.page.state().view.kind === 'live' && range.to + shift >= this.page.machineNow()) {
      this.reset();
      return;
    }
    void this.zoomTo(range.from + shift, range.to + shift);
  }

  /** Back to the whole view (in the live view: following again). */
  reset(): void {
    if (!this.page.state().zoom) return;
    this.page.nextSeq();
    this.page.setZoom(null);
    const [state, base] = [this.page.state(), this.page.base()];
    if (state.view.kind === 'live') {
      if (this.page.liveData()) this.page.renderLive(true);
      else this.page.open(state, 'none');
      return;
    }
    if (base) this.page.show(base, { from: base.from, to: base.to });
  }
}
