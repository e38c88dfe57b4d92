// Charts as one PNG, without a browser: the page's own chart.js configurations
// (shared/chart-config.ts) drawn on @napi-rs/canvas (a prebuilt Skia binding: no compiler, no
// cairo), one panel under the other below a title line. For servers: `vigil chart`.
// Loaded only by that command; chart.js and the canvas binding never enter the agent.
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Title } from 'chart.js';
import type { SeriesResult } from '../shared/api.js';
import { buildChartPanels, DARK_THEME, LIGHT_THEME, type PanelKind } from '../shared/chart-config.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Filler, Legend, Title);

export interface PngOptions {
  /** Image width in pixels (default 1200). */
  width?: number;
  /** Height of each panel (default 280). */
  panelHeight?: number;
  theme?: 'light' | 'dark';
  /** The machine's zone (default: this process's). */
  timeZone?: string;
  /** The line above the charts, e.g. "web-1 · 22-11-2026 (Europe/Paris)". */
  title?: string;
  /** Interfaces to draw, in order (default: every physical one; loopback and virtual left out). */
  interfaces?: string[];
  /** Which charts (default: CPU, memory and network). */
  panels?: readonly PanelKind[];
  /** Leave out charts with nothing to draw (no swap, no load average, no disk readings). */
  skipEmpty?: boolean;
}

export const DEFAULT_PNG_WIDTH = 1200;
const HEADER = 44;

export interface PngResult {
  png: Buffer;
  width: number;
  height: number;
  /** Panel ids, top to bottom ('cpu', 'memory', 'net:eth0', …). */
  panels: string[];
}

export async function renderChartsPng(data: SeriesResult, options: PngOptions = {}): Promise<PngResult> {
  const width = options.width ?? DEFAULT_PNG_WIDTH;
  const panelHeight = options.panelHeight ?? 280;
  const theme = options.theme === 'dark' ? DARK_THEME : LIGHT_THEME;
  const interfaces = options.interfaces ?? data.interfaces.filter((i) => !i.loopback && !i.virtual).map((i) => i.name);
  let panels = buildChartPanels(data, { theme, timeZone: options.timeZone, interfaces, panels: options.panels, target: 'image' });
  if (options.skipEmpty) panels = panels.filter((p) => !p.empty || p.kind === 'cpu' || p.kind === 'memory');
  // The heat strip is as tall as its cores need; the others share one height.
  const heights = panels.map((p) => (p.kind === 'cores' ? Math.min(panelHeight, p.height + 80) : panelHeight));
  const height = HEADER + heights.reduce((a, b) => a + b, 0);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = theme.text;
  ctx.font = 'bold 18px sans-serif';
  ctx.textBaseline = 'middle';
  ctx.fillText(options.title ?? 'Vigil', 14, HEADER / 2);

  let top = HEADER;
  panels.forEach((panel, i) => {
    const surface = createCanvas(width, heights[i]!);
    const panelCtx = surface.getContext('2d');
    // chart.js takes any 2D context; Skia's implements what it draws with.
    const chart = new Chart(panelCtx as unknown as ConstructorParameters<typeof Chart>[0], panel.config);
    try {
      if (panel.empty) {
        // What the page writes over an empty chart, drawn into the image.
        panelCtx.fillStyle = theme.text;
        panelCtx.font = '14px sans-serif';
        panelCtx.textAlign = 'center';
        panelCtx.fillText(panel.emptyText, (chart.chartArea.left + chart.chartArea.right) / 2, (chart.chartArea.top + chart.chartArea.bottom) / 2);
      }
      ctx.drawImage(surface, 0, top);
    } finally {
      chart.destroy();
    }
    drawSeparator(ctx, theme.grid, top, width);
    top += heights[i]!;
  });
  return { png: await canvas.encode('png'), width, height, panels: panels.map((p) => p.id) };
}

function drawSeparator(ctx: SKRSContext2D, color: string, y: number, width: number): void {
  ctx.strokeStyle = color;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, y + 0.5);
  ctx.lineTo(width, y + 0.5);
  ctx.stroke();
}
