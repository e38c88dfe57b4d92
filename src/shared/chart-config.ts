// The charts, as chart.js configurations built from an API result: one pure function shared by
// the page (src/renderer, in a browser or the app window) and the PNG renderer (src/core, on
// @napi-rs/canvas), so a chart looks the same wherever it is drawn.
//
// A panel per subject (PANEL_GROUPS): CPU %, CPU per core (a heat strip: a row per core), memory
// (used, free, and the total as a reference), swap, load average, disk usage per mount, and one
// per network interface (in and out). Each series is drawn as its average, with a min/max band
// behind it so that a one-second peak is never averaged away in a day-wide bucket. Every panel's
// y axis has the same width, so the plot areas (and their times) line up from one to the next.
// Values are scaled to one unit per panel (GiB, Mbit/s…) so the axis gets round ticks; tooltips
// give each value in full with its exact time. The x axis is linear in unix ms with ticks on round
// wall-clock times of the machine's zone.
//
// This file picks the panels and builds the machine-wide, network and disk ones; chart/ holds the
// rest: theme.ts (colours), types.ts, axis.ts (x axis, ticks, tooltips), line-panel.ts (the line
// panel and the configuration all panels share), heat.ts (the per-core strip).
//
// Only types come from chart.js here; whoever draws registers the controllers it needs
// (LineController, LineElement, PointElement, LinearScale, Filler, Legend, Tooltip, Title).
import type { TooltipItem } from 'chart.js';
import type { SeriesResult } from './api.js';
import type { SeriesColumn } from './query.js';
import { FAMILIES, fill, type MetricFamily } from './metrics/catalog.js';
import type { MetricGroup, MetricUnit } from './metrics/descriptor.js';
import { PANEL_GROUPS, type PanelKind } from './panels.js';
import { diskUsedPercent } from './disk-usage.js';
import { formatBits, formatBytes, formatPercent, scaleBits, scaleBytes } from './units.js';
import { peak, xWithGaps } from './chart/axis.js';
import { heatPanel } from './chart/heat.js';
import { linePanel, markEmpty } from './chart/line-panel.js';
import type { AxisSpec, BuildContext, ChartPanel, PanelOptions, SeriesSpec } from './chart/types.js';

export { ALL_PANEL_KINDS, PANEL_GROUPS, keysForPanels, type PanelKind } from './panels.js';
export { DARK_THEME, LIGHT_THEME, type ChartTheme } from './chart/theme.js';
export { Y_AXIS_WIDTH, type ChartPanel, type DatasetRole, type PanelOptions, type Point, type VigilDataset } from './chart/types.js';
export { withAlpha } from './chart/axis.js';
export { heatColor } from './chart/heat.js';

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

function sameValues(a: SeriesColumn, b: SeriesColumn): boolean {
  if (a.avg.length !== b.avg.length) return false;
  for (let i = 0; i < a.avg.length; i++) if (a.avg[i] !== b.avg[i]) return false;
  return a.avg.some((v) => v !== null);
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
