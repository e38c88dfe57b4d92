// `vigil chart DD-MM-YYYY --out FILE.png` through the real CLI: the image holds the panels asked
// for, drawn (not blank) in the theme asked for; bad input is a one-line error with exit code 2,
// a day without data exit code 3, and no file is left behind.
import fs from 'node:fs';
import path from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSampleStore } from '../../src/core/storage/sample-store.js';
import { DARK_THEME, LIGHT_THEME } from '../../src/shared/chart-config.js';
import { dayBounds, parseDay } from '../../src/shared/dates.js';
import { runVigil } from '../helpers/cli.js';
import { seededRandom } from '../helpers/random.js';
import { tempDir } from '../helpers/tmp.js';
import { shapedSample } from '../renderer/fixtures.js';

const TZ = 'Europe/Paris';
process.env.TZ = TZ;
const DAY = '14-11-2025';
let dataDir: string;

beforeAll(() => {
  dataDir = tempDir();
  const store = openSampleStore(path.join(dataDir, 'vigil.db'));
  const { from, to } = dayBounds(parseDay(DAY));
  const random = seededRandom(4);
  const ifaces = [{ name: 'docker0', virtual: true }, { name: 'eth0' }, { name: 'lo', loopback: true }];
  const samples = [];
  for (let ts = from; ts < to; ts += 60_000) samples.push(shapedSample(ts, (ts - from) / 3_600_000, random, ifaces));
  store.insertSamples(samples);
  store.close();
});

function chart(args: string[]) {
  return runVigil(['chart', ...args, '--data-dir', dataDir], { env: { TZ } });
}

function pngSize(file: string): { width: number; height: number } {
  const bytes = fs.readFileSync(file);
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Share of pixels in a band of rows that have the colour (within a small tolerance). */
async function colourShare(file: string, colour: string, top: number, bottom: number): Promise<number> {
  const image = await loadImage(fs.readFileSync(file));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, top, image.width, bottom - top);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  let hits = 0;
  for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - r!) + Math.abs(data[i + 1]! - g!) + Math.abs(data[i + 2]! - b!) < 40) hits++;
  return hits / (data.length / 4);
}

