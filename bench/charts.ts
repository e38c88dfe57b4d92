// Chart benchmark: a full day at 1 s (4 interfaces), in Debian's Chromium against the real agent
// (its V8 flags, as users run it), the same fixture for every run:
// - cold open: a fresh browser context (no cache) navigates to the day's URL; the time runs from
//   the navigation's start to the first frame painted with the charts in view drawn (the others are
//   built in idle time: also timed, to the last one built). Detected from outside
//   the page's own code: a MutationObserver (installed before any script) sees <body
//   data-state="ready">, then a requestAnimationFrame and a task after it (the frame is painted by
//   then). The first navigation is a warm-up for the agent (its first page and API requests) and
//   is printed apart, not counted.
// - warm re-open: the same day asked again in a page already loaded (the page's own measure,
//   performance marks 'vigil:request' → 'vigil:painted': a rAF and a task after chart.js drew).
// And the PNG of that day (`vigil chart`). Prints figures, ending with a Markdown table for
// docs/performance.md; asserts nothing.
//
//   npm run build && npx tsx bench/charts.ts [runs]      (default 15 runs of each)
//
// "fetch" is the /api/day request in Resource Timing (request → last byte, server included);
// "server" is the server's own query time (Server-Timing).
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
  body: { dataset: Record<string, string | undefined> } | null;
  getElementById(id: string): { dataset: Record<string, string | undefined> } | null;
};
declare const window: { vigilBenchPainted?: number; vigilBenchAllBuilt?: number };
declare function requestAnimationFrame(callback: () => void): number;
declare class MutationObserver {
  constructor(callback: () => void);
  observe(target: object, options: { attributes: boolean; subtree: boolean; attributeFilter: string[] }): void;
  disconnect(): void;
}
type ResourceEntry = {
  name: string;
  initiatorType: string;
  startTime: number;
  responseEnd: number;
  encodedBodySize: number;
  serverTiming: { name: string; duration: number }[];
};
type NavigationEntry = { responseEnd: number; domContentLoadedEventStart: number };
declare const location: { href: string };

process.env.TZ = FIXTURE_TZ;
const RUNS = Number(process.argv[2] ?? 15);

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
  await page.waitForFunction((previous) => document.body!.dataset.state === 'ready' && document.body!.dataset.openMs !== previous, before);
  // No named functions inside: tsx would wrap them in a helper that does not exist in the page.
  return page.evaluate(() => {
    const entry = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/day?')) as unknown as ResourceEntry;
    const [request, data, drawn] = ['vigil:request', 'vigil:data', 'vigil:drawn'].map((name) => performance.getEntriesByName(name, 'mark')[0]!.startTime);
    return {
      open: Number(document.body!.dataset.openMs),
      data: data! - request!,
      drawn: drawn! - request!,
      fetch: entry.responseEnd - entry.startTime,
      server: entry.serverTiming.find((t) => t.name === 'query')?.duration ?? NaN,
      bytes: entry.encodedBodySize,
      points: Number(document.getElementById('charts')!.dataset.points),
    };
  });
}

/** Median and range of a list of ms, as printed and as the docs' table holds it. */
function summary(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)! };
}

function stats(values: number[]): string {
  const { median, min, max } = summary(values);
  return `median ${median.toFixed(1)} ms, range ${min.toFixed(1)}–${max.toFixed(1)} ms`;
}

/** Rows of the Markdown table printed at the end: [what, figures]. */
const table: [string, number[]][] = [];

interface ColdRun {
  /** Navigation start → the frame after the charts were drawn (the observer's rAF + task). */
  painted: number;
  /** Every chart built, the ones out of view included (after a frame and a task). */
  allBuilt: number;
  /** The page's own mark, for comparison (navigation start → 'vigil:painted'). */
  pageMark: number;
  html: number;
  /** The last script file's last byte, and DOMContentLoaded (the deferred scripts have run). */
  scripts: number;
  scriptBytes: number;
  domReady: number;
  hostStart: number;
  hostEnd: number;
  dayStart: number;
  dayEnd: number;
  drawn: number;
}

