// Builds the chart page (src/renderer) into dist/renderer: one script bundle (chart.js included,
// no CDN), its stylesheet and index.html; and the hub's fleet page (src/renderer/fleet) into
// dist/renderer/fleet. An IIFE rather than an ES module so the same files load
// over http:// (the agent, the hub) and from the tray app's window alike.
//   npx tsx scripts/build-renderer.ts [--dev]   (part of `npm run build`)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildRenderer(options: { outDir?: string; minify?: boolean } = {}): Promise<{ outDir: string; bytes: number }> {
  const outDir = options.outDir ?? path.join(root, 'dist/renderer');
  const source = path.join(root, 'src/renderer');
  fs.mkdirSync(path.join(outDir, 'fleet'), { recursive: true });
  const bundle = (entry: string, outfile: string) =>
    build({
      entryPoints: [path.join(source, entry)],
      outfile: path.join(outDir, outfile),
      bundle: true,
      format: 'iife',
      platform: 'browser',
      // Chromium of Electron 41 and current browsers; chart.js needs nothing older.
      target: ['chrome110', 'firefox115', 'safari16'],
      minify: options.minify ?? true,
      // Source maps for development builds only: the agent holds the page's files in memory.
      sourcemap: options.minify === false ? 'linked' : false,
      legalComments: 'eof',
      metafile: true,
      logLevel: 'warning',
    });
  // The chart page, and the hub's fleet page (dist/renderer/fleet: the hub serves it at /).
  const results = await Promise.all([bundle('main.ts', 'app.js'), bundle('fleet/main.ts', 'fleet/fleet.js')]);
  fs.copyFileSync(path.join(source, 'index.html'), path.join(outDir, 'index.html'));
  fs.copyFileSync(path.join(source, 'styles.css'), path.join(outDir, 'app.css'));
  fs.copyFileSync(path.join(source, 'favicon.svg'), path.join(outDir, 'favicon.svg'));
  // Browsers ask for /favicon.ico whatever the page names (the API docs, a JSON response): the app's icon.
  fs.copyFileSync(path.join(root, 'assets/build/icon.ico'), path.join(outDir, 'favicon.ico'));
  fs.copyFileSync(path.join(source, 'fleet/index.html'), path.join(outDir, 'fleet/index.html'));
  fs.copyFileSync(path.join(source, 'fleet/fleet.css'), path.join(outDir, 'fleet/fleet.css'));
  const bytes = results.flatMap((result) => Object.values(result.metafile.outputs)).reduce((n, o) => n + o.bytes, 0);
  return { outDir, bytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outDir, bytes } = await buildRenderer({ minify: !process.argv.includes('--dev') });
  process.stdout.write(`renderer: ${path.relative(root, outDir)} (${Math.round(bytes / 1024)} KiB)\n`);
}
