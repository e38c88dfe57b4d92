// The x axis on the machine's clock (gaps that break the lines, ticks on round wall-clock times)
// and the texts around a panel's values: tick labels, tooltips, colours with alpha.
import type { TooltipItem } from 'chart.js';
import type { SeriesColumn } from '../query.js';
import { dayTicks, formatClock, formatDayOf, monthTicks, timeTicks, wallTime } from '../time-zone.js';
import { formatDuration } from '../units.js';
import type { Point, VigilDataset, XAxisData } from './types.js';

export function xWithGaps(ts: readonly number[], bucketMs: number | null): XAxisData {
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

export function points(xs: XAxisData, values: readonly (number | null)[], factor: number): Point[] {
  const out: Point[] = new Array(xs.x.length);
  for (let i = 0; i < xs.x.length; i++) {
    const s = xs.source[i]!;
    const v = s < 0 ? null : (values[s] ?? null);
    out[i] = { x: xs.x[i]!, y: v === null ? null : v / factor };
  }
  return out;
}

export function peak(column: SeriesColumn | undefined): number {
  if (!column) return 0;
  let max = 0;
  for (const v of column.max ?? column.avg) if (v !== null && v > max) max = v;
  return max;
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Ticks: round clock times up to a few days; whole days from the range's first one; month starts beyond ~2 months. */
export function timeAxisTicks(from: number, to: number, timeZone: string | undefined, maxTicks: number): number[] {
  if (to - from > 62 * DAY_MS) return monthTicks(from, to, timeZone, maxTicks);
  if (to - from > 8 * DAY_MS) return dayTicks(from, to, timeZone, maxTicks);
  return timeTicks(from, to, timeZone, maxTicks).ticks;
}

export function tickLabel(value: number, range: { from: number; to: number }, timeZone: string | undefined): string {
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

export function tooltipTitle(items: TooltipItem<'line'>[], bucketMs: number | null, timeZone: string | undefined): string {
  const item = items[0];
  if (!item) return '';
  const ts = item.parsed.x as number;
  const day = formatDayOf(ts, timeZone);
  if (!bucketMs || bucketMs <= 1000) return `${day} ${formatClock(ts, timeZone, true)}`;
  return `${day} ${formatClock(ts, timeZone, true)} – ${formatClock(ts + bucketMs, timeZone, true)} (${formatDuration(bucketMs)} bucket)`;
}

export function tooltipLabel(item: TooltipItem<'line'>, factor: number, format: (value: number) => string): string {
  const dataset = item.dataset as VigilDataset;
  const value = (item.parsed.y as number) * factor;
  const datasets = item.chart.data.datasets as VigilDataset[];
  const min = datasets.find((d) => d.vigilSeries === dataset.vigilSeries && d.vigilRole === 'min')?.data[item.dataIndex]?.y;
  const max = datasets.find((d) => d.vigilSeries === dataset.vigilSeries && d.vigilRole === 'max')?.data[item.dataIndex]?.y;
  const extremes = min != null && max != null && min !== max ? ` (min ${format(min * factor)}, max ${format(max * factor)})` : '';
  return `${dataset.label}: ${format(value)}${extremes}`;
}

export function trimNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(2)));
}

/** #rrggbb + alpha → rgba(); other colour strings pass through. */
export function withAlpha(color: string, alpha: number): string {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!match) return color;
  return `rgba(${parseInt(match[1]!, 16)}, ${parseInt(match[2]!, 16)}, ${parseInt(match[3]!, 16)}, ${alpha})`;
}
