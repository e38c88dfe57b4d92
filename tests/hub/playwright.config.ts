// Browser tests of the hub's pages (tests/hub/*.spec.ts) in Debian's Chromium, as the chart page's
// tests do (see the root playwright.config.ts): the fleet page, its login, its live feed, and the
// click-through to a machine's daily charts. Each spec starts its own hub.
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const BROWSER_HOME = path.join(os.tmpdir(), 'vigil-playwright-hub-home');

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: '../../test-results/hub',
  workers: 1,
  timeout: 60_000,
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
    locale: 'en-US',
    screenshot: 'only-on-failure',
  },
});
