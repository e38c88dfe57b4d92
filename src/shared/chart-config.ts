// The charts, as chart.js configurations built from an API result: one pure function shared by
// the page (src/renderer, in a browser or the app window) and the PNG renderer (src/core, on
// @napi-rs/canvas), so a chart looks the same wherever it is drawn.
//
// A panel per subject (PANEL_GROUPS): CPU %, CPU per core (a heat strip: a row per core), memory
// (used, free, and the total as a reference), swap, load average, disk usage per mount, and one
// per network interface (in and out). Each series is drawn as its average, with a min/max band
// behind it so that a one-second peak is never averaged away in a day-wide bucket. Every panel's
// y axis has the same width, so the plot areas (and their times) line up from one to the next. Values are scaled to
// one unit per panel (GiB, Mbit/s…) so the axis gets round ticks; tooltips give each value in full
// with its exact time. The x axis is linear in unix ms with ticks on round wall-clock times of the
// machine's zone.
//
// Only types come from chart.js here; whoever draws registers the controllers it needs
// (LineController, LineElement, PointElement, LinearScale, Filler, Legend, Tooltip, Title).
import type { ChartConfiguration, ChartDataset, Plugin, Scale, TooltipItem } from 'chart.js';
import type { InterfaceSummary, SeriesResult } from './api.js';
import type { SeriesColumn } from './query.js';
import { FAMILIES, fill, type MetricFamily } from './metrics/catalog.js';
import type { MetricGroup, MetricUnit } from './metrics/descriptor.js';
import { PANEL_GROUPS, type PanelKind } from './panels.js';
import { parseCoreKey } from './series.js';
import { diskUsedPercent } from './disk-usage.js';

export { ALL_PANEL_KINDS, PANEL_GROUPS, keysForPanels, type PanelKind } from './panels.js';
import { dayTicks, formatClock, formatDayOf, monthTicks, timeTicks, wallTime } from './time-zone.js';
import { formatBits, formatBytes, formatDuration, formatPercent, scaleBits, scaleBytes } from './units.js';

export interface ChartTheme {
  name: 'light' | 'dark';
  background: string;
  text: string;
  grid: string;
  cpu: string;
  memUsed: string;
  memFree: string;
  memTotal: string;
  rx: string;
  tx: string;
  swap: string;
  load1: string;
  load5: string;
  load15: string;
  /** Lines of the disk panel, one per mount, in turn. */
  disks: readonly string[];
  /** The heat strip's colours at 0, 50 and 100 %. */
  heat: readonly [string, string, string];
  /** Opacity of the min/max band, 0–1. */
  bandAlpha: number;
}

export const LIGHT_THEME: ChartTheme = {
  name: 'light',
  background: '#ffffff',
  text: '#374151',
  grid: 'rgba(0, 0, 0, 0.08)',
  cpu: '#2563eb',
  memUsed: '#c2410c',
  memFree: '#15803d',
  memTotal: '#6b7280',
  rx: '#0369a1',
  tx: '#b45309',
  swap: '#7c3aed',
  load1: '#be123c',
  load5: '#0f766e',
  load15: '#4338ca',
  disks: ['#0e7490', '#a16207', '#7e22ce', '#15803d', '#be185d', '#1d4ed8', '#c2410c', '#4d7c0f'],
  heat: ['#e0f2fe', '#f59e0b', '#b91c1c'],
  bandAlpha: 0.3,
};

export const DARK_THEME: ChartTheme = {
  name: 'dark',
  background: '#111827',
  text: '#d1d5db',
  grid: 'rgba(255, 255, 255, 0.1)',
  cpu: '#60a5fa',
  memUsed: '#fb923c',
  memFree: '#4ade80',
  memTotal: '#9ca3af',
  rx: '#38bdf8',
  tx: '#fbbf24',
  swap: '#c084fc',
  load1: '#fb7185',
  load5: '#2dd4bf',
  load15: '#a5b4fc',
  disks: ['#22d3ee', '#facc15', '#d8b4fe', '#4ade80', '#f9a8d4', '#93c5fd', '#fdba74', '#bef264'],
  heat: ['#1e293b', '#d97706', '#f87171'],
  bandAlpha: 0.38,
};

