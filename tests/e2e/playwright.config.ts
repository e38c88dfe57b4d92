// The tray app's end-to-end tests (npm run test:e2e; the `npm test` run includes them):
// - electron: the real app in a real Electron through Playwright's `_electron` (launch, tray menu,
//   chart window, settings, export, quit). Skipped, with the reason, where no Electron binary is
//   installed (ELECTRON_SKIP_BINARY_DOWNLOAD, as on this project's CI); the release workflow
//   runs it on Windows, macOS and Linux with VIGIL_E2E_REQUIRED=1, where skipping fails.
// - bridge: the app's pages in Debian's Chromium with the real preload bundle, its ipcRenderer
//   bridged to the ipcMain handlers of the real shell (src/main on the fake Electron) and the real
//   core: renderer → IPC → core, run for real without Electron.
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

/** Chromium writes under ~/.config and ~/.cache: a throwaway home instead. */
export const BROWSER_HOME = path.join(os.tmpdir(), 'vigil-playwright-e2e-home');

export default defineConfig({
  testDir: '.',
  outputDir: '../../test-results/e2e',
  globalSetup: './global-setup.ts',
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['./skip-reasons.ts']],
  projects: [
    {
      name: 'bridge',
      testMatch: 'bridge.spec.ts',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
          env: { ...process.env, HOME: BROWSER_HOME, XDG_CONFIG_HOME: path.join(BROWSER_HOME, 'config'), XDG_CACHE_HOME: path.join(BROWSER_HOME, 'cache') },
        },
        viewport: { width: 1280, height: 900 },
        locale: 'en-US',
        colorScheme: 'light',
        screenshot: 'only-on-failure',
      },
    },
    { name: 'electron', testMatch: 'electron.spec.ts' },
  ],
});
