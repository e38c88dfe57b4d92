// `vigil chart` — charts as a PNG image, for servers without a browser: a day (DD-MM-YYYY), the
// last 15m/1h/6h/24h, a span of days (--from/--to), a week (--week) or a month (--month). The same
// API calls the page makes (ChartService: same validation, same buckets from the rollups) and the
// same chart configurations, drawn by chart.js on @napi-rs/canvas. The file is written beside its
// name and renamed (the exports' writer), so a failure never leaves half an image.
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomically } from '../../core/fs-util.js';
import { dataPaths } from '../../core/paths.js';
import { ChartService } from '../../core/server/chart-service.js';
import type { SeriesResult } from '../../shared/api.js';
import { ALL_PANEL_KINDS, keysForPanels, type PanelKind } from '../../shared/panels.js';
import { formatDay, parseDay } from '../../shared/dates.js';
import { VigilError } from '../../shared/errors.js';
import { formatMonth, formatSpan, parseMonth, periodOf } from '../../shared/periods.js';
import { runtimeTimeZone } from '../../shared/time-zone.js';
import { resolveDataDir } from '../options.js';
import { openStoreForReading } from './export.js';

/** `--last`: the windows the live view shows, and a whole day. */
export const CHART_LAST = { '15m': 900_000, '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000 } as const;

export interface ChartCommandOptions {
  out: string;
  last?: keyof typeof CHART_LAST;
  from?: string;
  to?: string;
  week?: string;
  month?: string;
  iface?: string[];
  charts?: PanelKind[];
  width?: number;
  theme?: 'light' | 'dark';
  dataDir?: string;
}

/** What to draw: exactly one of a day, --last, --from/--to, --week, --month. */
type Range = { kind: 'day'; date: string } | { kind: 'last'; ms: number; label: string } | { kind: 'days'; from: string; to: string; label: string };

export function chartRange(date: string | undefined, options: Pick<ChartCommandOptions, 'last' | 'from' | 'to' | 'week' | 'month'>): Range {
  const given = [date !== undefined && 'a day', options.last !== undefined && '--last', (options.from ?? options.to) !== undefined && '--from/--to', options.week !== undefined && '--week', options.month !== undefined && '--month'].filter(Boolean);
  if (given.length === 0) throw new VigilError('invalid_argument', 'Say what to draw: a day (DD-MM-YYYY), --last 15m|1h|6h|24h, --from DD-MM-YYYY --to DD-MM-YYYY, --week DD-MM-YYYY or --month MM-YYYY');
  if (given.length > 1) throw new VigilError('invalid_argument', `Give one of a day, --last, --from/--to, --week or --month (got ${given.join(' and ')})`);
  if (date !== undefined) return { kind: 'day', date };
  if (options.last !== undefined) return { kind: 'last', ms: CHART_LAST[options.last], label: `last ${options.last.replace(/(\d+)/, '$1 ').replace(/m$/, 'min')}` };
  if (options.week !== undefined) {
    const week = periodOf('week', parseDay(options.week));
    return { kind: 'days', from: formatDay(week.from), to: formatDay(week.to), label: `week ${formatSpan(week)}` };
  }
  if (options.month !== undefined) {
    const month = periodOf('month', parseMonth(options.month));
    return { kind: 'days', from: formatDay(month.from), to: formatDay(month.to), label: `month ${formatMonth(month.from)}` };
  }
  if (options.from === undefined || options.to === undefined) throw new VigilError('invalid_argument', `--from and --to go together (missing ${options.from === undefined ? '--from' : '--to'})`);
  const from = parseDay(options.from);
  const to = parseDay(options.to);
  return { kind: 'days', from: options.from, to: options.to, label: formatSpan({ from, to }) };
}

export async function runChart(date: string | undefined, options: ChartCommandOptions): Promise<number> {
  const range = chartRange(date, options);
  const paths = dataPaths(resolveDataDir(options.dataDir));
  const store = openStoreForReading(paths.database, paths.dataDir);
  let rendered: { png: Buffer; width: number; height: number; panels: string[] };
  try {
    const host = store.latestHost()?.host;
    const name = host?.hostname ?? os.hostname();
    // Read-only: no machine id is created for a picture.
    const service = new ChartService({ store, identity: { id: '', name } });
    const { DEFAULT_PNG_WIDTH, renderChartsPng } = await import('../../core/chart-png.js');
    const width = options.width ?? DEFAULT_PNG_WIDTH;
    const points = Math.min(5000, Math.max(100, width - 120));
    const panels = options.charts ?? [...ALL_PANEL_KINDS];
    const { disks } = keysForPanels(panels);
    const wanted = { points, iface: options.iface, disks };
    let data: SeriesResult;
    let label: string;
    if (range.kind === 'day') {
      data = await service.day({ date: range.date, ...wanted });
      label = data.day!;
    } else if (range.kind === 'last') {
      const to = Date.now() + 1;
      data = await service.series({ from: to - range.ms, to, ...wanted });
      label = range.label;
    } else {
      data = await service.range({ from: range.from, to: range.to, ...wanted });
      label = range.label;
    }
    if (data.timestamps.length === 0) throw new VigilError('not_found', `No data recorded ${range.kind === 'day' ? 'on' : 'in the'} ${label} in ${paths.dataDir}`);
    const zone = runtimeTimeZone();
    rendered = await renderChartsPng(data, {
      width,
      theme: options.theme,
      timeZone: zone,
      title: `${name} · ${label} (${zone})`,
      interfaces: options.iface,
      panels,
      // The default set leaves out what this machine does not have (no swap, no load on Windows);
      // charts asked for by name are drawn, saying what is missing.
      skipEmpty: options.charts === undefined,
    });
  } finally {
    store.close();
  }
  const png = rendered.png;
  await writeFileAtomically(
    path.resolve(options.out),
    (output) => new Promise<void>((resolve, reject) => output.write(png, (error) => (error ? reject(error) : resolve()))),
    'Writing the chart',
  );
  process.stderr.write(`vigil: wrote ${options.out} (${rendered.width}×${rendered.height}: ${rendered.panels.join(', ')})\n`);
  return 0;
}
