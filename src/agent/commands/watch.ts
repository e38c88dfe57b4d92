// `vigil watch`: a live, top-like view. It runs its own sampler on the same core (no database,
// no lock), so it works whether or not an agent runs, like top or Glances.
import readline from 'node:readline';
import { createMetricSources } from '../../core/metrics/index.js';
import { Sampler } from '../../core/sampler.js';
import { formatLocalIso } from '../../shared/dates.js';
import type { DiskUsage, HostSnapshot, Sample } from '../../shared/model.js';
import { dataPaths } from '../../core/paths.js';
import { paintFor } from '../colour.js';
import { displaySettings, thresholdsOf } from '../display-settings.js';
import { diskLines, fitScreen, hostLines, sampleLines, type LineStyle } from '../format.js';
import { resolveDataDir } from '../options.js';

export interface WatchOptions {
  interval: number;
}

const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[?25l';
const LEAVE_ALTERNATE_SCREEN = '\x1b[?25h\x1b[?1049l';
const HOME_AND_CLEAR = '\x1b[H\x1b[2J';

export async function runWatch(options: WatchOptions): Promise<number> {
  const out = process.stdout;
  const interactive = out.isTTY === true;
  const sampler = new Sampler({ intervalMs: options.interval * 1000, diskIntervalMs: Math.max(10_000, options.interval * 1000), sources: await createMetricSources() });
  let host: HostSnapshot | null = null;
  let disks: DiskUsage[] = [];
  // Colour for a terminal (colour.ts), against the alert thresholds of the default data dir's settings.
  const style: LineStyle = { paint: paintFor(out), thresholds: thresholdsOf(await displaySettings(dataPaths(resolveDataDir(undefined)).settings)) };

  let last: Sample | null = null;
  const render = (sample: Sample) => {
    last = sample;
    const now = Date.now();
    const lines = [`Vigil watch — ${formatLocalIso(sample.ts)} — every ${options.interval} s${interactive ? ' — q to quit' : ''}`, ''];
    if (host) lines.push(...hostLines(host, now), '');
    if (!interactive) {
      lines.push(...sampleLines(sample, style), ...diskLines(disks, style));
      out.write(`${lines.join('\n')}\n\n`);
      return;
    }
    // A terminal: fitted to its size (80×24 included), never wrapping or scrolling.
    const columns = out.columns || 80;
    lines.push(...sampleLines(sample, { ...style, width: columns }), ...diskLines(disks, style));
    out.write(`${HOME_AND_CLEAR}${fitScreen(lines, columns, out.rows || 24).join('\n')}`);
  };
  const onResize = () => last && render(last);

  sampler.on('host', (record) => (host = record.host));
  sampler.on('disk', (record) => (disks = record.disks));
  sampler.on('sample', render);

  if (interactive) {
    out.on('resize', onResize);
    out.write(ENTER_ALTERNATE_SCREEN);
    out.write(`${HOME_AND_CLEAR}Vigil watch: first figures in ${options.interval} s…\n`);
  }
  sampler.start();

  await new Promise<void>((resolve) => {
    const quit = () => resolve();
    process.once('SIGINT', quit);
    process.once('SIGTERM', quit);
    if (interactive && process.stdin.isTTY) {
      readline.emitKeypressEvents(process.stdin);
      process.stdin.setRawMode(true);
      process.stdin.on('keypress', (_text: string, key: { name?: string; ctrl?: boolean }) => {
        if (key.name === 'q' || key.name === 'escape' || (key.ctrl && key.name === 'c')) quit();
      });
    }
  });

  await sampler.stop();
  if (interactive) {
    out.off('resize', onResize);
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    process.stdin.pause();
    out.write(LEAVE_ALTERNATE_SCREEN);
  }
  return 0;
}