export type Point = { x: number; y: number | null };
export type DatasetRole = 'avg' | 'min' | 'max';

/** A line dataset that knows its part in a panel (tooltips and tests read it). */
export type VigilDataset = ChartDataset<'line', Point[]> & {
  vigilRole: DatasetRole;
  /** The series it belongs to, e.g. "used" or "in"; a band's min and max share it with their average. */
  vigilSeries: string;
};

export interface ChartPanel {
  /** 'cpu', 'cores', 'memory', 'swap', 'load', 'disk', or 'net:<iface>'. */
  id: string;
  kind: PanelKind;
  title: string;
  iface: InterfaceSummary | null;
  /** The axis unit ('%', 'GiB', 'Mbit/s'); values in the datasets are divided by `factor`. */
  unit: string;
  factor: number;
  /** No value at all in the range. */
  empty: boolean;
  /** What the panel says instead of lines when it is empty. */
  emptyText: string;
  /** Plot height in CSS pixels the panel wants (the heat strip grows with the cores). */
  height: number;
  /** Full text of a value in base units (%, bytes, bit/s, load). */
  format: (value: number) => string;
  config: ChartConfiguration<'line', Point[]>;
}

export interface PanelOptions {
  theme: ChartTheme;
  /** The machine's zone (HostInfo.timeZone); undefined = this runtime's. */
  timeZone?: string;
  /** The x range drawn (default: the result's from/to). */
  range?: { from: number; to: number };
  /** Interfaces to chart, in this order (default: every one in the result). */
  interfaces?: readonly string[];
  /** Which panels, in PANEL_GROUPS order (default: CPU, memory and network). */
  panels?: readonly PanelKind[];
  /** 'screen': responsive, tooltips, titles in the page; 'image': fixed size, titles drawn in. */
  target?: 'screen' | 'image';
}

/** Width of every y axis (labels included), so the plot areas line up across panels. */
export const Y_AXIS_WIDTH = { screen: 66, image: 76 } as const;
const PANEL_HEIGHT = 230;

/** The panel id of an interface's chart. */
export function netPanelId(iface: string): string {
  return `net:${iface}`;
}

export function buildChartPanels(data: SeriesResult, options: PanelOptions): ChartPanel[] {
  const columns = new Map(data.series.map((c) => [c.key, c]));
  const xs = xWithGaps(data.timestamps, data.bucketMs);
  const range = options.range ?? { from: data.from, to: data.to };
  const panels: ChartPanel[] = [];
  const kinds = new Set(options.panels ?? ['cpu', 'memory', 'net']);
  const ctx: BuildContext = { xs, range, options };
  for (const group of PANEL_GROUPS) {
    if (!kinds.has(group.id)) continue;
    if (group.id === 'cores') panels.push(heatPanel(data, ctx));
    else if (group.id === 'disk') panels.push(diskPanel(data, ctx));
    else if (group.id === 'net') panels.push(...netPanels(data, columns, ctx));
    else panels.push(groupPanel(group.id, group.label, columns, ctx));
  }
  return panels;
}

/** The families drawn in a group's chart (those with a `chart` entry), reference lines last. */
function chartedFamilies(group: MetricGroup, scope: MetricFamily['scope']): MetricFamily[] {
  const drawn = FAMILIES.filter((f) => f.descriptor.group === group && f.scope === scope && f.descriptor.chart && f.key);
  return [...drawn.filter((f) => !f.descriptor.chart!.reference), ...drawn.filter((f) => f.descriptor.chart!.reference)];
}

