// What a panel's data-state says of each dataset: its points, values, extent and mean, in base
// units, read from the chart as drawn.
import type { Chart } from 'chart.js';
import type { Point, VigilDataset } from '../shared/chart-config.js';

export interface DatasetStats {
  label: string;
  role: string;
  series: string;
  visible: boolean;
  /** Points drawn, including the null points that break the line at gaps. */
  points: number;
  /** Points with a value. */
  values: number;
  /** First and last x with a value (unix ms). */
  firstX: number | null;
  lastX: number | null;
  /** In base units (%, bytes, bit/s). */
  min: number | null;
  max: number | null;
  mean: number | null;
}

export function datasetStats(dataset: VigilDataset, index: number, chart: Chart<'line', Point[]>, factor: number, heat = false): DatasetStats {
  let values = 0;
  let firstX: number | null = null;
  let lastX: number | null = null;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const p of dataset.data) {
    if (p.y === null) continue;
    // A heat strip's points sit in their row (core + value/100): take the value back out.
    const y = heat ? (p.y - index) * 100 : p.y;
    values++;
    firstX ??= p.x;
    lastX = p.x;
    if (y < min) min = y;
    if (y > max) max = y;
    sum += y;
  }
  return {
    label: String(dataset.label),
    role: dataset.vigilRole,
    series: dataset.vigilSeries,
    visible: chart.isDatasetVisible(index),
    points: dataset.data.length,
    values,
    firstX,
    lastX,
    min: values ? min * factor : null,
    max: values ? max * factor : null,
    mean: values ? (sum / values) * factor : null,
  };
}
