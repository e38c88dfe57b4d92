// The chart panels on the page: chart.js instances built from shared/chart-config.ts, kept and
// updated in place, with drag-to-zoom and keyboard zoom/pan. Every panel publishes what it draws
// (datasets, ranges, tick labels) in its figure's data-state attribute: read-only, for tests and
// for anyone inspecting the page.
//
// A panel's first chart.js build is the costliest step of opening the page (chart.js's code runs
// cold in a fresh page: see docs/performance.md), so only the panels in view are built with the
// data; the others get their figure at once (same place, same height) and their chart when they
// scroll into view or when the browser is idle, one per idle period. Until then a figure has
// data-pending and no data-state; #charts' data-pending counts them.
import { Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import type { SeriesResult } from '../shared/api.js';
import { buildChartPanels, type ChartPanel, type ChartTheme, type PanelKind, type Point, type VigilDataset } from '../shared/chart-config.js';
import { formatClock } from '../shared/time-zone.js';
import { datasetStats } from './chart-stats.js';
import { h } from './dom.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Filler, Legend, Tooltip);

export interface BoardHandlers {
  /** A span of time was selected (drag): unix ms. */
  zoom(from: number, to: number): void;
  /** Zoom by a factor (< 1 in, > 1 out) around an instant (the pointer's), or null: the page decides. */
  zoomBy(factor: number, anchor: number | null): void;
  /** The pointer moved over a chart (unix ms under it), or left the charts (null). */
  hover?(ts: number | null): void;
  /** Extra tooltip lines for the instant under the pointer (the minute's top processes), if known yet. */
  tooltipFooter?(ts: number): string[];
  /** Move by a fraction of the shown span (negative: earlier). */
  pan(fraction: number): void;
  reset(): void;
}

export interface RenderOptions {
  theme: ChartTheme;
  timeZone: string | undefined;
  range: { from: number; to: number };
  interfaces: string[];
  panels: readonly PanelKind[];
}

interface Entry {
  panel: ChartPanel;
  figure: HTMLElement;
  canvas: HTMLCanvasElement;
  summary: HTMLElement;
  unit: HTMLElement;
  emptyNote: HTMLElement;
  box: HTMLElement;
  selection: HTMLElement;
  /** null until the panel is built (in view, or in an idle period). */
  chart: Chart<'line', Point[]> | null;
}

/** requestIdleCallback where there is one (not in Safari 16); otherwise a short timeout. */
const whenIdle = (callback: () => void): unknown => (typeof requestIdleCallback === 'function' ? requestIdleCallback(callback, { timeout: 1000 }) : setTimeout(callback, 50));

/** Smallest span a drag can zoom to: a minute of raw seconds. */
const MIN_SPAN_MS = 60_000;

export class ChartBoard {
  private readonly entries = new Map<string, Entry>();
  private timeZone: string | undefined;
  /** The instant under the pointer while it is over a chart's plot area. */
  private pointerTs: number | null = null;
  /** Panels whose chart is not built yet, by their figure. */
  private readonly pending = new Map<Element, Entry>();
  /** The latest render's data and range: a pending panel is built and described with them. */
  private latest: { data: SeriesResult; range: { from: number; to: number } } | null = null;
  private readonly observer: IntersectionObserver | null;
  private idleScheduled = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly handlers: BoardHandlers,
  ) {
    const intoView = (changes: IntersectionObserverEntry[]) => {
      for (const change of changes) if (change.isIntersecting) this.build(this.pending.get(change.target));
    };
    this.observer = typeof IntersectionObserver === 'function' ? new IntersectionObserver(intoView) : null;
  }

  /** The instant under the pointer, when it is over a chart (zoom anchors there). */
  get pointer(): number | null {
    return this.pointerTs;
  }

  render(data: SeriesResult, options: RenderOptions): ChartPanel[] {
    this.timeZone = options.timeZone;
    this.latest = { data, range: options.range };
    const panels = buildChartPanels(data, {
      theme: options.theme,
      timeZone: options.timeZone,
      range: options.range,
      interfaces: options.interfaces,
      panels: options.panels,
      target: 'screen',
    });
    const keep = new Set(panels.map((p) => p.id));
    for (const [id, entry] of this.entries) {
      if (keep.has(id)) continue;
      this.remove(entry);
      this.entries.delete(id);
    }
    const placed: Entry[] = [];
    for (const [index, panel] of panels.entries()) {
      this.addFooter(panel);
      let entry = this.entries.get(panel.id);
      if (entry) {
        entry.panel = panel;
        entry.box.style.height = `${panel.height}px`;
        if (entry.chart) {
          entry.chart.data = panel.config.data;
          entry.chart.options = panel.config.options!;
          entry.chart.update('none');
        }
      } else {
        entry = this.create(panel);
        this.entries.set(panel.id, entry);
      }
      // The DOM in the panels' order, moving only what is out of place (a moved node loses focus).
      if (this.root.children[index] !== entry.figure) this.root.insertBefore(entry.figure, this.root.children[index] ?? null);
      placed.push(entry);
    }
    // Now that every figure is in its place: build what is in view, describe what is built.
    for (const entry of placed) {
      if (entry.chart) this.describe(entry, data, options.range);
      else if (this.inView(entry.figure)) this.build(entry);
    }
    this.scheduleIdleBuild();
    this.root.dataset.resolution = data.resolution;
    this.root.dataset.bucketMs = data.bucketMs === null ? 'raw' : String(data.bucketMs);
    this.root.dataset.from = String(options.range.from);
    this.root.dataset.to = String(options.range.to);
    this.root.dataset.points = String(data.timestamps.length);
    this.root.dataset.theme = options.theme.name;
    return panels;
  }

  /** A tooltip's extra lines became known (the minute's top processes arrived): redraws the tooltip shown. */
  refreshTooltips(): void {
    for (const { chart } of this.entries.values()) {
      const tooltip = chart?.tooltip;
      const active = tooltip?.getActiveElements() ?? [];
      if (!chart || !tooltip || active.length === 0) continue;
      tooltip.setActiveElements(active, { x: tooltip.caretX, y: tooltip.caretY });
      chart.update('none');
    }
  }

  /** The page's tooltip lines under each panel's own, also published on the figure (data-tooltip-footer) for tests. */
  private addFooter(panel: ChartPanel): void {
    const footer = this.handlers.tooltipFooter;
    const tooltip = panel.config.options?.plugins?.tooltip as { callbacks?: Record<string, unknown> } | undefined;
    if (!footer || !tooltip) return;
    tooltip.callbacks = {
      ...tooltip.callbacks,
      footer: () => {
        const lines = this.pointerTs === null ? [] : footer(this.pointerTs);
        const figure = this.entries.get(panel.id)?.figure;
        if (figure) figure.dataset.tooltipFooter = lines.join('\n');
        return lines;
      },
    };
  }

  clear(): void {
    for (const entry of this.entries.values()) this.remove(entry);
    this.entries.clear();
    for (const key of ['resolution', 'bucketMs', 'from', 'to', 'points', 'theme']) delete this.root.dataset[key];
  }

  private create(panel: ChartPanel): Entry {
    const canvas = h('canvas', { tabindex: 0, role: 'img' });
    const selection = h('div', { className: 'selection', hidden: true });
    const unit = h('span', { className: 'unit' });
    const summary = h('span', { className: 'summary' });
    const emptyNote = h('p', { className: 'empty-note', hidden: true });
    const box = h('div', { className: 'canvas-box' }, canvas, selection, emptyNote);
    box.style.height = `${panel.height}px`;
    const figure = h(
      'figure',
      { className: `panel panel-${panel.kind}`, id: `panel-${panel.id.replace(/[^A-Za-z0-9_-]/g, '_')}`, 'data-panel': panel.id },
      h('figcaption', {}, h('h2', { text: panel.title }), unit, summary),
      box,
    );
    // In the page before chart.js measures it; render() then puts it in its place.
    this.root.append(figure);
    const entry: Entry = { panel, figure, canvas, summary, unit, emptyNote, box, selection, chart: null };
    this.pending.set(figure, entry);
    figure.dataset.pending = '';
    this.observer?.observe(figure);
    this.countPending();
    return entry;
  }

  /** Builds a pending panel's chart with what it was last rendered with, and describes it. */
  private build(entry: Entry | undefined): void {
    if (!entry || !this.pending.delete(entry.figure)) return;
    this.observer?.unobserve(entry.figure);
    entry.chart = new Chart(entry.canvas, entry.panel.config);
    this.attachZoom(entry as Entry & { chart: Chart<'line', Point[]> }, entry.selection);
    delete entry.figure.dataset.pending;
    this.countPending();
    if (this.latest) this.describe(entry, this.latest.data, this.latest.range);
  }

  /** The rest, one panel per idle period, top first (or all at once where nothing is idle-aware). */
  private scheduleIdleBuild(): void {
    if (this.idleScheduled || this.pending.size === 0) return;
    this.idleScheduled = true;
    whenIdle(() => {
      this.idleScheduled = false;
      this.build([...this.root.children].map((figure) => this.pending.get(figure)).find((e) => e !== undefined));
      this.scheduleIdleBuild();
    });
  }

  private inView(figure: HTMLElement): boolean {
    const rect = figure.getBoundingClientRect();
    return rect.bottom > 0 && rect.top < window.innerHeight && rect.width > 0;
  }

  private remove(entry: Entry): void {
    entry.chart?.destroy();
    this.pending.delete(entry.figure);
    this.observer?.unobserve(entry.figure);
    entry.figure.remove();
    this.countPending();
  }

  private countPending(): void {
    this.root.dataset.pending = String(this.pending.size);
  }

  private attachZoom(entry: Entry & { chart: Chart<'line', Point[]> }, selection: HTMLElement): void {
    const { canvas } = entry;
    let startX: number | null = null;
    const localX = (event: PointerEvent): number => {
      const area = entry.chart.chartArea;
      const x = event.clientX - canvas.getBoundingClientRect().left;
      return Math.min(area.right, Math.max(area.left, x));
    };
    canvas.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      const area = entry.chart.chartArea;
      const x = event.clientX - canvas.getBoundingClientRect().left;
      if (x < area.left || x > area.right) return;
      startX = x;
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener('pointermove', (event) => {
      const area = entry.chart.chartArea;
      const at = event.clientX - canvas.getBoundingClientRect().left;
      this.pointerTs = at >= area.left && at <= area.right ? Math.round(entry.chart.scales.x!.getValueForPixel(at)!) : null;
      this.handlers.hover?.(this.pointerTs);
      if (startX === null) return;
      const x = localX(event);
      selection.hidden = false;
      selection.style.left = `${Math.min(startX, x)}px`;
      selection.style.width = `${Math.abs(x - startX)}px`;
    });
    const finish = (event: PointerEvent, apply: boolean): void => {
      if (startX === null) return;
      const x = localX(event);
      const from = startX;
      startX = null;
      selection.hidden = true;
      if (!apply || Math.abs(x - from) < 4) return;
      const scale = entry.chart.scales.x!;
      let a = Math.round(scale.getValueForPixel(Math.min(from, x))!);
      let b = Math.round(scale.getValueForPixel(Math.max(from, x))!);
      if (b - a < MIN_SPAN_MS) {
        const middle = (a + b) / 2;
        a = Math.round(middle - MIN_SPAN_MS / 2);
        b = a + MIN_SPAN_MS;
      }
      this.handlers.zoom(a, b);
    };
    canvas.addEventListener('pointerleave', () => {
      this.pointerTs = null;
      this.handlers.hover?.(null);
    });
    canvas.addEventListener('pointerup', (event) => finish(event, true));
    canvas.addEventListener('pointercancel', (event) => finish(event, false));
    canvas.addEventListener('dblclick', () => this.handlers.reset());
    canvas.addEventListener('keydown', (event) => {
      // + and - are the page's (they work wherever the focus is); these move and reset.
      const actions: Record<string, () => void> = {
        ArrowLeft: () => this.handlers.pan(-0.25),
        ArrowRight: () => this.handlers.pan(0.25),
        Escape: () => this.handlers.reset(),
        '0': () => this.handlers.reset(),
      };
      const action = event.altKey || event.ctrlKey || event.metaKey ? undefined : actions[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    });
  }

  /** Caption, accessible description and the data-state attribute of a panel. */
  private describe(entry: Entry, data: SeriesResult, range: { from: number; to: number }): void {
    const { panel, chart } = entry;
    if (!chart) return;
    const format = panel.format;
    const datasets = chart.data.datasets as VigilDataset[];
    const stats = datasets.map((d, i) => datasetStats(d, i, chart, panel.factor, panel.kind === 'cores'));
    let parts: string[];
    if (panel.kind === 'cores') {
      const busy = stats.filter((s) => s.values > 0).sort((a, b) => b.mean! - a.mean!);
      parts = busy.length ? [`busiest ${busy[0]!.label} avg ${format(busy[0]!.mean!)}`, `idlest ${busy.at(-1)!.label} avg ${format(busy.at(-1)!.mean!)}`] : [];
    } else {
      parts = stats
        .filter((s) => s.role === 'avg' && s.values > 0 && s.label !== 'total')
        .map((s) => {
          const max = stats.find((o) => o.series === s.series && o.role === 'max')?.max ?? s.max;
          return `${s.label} avg ${format(s.mean!)}, peak ${format(max!)}`;
        });
    }
    entry.unit.textContent = panel.empty ? '' : panel.unit;
    entry.summary.textContent = parts.join(' · ');
    entry.emptyNote.hidden = !panel.empty;
    entry.emptyNote.textContent = panel.empty ? panel.emptyText : '';
    entry.figure.classList.toggle('empty', panel.empty);
    const span = `${formatClock(range.from, this.timeZone)}–${formatClock(range.to, this.timeZone)}`;
    entry.canvas.setAttribute('aria-label', `${panel.title}, ${span}: ${panel.empty ? 'no data' : parts.join('; ')}. Drag or use + and - to zoom.`);
    const x = chart.scales.x!;
    const y = chart.scales.y!;
    entry.figure.dataset.state = JSON.stringify({
      id: panel.id,
      title: panel.title,
      unit: panel.unit,
      factor: panel.factor,
      empty: panel.empty,
      emptyText: panel.empty ? panel.emptyText : null,
      plotLeft: chart.chartArea.left,
      plotRight: chart.chartArea.right,
      from: x.min,
      to: x.max,
      resolution: data.resolution,
      bucketMs: data.bucketMs,
      xTicks: x.ticks.map((t) => t.label),
      yTicks: y.ticks.map((t) => t.label),
      datasets: stats,
    });
  }
}