/** Axis unit, scale and full-text format for a table unit, from the largest value drawn. */
function unitScale(unit: MetricUnit, max: number): { unit: string; factor: number; axis: AxisSpec } {
  switch (unit) {
    case 'percent':
      return { unit: '%', factor: 1, axis: { min: 0, max: 100, format: formatPercent } };
    case 'bytes': {
      const scaled = scaleBytes(max);
      return { unit: scaled.unit, factor: scaled.factor, axis: { min: 0, format: (v) => formatBytes(v, 4) } };
    }
    case 'bits_per_second': {
      const scaled = scaleBits(max);
      return { unit: scaled.unit, factor: scaled.factor, axis: { min: 0, format: (v) => formatBits(v, 4) } };
    }
    case 'load':
      return { unit: '', factor: 1, axis: { min: 0, format: (v) => v.toFixed(2) } };
  }
}

/** A machine-wide group's chart (CPU, memory, swap, load): a line per charted family. */
function groupPanel(group: MetricGroup, title: string, columns: ReadonlyMap<string, SeriesColumn>, ctx: BuildContext): ChartPanel {
  const t = ctx.options.theme;
  const families = chartedFamilies(group, 'machine');
  const series: SeriesSpec[] = families.map((f) => ({
    name: f.descriptor.label,
    column: columns.get(f.key!.text),
    color: t[f.descriptor.chart!.color],
    dashed: f.descriptor.chart!.reference,
    noBand: f.descriptor.chart!.reference,
  }));
  const scale = unitScale(families[0]?.descriptor.unit ?? 'percent', Math.max(0, ...series.map((s) => peak(s.column))));
  const kind = group as PanelKind;
  const panel = linePanel(kind, kind, title, null, scale, series, ctx, scale.axis);
  const present = series.filter((s) => s.column);
  const references = series.filter((s) => s.noBand && s.column);
  if (!panel.empty && references.length > 0 && references.every((s) => peak(s.column) === 0)) {
    // Its size is 0 (swap on a machine without any): say so rather than draw a flat line at zero.
    markEmpty(panel, `No ${title.toLowerCase()} on this machine.`);
  } else if (panel.empty && present.length > 0) {
    // Recorded, and never a value: the table says why (Windows has no load average).
    const reasons = new Set(families.map((f) => f.descriptor.missing).filter(Boolean));
    if (reasons.size === 1) panel.emptyText = `${[...reasons][0]}.`;
  }
  return panel;
}

/** One chart per interface asked for: its in and out (one line where they are the same, loopback). */
function netPanels(data: SeriesResult, columns: ReadonlyMap<string, SeriesColumn>, ctx: BuildContext): ChartPanel[] {
  const t = ctx.options.theme;
  const families = chartedFamilies('net', 'interface');
  const byName = new Map(data.interfaces.map((i) => [i.name, i]));
  const names = ctx.options.interfaces ?? data.interfaces.map((i) => i.name);
  const panels: ChartPanel[] = [];
  for (const name of names) {
    const iface = byName.get(name);
    if (!iface) continue;
    const series: SeriesSpec[] = families.map((f) => ({ name: f.descriptor.label, column: columns.get(fill(f.key!, name)), color: t[f.descriptor.chart!.color] }));
    const scale = unitScale(families[0]?.descriptor.unit ?? 'bits_per_second', Math.max(0, ...series.map((s) => peak(s.column))));
    const kind = iface.loopback ? ' (loopback)' : iface.virtual ? ' (virtual)' : '';
    // Loopback receives exactly what it sends: one line "in = out" instead of two bands that
    // cover each other (blue over orange reads as grey).
    const [first, second] = series;
    const mirrored = series.length === 2 && first!.column !== undefined && second!.column !== undefined && sameValues(first!.column, second!.column);
    panels.push(
      linePanel(netPanelId(name), 'net', `Network ${name}${kind}`, iface, scale, mirrored ? [{ ...first!, name: `${first!.name} = ${second!.name}` }] : series, ctx, scale.axis),
    );
  }
  return panels;
}

interface BuildContext {
  xs: XAxisData;
  range: { from: number; to: number };
  options: PanelOptions;
}

function markEmpty(panel: ChartPanel, text: string): void {
  panel.empty = true;
  panel.emptyText = text;
  panel.config.data.datasets = [];
  const y = panel.config.options!.scales!.y!;
  (y.ticks as { callback: unknown }).callback = () => '';
}

