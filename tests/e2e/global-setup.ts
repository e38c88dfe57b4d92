// Builds what the pages and the preload need (dist/renderer with the settings pages,
// dist/preload/preload.cjs). The Electron project also needs the main process built
// (`npm run build:app`, which `npm run test:e2e` runs first).
import fs from 'node:fs';
import { buildRenderer } from '../../scripts/build-renderer.js';
import { buildPreload, buildSettingsPages } from '../../scripts/build-electron.js';
import { BROWSER_HOME } from './playwright.config.js';

export default async function globalSetup(): Promise<void> {
  await buildRenderer();
  await buildSettingsPages();
  await buildPreload();
  fs.mkdirSync(BROWSER_HOME, { recursive: true });
}
