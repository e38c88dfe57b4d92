// Builds what the tray app loads besides the core (which `npm run build` emits into dist/):
//   dist/main/**                 the main process: each src/main file transpiled by esbuild, not
//                                bundled, beside the core that `npm run build` emits (dist/core),
//                                so the core's own paths (dist/core → dist/renderer, package.json)
//                                hold in the app as in the CLI. Only dist/main is written: tests
//                                build it while others run the CLI from dist/. Type-checking is
//                                `npm run typecheck`'s (tsconfig.electron.json).
//   dist/preload/preload.cjs     the preload: ONE CommonJS file, because a sandboxed preload can
//                                require() nothing but 'electron' (esbuild bundles src/shared in)
//   dist/renderer/               the chart page (scripts/build-renderer.ts, the charts' build)
//   dist/renderer/settings/      the settings and "export days" pages (src/renderer/settings)
//   npx tsx scripts/build-electron.ts      (part of `npm start` and `npm run dist`)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildRenderer } from './build-renderer.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Electron 41's Chromium. */
// Electron 41 embeds Chromium 146 and Node 24.
const CHROME_TARGET = 'chrome146';

export async function buildPreload(outFile = path.join(root, 'dist/preload/preload.cjs')): Promise<string> {
  await build({
    entryPoints: [path.join(root, 'src/preload/index.ts')],
    outfile: outFile,
    bundle: true,
    format: 'cjs',
    platform: 'browser',
    target: CHROME_TARGET,
    external: ['electron'],
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outFile;
}

export async function buildSettingsPages(outDir = path.join(root, 'dist/renderer/settings')): Promise<string> {
  const source = path.join(root, 'src/renderer/settings');
  fs.mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { settings: path.join(source, 'settings.ts'), export: path.join(source, 'export.ts') },
    outdir: outDir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: CHROME_TARGET,
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'export.html', 'settings.css']) fs.copyFileSync(path.join(source, file), path.join(outDir, file));
  return outDir;
}

export async function buildMain(outDir = path.join(root, 'dist/main')): Promise<string> {
  const source = path.join(root, 'src/main');
  if (!fs.existsSync(path.join(root, 'dist/core/runtime.js'))) {
    // The core it imports comes from `npm run build` (tsc); build it once if it is missing.
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  }
  const entryPoints = fs
    .readdirSync(source, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(source, file));
  await build({
    entryPoints,
    outdir: outDir,
    outbase: source,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const main = await buildMain();
  const preload = await buildPreload();
  const { outDir } = await buildRenderer();
  const settings = await buildSettingsPages();
  for (const built of [main, preload, outDir, settings]) process.stdout.write(`electron: ${path.relative(root, built)}\n`);
}
