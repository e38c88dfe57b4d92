// The real tray app in a real Electron (Playwright `_electron`): launch, the tray menu, the chart
// window, the settings window, export, a second launch, quit. Needs the Electron binary, the built
// app (`npm run build:app`) and better-sqlite3 built for Electron (scripts/electron-native.ts):
// `npm run test:e2e` does all three. Where no Electron binary is installed (this project's CI
// installs with ELECTRON_SKIP_BINARY_DOWNLOAD=1) the suite reports itself skipped with the reason;
// with VIGIL_E2E_REQUIRED=1 (the release workflow) a missing binary fails instead.
//
// The tray's menu cannot be opened by a test driver, so its items are clicked through Electron's
// own Menu API (getMenuItemById(action).click()) on the menu the app set on its Tray, reached
// through the handle src/main/index.ts exposes when VIGIL_E2E_HOOK=1.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, expect, test, type ElectronApplication } from '@playwright/test';
import { openSampleStore } from '../../src/core/storage/sample-store.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

/** The Electron binary's path, or null where it was never downloaded. */
function electronBinary(): string | null {
  try {
    // In Node, the electron package exports the path of the binary it downloaded (and throws
    // when there is none).
    const binary = require('electron') as unknown;
    return typeof binary === 'string' && fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

// VIGIL_E2E_APP names a packaged app's executable (the release workflow's installed deb, AppImage,
// dmg copy or NSIS install): the suite then launches what ships (app.asar, the rebuilt
// better-sqlite3, LSUIElement, the signature) instead of `electron .` on the source tree.
const packaged = process.env.VIGIL_E2E_APP || null;
const binary = packaged ?? electronBinary();
const appArgs = packaged ? [] : [root];
// VIGIL_E2E_SANDBOX=on: the app must be running with Chromium's sandbox (the deb's AppArmor
// profile on Ubuntu 24.04, with the restriction left as shipped).
const sandboxRequired = process.env.VIGIL_E2E_SANDBOX === 'on';
const required = process.env.VIGIL_E2E_REQUIRED === '1';
const SKIP_REASON = 'no Electron binary on this machine (ELECTRON_SKIP_BINARY_DOWNLOAD)';

// The app's handle, as seen from the main process (see index.ts).
interface AppHandle {
  tray: { menu: { items: { label: string }[]; getMenuItemById(id: string): { click(): void; checked: boolean } | null } | null };
  runtime: { settings(): { sampling: { intervalSeconds: number } } };
}
const handle = () => (globalThis as unknown as { __vigilApp?: AppHandle }).__vigilApp;

test.describe('tray app in Electron', () => {
  test.skip(!binary && !required, SKIP_REASON);
  test.describe.configure({ mode: 'serial' });

  let app: ElectronApplication;
  let dataDir: string;
  let home: string;
  let downloads: string;
  let env: Record<string, string>;

  const click = (action: string) =>
    app.evaluate((_electron, id) => {
      const item = (globalThis as unknown as { __vigilApp: AppHandle }).__vigilApp.tray.menu!.getMenuItemById(id);
      if (!item) throw new Error(`no menu item ${id}`);
      item.click();
    }, action);
  const menuLabels = () => app.evaluate(() => (globalThis as unknown as { __vigilApp: AppHandle }).__vigilApp.tray.menu!.items.map((item) => item.label));

  test.beforeAll(async () => {
    expect(binary, SKIP_REASON).not.toBeNull();
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-'));
    dataDir = path.join(temp, 'data');
    home = path.join(temp, 'home');
    downloads = path.join(temp, 'downloads');
    for (const dir of [dataDir, home, downloads]) fs.mkdirSync(dir, { recursive: true });
    env = { ...(process.env as Record<string, string>), VIGIL_DATA_DIR: dataDir, XDG_CONFIG_HOME: path.join(home, '.config'), VIGIL_E2E_HOOK: '1' };
    app = await _electron.launch({ executablePath: binary!, args: appArgs, env, cwd: root });
    await expect.poll(() => app.evaluate(() => Boolean(handle()?.tray.menu)), { timeout: 30_000 }).toBe(true);
  });

  test.afterAll(async () => {
    await app?.close().catch(() => undefined);
  });

  test('launch: the tray menu offers every action, then shows live figures', async () => {
    expect(await menuLabels()).toEqual(expect.arrayContaining(['Open daily chart', 'Export CSV…', 'Pause sampling', 'Settings…', 'Start at login', 'Open data folder', 'Quit Vigil']));
    await expect.poll(async () => (await menuLabels())[0], { timeout: 20_000 }).toMatch(/^CPU \d+ % · RAM /);
  });

  test('the packaged app runs with the Chromium sandbox where the installer set it up', async () => {
    test.skip(!sandboxRequired, 'VIGIL_E2E_SANDBOX=on only where the installer provides the sandbox (the deb)');
    expect(await app.evaluate(({ app: electronApp }) => electronApp.commandLine.hasSwitch('no-sandbox'))).toBe(false);
  });

  test('Open daily chart: a sandboxed window on app://vigil, with this machine’s day drawn', async () => {
    const opened = app.waitForEvent('window');
    await click('open-chart');
    const page = await opened;
    await page.waitForURL('app://vigil/index.html');
    await page.waitForFunction(() => (globalThis as unknown as { document: { body: { dataset: { state?: string } } } }).document.body.dataset.state !== 'loading');
    await expect(page.locator('body')).toHaveAttribute('data-state', /ready|empty/);
    await expect(page.locator('#machine-name')).not.toBeEmpty();
    expect(await page.evaluate(() => {
      const g = globalThis as unknown as Record<string, unknown> & { vigil?: { api?: Record<string, unknown> } };
      return [typeof g.require, typeof g.process, typeof g.vigil?.api?.day, 'ipcRenderer' in (g.vigil ?? {})];
    })).toEqual(['undefined', 'undefined', 'function', false]);
    // New windows are refused.
    expect(await page.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('https://example.org') === null)).toBe(true);
    // An inline script (what an injection would add) does not run: the CSP forbids it.
    expect(
      await page.evaluate(() => {
        const g = globalThis as unknown as { document: { createElement(tag: string): { textContent: string }; head: { append(node: unknown): void } }; __inlineRan?: boolean };
        const script = g.document.createElement('script');
        script.textContent = 'globalThis.__inlineRan = true';
        g.document.head.append(script);
        return g.__inlineRan === true;
      }),
    ).toBe(false);
  });

  test('Export CSV → Today: the save dialog, then the file in the daily-file format', async () => {
    const file = path.join(downloads, 'today.csv');
    await app.evaluate(({ dialog }, target) => {
      dialog.showSaveDialog = (async () => ({ canceled: false, filePath: target })) as typeof dialog.showSaveDialog;
    }, file);
    await expect.poll(async () => (await menuLabels())[0], { timeout: 20_000 }).toMatch(/^CPU/);
    await click('export:today');
    await expect.poll(() => fs.existsSync(file), { timeout: 20_000 }).toBe(true);
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^time,unix_ms,cpu_percent,/);
  });

  test('Settings…: a change is saved to config.json and applied at once', async () => {
    const opened = app.waitForEvent('window');
    await click('open-settings');
    const page = await opened;
    await page.waitForURL('app://vigil/settings/index.html');
    await expect(page.locator('body')).toHaveAttribute('data-state', 'ready');
    await page.locator('#field-sampling-intervalSeconds').fill('2');
    await page.locator('#save').click();
    await expect(page.locator('#status')).toHaveText('Saved and applied.');
    expect(await app.evaluate(() => (globalThis as unknown as { __vigilApp: AppHandle }).__vigilApp.runtime.settings().sampling.intervalSeconds)).toBe(2);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'config.json'), 'utf8')).sampling.intervalSeconds).toBe(2);
  });

  test('a second launch hands over and exits; the running app shows its chart window', async () => {
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().forEach((w) => w.hide()));
    const second = spawn(binary!, appArgs, { env, cwd: root, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    expect(code).toBe(0);
    await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().some((w) => w.isVisible() && w.webContents.getURL() === 'app://vigil/index.html'))).toBe(true);
  });

  test('Quit: storage flushed, data folder released, the process ends', async () => {
    const closed = new Promise<void>((resolve) => app.process().once('exit', () => resolve()));
    await click('quit');
    await closed;
    expect(fs.existsSync(path.join(dataDir, 'agent.lock'))).toBe(false);
    const store = openSampleStore(path.join(dataDir, 'vigil.db'), { readonly: true });
    try {
      expect(store.countSamples(0, Date.now() + 1)).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  });
});
