// The charts, as chart.js configurations built from an API result: one pure function shared by
// the page (src/renderer, in a browser or the app window) and the PNG renderer (src/core, on
// @napi-rs/canvas), so a chart looks the same wherever it is drawn.
//
// A panel per subject: CPU %, memory (used, free, and the total as a reference), and one per
// network interface (in and out). Each series is drawn as its average, with a min/max band behind
// it so that a one-second peak is never averaged away in a day-wide bucket. Values are scaled to
// one unit per panel (GiB, Mbit/s…) so the axis gets round ticks; tooltips give each value in full
// with its exact time. The x axis is linear in unix ms with ticks on round wall-clock times of the
// machine's zone.
//
// Only types come from chart.js here; whoever draws registers the controllers it needs
// (LineController, LineElement, PointElement, LinearScale, Filler, Legend, Tooltip, Title).
import type { ChartConfiguration, ChartDataset, Scale, TooltipItem } from 'chart.js';
import type { InterfaceSummary, SeriesResult } from './api.js';
import type { SeriesColumn } from './query.js';
import { netKey } from './series.js';
import { formatClock, formatDayOf, timeTicks } from './time-zone.js';
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
  bandAlpha: 0.2,
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
  bandAlpha: 0.25,
};

export type Point = { x: number; y: number | null };
export type PanelKind = 'cpu' | 'memory' | 'net';
export type DatasetRole = 'avg' | 'min' | 'max';

/** A line dataset that knows its part in a panel (tooltips and tests read it). */
export type VigilDataset = ChartDataset<'line', Point[]> & {
  vigilRole: DatasetRole;
  /** The series it belongs to, e.g. "used" or "in"; a band's min and max share it with their average. */
  vigilSeries: string;
};

export interface ChartPanel {
  /** 'cpu', 'memory', or 'net:<iface>'. */
  id: string;
  kind: PanelKind;
  title: string;
  iface: InterfaceSummary | null;
  /** The axis unit ('%', 'GiB', 'Mbit/s'); values in the datasets are divided by `factor`. */
  unit: string;
  factor: number;
  /** No value at all in the range. */
  empty: boolean;
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
  /** 'screen': responsive, tooltips, titles in the page; 'image': fixed size, titles drawn in. */
  target?: 'screen' | 'image';
}

/** The panel id of an interface's chart. */
export function netPanelId(iface: string): string {
  return `net:${iface}`;
}

export function buildChartPanels(data: SeriesResult, options: PanelOptions): ChartPanel[] {
  const columns = new Map(data.series.map((c) => [c.key, c]));
  const xs = xWithGaps(data);
  const range = options.range ?? { from: data.from, to: data.to };
  const panels: ChartPanel[] = [];
  const t = options.theme;

  panels.push(
    panel('cpu', 'cpu', 'CPU', null, { unit: '%', factor: 1 }, [{ name: 'CPU', column: columns.get('cpu'), color: t.cpu }], xs, range, options, {
      min: 0,
      max: 100,
      format: formatPercent,
    }),
  );

  const total = columns.get('mem.total');
  const memMax = Math.max(peak(total), peak(columns.get('mem.used')), peak(columns.get('mem.free')));
  const memScale = scaleBytes(memMax);
  panels.push(
    panel(
      'memory',
      'memory',
      'Memory',
      null,
      { unit: memScale.unit, factor: memScale.factor },
      [
        { name: 'used', column: columns.get('mem.used'), color: t.memUsed },
        { name: 'free', column: columns.get('mem.free'), color: t.memFree },
        { name: 'total', column: total, color: t.memTotal, dashed: true, noBand: true },
      ],
      xs,
      range,
      options,
      { min: 0, format: (v) => formatBytes(v, 4) },
    ),
  );

  const byName = new Map(data.interfaces.map((i) => [i.name, i]));
  const names = options.interfaces ?? data.interfaces.map((i) => i.name);
  for (const name of names) {
    const iface = byName.get(name);
    if (!iface) continue;
    const rx = columns.get(netKey(name, 'rx'));
    const tx = columns.get(netKey(name, 'tx'));
    const netScale = scaleBits(Math.max(peak(rx), peak(tx)));
    const kind = iface.loopback ? ' (loopback)' : iface.virtual ? ' (virtual)' : '';
    panels.push(
      panel(
        netPanelId(name),
        'net',
        `Network ${name}${kind}`,
        iface,
        { unit: netScale.unit, factor: netScale.factor },
        [
          { name: 'in', column: rx, color: t.rx },
          { name: 'out', column: tx, color: t.tx },
        ],
        xs,
        range,
        options,
        { min: 0, format: (v) => formatBits(v, 4) },
      ),
    );
  }
  return panels;
}

