// The shapes the chart builder works with: what a panel is (a chart.js configuration plus what
// the page says about it), its options, and the builder's internal specs shared by its files.
import type { ChartConfiguration, ChartDataset } from 'chart.js';
import type { InterfaceSummary } from '../api.js';
import type { PanelKind } from '../panels.js';
import type { SeriesColumn } from '../query.js';
import type { ChartTheme } from './theme.js';

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
/** Plot height in CSS pixels of a line panel. */
export const PANEL_HEIGHT = 230;

/** What every panel builder gets: the shared x positions, the range drawn, the options. */
export interface BuildContext {
  xs: XAxisData;
  range: { from: number; to: number };
  options: PanelOptions;
}

export interface SeriesSpec {
  name: string;
  column: SeriesColumn | undefined;
  color: string;
  dashed?: boolean;
  noBand?: boolean;
  /** Values to draw instead of the column's (already in base units). */
  values?: readonly (number | null)[];
}

export interface AxisSpec {
  min: number;
  max?: number;
  /** Full-precision text of a value in base units, for tooltips. */
  format: (value: number) => string;
}

/** x positions: one per timestamp, plus a null point inside every gap so lines break there. */
export interface XAxisData {
  /** Index into the result's columns, or -1 for an inserted gap point. */
  source: Int32Array;
  x: Float64Array;
  /** The width of the bucket behind each point (null for raw samples), for tooltip titles. */
  bucketMs: number | null;
  /** The spacing of the points (the bucket, or the samples' usual step). */
  step: number;
}