function sameValues(a: SeriesColumn, b: SeriesColumn): boolean {
  if (a.avg.length !== b.avg.length) return false;
  for (let i = 0; i < a.avg.length; i++) if (a.avg[i] !== b.avg[i]) return false;
  return a.avg.some((v) => v !== null);
}

interface SeriesSpec {
  name: string;
  column: SeriesColumn | undefined;
  color: string;
  dashed?: boolean;
  noBand?: boolean;
  /** Values to draw instead of the column's (already in base units). */
  values?: readonly (number | null)[];
}

interface AxisSpec {
  min: number;
  max?: number;
  /** Full-precision text of a value in base units, for tooltips. */
  format: (value: number) => string;
}

/** x positions: one per timestamp, plus a null point inside every gap so lines break there. */
interface XAxisData {
  /** Index into the result's columns, or -1 for an inserted gap point. */
  source: Int32Array;
  x: Float64Array;
  /** The width of the bucket behind each point (null for raw samples), for tooltip titles. */
  bucketMs: number | null;
  /** The spacing of the points (the bucket, or the samples' usual step). */
  step: number;
}

function linePanel(
  id: string,
  kind: PanelKind,
  title: string,
  iface: InterfaceSummary | null,
  scale: { unit: string; factor: number },
  series: SeriesSpec[],
  ctx: BuildContext,
  axis: AxisSpec,
  xs: XAxisData = ctx.xs,
): ChartPanel {
  const { options } = ctx;
  const t = options.theme;
  const screen = (options.target ?? 'screen') === 'screen';
  const datasets: VigilDataset[] = [];
  let empty = true;
  // Dots only where points are few enough to be told apart; a line of dots reads as a thick line.
  const sparse = xs.x.length < 48;
  // Averages first: chart.js draws the first dataset on top, so lines sit above their bands.
  for (const s of series) {
    if (!s.column && !s.values) continue;
    const avg = points(xs, s.values ?? s.column!.avg, scale.factor);
    if (avg.some((p) => p.y !== null)) empty = false;
    datasets.push({
      label: s.name,
      vigilRole: 'avg',
      vigilSeries: s.name,
      data: avg,
      borderColor: s.color,
      backgroundColor: s.color,
      borderWidth: screen ? 1.5 : 1.2,
      borderDash: s.dashed ? [4, 3] : undefined,
      pointRadius: sparse && !s.dashed ? 2 : 0,
      pointHitRadius: 6,
      fill: false,
      spanGaps: false,
    });
  }
  for (const s of series) {
    if (!s.column?.min || !s.column.max || s.noBand || s.values) continue;
    const minIndex = datasets.length;
    const band = withAlpha(s.color, t.bandAlpha);
    // A hairline at each edge keeps a thin band visible where the fill alone would vanish.
    const edge = withAlpha(s.color, Math.min(1, t.bandAlpha + 0.25));
    const common = { vigilSeries: s.name, borderWidth: 0.6, pointRadius: 0, pointHitRadius: 0, spanGaps: false, borderColor: edge, backgroundColor: band };
    datasets.push({ ...common, label: `${s.name} min`, vigilRole: 'min', data: points(xs, s.column.min, scale.factor), fill: false });
    datasets.push({ ...common, label: `${s.name} max`, vigilRole: 'max', data: points(xs, s.column.max, scale.factor), fill: minIndex });
  }

  const config = baseConfig(title, scale, ctx, {
    y: {
      type: 'linear',
      min: axis.min,
      max: axis.max,
      beginAtZero: true,
      ticks: { maxTicksLimit: 6, callback: (value: number | string) => (empty ? '' : `${trimNumber(Number(value))}${scale.unit ? ` ${scale.unit}` : ''}`) },
    },
    legend: true,
    tooltip: {
      filter: (item: TooltipItem<'line'>) => (item.dataset as VigilDataset).vigilRole === 'avg' && item.parsed.y !== null,
      callbacks: {
        title: (items: TooltipItem<'line'>[]) => tooltipTitle(items, xs.bucketMs, options.timeZone),
        label: (item: TooltipItem<'line'>) => tooltipLabel(item, scale.factor, axis.format),
      },
    },
  });
  config.data.datasets = datasets;
  return { id, kind, title, iface, unit: scale.unit, factor: scale.factor, empty, emptyText: 'No data in this span.', height: PANEL_HEIGHT, format: axis.format, config };
}

