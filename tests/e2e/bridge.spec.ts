// The app's pages in Debian's Chromium, wired as in the app but without Electron:
// - the shell is src/main (startApp) on the recording fake of Electron, with the real core (engine,
//   SQLite, CSV export) on a data folder holding today's samples;
// - the pages come from the shell's own app:// handler (protocol.ts), CSP header included, under
//   http://vigil.test/ (Chromium knows no app: scheme; the frame URL is mapped back to app://vigil
//   for the sender check);
// - the page runs the real preload bundle (dist/preload/preload.cjs), whose ipcRenderer is bridged
//   to the ipcMain handlers the shell registered, with the real frame's URL and main-frame status.
// So a click in the page goes renderer → preload → IPC handler (sender check, schema validation)
// → ChartService / settings store / export → and back, for real.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { openSampleStore } from '../../src/core/storage/sample-store.js';
import { startApp, type VigilApp } from '../../src/main/app.js';
import { NO_HEALTH } from '../../src/main/tray/state.js';
import { dayOf, formatDay, startOfDay } from '../../src/shared/dates.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { randomSamples } from '../helpers/random.js';
import { loadElectronStore } from '../main/helpers/electron-module.js';
import { createFakeElectron, type FakeWebContents } from '../main/helpers/fake-electron.js';
import { fakeSources } from '../main/helpers/fake-sources.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ORIGIN = 'http://vigil.test';
const EVIL = 'http://evil.test';

interface Harness {
  app: VigilApp;
  fake: ReturnType<typeof createFakeElectron>;
  dataDir: string;
  downloads: string;
}

let harness: Harness;
let temp: string;

test.beforeAll(async () => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bridge-'));
  // No $VIGIL_DATA_DIR: the per-user default folder (under XDG_CONFIG_HOME), as for a user who
  // installed the app, so the settings window may choose another one.
  const dataDir = path.join(temp, 'config', 'Vigil');
  const downloads = path.join(temp, 'downloads');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.mkdirSync(downloads);
  // Today's first three hours at 10 s, already stored when the app starts.
  const today = dayOf(Date.now());
  const store = openSampleStore(path.join(dataDir, 'vigil.db'));
  store.insertSamples(randomSamples(startOfDay(today), 1080, 10_000, 7, { cores: 2, ifaces: [{ name: 'eth0' }, { name: 'lo', loopback: true }] }));
  store.close();

  const fake = createFakeElectron({ platform: 'linux', appPath: root });
  fake.world.app.setPath('downloads', downloads);
  const clock = new FakeClock({ wall: Date.now() });
  const ElectronStore = await loadElectronStore({ app: fake.api.app, ipcMain: { on: () => undefined }, shell: fake.api.shell });
  const started = startApp({
    electron: fake.api,
    ElectronStore,
    appRoot: root,
    platform: 'linux',
    env: { XDG_CONFIG_HOME: path.join(temp, 'config') },
    home: temp,
    sources: fakeSources(),
    clock,
    logStream: null,
    now: () => clock.now(),
    features: () => ({ routes: [], services: [], health: () => NO_HEALTH, takeNewAlerts: () => [], testSync: null, sendTestEmail: null }),
  });
  fake.world.app.makeReady();
  const app = await started;
  if (!app) throw new Error('the app did not start');
  harness = { app, fake, dataDir, downloads };
});

test.afterAll(async () => {
  if (harness) {
    harness.fake.world.app.quit();
    await harness.app.stopped;
  }
  fs.rmSync(temp, { recursive: true, force: true });
});

/** The inline script a test injects on purpose, and its hash (Chromium names it in the CSP report). */
const INLINE_SCRIPT = 'globalThis.__inlineRan = true';
const INLINE_HASH = createHash('sha256').update(INLINE_SCRIPT).digest('base64');

