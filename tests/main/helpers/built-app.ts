// Builds what the packaged app holds (dist/main, dist/preload, dist/renderer with the settings
// pages) for the tests that need the build itself (entry.test.ts, electron-builder.test.ts). Test
// files run in parallel processes: a lock file makes one build at a time, and the main process is
// transpiled again only when a source is newer than the build. Only dist/main, dist/preload and
// dist/renderer are written (never dist/core, which other tests run the CLI from).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRenderer } from '../../../scripts/build-renderer.js';
import { buildMain, buildPreload, buildSettingsPages } from '../../../scripts/build-electron.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function newest(dir: string): number {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

async function withLock<T>(run: () => Promise<T>): Promise<T> {
  const lock = path.join(root, 'dist', '.build-app.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch {
      // A lock older than the deadline was left by a killed run.
      if (Date.now() > deadline || Date.now() - fs.statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 180_000) fs.rmSync(lock, { force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await run();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

export function ensureBuiltApp(): Promise<void> {
  return withLock(async () => {
    const main = path.join(root, 'dist/main/index.js');
    const sources = Math.max(newest(path.join(root, 'src/main')), newest(path.join(root, 'src/core')), newest(path.join(root, 'src/shared')));
    if (!fs.existsSync(main) || sources > fs.statSync(main).mtimeMs) await buildMain();
    await buildPreload();
    await buildSettingsPages();
    if (!fs.existsSync(path.join(root, 'dist/renderer/app.js')) || newest(path.join(root, 'src/renderer')) > fs.statSync(path.join(root, 'dist/renderer/app.js')).mtimeMs) await buildRenderer();
  });
}