/** A first visit: a fresh context (empty cache, no storage), navigation to the day's URL. */
async function coldOpen(viewport: { width: number; height: number }): Promise<ColdRun> {
  const context = await browser.newContext({ viewport, timezoneId: FIXTURE_TZ });
  const page = await context.newPage();
  // Before any of the page's scripts: when <body data-state> becomes "ready" (the page drew its
  // charts), wait for the next frame and a task after it, and note the time.
  await page.addInitScript(() => {
    const observer = new MutationObserver(() => {
      if (document.body?.dataset.state !== 'ready') return;
      observer.disconnect();
      requestAnimationFrame(() =>
        setTimeout(() => {
          window.vigilBenchPainted = performance.now();
        }, 0),
      );
    });
    observer.observe(document, { attributes: true, subtree: true, attributeFilter: ['data-state'] });
    // The charts out of view are built afterwards, in idle time (charts.ts): when the last is.
    const built = new MutationObserver(() => {
      if (document.body?.dataset.state !== 'ready' || document.getElementById('charts')?.dataset.pending !== '0') return;
      built.disconnect();
      requestAnimationFrame(() =>
        setTimeout(() => {
          window.vigilBenchAllBuilt = performance.now();
        }, 0),
      );
    });
    built.observe(document, { attributes: true, subtree: true, attributeFilter: ['data-state', 'data-pending'] });
  });
  await page.goto(`${url}/?date=${DAYS.full}`, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.vigilBenchPainted !== undefined && window.vigilBenchAllBuilt !== undefined && performance.getEntriesByName('vigil:painted', 'mark').length > 0, undefined, {
    polling: 50,
  });
  const run = await page.evaluate(() => {
    const nav = performance.getEntriesByName(location.href)[0] as unknown as NavigationEntry;
    const resources = performance.getEntriesByType('resource') as unknown as ResourceEntry[];
    const scripts = resources.filter((e) => e.initiatorType === 'script' || e.name.endsWith('.js'));
    const host = resources.find((e) => e.name.includes('/api/host'));
    const day = resources.find((e) => e.name.includes('/api/day?'));
    const [painted, drawn] = ['vigil:painted', 'vigil:drawn'].map((name) => performance.getEntriesByName(name, 'mark')[0]?.startTime ?? NaN);
    return {
      painted: window.vigilBenchPainted!,
      allBuilt: window.vigilBenchAllBuilt!,
      pageMark: painted!,
      html: nav.responseEnd,
      scripts: Math.max(0, ...scripts.map((e) => e.responseEnd)),
      scriptBytes: scripts.reduce((n, e) => n + e.encodedBodySize, 0),
      domReady: nav.domContentLoadedEventStart,
      hostStart: host?.startTime ?? NaN,
      hostEnd: host?.responseEnd ?? NaN,
      dayStart: day?.startTime ?? NaN,
      dayEnd: day?.responseEnd ?? NaN,
      drawn: drawn!,
    };
  });
  await context.close();
  return run;
}