interface ConfigParts {
  y: Record<string, unknown>;
  legend: boolean;
  tooltip: Record<string, unknown>;
  plugins?: Plugin<'line'>[];
  /** Options of those plugins, by id (options.plugins.<id>). */
  pluginOptions?: Record<string, unknown>;
}

/** What every panel shares: the time axis on the machine's clock, a y axis of fixed width, theme and interaction. */
function baseConfig(title: string, scale: { unit: string }, ctx: BuildContext, parts: ConfigParts): ChartConfiguration<'line', Point[]> {
  const { options, range } = ctx;
  const t = options.theme;
  const screen = (options.target ?? 'screen') === 'screen';
  const font = { size: screen ? 11 : 12 };
  const yWidth = Y_AXIS_WIDTH[screen ? 'screen' : 'image'];
  void scale;
  return {
    type: 'line',
    data: { datasets: [] },
    ...(parts.plugins ? { plugins: parts.plugins } : {}),
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: screen,
      maintainAspectRatio: false,
      devicePixelRatio: screen ? undefined : 1,
      interaction: { mode: 'index', intersect: false },
      layout: { padding: screen ? { right: 8 } : { left: 4, right: 12, top: 4, bottom: 4 } },
      scales: {
        x: {
          type: 'linear',
          min: range.from,
          max: range.to,
          grid: { color: t.grid },
          border: { color: t.grid },
          afterBuildTicks: (axis: Scale) => {
            axis.ticks = timeAxisTicks(axis.min, axis.max, options.timeZone, Math.max(2, Math.floor(axis.width / 70))).map((value) => ({ value }));
          },
          ticks: {
            color: t.text,
            font,
            autoSkip: false,
            maxRotation: 0,
            callback: (value) => tickLabel(Number(value), range, options.timeZone),
          },
        },
        y: {
          grid: { color: t.grid },
          border: { color: t.grid },
          ...parts.y,
          ticks: { color: t.text, font, ...(parts.y.ticks as object) },
          // The same width on every panel: the plot areas start at the same x, so times line up.
          afterFit: (axis: Scale) => {
            axis.width = yWidth;
          },
        } as never,
      },
      plugins: {
        legend: {
          display: parts.legend,
          position: 'top',
          align: 'end',
          labels: { color: t.text, font, boxWidth: 12, boxHeight: 2, filter: (item, chartData) => (chartData.datasets[item.datasetIndex!] as VigilDataset).vigilRole === 'avg' },
          // Clicking a legend entry hides the series with its band.
          onClick: (_event, item, legend) => {
            const chart = legend.chart;
            const clicked = chart.data.datasets[item.datasetIndex!] as VigilDataset;
            const hide = chart.isDatasetVisible(item.datasetIndex!);
            chart.data.datasets.forEach((d, i) => {
              if ((d as VigilDataset).vigilSeries === clicked.vigilSeries) chart.setDatasetVisibility(i, !hide);
            });
            chart.update('none');
          },
        },
        title: { display: !screen, text: title, color: t.text, align: 'start', font: { size: 14, weight: 'bold' } },
        tooltip: { enabled: screen, ...parts.tooltip } as never,
        ...(parts.pluginOptions as object),
      },
    },
  };
}

// ---------------------------------------------------------------- CPU per core: a heat strip