describe('vigil chart', () => {
  it('draws every chart with data by default: CPU, per core, memory, swap, load and each physical interface', async () => {
    const out = path.join(dataDir, 'day.png');
    const result = await chart([DAY, '--out', out]);
    // No disk readings in this database: no disk chart.
    expect(result.stderr).toContain(`wrote ${out} (1200×1624: cpu, cores, memory, swap, load, net:eth0)`);
    expect(result.code).toBe(0);
    // The heat strip of 4 cores is shorter than the other charts.
    expect(pngSize(out)).toEqual({ width: 1200, height: 44 + 280 + 180 + 4 * 280 });
    // The CPU line is drawn in the CPU panel, not elsewhere.
    expect(await colourShare(out, LIGHT_THEME.cpu, 44, 44 + 280)).toBeGreaterThan(0.002);
    expect(await colourShare(out, LIGHT_THEME.cpu, 44 + 280, 44 + 560)).toBeLessThan(0.0005);
    expect(await colourShare(out, LIGHT_THEME.background, 0, 44)).toBeGreaterThan(0.9);
    expect(fs.existsSync(`${out}.partial`)).toBe(false);
  });

  it('--iface picks interfaces (repeated or comma-separated), --width and --theme apply', async () => {
    const out = path.join(dataDir, 'ifaces.png');
    const result = await chart([DAY, '--out', out, '--iface', 'lo,docker0', '--iface', 'eth0', '--width', '800', '--theme', 'dark', '--charts', 'net,cpu,memory']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('cpu, memory, net:lo, net:docker0, net:eth0');
    expect(pngSize(out)).toEqual({ width: 800, height: 44 + 5 * 280 });
    expect(await colourShare(out, DARK_THEME.background, 0, 44)).toBeGreaterThan(0.9);
  });

  it('bad input: one line, exit 2 (3 for a day without data), no file', async () => {
    const out = path.join(dataDir, 'bad.png');
    const cases: [string[], number, string][] = [
      [['31-02-2025', '--out', out], 2, 'vigil: Invalid date "31-02-2025": no such day in the calendar\n'],
      [['01-01-2099', '--out', out], 2, 'vigil: 01-01-2099 is in the future'],
      [[DAY, '--out', out, '--iface', 'wlan0'], 2, 'vigil: No data for interface "wlan0" in 14-11-2025 (interfaces with data: docker0, eth0, lo)\n'],
      [['13-11-2025', '--out', out], 3, 'vigil: No data recorded on 13-11-2025'],
      [[DAY, '--out', out, '--width', '10'], 2, 'expected a width in pixels from 600 to 4000'],
      [[DAY], 2, "required option '--out <file>' not specified"],
    ];
    for (const [args, code, message] of cases) {
      const result = await chart(args);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr).toContain(message);
      expect(fs.existsSync(out)).toBe(false);
    }
  }, 90_000);

  it('bad spans: none or two of them, an unknown --last, a bad month, --from without --to, a span without data, an unknown chart', async () => {
    const out = path.join(dataDir, 'bad.png');
    const cases: [string[], number, string][] = [
      [['--out', out], 2, 'vigil: Say what to draw: a day (DD-MM-YYYY), --last 15m|1h|6h|24h'],
      [[DAY, '--week', DAY, '--out', out], 2, 'vigil: Give one of a day, --last, --from/--to, --week or --month (got a day and --week)'],
      [['--last', '2h', '--out', out], 2, "option '--last <span>' argument '2h' is invalid"],
      [['--month', '13-2025', '--out', out], 2, 'vigil: Invalid month "13-2025": expected MM-YYYY'],
      [['--from', DAY, '--out', out], 2, 'vigil: --from and --to go together (missing --to)'],
      [['--from', DAY, '--to', '12-11-2025', '--out', out], 2, `vigil: from ${DAY} is after to 12-11-2025`],
      [['--week', '03-11-2025', '--out', out], 3, 'vigil: No data recorded in the week 03-11-2025 to 09-11-2025'],
      [[DAY, '--charts', 'cpu,gpu', '--out', out], 2, 'expected chart names from cpu, cores, memory, swap, load, net, disk (not gpu)'],
    ];
    for (const [args, code, message] of cases) {
      const result = await chart(args);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr).toContain(message);
      expect(fs.existsSync(out)).toBe(false);
    }
  }, 90_000);

  it('--last 1h, --week, --month and --from/--to draw their span', async () => {
    // An hour of samples up to now, beside the fixture day.
    const store = openSampleStore(path.join(dataDir, 'vigil.db'));
    const now = Math.floor(Date.now() / 10_000) * 10_000;
    const random = seededRandom(8);
    const recent = [];
    for (let ts = now - 3_600_000; ts <= now; ts += 10_000) recent.push(shapedSample(ts, 12, random, [{ name: 'eth0' }]));
    store.insertSamples(recent);
    store.close();
    for (const args of [['--last', '1h'], ['--week', '12-11-2025'], ['--month', '11-2025'], ['--from', '13-11-2025', '--to', DAY]] as const) {
      const out = path.join(dataDir, `${args[0].slice(2)}.png`);
      const result = await chart([...args, '--out', out, '--charts', 'cpu,memory,net']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('cpu, memory, net:eth0');
      expect(pngSize(out)).toEqual({ width: 1200, height: 44 + 3 * 280 });
      expect(await colourShare(out, LIGHT_THEME.cpu, 44, 44 + 280), args.join(' ')).toBeGreaterThan(0.0003);
      expect(await colourShare(out, LIGHT_THEME.cpu, 44 + 280, 44 + 560)).toBeLessThan(0.0003);
    }
  }, 90_000);

  it('an --out it cannot write: one line with the cause, exit 74 (not a stack trace)', async () => {
    for (const [out, code] of [
      ['/dev/null/x.png', 'ENOTDIR'],
      [path.join(tempDir(), 'missing', 'x.png'), 'ENOENT'],
    ]) {
      const result = await chart([DAY, '--out', out!]);
      expect(result.code, result.stderr).toBe(74);
      expect(result.stderr).toBe(`vigil: Writing the chart to ${out} failed (${code}); nothing was written\n`);
    }
  });
});