/** Page errors and CSP violations fail the test that caused them (all but the one it provokes). */
const problems = new WeakMap<Page, string[]>();
const provoked = new WeakMap<Page, string[]>();
test.beforeEach(({ page }) => {
  const list: string[] = [];
  const expected: string[] = [];
  problems.set(page, list);
  provoked.set(page, expected);
  page.on('pageerror', (error) => list.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error' || !/Content Security Policy|Refused to/i.test(message.text())) return;
    (message.text().includes(INLINE_HASH) ? expected : list).push(`CSP: ${message.text()}`);
  });
});
test.afterEach(({ page }) => {
  expect(problems.get(page) ?? []).toEqual([]);
});

/**
 * Opens `menuLabel`'s window in the shell, then shows its page in Chromium bridged to that
 * window's webContents: Chromium plays the window's renderer.
 */
async function openBridged(page: Page, menuLabel: string, pagePath: string): Promise<FakeWebContents> {
  const { fake } = harness;
  fake.world.trays[0]!.menu!.click(menuLabel);
  const contents = fake.world.windows.at(-1)!.webContents;
  const handler = fake.world.protocolHandlers.get('app')!;
  for (const origin of [ORIGIN, EVIL]) {
    await page.route(`${origin}/**`, async (route) => {
      const url = route.request().url();
      if (origin === EVIL) return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>elsewhere</title>' });
      const response = await handler(new Request(url.replace(ORIGIN, 'app://vigil'), { method: route.request().method() }));
      await route.fulfill({ status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) });
    });
  }
  await page.exposeBinding('__vigilIpcInvoke', async ({ frame }, channel: string, ...args: unknown[]) =>
    fake.world.invoke(channel, { webContents: contents, url: frame.url().replace(ORIGIN, 'app://vigil'), subframe: frame.parentFrame() !== null }, ...args),
  );
  // Main → renderer events (export progress) go to the page's listeners.
  contents.send = (channel: string, ...args: unknown[]) => {
    void page.evaluate(([c, a]) => (globalThis as unknown as { __vigilIpcEmit(c: string, a: unknown[]): void }).__vigilIpcEmit(c, a), [channel, args] as const).catch(() => undefined);
  };
  const preload = fs.readFileSync(path.join(root, 'dist/preload/preload.cjs'), 'utf8');
  await page.addInitScript({
    content: `(() => {
      const listeners = new Map();
      globalThis.__vigilIpcEmit = (channel, args) => { for (const listener of listeners.get(channel) ?? []) listener({}, ...args); };
      const electron = {
        contextBridge: { exposeInMainWorld: (key, api) => Object.defineProperty(globalThis, key, { value: api }) },
        ipcRenderer: {
          invoke: (channel, ...args) => globalThis.__vigilIpcInvoke(channel, ...args),
          on: (channel, listener) => { if (!listeners.has(channel)) listeners.set(channel, new Set()); listeners.get(channel).add(listener); },
          removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
        },
      };
      // What a sandboxed preload gets: a require() that knows 'electron' (no module, no exports).
      const require = (name) => { if (name === 'electron') return electron; throw new Error('a sandboxed preload cannot require ' + name); };
      ${preload}
    })();`,
  });
  await page.goto(`${ORIGIN}/${pagePath}`);
  return contents;
}

async function settled(page: Page): Promise<string> {
  await page.waitForFunction(() => (globalThis as unknown as { document: { body: { dataset: { state?: string } } } }).document.body.dataset.state !== 'loading');
  return (await page.locator('body').getAttribute('data-state'))!;
}

