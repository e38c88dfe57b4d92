// A line panel (averages over min/max bands) and the configuration every panel shares: the time
// axis, a y axis of fixed width so plot areas line up, theme, legend and tooltips.
import type { ChartConfiguration, Plugin, Scale, TooltipItem } from 'chart.js';
import type { InterfaceSummary } from '../api.js';
import type { PanelKind } from '../panels.js';
import { points, tickLabel, timeAxisTicks, tooltipLabel, tooltipTitle, trimNumber, withAlpha } from './axis.js';
import { PANEL_HEIGHT, Y_AXIS_WIDTH, type AxisSpec, type BuildContext, type ChartPanel, type Point, type SeriesSpec, type VigilDataset, type XAxisData } from './types.js';

export function markEmpty(panel: ChartPanel, text: string): void {
  panel.empty = true;
  panel.emptyText = text;
  panel.config.data.datasets = [];
  const y = panel.config.options!.scales!.y!;
  (y.ticks as { callback: unknown }).callback = () => '';
}

export function linePanel(
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

export interface ConfigParts {
  y: Record<string, unknown>;
  legend: boolean;
  tooltip: Record<string, unknown>;
  plugins?: Plugin<'line'>[];
  /** Options of those plugins, by id (options.plugins.<id>). */
  pluginOptions?: Record<string, unknown>;
}

/** What every panel shares: the time axis on the machine's clock, a y axis of fixed width, theme and interaction. */
export function baseConfig(title: string, scale: { unit: string }, ctx: BuildContext, parts: ConfigParts): ChartConfiguration<'line', Point[]> {
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
