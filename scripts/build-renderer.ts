// Builds the chart page (src/renderer) into dist/renderer: its script as ES modules (chart.js
// included, no CDN), split so the first load is small: app.js (the page, its requests) and chunks
// loaded with import() — the charts (chart.js) from the start, in parallel with the first data;
// the Traffic and Export menus when opened. Chunks are named chunk-*.js (public like the page:
// the agent lets /chunk-* through without the token); the same origin serves them over http://
// (the agent, the hub) and app:// (the tray app's window), under the page's script-src 'self'.
// Also its stylesheet and index.html; and the hub's fleet page (src/renderer/fleet, one IIFE)
// into dist/renderer/fleet.
//   npx tsx scripts/build-renderer.ts [--dev]   (part of `npm run build`)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function buildRenderer(options: { outDir?: string; minify?: boolean } = {}): Promise<{ outDir: string; bytes: number }> {
  const outDir = options.outDir ?? path.join(root, 'dist/renderer');
  const source = path.join(root, 'src/renderer');
  fs.mkdirSync(path.join(outDir, 'fleet'), { recursive: true });
  // Chunks of an earlier build (their names change with their content).
  for (const name of fs.readdirSync(outDir)) if (/^(app|chunk-.*)\.js(\.map)?$/.test(name)) fs.rmSync(path.join(outDir, name));
  const common = {
    bundle: true,
    platform: 'browser' as const,
    // Chromium of Electron 41 and current browsers; chart.js needs nothing older.
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: options.minify ?? true,
    // Source maps for development builds only: the agent holds the page's files in memory.
    sourcemap: options.minify === false ? ('linked' as const) : false,
    legalComments: 'eof' as const,
    metafile: true as const,
    logLevel: 'warning' as const,
  } satisfies BuildOptions;
  // The chart page, and the hub's fleet page (dist/renderer/fleet: the hub serves it at /).
  const results = await Promise.all([
    build({
      ...common,
      entryPoints: { app: path.join(source, 'main.ts') },
      outdir: outDir,
      format: 'esm',
      splitting: true,
      entryNames: '[name]',
      chunkNames: 'chunk-[name]-[hash]',
    }),
    build({ ...common, entryPoints: [path.join(source, 'fleet/main.ts')], outfile: path.join(outDir, 'fleet/fleet.js'), format: 'iife' }),
  ]);
  // What the first view runs is fetched (and compiled) at once, beside app.js, rather than found
  // one level at a time: app.js's own chunks (static imports) are otherwise asked for only once
  // app.js is parsed, and the charts' chunk (chart.js) only once app.js has run.
  const outputs = results[0].metafile.outputs;
  const charts = Object.entries(outputs).find(([, output]) => output.entryPoint?.endsWith('src/renderer/charts.ts'));
  if (!charts) throw new Error('build-renderer: no chunk for src/renderer/charts.ts');
  const app = Object.keys(outputs).find((file) => path.basename(file) === 'app.js');
  if (!app) throw new Error('build-renderer: no app.js in the build');
  const preload: string[] = [];
  const addWithImports = (file: string, self: boolean): void => {
    for (const dependency of outputs[file]!.imports) if (dependency.kind === 'import-statement') addWithImports(dependency.path, true);
    if (self && !preload.includes(file)) preload.push(file);
  };
  addWithImports(app, false);
  addWithImports(charts[0], true);
  const html = fs.readFileSync(path.join(source, 'index.html'), 'utf8');
  const script = '<script type="module" src="app.js"></script>';
  if (!html.includes(script)) throw new Error(`build-renderer: index.html has no ${script}`);
  const links = preload.map((file) => `<link rel="modulepreload" href="${path.basename(file)}">\n  `).join('');
  fs.writeFileSync(path.join(outDir, 'index.html'), html.replace(script, `${script}\n  ${links.trimEnd()}`));
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
