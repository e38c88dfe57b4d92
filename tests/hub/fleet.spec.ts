// The fleet page in Chromium against a real hub (bin/vigil.js hub with a read token): it asks for
// the token, lists every machine with its state, updates live from the SSE feed, and a click
// opens the machine's daily charts (the agent's chart page, pointed at /api/machines/{id}).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { buildRenderer } from '../../scripts/build-renderer.js';
import { randomSamples } from '../helpers/random.js';
import { makeBatch } from './batches.js';

declare const document: { body: { dataset: Record<string, string | undefined> } };

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

test('fleet page: token, machines with state, live updates, click through to the charts', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });

  await page.goto(`${url}/`);
  await expect(page.locator('#login')).toBeVisible();
  await page.fill('#token', HUB_TOKEN);
  await page.click('#login button[type=submit]');
  await expect(page.locator('#login')).toBeHidden();

  const row = (name: string) => page.locator('#fleet tbody tr', { has: page.locator('a', { hasText: new RegExp(`^${name}$`) }) });
  await expect(page.locator('#fleet tbody tr')).toHaveCount(3);
  await expect(row('web-1').locator('.badge')).toHaveText('up');
  await expect(row('spare').locator('.badge')).toHaveText('new');
  await expect(page.locator('.self')).toHaveText('(this hub)');
  await expect(page.locator('#summary')).toContainText('3 machines: 2 up, 0 stale, 0 sleeping, 1 never reported');

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