/** The per-core chart: a row per core (core 0 on top), each cell coloured by its average %. */
function heatPanel(data: SeriesResult, ctx: BuildContext): ChartPanel {
  const { options, xs } = ctx;
  const t = options.theme;
  const screen = (options.target ?? 'screen') === 'screen';
  const cores = data.series
    .map((column) => ({ column, core: parseCoreKey(column.key) }))
    .filter((c): c is { column: SeriesColumn; core: number } => c.core !== null)
    .sort((a, b) => a.core - b.core);
  const rows = Math.max(1, cores.length);
  let empty = true;
  // One dataset per core, its points placed inside the core's row (core + value/100), so chart.js
  // puts the tooltip in the row; the heat plugin paints the cells from the same points.
  const datasets: VigilDataset[] = cores.map(({ column, core }) => {
    const raw = points(xs, column.avg, 1);
    const data = raw.map((p) => {
      if (p.y === null) return p;
      empty = false;
      return { x: p.x, y: core + Math.min(100, Math.max(0, p.y)) / 100 };
    });
    return {
      label: `core ${core}`,
      vigilRole: 'avg',
      vigilSeries: `core ${core}`,
      data,
      showLine: false,
      borderWidth: 0,
      pointRadius: 0,
      pointHoverRadius: 0,
      pointHitRadius: 0,
      spanGaps: false,
    };
  });
  const heatOptions: HeatOptions = { step: xs.bucketMs ?? xs.step, stops: t.heat, rows };
  const labelEvery = Math.max(1, Math.ceil(rows / 8));
  const config = baseConfig('CPU per core', { unit: '%' }, ctx, {
    y: {
      type: 'linear',
      min: 0,
      max: rows,
      reverse: true,
      grid: { display: false },
      afterBuildTicks: (axis: Scale) => {
        const ticks: { value: number }[] = [];
        for (let core = 0; core < rows; core += labelEvery) ticks.push({ value: core + 0.5 });
        axis.ticks = ticks;
      },
      ticks: { autoSkip: false, callback: (value: number | string) => (cores.length === 0 ? '' : `core ${Math.floor(Number(value))}`) },
    },
    legend: false,
    plugins: [HEAT_PLUGIN],
    pluginOptions: { vigilHeat: heatOptions },
    tooltip: {
      // Only the core under the pointer, not a list of all of them.
      filter: (item: TooltipItem<'line'>) => {
        const pointerY = (item.chart as unknown as { $vigilPointerY?: number }).$vigilPointerY;
        if (pointerY === undefined || item.parsed.y === null) return false;
        return Math.floor(item.chart.scales.y!.getValueForPixel(pointerY)!) === item.datasetIndex;
      },
      callbacks: {
        title: (items: TooltipItem<'line'>[]) => tooltipTitle(items, xs.bucketMs, options.timeZone),
        label: (item: TooltipItem<'line'>) => `${String(item.dataset.label)}: ${formatPercent(((item.parsed.y as number) - item.datasetIndex) * 100)}`,
      },
    },
  });
  config.data.datasets = datasets;
  const height = Math.max(screen ? 96 : 100, Math.min(PANEL_HEIGHT, 28 + rows * 16));
  return {
    id: 'cores',
    kind: 'cores',
    title: 'CPU per core',
    iface: null,
    unit: cores.length ? `${cores.length} cores, % busy` : '',
    factor: 1,
    empty,
    emptyText: cores.length ? 'No data in this span.' : 'No per-core figures in this span.',
    height,
    format: formatPercent,
    config,
  };
}

interface HeatOptions {
  /** Width of a cell in ms (the bucket, or the samples' step). */
  step: number;
  stops: readonly [string, string, string];
  rows: number;
}

/**
 * Paints the heat strip's cells from its datasets. One plugin object for every chart: what it
 * draws with comes from the chart's options (plugins.vigilHeat), which a redraw replaces.
 */
const HEAT_PLUGIN: Plugin<'line'> = {
  id: 'vigilHeat',
  beforeDatasetsDraw(chart, _args, pluginOptions) {
    const { step, stops, rows } = pluginOptions as unknown as HeatOptions;
    if (!stops) return;
    const { ctx: g, chartArea: area, scales } = chart;
    const x = scales.x!;
    const y = scales.y!;
    g.save();
    g.beginPath();
    g.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
    g.clip();
    chart.data.datasets.forEach((dataset, row) => {
      const top = y.getPixelForValue(row);
      const bottom = y.getPixelForValue(row + 1);
      const pts = dataset.data as Point[];
      for (let i = 0; i < pts.length; i++) {
        const p = pts[i]!;
        if (p.y === null) continue;
        const left = x.getPixelForValue(p.x);
        const right = x.getPixelForValue(p.x + step);
        g.fillStyle = heatColor(stops, (p.y - row) * 100);
        // Whole pixels, at least one wide: no seams between neighbouring cells.
        g.fillRect(Math.floor(left), Math.min(top, bottom), Math.max(1, Math.ceil(right) - Math.floor(left)), Math.abs(bottom - top) - (rows > 1 ? 1 : 0));
      }
    });
    g.restore();
  },
  afterEvent(chart, args) {
    (chart as unknown as { $vigilPointerY?: number }).$vigilPointerY = args.event.y ?? undefined;
  },
};

