// The fleet page (src/renderer/fleet, built by scripts/build-renderer.ts) in Chromium against a
// real hub (bin/vigil.js hub with a read token): it asks for the token, lists every machine with
// its state, updates live from the SSE feed, and a click opens the machine's daily charts (the
// agent's chart page, pointed at /api/machines/{id}). "Last seen" is what the hub says.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { buildRenderer } from '../../scripts/build-renderer.js';
import { randomSamples } from '../helpers/random.js';
import { makeBatch } from './batches.js';

declare const document: { body: { dataset: Record<string, string | undefined> } };
declare const location: { href: string };

const HUB_TOKEN = 'fleet-page-token-0123456789';
let hub: ChildProcess;
let url = '';
let dataDir = '';
const machines: Record<string, { id: string; token: string }> = {};

function vigil(args: string[]): string {
  const run = spawnSync(path.resolve('bin/vigil.js'), args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`vigil ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

async function ingest(name: string, body: unknown): Promise<void> {
  const response = await fetch(`${url}/api/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${machines[name]!.token}` },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`ingest: ${response.status} ${await response.text()}`);
}

test.beforeAll(async () => {
  await buildRenderer();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-hub-page-'));
  for (const name of ['web-1', 'spare']) machines[name] = JSON.parse(vigil(['hub', 'add-machine', name, '--json', '--data-dir', dataDir])) as { id: string; token: string };
  hub = spawn(path.resolve('bin/vigil.js'), ['hub', '--data-dir', dataDir, '--port', '0'], { env: { ...process.env, VIGIL_HUB_TOKEN: HUB_TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  hub.stdout!.on('data', (chunk: Buffer) => (out += chunk));
  const deadline = Date.now() + 20_000;
  while (!/Vigil hub: (\S+)\//.test(out)) {
    if (Date.now() > deadline) throw new Error(`hub did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  url = /Vigil hub: (\S+)\//.exec(out)![1]!;
  // Half an hour of web-1, ending now.
  const end = Math.floor(Date.now() / 1000) * 1000;
  await ingest('web-1', makeBatch(randomSamples(end - 1800_000, 1800, 1000, 5)));
});

