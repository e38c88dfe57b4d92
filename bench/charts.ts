// Chart benchmark: opening a full day at 1 s (4 interfaces) in the page, from the request to
// painted charts, in Debian's Chromium against the real agent (its V8 flags, as users run it); and
// the PNG of that day (`vigil chart`). Prints figures; asserts nothing. Goal: ≤ 150 ms.
//
//   npm run build && npx tsx bench/charts.ts [runs]
//
// "open" is the page's own measure (performance marks 'vigil:request' → 'vigil:painted': the
// frame after chart.js has drawn); "fetch" is the /api/day request in Resource Timing (request →
// last byte, server included); "server" is the server's own query time (Server-Timing).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { buildRenderer } from '../scripts/build-renderer.js';
import { DAYS, FIXTURE_TZ, buildFixtureDatabase } from '../tests/renderer/fixtures.js';

// The callbacks given to page.evaluate run in the page; this file is type-checked with Node's
// libraries, so the page globals they touch are declared here.
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  getElementById(id: string): { dataset: Record<string, string | undefined> } | null;
};
type ResourceEntry = { name: string; startTime: number; responseEnd: number; encodedBodySize: number; serverTiming: { name: string; duration: number }[] };

process.env.TZ = FIXTURE_TZ;
const RUNS = Number(process.argv[2] ?? 20);

const { ChartService } = await import('../src/core/server/chart-service.js');
const { openSampleStore } = await import('../src/core/storage/sample-store.js');
const { renderChartsPng } = await import('../src/core/chart-png.js');

if (!fs.existsSync('dist/agent/main.js')) throw new Error('run npm run build first');
await buildRenderer();

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-charts-'));
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-home-'));
let started = performance.now();
const samples = buildFixtureDatabase(dataDir);
console.log(`fixture: ${samples} samples (${DAYS.full}: 86,400 at 1 s, 4 interfaces) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const agent = spawn(path.resolve('bin/vigil.js'), ['agent', '--ui', '--port', '0', '--data-dir', dataDir], {
  env: { ...process.env, TZ: FIXTURE_TZ, VIGIL_TOKEN: '' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  agent.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const match = /Vigil charts: (http:\/\/\S+?)\/?\s/.exec(out);
    if (match) resolve(match[1]!);
  });
  agent.once('exit', (code) => reject(new Error(`agent exited ${code}`)));
});

const browser = await chromium.launch({
  executablePath: process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_CACHE_HOME: path.join(home, 'cache') },
});

interface Run {
  open: number;
  /** Request → the API call resolved (fetch and JSON parse), → charts drawn by chart.js. */
  data: number;
  drawn: number;
  fetch: number;
  server: number;
  bytes: number;
  points: number;
}

async function openOnce(page: Page): Promise<Run> {
  const before = await page.locator('body').getAttribute('data-open-ms');
  await page.evaluate(() => performance.clearResourceTimings());
  await page.locator('#date-input').fill(DAYS.full);
  await page.locator('#date-input').press('Enter');
  await page.waitForFunction((previous) => document.body.dataset.state === 'ready' && document.body.dataset.openMs !== previous, before);
  // No named functions inside: tsx would wrap them in a helper that does not exist in the page.
  return page.evaluate(() => {
    const entry = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/day?')) as unknown as ResourceEntry;
    const [request, data, drawn] = ['vigil:request', 'vigil:data', 'vigil:drawn'].map((name) => performance.getEntriesByName(name, 'mark')[0]!.startTime);
    return {
      open: Number(document.body.dataset.openMs),
      data: data! - request!,
      drawn: drawn! - request!,
      fetch: entry.responseEnd - entry.startTime,
      server: entry.serverTiming.find((t) => t.name === 'query')?.duration ?? NaN,
      bytes: entry.encodedBodySize,
      points: Number(document.getElementById('charts')!.dataset.points),
    };
  });
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
}

async function scenario(label: string, viewport: { width: number; height: number }, allInterfaces: boolean): Promise<void> {
  const page = await browser.newPage({ viewport, timezoneId: FIXTURE_TZ });
  started = performance.now();
  await page.goto(`${url}/?date=${DAYS.full}`);
  await page.waitForFunction(() => document.body.dataset.state === 'ready');
  const cold = Number(await page.locator('body').getAttribute('data-open-ms'));
  if (allInterfaces) for (const box of await page.locator('input[data-iface]').all()) await box.check();
  const panels = await page.locator('#charts [data-panel]').count();
  await openOnce(page); // warm-up
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await openOnce(page));
  console.log(`\n${label}: ${viewport.width}×${viewport.height}, ${panels} charts, ${runs[0]!.points} buckets per series, ${(runs[0]!.bytes / 1024).toFixed(0)} KiB of JSON`);
  console.log(`  first open after page load: ${cold.toFixed(1)} ms (includes parsing the page's script)`);
  console.log(`  open (request → painted):   ${stats(runs.map((r) => r.open))}   goal ≤ 150 ms`);
  console.log(`  fetch (request → last byte): ${stats(runs.map((r) => r.fetch))}`);
  console.log(`  server query:                ${stats(runs.map((r) => r.server))}`);
  console.log(`  JSON parse:                  ${stats(runs.map((r) => r.data - r.fetch))}`);
  console.log(`  build + draw (chart.js):     ${stats(runs.map((r) => r.drawn - r.data))}`);
  console.log(`  to the next frame:           ${stats(runs.map((r) => r.open - r.drawn))}`);
  await page.close();
}

try {
  await scenario('default view (physical interfaces)', { width: 1280, height: 900 }, false);
  await scenario('all 4 interfaces shown', { width: 1280, height: 900 }, true);
  await scenario('wide screen, all 4 interfaces', { width: 1920, height: 1080 }, true);
} finally {
  await browser.close();
  agent.kill('SIGTERM');
  await new Promise((resolve) => agent.once('exit', resolve));
}

// ---------------------------------------------------------------- PNG (vigil chart)
const store = openSampleStore(path.join(dataDir, 'vigil.db'), { readonly: true });
const service = new ChartService({ store, identity: { id: '', name: 'bench' } });
const query: number[] = [];
const render: number[] = [];
let size = 0;
for (let i = 0; i < 8; i++) {
  let t = performance.now();
  const data = await service.day({ date: DAYS.full, points: 1080 });
  query.push(performance.now() - t);
  t = performance.now();
  const png = await renderChartsPng(data, { width: 1200, timeZone: FIXTURE_TZ, title: 'bench' });
  render.push(performance.now() - t);
  size = png.png.length;
}
store.close();
console.log(`\nPNG of the day (vigil chart, 1200 px wide, 4 charts, ${(size / 1024).toFixed(0)} KiB), in-process (optimizing compilers on):`);
console.log(`  query: ${stats(query.slice(1))}`);
console.log(`  draw + encode: ${stats(render.slice(1))} (first: ${render[0]!.toFixed(0)} ms)`);

started = performance.now();
const cli = spawn(path.resolve('bin/vigil.js'), ['chart', DAYS.full, '--out', path.join(dataDir, 'day.png'), '--data-dir', dataDir], { env: { ...process.env, TZ: FIXTURE_TZ }, stdio: 'ignore' });
await new Promise((resolve) => cli.once('exit', resolve));
console.log(`  the whole command (bin/vigil.js chart, process start to file): ${(performance.now() - started).toFixed(0)} ms`);

fs.rmSync(dataDir, { recursive: true, force: true });
fs.rmSync(home, { recursive: true, force: true });