test('chart window: the chart page reads today through IPC from the core, under the app’s CSP', async ({ page }) => {
  await openBridged(page, 'Open daily chart', 'index.html');
  // The window opens on the live view; the Day tab shows today's whole day.
  await settled(page);
  await expect(page.locator('body')).toHaveAttribute('data-view', 'live');
  await page.locator('#view-tabs [data-view="day"]').click();
  expect(await settled(page)).toBe('ready');
  await expect(page.locator('#machine-name')).toHaveText(harness.app.runtime.identity.name);
  await expect(page.locator('#date-input')).toHaveValue(formatDay(dayOf(Date.now())));
  // The CPU chart holds the three stored hours, bucketed by the core (not 1,080 raw points).
  const cpu = JSON.parse((await page.locator('[data-panel="cpu"]').getAttribute('data-state'))!) as { empty: boolean; datasets: { role: string; values: number; firstX: number; lastX: number }[] };
  expect(cpu.empty).toBe(false);
  const average = cpu.datasets.find((d) => d.role === 'avg')!;
  const dayStart = startOfDay(dayOf(Date.now()));
  expect(average.values).toBeGreaterThan(20);
  expect(average.values).toBeLessThan(1080);
  expect(average.firstX).toBeGreaterThanOrEqual(dayStart);
  expect(average.lastX).toBeLessThan(dayStart + 3 * 3_600_000);
  // The page saw no Node and no Electron: only the bridge's named functions.
  expect(await page.evaluate(() => {
    const g = globalThis as unknown as Record<string, unknown> & { vigil: { api: Record<string, unknown>; app: Record<string, unknown> } };
    return [typeof g.require, typeof g.process, Object.keys(g.vigil.api).sort().join(','), typeof g.vigil.app.updateSettings];
  })).toEqual(['undefined', 'undefined', 'cancelExport,day,days,exportCsv,host,latest,range,recent,series,top,traffic', 'function']);
  // The CSP came from the app's protocol handler (a response header).
  // An inline script (what an injection would add) does not run: the CSP forbids it, and says so.
  expect(
    await page.evaluate((text) => {
      const g = globalThis as unknown as { document: { createElement(tag: string): { textContent: string }; head: { append(node: unknown): void } }; __inlineRan?: boolean };
      const script = g.document.createElement('script');
      script.textContent = text;
      g.document.head.append(script);
      return g.__inlineRan === true;
    }, INLINE_SCRIPT),
  ).toBe(false);
  await expect.poll(() => provoked.get(page)!.length).toBeGreaterThan(0);
  expect(provoked.get(page)![0]).toContain("Content Security Policy directive 'script-src 'self''");
});