test.afterAll(async () => {
  hub?.kill('SIGTERM');
  await new Promise((r) => hub?.once('close', r));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const rowOf = (page: Page) => (name: string) => page.locator('#fleet tbody tr', { has: page.locator('a', { hasText: new RegExp(`^${name}$`) }) });

test('fleet page: token, machines with state, live updates, click through to the charts', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });

  await page.goto(`${url}/`);
  // The chart page's token dialog: one token, kept by both pages.
  await expect(page.locator('#token-dialog')).toBeVisible();
  await page.fill('#token-input', HUB_TOKEN);
  await page.click('#token-form button[type=submit]');
  await expect(page.locator('#token-dialog')).toBeHidden();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');

  const row = rowOf(page);
  await expect(page.locator('#fleet tbody tr')).toHaveCount(3);
  await expect(row('web-1').locator('.badge')).toHaveText('up');
  await expect(row('spare').locator('.badge')).toHaveText('new');
  await expect(page.locator('.self')).toHaveText('(this hub)');
  await expect(page.locator('#summary')).toContainText('3 machines: 2 up, 0 stale, 0 sleeping, 1 never reported');

  // At 420 px (a phone) nothing runs off the side: each row is a card of labelled lines.
  await page.setViewportSize({ width: 420, height: 800 });
  expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
  const card = await row('web-1').boundingBox();
  expect(card!.x).toBeGreaterThanOrEqual(0);
  expect(card!.x + card!.width).toBeLessThanOrEqual(420);
  await expect(row('web-1').locator('td').nth(6)).toHaveAttribute('data-label', 'Version');
  await page.screenshot({ path: test.info().outputPath('fleet-420px.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // A new sample arrives through the live feed.
  const live = randomSamples(Math.floor(Date.now() / 1000) * 1000, 1, 1000, 9);
  live[0]!.cpu.total = 77.7;
  await ingest('web-1', makeBatch(live));
  await expect(row('web-1').locator('td').nth(3)).toHaveText('77.7 %');

  // spare reports, announcing sleep: its badge changes without a reload.
  await ingest('spare', makeBatch([], { machine: { id: '22222222-3333-4444-8555-666666666666', name: 'spare' }, agent: { ...makeBatch([]).agent, state: 'sleeping' } }));
  await expect(row('spare').locator('.badge')).toHaveText('sleeping');

  // Click through: the chart page, on web-1's data, with the token already known.
  await row('web-1').locator('a').click();
  // It opens on the live view (the last hour: web-1's half hour ends now).
  await expect(page).toHaveURL(new RegExp(`^${url}/machines/${machines['web-1']!.id}/$`));
  await expect(page.locator('body')).toHaveAttribute('data-view', 'live');
  await page.waitForFunction(() => document.body.dataset.state !== 'loading');
  expect(await page.locator('body').getAttribute('data-state')).toBe('ready');
  await expect(page.locator('#machine-name')).toHaveText('web-1');
  await expect(page.locator('#fleet-link')).toHaveAttribute('href', '/');
  await expect(page.locator('[data-panel="cpu"]')).toBeVisible();
  const cpu = JSON.parse((await page.locator('[data-panel="cpu"]').getAttribute('data-state'))!) as { empty: boolean; datasets: { values: number }[] };
  expect(cpu.empty).toBe(false);
  expect(Math.max(...cpu.datasets.map((d) => d.values))).toBeGreaterThan(0);
  expect(problems).toEqual([]);
});

test('a machine gone silent shows when the hub last heard from it, not when the page loaded its figures', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  // quiet sends every second: stale after 3 × 1 s + 5 s of silence.
  machines.quiet = JSON.parse(vigil(['hub', 'add-machine', 'quiet', '--json', '--data-dir', dataDir])) as { id: string; token: string };
  const report = () => ingest('quiet', makeBatch(randomSamples(Math.floor(Date.now() / 1000) * 1000 - 3000, 3, 1000, 11), { agent: { ...makeBatch([]).agent, syncIntervalSeconds: 1 } }));
  await report();
  const quiet = async () => {
    const response = await fetch(`${url}/api/machines/quiet`, { headers: { authorization: `Bearer ${HUB_TOKEN}` } });
    return (await response.json()) as { state: string; lastSeen: number };
  };
  await expect.poll(async () => (await quiet()).state, { timeout: 20_000 }).toBe('stale');

  // The token in the link's fragment: taken, then gone from the address bar.
  await page.goto(`${url}/#token=${encodeURIComponent(HUB_TOKEN)}`);
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  expect(await page.evaluate(() => location.href)).toBe(`${url}/`);
  const row = rowOf(page)('quiet');
  await expect(row.locator('.badge')).toHaveText('stale');
  // Its latest figures are in (loading them used to stamp "last seen" as now)…
  await expect(row.locator('td').nth(3)).toHaveText(/^\d+\.\d %$/);
  await expect(row.locator('td').nth(4)).toHaveText(/ GiB \/ 16\.0 GiB$/);
  // …and "last seen" is the hub's, as the page moves it on each second: at least the 8 s stale
  // window, as the API says.
  const seen = row.locator('td').nth(2);
  await expect(seen).not.toHaveText((await seen.textContent()) ?? '');
  const { lastSeen } = await quiet();
  const shown = Number(/^(\d+) s ago$/.exec((await seen.textContent()) ?? '')?.[1]);
  expect(shown).toBeGreaterThanOrEqual(8);
  expect(Math.abs(shown - (Date.now() - lastSeen) / 1000)).toBeLessThanOrEqual(3);

  // It reports again: up, and seen just now (the live feed carries the hub's lastSeen).
  await report();
  await expect(row.locator('.badge')).toHaveText('up');
  await expect(seen).toHaveText(/^[0-2] s ago$/);
  expect(problems).toEqual([]);
});