/** Colour of a cell: the theme's three stops, blended in RGB. */
export function heatColor(stops: readonly [string, string, string], percent: number): string {
  const v = Math.min(100, Math.max(0, percent)) / 50;
  const [a, b] = v <= 1 ? [stops[0], stops[1]] : [stops[1], stops[2]];
  const f = v <= 1 ? v : v - 1;
  const ca = rgb(a);
  const cb = rgb(b);
  return `rgb(${Math.round(ca[0] + (cb[0] - ca[0]) * f)}, ${Math.round(ca[1] + (cb[1] - ca[1]) * f)}, ${Math.round(ca[2] + (cb[2] - ca[2]) * f)})`;
}

function rgb(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  return m ? [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)] : [128, 128, 128];
}

// ---------------------------------------------------------------- disk usage

/** Disk usage: one line per mount, in % of its size; the tooltip says the bytes, as df does. */
function diskPanel(data: SeriesResult, ctx: BuildContext): ChartPanel {
  const t = ctx.options.theme;
  const disks = data.disks;
  const xs = xWithGaps(disks?.timestamps ?? [], data.bucketMs !== null && data.bucketMs > 1000 ? data.bucketMs : null);
  const series: SeriesSpec[] = (disks?.mounts ?? []).map((mount, m) => ({
    name: mount.mountPoint,
    column: undefined,
    color: t.disks[m % t.disks.length]!,
    // df's Use% (used / (used + available)); readings from before Vigil kept `available`: used / size.
    values: disks!.used[m]!.map((used, i) => {
      const total = disks!.total[m]![i];
      const available = disks!.available[m]![i];
      return used === null || total === null || total === undefined ? null : diskUsedPercent(available == null ? { total, used } : { total, used, available });
    }),
  }));
  const panel = linePanel('disk', 'disk', 'Disk usage', null, { unit: '%', factor: 1 }, series, ctx, { min: 0, max: 100, format: formatPercent }, xs);
  const tooltip = panel.config.options!.plugins!.tooltip!;
  tooltip.callbacks!.label = (item: TooltipItem<'line'>) => {
    const m = item.datasetIndex;
    const index = xs.source[item.dataIndex]!;
    const used = disks?.used[m]?.[index];
    const total = disks?.total[m]?.[index];
    const available = disks?.available[m]?.[index];
    return `${String(item.dataset.label)}: ${formatPercent(item.parsed.y as number)} (${formatBytes(used)} of ${formatBytes(total)}${available == null ? '' : `, ${formatBytes(available)} available`})`;
  };
  if (panel.empty) panel.emptyText = disks ? 'No disk usage reading in this span (disks are read once a minute).' : 'Disk usage was not asked for.';
  return panel;
}

// ---------------------------------------------------------------- x axis

function xWithGaps(ts: readonly number[], bucketMs: number | null): XAxisData {
  const step = bucketMs ?? medianStep(ts);
  const source: number[] = [];
  const x: number[] = [];
  for (let i = 0; i < ts.length; i++) {
    if (i > 0 && step > 0 && ts[i]! - ts[i - 1]! > step * 2.5) {
      source.push(-1);
      x.push(ts[i - 1]! + step);
    }
    source.push(i);
    x.push(ts[i]!);
  }
  return { source: Int32Array.from(source), x: Float64Array.from(x), bucketMs, step: step || 1000 };
}

