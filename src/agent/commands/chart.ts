// `vigil chart DD-MM-YYYY --out FILE.png`: a day's charts as an image, for servers without a
// browser. The same API call the page makes (ChartService.day: same validation, same buckets) and
// the same chart configurations, drawn by chart.js on @napi-rs/canvas. The file is written beside
// its name and renamed (the exports' writer), so a failure never leaves half an image.
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomically } from '../../core/fs-util.js';
import { dataPaths } from '../../core/paths.js';
import { ChartService } from '../../core/server/chart-service.js';
import { VigilError } from '../../shared/errors.js';
import { runtimeTimeZone } from '../../shared/time-zone.js';
import { resolveDataDir } from '../options.js';
import { openStoreForReading } from './export.js';

export interface ChartCommandOptions {
  out: string;
  iface?: string[];
  width?: number;
  theme?: 'light' | 'dark';
  dataDir?: string;
}

export async function runChart(date: string, options: ChartCommandOptions): Promise<number> {
  const paths = dataPaths(resolveDataDir(options.dataDir));
  const store = openStoreForReading(paths.database, paths.dataDir);
  let rendered: { png: Buffer; width: number; height: number; panels: string[] };
  try {
    const name = store.latestHost()?.host.hostname ?? os.hostname();
    // Read-only: no machine id is created for a picture.
    const service = new ChartService({ store, identity: { id: '', name } });
    const { DEFAULT_PNG_WIDTH, renderChartsPng } = await import('../../core/chart-png.js');
    const width = options.width ?? DEFAULT_PNG_WIDTH;
    const data = await service.day({ date, points: Math.min(5000, Math.max(100, width - 120)), iface: options.iface });
    if (data.timestamps.length === 0) throw new VigilError('not_found', `No data recorded on ${data.day} in ${paths.dataDir}`);
    const zone = runtimeTimeZone();
    rendered = await renderChartsPng(data, {
      width,
      theme: options.theme,
      timeZone: zone,
      title: `${name} · ${data.day} (${zone})`,
      interfaces: options.iface,
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
