// CPU per core as a heat strip: a row per core, each cell coloured by its average %, painted by a
// small chart.js plugin from the same points the tooltips read.
import type { Plugin, Scale, TooltipItem } from 'chart.js';
import type { SeriesResult } from '../api.js';
import type { SeriesColumn } from '../query.js';
import { parseCoreKey } from '../series.js';
import { formatPercent } from '../units.js';
import { points, tooltipTitle } from './axis.js';
import { baseConfig } from './line-panel.js';
import { PANEL_HEIGHT, type BuildContext, type ChartPanel, type Point, type VigilDataset } from './types.js';

/** The per-core chart: a row per core (core 0 on top), each cell coloured by its average %. */
export function heatPanel(data: SeriesResult, ctx: BuildContext): ChartPanel {
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
