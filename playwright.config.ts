// Browser tests of the chart page (tests/renderer) in Debian's Chromium (apt-get install
// chromium), never a downloaded browser. The global setup builds the page and starts the real
// agent on fixture data; the browser sits in another time zone than the machine, on purpose.
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

/** Chromium writes under ~/.config and ~/.cache: a throwaway home instead (made by the global setup). */
export const BROWSER_HOME = path.join(os.tmpdir(), 'vigil-playwright-home');

export default defineConfig({
  testDir: 'tests/renderer',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/renderer',
  globalSetup: './tests/renderer/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      env: { ...process.env, HOME: BROWSER_HOME, XDG_CONFIG_HOME: path.join(BROWSER_HOME, 'config'), XDG_CACHE_HOME: path.join(BROWSER_HOME, 'cache') },
    },
    viewport: { width: 1280, height: 900 },
    // The machine (the agent) is in Europe/Paris; the browser is not: the page shows the machine's times.
    timezoneId: 'America/New_York',
    locale: 'en-US',
    colorScheme: 'light',
    acceptDownloads: true,
    screenshot: 'only-on-failure',
  },
});