interface SeriesSpec {
  name: string;
  column: SeriesColumn | undefined;
  color: string;
  dashed?: boolean;
  noBand?: boolean;
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
}

function panel(
  id: string,
  kind: PanelKind,
  title: string,
  iface: InterfaceSummary | null,
  scale: { unit: string; factor: number },
  series: SeriesSpec[],
  xs: XAxisData,
  range: { from: number; to: number },
  options: PanelOptions,
  axis: AxisSpec,
): ChartPanel {
  const t = options.theme;
  const screen = (options.target ?? 'screen') === 'screen';
  const datasets: VigilDataset[] = [];
  let empty = true;
  const sparse = xs.x.length < 150;
  // Averages first: chart.js draws the first dataset on top, so lines sit above their bands.
  for (const s of series) {
    if (!s.column) continue;
    const avg = points(xs, s.column.avg, scale.factor);
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
    if (!s.column?.min || !s.column.max || s.noBand) continue;
    const minIndex = datasets.length;
    const band = withAlpha(s.color, t.bandAlpha);
    const common = { vigilSeries: s.name, borderWidth: 0, pointRadius: 0, pointHitRadius: 0, spanGaps: false, borderColor: 'transparent', backgroundColor: band };
    datasets.push({ ...common, label: `${s.name} min`, vigilRole: 'min', data: points(xs, s.column.min, scale.factor), fill: false });
    datasets.push({ ...common, label: `${s.name} max`, vigilRole: 'max', data: points(xs, s.column.max, scale.factor), fill: minIndex });
  }

  const font = { size: screen ? 11 : 12 };
  const config: ChartConfiguration<'line', Point[]> = {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: screen,
      maintainAspectRatio: false,
      devicePixelRatio: screen ? undefined : 1,
      interaction: { mode: 'index', intersect: false },
      layout: { padding: screen ? 0 : { left: 4, right: 12, top: 4, bottom: 4 } },
      scales: {
        x: {
          type: 'linear',
          min: range.from,
          max: range.to,
          grid: { color: t.grid },
          border: { color: t.grid },
          afterBuildTicks: (axis: Scale) => {
            const { ticks } = timeTicks(axis.min, axis.max, options.timeZone, Math.max(2, Math.floor(axis.width / 70)));
            axis.ticks = ticks.map((value) => ({ value }));
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
          type: 'linear',
          min: axis.min,
          max: axis.max,
          beginAtZero: true,
          grid: { color: t.grid },
          border: { color: t.grid },
          ticks: { color: t.text, font, maxTicksLimit: 6, callback: (value) => `${trimNumber(Number(value))} ${scale.unit}` },
        },
      },
      plugins: {
        legend: {
          display: true,
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
        tooltip: {
          enabled: screen,
          filter: (item) => (item.dataset as VigilDataset).vigilRole === 'avg' && item.parsed.y !== null,
          callbacks: {
            title: (items) => tooltipTitle(items, xs.bucketMs, options.timeZone),
            label: (item) => tooltipLabel(item, scale.factor, axis.format),
          },
        },
      },
    },
  };
  return { id, kind, title, iface, unit: scale.unit, factor: scale.factor, empty, config };
}

function xWithGaps(data: SeriesResult): XAxisData {
  const ts = data.timestamps;
  const step = data.bucketMs ?? medianStep(ts);
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
  return { source: Int32Array.from(source), x: Float64Array.from(x), bucketMs: data.bucketMs };
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

function tickLabel(value: number, range: { from: number; to: number }, timeZone: string | undefined): string {
  const span = range.to - range.from;
  if (span > 2 * 86_400_000) return formatDayOf(value, timeZone).slice(0, 5);
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