test('chart window: exporting the shown day asks where to save and writes it through the core', async ({ page }) => {
  await openBridged(page, 'Open daily chart', 'index.html');
  // The live view of today (its last hour may hold nothing: the stored hours are earlier today).
  await settled(page);
  const file = path.join(harness.downloads, 'chart-export.csv');
  harness.fake.world.saveDialogAnswers.push({ canceled: false, filePath: file });
  await page.locator('#export summary').click();
  await page.locator('#export-day').click();
  await expect(page.locator('#export-status')).toContainText('1,080');
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\r\n');
  expect(lines[0]).toMatch(/^time,unix_ms,cpu_percent,cpu0_percent,cpu1_percent,/);
  expect(lines.length - 1).toBeGreaterThanOrEqual(1080);
  // ISO 8601 by default: the machine's offset on every time.
  expect(lines[1]!.split(',')[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);

  // The time column chosen in the panel crosses IPC: Unix seconds.
  const unixFile = path.join(harness.downloads, 'chart-export-unix.csv');
  harness.fake.world.saveDialogAnswers.push({ canceled: false, filePath: unixFile });
  await page.locator('#export-time-format').selectOption('unix');
  await page.locator('#export-day').click();
  await expect(page.locator('#export-status')).toContainText(`as ${unixFile}`);
  const unixRows = fs.readFileSync(unixFile, 'utf8').trimEnd().split('\r\n').slice(1);
  expect(unixRows.length).toBeGreaterThanOrEqual(1080);
  for (const row of unixRows) {
    const [time, unixMs] = row.split(',');
    expect(time).toBe(String(Number(unixMs) / 1000));
  }
});

test('IPC refuses a page that is not the app’s, even inside the app’s window', async ({ page }) => {
  await openBridged(page, 'Open daily chart', 'index.html');
  await page.goto(`${EVIL}/`);
  const answer = await page.evaluate(() => (globalThis as unknown as { vigil: { api: { host(p: object): Promise<unknown> } } }).vigil.api.host({}));
  expect(answer).toEqual({ error: { code: 'unauthorized', message: 'Refused: foreign page http://evil.test' } });
});

test('settings window: shows the settings, saves a change (validated, applied live), refuses a bad one naming the field', async ({ page }) => {
  await openBridged(page, 'Settings…', 'settings/index.html');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  await expect(page.locator('#data-dir')).toHaveText(harness.dataDir);
  const interval = page.locator('#field-sampling-intervalSeconds');
  await expect(interval).toHaveValue('1');
  await expect(page.locator('#section-peers legend')).toHaveText('Peers');

  await interval.fill('7');
  await page.locator('#section-peers button', { hasText: 'Add' }).click();
  await page.locator('#section-peers tbody tr input[data-column="name"]').fill('db-1');
  await page.locator('#section-peers tbody tr input[data-column="url"]').fill('http://db-1:7470');
  // A traffic quota: the interface, an amount as people type it, what it counts.
  await page.locator('#section-traffic button', { hasText: 'Add' }).click();
  const quotaRow = page.locator('#section-traffic tbody tr');
  await quotaRow.locator('input[data-column="$key"]').fill('eth0');
  await quotaRow.locator('input[data-column="bytes"]').fill('1.5 TB');
  await quotaRow.locator('select[data-column="direction"]').selectOption('rx');
  await page.locator('#save').click();
  await expect(page.locator('#status')).toHaveText('Saved and applied.');
  expect(harness.app.runtime.settings().traffic.quotas).toEqual({ eth0: { bytes: 1.5e12, direction: 'rx' } });
  await expect(quotaRow.locator('input[data-column="bytes"]')).toHaveValue('1500 GB');
  expect(harness.app.runtime.settings().sampling.intervalSeconds).toBe(7);
  expect(harness.app.runtime.engine.intervalMs).toBe(7000);
  const saved = JSON.parse(fs.readFileSync(path.join(harness.dataDir, 'config.json'), 'utf8')) as { sampling: { intervalSeconds: number }; peers: { list: unknown[] } };
  expect(saved.sampling.intervalSeconds).toBe(7);
  expect(saved.peers.list).toEqual([{ name: 'db-1', url: 'http://db-1:7470' }]);

  await interval.fill('0');
  await page.locator('#save').click();
  await expect(page.locator('#status')).toContainText('sampling.intervalSeconds must be >= 1');
  await expect(interval).toHaveAttribute('aria-invalid', 'true');
  expect(harness.app.runtime.settings().sampling.intervalSeconds).toBe(7);
});

test('export window: two days, then the save dialog, then the file', async ({ page }) => {
  await openBridged(page, 'Choose days…', 'settings/export.html');
  const today = formatDay(dayOf(Date.now()));
  await expect(page.locator('#export-to')).toHaveValue(today);
  await page.locator('#export-from').fill('31-02-2026');
  await page.locator('#export-start').click();
  await expect(page.locator('#export-status')).toContainText('From:');
  await expect(page.locator('#export-from')).toHaveAttribute('aria-invalid', 'true');
  await page.locator('#export-from').fill(today);
  const file = path.join(harness.downloads, 'range.csv');
  harness.fake.world.saveDialogAnswers.push({ canceled: false, filePath: file });
  await page.locator('#export-start').click();
  await expect(page.locator('#export-status')).toContainText(`rows to ${file}`);
  expect(fs.readFileSync(file, 'utf8').split('\r\n')[0]).toMatch(/^time,unix_ms,/);

  // Local time, for spreadsheets: the machine's wall clock (this process's zone), no offset.
  const localFile = path.join(harness.downloads, 'range-local.csv');
  harness.fake.world.saveDialogAnswers.push({ canceled: false, filePath: localFile });
  await page.locator('#export-time-format').selectOption('local');
  await page.locator('#export-start').click();
  await expect(page.locator('#export-status')).toContainText(`rows to ${localFile}`);
  const rows = fs.readFileSync(localFile, 'utf8').trimEnd().split('\r\n').slice(1);
  expect(rows.length).toBeGreaterThan(0);
  const two = (n: number) => String(n).padStart(2, '0');
  for (const row of rows) {
    const [time, unixMs] = row.split(',');
    const at = new Date(Number(unixMs));
    expect(time).toBe(`${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`);
  }
});

test('settings window: the InfluxDB token goes to its own file; another data folder is chosen through the OS dialog, and back', async ({ page }) => {
  await openBridged(page, 'Settings…', 'settings/index.html');
  await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
  const defaultDir = harness.dataDir;

  const influxToken = page.locator('#secret-influx-token');
  await expect(influxToken).toHaveAttribute('placeholder', 'not set');
  await influxToken.fill('influx-api-token-42');
  await page.locator('#save').click();
  await expect(page.locator('#status')).toHaveText('Saved and applied.');
  await expect(influxToken).toHaveValue('');
  await expect(influxToken).toHaveAttribute('placeholder', 'saved (hidden)');
  expect(fs.readFileSync(path.join(defaultDir, 'influx-token'), 'utf8')).toBe('influx-api-token-42\n');
  expect(fs.readFileSync(path.join(defaultDir, 'config.json'), 'utf8')).not.toContain('influx-api-token-42');

  await expect(page.locator('#data-folder-source')).toHaveText('The default folder, which the vigil agent uses too.');
  await expect(page.locator('#default-data-folder')).toBeHidden();
  // A folder with someone else's files is refused, with the reason.
  const busy = path.join(temp, 'busy');
  fs.mkdirSync(busy);
  fs.writeFileSync(path.join(busy, 'report.txt'), 'mine');
  harness.fake.world.openDialogAnswers.push({ canceled: false, filePaths: [busy] });
  await page.locator('#choose-data-folder').click();
  await expect(page.locator('#data-folder-status')).toHaveText(`${busy} holds other files: choose an empty folder, or one that already holds Vigil data`);
  await expect(page.locator('#data-folder-status')).toHaveAttribute('data-kind', 'error');
  await expect(page.locator('#data-dir')).toHaveText(defaultDir);

  // An empty folder: the core moves there with these settings; the page shows the new folder.
  const moved = path.join(temp, 'moved');
  fs.mkdirSync(moved);
  harness.fake.world.openDialogAnswers.push({ canceled: false, filePaths: [moved] });
  await page.locator('#choose-data-folder').click();
  await expect(page.locator('#data-folder-status')).toHaveText(`Now using ${moved}, with these settings and an empty history. The history so far stays in the previous folder.`);
  await expect(page.locator('#data-dir')).toHaveText(moved);
  await expect(page.locator('#file')).toHaveText(path.join(moved, 'config.json'));
  await expect(page.locator('#data-folder-source')).toHaveText(`A folder chosen here (the default one is ${defaultDir}).`);
  await expect(page.locator('#field-sampling-intervalSeconds')).toHaveValue(String(harness.app.settings.get().sampling.intervalSeconds));
  await expect(influxToken).toHaveAttribute('placeholder', 'saved (hidden)');
  expect(harness.app.dataDir).toBe(moved);
  expect(fs.existsSync(path.join(moved, 'agent.lock'))).toBe(true);

  // And back to the default folder, with its own settings and history.
  await page.locator('#default-data-folder').click();
  await expect(page.locator('#data-folder-status')).toHaveText(`Now using ${defaultDir}, with its own settings and history. The history so far stays in the previous folder.`);
  await expect(page.locator('#data-dir')).toHaveText(defaultDir);
  await expect(page.locator('#default-data-folder')).toBeHidden();
  expect(harness.app.dataDir).toBe(defaultDir);
});