async function coldScenario(viewport: { width: number; height: number }): Promise<void> {
  const warmUp = await coldOpen(viewport);
  const runs: ColdRun[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await coldOpen(viewport));
  const at = (pick: (r: ColdRun) => number) => stats(runs.map(pick));
  console.log(`\ncold open (a fresh context navigates to /?date=${DAYS.full}), ${viewport.width}×${viewport.height}, ${runs.length} runs, ${(runs[0]!.scriptBytes / 1024).toFixed(0)} KiB of script:`);
  console.log(`  navigation → charts painted:  ${at((r) => r.painted)}`);
  console.log(`  navigation → every chart built (those out of view in idle time): ${at((r) => r.allBuilt)}`);
  console.log(`  (the page's own vigil:painted: ${at((r) => r.pageMark)})`);
  console.log(`  milestones, ms from the navigation's start:`);
  console.log(`    HTML received:             ${at((r) => r.html)}`);
  console.log(`    last script byte:          ${at((r) => r.scripts)}`);
  console.log(`    DOMContentLoaded:          ${at((r) => r.domReady)}`);
  console.log(`    /api/host sent → received: ${at((r) => r.hostStart)} → ${at((r) => r.hostEnd)}`);
  console.log(`    /api/day sent → received:  ${at((r) => r.dayStart)} → ${at((r) => r.dayEnd)}`);
  console.log(`    charts drawn (chart.js):   ${at((r) => r.drawn)}`);
  console.log(`  the agent's first page (warm-up, not counted): ${warmUp.painted.toFixed(1)} ms`);
  table.push(['cold open: navigation → charts in view painted', runs.map((r) => r.painted)]);
  table.push(['cold open: navigation → every chart built', runs.map((r) => r.allBuilt)]);
  table.push(['… of which: navigation → /api/day sent', runs.map((r) => r.dayStart)]);
  table.push(['… of which: /api/day sent → received', runs.map((r) => r.dayEnd - r.dayStart)]);
  table.push(['… of which: received → painted', runs.map((r) => r.painted - r.dayEnd)]);
}

async function scenario(label: string, viewport: { width: number; height: number }, allInterfaces: boolean): Promise<void> {
  const page = await browser.newPage({ viewport, timezoneId: FIXTURE_TZ });
  await page.goto(`${url}/?date=${DAYS.full}`);
  await page.waitForFunction(() => document.body!.dataset.state === 'ready');
  if (allInterfaces) for (const box of await page.locator('input[data-iface]').all()) await box.check();
  const panels = await page.locator('#charts [data-panel]').count();
  await openOnce(page); // warm-up
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await openOnce(page));
  console.log(`\nwarm re-open, ${label}: ${viewport.width}×${viewport.height}, ${panels} charts, ${runs[0]!.points} buckets per series, ${(runs[0]!.bytes / 1024).toFixed(0)} KiB of JSON, ${runs.length} runs`);
  console.log(`  open (request → painted):    ${stats(runs.map((r) => r.open))}`);
  console.log(`  fetch (request → last byte): ${stats(runs.map((r) => r.fetch))}`);
  console.log(`  server query:                ${stats(runs.map((r) => r.server))}`);
  console.log(`  JSON parse:                  ${stats(runs.map((r) => r.data - r.fetch))}`);
  console.log(`  build + draw (chart.js):     ${stats(runs.map((r) => r.drawn - r.data))}`);
  console.log(`  to the next frame:           ${stats(runs.map((r) => r.open - r.drawn))}`);
  table.push([`warm re-open (request → painted), ${label}, ${panels} charts`, runs.map((r) => r.open)]);
  await page.close();
}

const load = os.loadavg()[0]!.toFixed(2);
try {
  await coldScenario({ width: 1280, height: 900 });
  await scenario('default view', { width: 1280, height: 900 }, false);
  await scenario('all 4 interfaces', { width: 1280, height: 900 }, true);
  await scenario('1920×1080, all 4 interfaces', { width: 1920, height: 1080 }, true);
} finally {
  await browser.close();
  agent.kill('SIGTERM');
  await new Promise((resolve) => agent.once('exit', resolve));
}

console.log(`\nFor docs/performance.md (npx tsx bench/charts.ts ${RUNS}, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} CPUs, 1-minute load ${load} at the start and ${os.loadavg()[0]!.toFixed(2)} at the end):\n`);
console.log('| measure | median | range | runs |');
console.log('| --- | --- | --- | --- |');
for (const [what, values] of table) {
  const { median, min, max } = summary(values);
  console.log(`| ${what} | ${median.toFixed(0)} ms | ${min.toFixed(0)}–${max.toFixed(0)} ms | ${values.length} |`);
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