function medianStep(ts: readonly number[]): number {
  if (ts.length < 2) return 0;
  const diffs: number[] = [];
  const n = Math.min(ts.length - 1, 200);
  for (let i = 1; i <= n; i++) diffs.push(ts[i]! - ts[i - 1]!);
  diffs.sort((a, b) => a - b);
  return diffs[Math.floor(diffs.length / 2)]!;
}

function points(xs: XAxisData, values: readonly (number | null)[], factor: number): Point[] {
  const out: Point[] = new Array(xs.x.length);
  for (let i = 0; i < xs.x.length; i++) {
    const s = xs.source[i]!;
    const v = s < 0 ? null : (values[s] ?? null);
    out[i] = { x: xs.x[i]!, y: v === null ? null : v / factor };
  }
  return out;
}

function peak(column: SeriesColumn | undefined): number {
  if (!column) return 0;
  let max = 0;
  for (const v of column.max ?? column.avg) if (v !== null && v > max) max = v;
  return max;
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Ticks: round clock times up to a few days; whole days from the range's first one; month starts beyond ~2 months. */
function timeAxisTicks(from: number, to: number, timeZone: string | undefined, maxTicks: number): number[] {
  if (to - from > 62 * DAY_MS) return monthTicks(from, to, timeZone, maxTicks);
  if (to - from > 8 * DAY_MS) return dayTicks(from, to, timeZone, maxTicks);
  return timeTicks(from, to, timeZone, maxTicks).ticks;
}

function tickLabel(value: number, range: { from: number; to: number }, timeZone: string | undefined): string {
  const span = range.to - range.from;
  if (span > 62 * DAY_MS) {
    const w = wallTime(value, timeZone);
    return w.month === 1 || span <= 400 * DAY_MS ? `${MONTHS[w.month - 1]}${w.month === 1 ? ` ${w.year}` : ''}` : MONTHS[w.month - 1]!;
  }
  if (span > 2 * DAY_MS) {
    const day = formatDayOf(value, timeZone);
    if (span > 10 * DAY_MS) return day.slice(0, 5);
    const w = wallTime(value, timeZone);
    const weekday = WEEKDAYS[(new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7];
    return w.hour === 0 && w.minute === 0 ? `${weekday} ${day.slice(0, 5)}` : formatClock(value, timeZone);
  }
  return formatClock(value, timeZone, span < 10 * 60_000);
}

function tooltipTitle(items: TooltipItem<'line'>[], bucketMs: number | null, timeZone: string | undefined): string {
  const item = items[0];
  if (!item) return '';
  const ts = item.parsed.x as number;
  const day = formatDayOf(ts, timeZone);
  if (!bucketMs || bucketMs <= 1000) return `${day} ${formatClock(ts, timeZone, true)}`;
  return `${day} ${formatClock(ts, timeZone, true)} – ${formatClock(ts + bucketMs, timeZone, true)} (${formatDuration(bucketMs)} bucket)`;
}

function tooltipLabel(item: TooltipItem<'line'>, factor: number, format: (value: number) => string): string {
  const dataset = item.dataset as VigilDataset;
  const value = (item.parsed.y as number) * factor;
  const datasets = item.chart.data.datasets as VigilDataset[];
  const min = datasets.find((d) => d.vigilSeries === dataset.vigilSeries && d.vigilRole === 'min')?.data[item.dataIndex]?.y;
  const max = datasets.find((d) => d.vigilSeries === dataset.vigilSeries && d.vigilRole === 'max')?.data[item.dataIndex]?.y;
  const extremes = min != null && max != null && min !== max ? ` (min ${format(min * factor)}, max ${format(max * factor)})` : '';
  return `${dataset.label}: ${format(value)}${extremes}`;
}

function trimNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(2)));
}

/** #rrggbb + alpha → rgba(); other colour strings pass through. */
export function withAlpha(color: string, alpha: number): string {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!match) return color;
  return `rgba(${parseInt(match[1]!, 16)}, ${parseInt(match[2]!, 16)}, ${parseInt(match[3]!, 16)}, ${alpha})`;
}
