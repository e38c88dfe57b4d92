// The server bundle: Vigil with its own Node runtime, for machines with no Node and no compiler.
//   npm run bundle                     release/vigil-VERSION-linux-ARCH.tar.gz (+ the vigil-agent
//                                      deb where dpkg-deb exists), for this machine's CPU
//   npm run bundle -- --no-deb         the tarball only
//   npm run bundle -- --no-build       reuse dist/ as built
//
// What the tarball holds (one folder, vigil-VERSION-linux-ARCH/):
//   vigil                 the launcher: `./vigil agent`, `./vigil status`, … (POSIX sh)
//   node/bin/node         Node's own Linux build, from the npm package node-linux-ARCH
//   bin/vigil.js          the CLI entry, as in the repository
//   dist/                 the compiled CLI, core, hub and chart page (not the Electron shell)
//   node_modules/         the production dependencies, better-sqlite3 built for THAT runtime
//   package.json
//
// better-sqlite3 is a native module: it loads only in the Node ABI it was built for. The copy in
// node_modules was built for the Node running this script; when the bundled runtime loads it
// (same ABI) it is reused, otherwise it is rebuilt against the runtime's own headers (the npm
// package ships include/node) and kept in node_modules/.cache/vigil-bundle for the next run
// (~75 s on 2 cores the first time). Native modules are built for this machine's CPU only, so
// each architecture is bundled on its own kind of machine (the release workflow builds the arm64
// bundle on an arm64 runner).
//
// The vigil-agent deb installs that same folder as /opt/vigil-agent, /usr/bin/vigil (through
// update-alternatives, as the desktop deb also offers the command), and the systemd unit that
// `vigil service install --system` writes, enabled and started the same way (planService()).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { planService, type ServiceHost } from '../src/core/service/manager.js';
import { AGENT_V8_FLAGS } from '../src/core/service/spec.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Node runtime the bundle ships: the current LTS line, the one Electron 41 embeds too. */
export const BUNDLED_NODE_VERSION = '24.22.3';

/** Where the deb installs the bundle. */
export const DEB_PREFIX = '/opt/vigil-agent';

export type BundleArch = 'x64' | 'arm64';

export interface BundleOptions {
  /** Node version of the runtime (an npm node-linux-ARCH version); default BUNDLED_NODE_VERSION. */
  nodeVersion?: string;
  /** Output folder; default release/. */
  outDir?: string;
  /** Compile dist/ first (tsc + the chart page); default true. */
  build?: boolean;
  /** Also build the vigil-agent deb (needs dpkg-deb); default: where dpkg-deb exists. */
  deb?: boolean;
  /** gzip -1 for the tarball and the deb: for tests, which unpack them at once (default: gzip -9). */
  fastCompression?: boolean;
  log?: (line: string) => void;
}

export interface Bundle {
  /** The unpacked bundle folder (what the tarball holds). */
  dir: string;
  tarball: string;
  deb: string | null;
  /** How better-sqlite3 got its addon: reused from node_modules, from the cache, or rebuilt. */
  addon: 'reused' | 'cached' | 'rebuilt';
  nodeVersion: string;
}

interface PackageJson {
  name: string;
  productName?: string;
  version: string;
  description?: string;
  license?: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
}

export function bundleArch(arch: string = process.arch): BundleArch {
  if (arch === 'x64' || arch === 'arm64') return arch;
  throw new Error(`bundle: no Node runtime package for the CPU "${arch}" (x64 and arm64 only)`);
}

export function bundleName(version: string, arch: BundleArch): string {
  return `vigil-${version}-linux-${arch}`;
}

/** Debian's name for the CPU. */
export function debArch(arch: BundleArch): string {
  return arch === 'x64' ? 'amd64' : 'arm64';
}

/** The launcher: the bundled runtime with the agent's V8 flags, wherever the folder (or a link to it) lives. */
export function launcherScript(): string {
  return [
    '#!/bin/sh',
    '# Vigil with its own Node runtime (node/bin/node beside this file): no Node needed on the PATH.',
    '# A symbolic link to this file (/usr/bin/vigil) works too: the real location is resolved first.',
    'set -e',
    'self=$(readlink -f "$0")',
    'here=$(dirname "$self")',
    `exec "$here/node/bin/node" ${AGENT_V8_FLAGS.join(' ')} "$here/bin/vigil.js" "$@"`,
    '',
  ].join('\n');
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(command, args, { cwd: options.cwd ?? root, env: options.env ?? process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

function cacheDir(): string {
  const dir = path.join(root, 'node_modules', '.cache', 'vigil-bundle');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Node's Linux build from its npm package, unpacked once into the cache. */
export function nodeRuntime(arch: BundleArch, version: string, log: (line: string) => void = () => {}): string {
  const dir = path.join(cacheDir(), `node-linux-${arch}-${version}`);
  if (fs.existsSync(path.join(dir, 'bin', 'node'))) return dir;
  const work = fs.mkdtempSync(path.join(cacheDir(), 'pack-'));
  try {
    log(`bundle: fetching node-linux-${arch}@${version} (npm pack)…`);
    const tgz = run('npm', ['pack', `node-linux-${arch}@${version}`, '--pack-destination', work, '--silent'], { cwd: work }).trim().split('\n').pop()!;
    run('tar', ['-xzf', path.join(work, tgz), '-C', work]);
    const unpacked = path.join(work, 'package');
    if (!fs.existsSync(path.join(unpacked, 'bin', 'node')) || !fs.existsSync(path.join(unpacked, 'include', 'node', 'node.h'))) {
      throw new Error(`bundle: node-linux-${arch}@${version} holds no bin/node or include/node`);
    }
    fs.chmodSync(path.join(unpacked, 'bin', 'node'), 0o755);
    fs.renameSync(unpacked, dir);
    return dir;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Does `runtime` load this better-sqlite3 addon (same ABI, same libc)? */
function loads(runtime: string, addon: string): boolean {
  const probe = spawnSync(path.join(runtime, 'bin', 'node'), ['-e', 'require(process.argv[1])', addon], { stdio: 'ignore', timeout: 30_000 });
  return probe.status === 0;
}

/** better_sqlite3.node for the runtime: node_modules' own build if it loads there, else a build for it. */
export function sqliteAddon(runtime: string, arch: BundleArch, log: (line: string) => void = () => {}): { file: string; how: Bundle['addon'] } {
  const sqliteDir = path.join(root, 'node_modules', 'better-sqlite3');
  const installed = path.join(sqliteDir, 'build', 'Release', 'better_sqlite3.node');
  if (fs.existsSync(installed) && loads(runtime, installed)) return { file: installed, how: 'reused' };
  const sqliteVersion = (JSON.parse(fs.readFileSync(path.join(sqliteDir, 'package.json'), 'utf8')) as PackageJson).version;
  const abi = run(path.join(runtime, 'bin', 'node'), ['-p', 'process.versions.modules']).trim();
  const cached = path.join(cacheDir(), `better-sqlite3-${sqliteVersion}-node-abi${abi}-linux-${arch}.node`);
  if (fs.existsSync(cached) && loads(runtime, cached)) return { file: cached, how: 'cached' };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-sqlite-build-'));
  try {
    const copy = path.join(work, 'better-sqlite3');
    fs.cpSync(sqliteDir, copy, { recursive: true, filter: (source) => !source.startsWith(path.join(sqliteDir, 'build')) && !source.startsWith(path.join(sqliteDir, 'node_modules')) });
    log(`bundle: building better-sqlite3 ${sqliteVersion} for Node ABI ${abi} (its headers: ${path.join(runtime, 'include', 'node')})…`);
    const gyp = path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    // The runtime's own headers, never a nodedir from the npm config (which names the system Node's).
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_nodedir: runtime, JOBS: String(Math.max(1, os.availableParallelism())) };
    delete env.NPM_CONFIG_NODEDIR;
    run(process.execPath, [gyp, 'rebuild', '--release', `--nodedir=${runtime}`, `--arch=${arch}`], { cwd: copy, env });
    const built = path.join(copy, 'build', 'Release', 'better_sqlite3.node');
    if (!loads(runtime, built)) throw new Error(`bundle: the better-sqlite3 built for ABI ${abi} does not load in ${runtime}`);
    fs.copyFileSync(built, `${cached}.partial`);
    fs.renameSync(`${cached}.partial`, cached);
    return { file: cached, how: 'rebuilt' };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The installed production dependencies (package folders relative to the root), as npm resolves them. */
export function productionPackages(): string[] {
  const listed = run('npm', ['ls', '--omit=dev', '--all', '--parseable', '--silent'])
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => path.relative(root, line))
    .filter((relative) => relative.startsWith('node_modules'));
  return [...new Set(listed)].sort();
}

/** Files a package needs at run time: not its nested node_modules (listed on their own), nor build sources. */
function copyPackage(relative: string, target: string): void {
  const source = path.join(root, relative);
  const isSqlite = path.basename(relative) === 'better-sqlite3';
  fs.cpSync(source, path.join(target, relative), {
    recursive: true,
    dereference: true,
    filter: (file) => {
      const inside = path.relative(source, file);
      if (inside === '') return true;
      const first = inside.split(path.sep)[0]!;
      if (first === 'node_modules') return false;
      // better-sqlite3: lib/ and package.json; its addon is placed separately, its C sources stay.
      if (isSqlite && ['build', 'deps', 'src', 'docs', 'binding.gyp'].includes(first)) return false;
      return !file.endsWith('.map');
    },
  });
}

function copyDist(target: string): void {
  const dist = path.join(root, 'dist');
  for (const part of ['agent', 'core', 'shared', 'hub', 'renderer']) {
    const source = path.join(dist, part);
    if (!fs.existsSync(source)) throw new Error(`bundle: ${source} is missing; run \`npm run build\` (or drop --no-build)`);
    fs.cpSync(source, path.join(target, 'dist', part), { recursive: true, filter: (file) => !file.endsWith('.map') && !path.basename(file).startsWith('.') });
  }
}

function buildDist(log: (line: string) => void): Promise<void> {
  log('bundle: compiling dist/ (tsc, chart page)…');
  run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')]);
  return import('./build-renderer.js').then(({ buildRenderer }) => buildRenderer().then(() => undefined));
}

function writeBundlePackageJson(pkg: PackageJson, target: string): void {
  const trimmed = {
    name: pkg.name,
    productName: pkg.productName,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    private: true,
    type: 'module',
    bin: pkg.bin,
    dependencies: pkg.dependencies,
  };
  fs.writeFileSync(path.join(target, 'package.json'), `${JSON.stringify(trimmed, null, 2)}\n`);
}

/** The systemd unit and the steps `vigil service install --system` uses, for the deb's paths. */
export function debServicePlan(version: string) {
  const host: ServiceHost = {
    platform: 'linux',
    home: '/root',
    root: '',
    uid: 0,
    env: {},
    runtime: 'node',
    nodePath: `${DEB_PREFIX}/node/bin/node`,
    scriptPath: `${DEB_PREFIX}/bin/vigil.js`,
    version,
    run: () => Promise.reject(new Error('not run: the deb carries these steps in its maintainer scripts')),
  };
  return planService({ role: 'agent', scope: 'system' }, host);
}

function shellLine(argv: readonly string[]): string {
  return argv.map((arg) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`)).join(' ');
}

/** DEBIAN/ files of the vigil-agent package. */
export function debControlFiles(version: string, arch: BundleArch, installedKiB: number): Record<string, string> {
  const plan = debServicePlan(version);
  const unit = plan.name;
  const systemd = (steps: readonly { argv: readonly string[]; mayFail?: boolean }[]) => steps.map((step) => `  ${shellLine(step.argv)}${step.mayFail ? ' || true' : ''}`);
  return {
    control: [
      'Package: vigil-agent',
      `Version: ${version}`,
      `Architecture: ${debArch(arch)}`,
      'Maintainer: Vigil contributors <maintainers@vigil.invalid>',
      // Node's official Linux builds need glibc 2.28 and libstdc++ from GCC 10 or later.
      'Depends: libc6 (>= 2.28), libstdc++6 (>= 10)',
      'Section: admin',
      'Priority: optional',
      `Installed-Size: ${installedKiB}`,
      'Homepage: https://vigil.invalid',
      'Description: Vigil agent: samples this machine every second (headless, with its own Node)',
      ' CPU, memory, every network interface, load and disk usage into SQLite and daily CSV files,',
      ' with the charts on a local web page. Runs as the vigil-agent systemd service (data in',
      ' /var/lib/vigil); `vigil status`, `vigil export` and `vigil chart` read it.',
      '',
    ].join('\n'),
    postinst: [
      '#!/bin/sh',
      'set -e',
      'if [ "$1" = configure ]; then',
      `  update-alternatives --install /usr/bin/vigil vigil ${DEB_PREFIX}/vigil 50`,
      '  if [ -d /run/systemd/system ]; then',
      `  # As \`vigil service install --system\` does: ${plan.install.map((step) => step.argv.join(' ')).join('; ')}`,
      ...systemd(plan.install).map((line) => `  ${line}`),
      '  fi',
      'fi',
      '',
    ].join('\n'),
    prerm: [
      '#!/bin/sh',
      'set -e',
      'if [ "$1" = remove ] && [ -d /run/systemd/system ]; then',
      ...systemd(plan.uninstall),
      'fi',
      'if [ "$1" = remove ]; then',
      `  update-alternatives --remove vigil ${DEB_PREFIX}/vigil`,
      'fi',
      '',
    ].join('\n'),
    postrm: [
      '#!/bin/sh',
      'set -e',
      'if [ -d /run/systemd/system ]; then',
      ...systemd(plan.afterUninstall).map((line) => `${line} || true`),
      'fi',
      // The history in /var/lib/vigil (systemd's StateDirectory) stays unless purged.
      'if [ "$1" = purge ]; then',
      '  rm -rf /var/lib/private/vigil /var/lib/vigil',
      'fi',
      '',
    ].join('\n'),
    [`unit:${unit}`]: [
      `# Shipped by the vigil-agent package, the same unit \`vigil service install --system\` writes.`,
      `# Change it with \`systemctl edit ${unit}\`; this file is replaced by the next upgrade.`,
      plan.content,
    ].join('\n'),
  };
}

function folderKiB(dir: string): number {
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) bytes += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return Math.ceil(bytes / 1024);
}

function hasDpkgDeb(): boolean {
  return spawnSync('dpkg-deb', ['--version'], { stdio: 'ignore' }).status === 0;
}

function buildDeb(bundleDir: string, version: string, arch: BundleArch, outDir: string, level: number): string {
  const work = fs.mkdtempSync(path.join(outDir, '.deb-'));
  try {
    const prefix = path.join(work, DEB_PREFIX);
    fs.mkdirSync(path.dirname(prefix), { recursive: true });
    // Hard links (the work folder is inside outDir, on the same file system), not a second copy of ~190 MB.
    if (spawnSync('cp', ['-a', '--link', bundleDir, prefix]).status !== 0) fs.cpSync(bundleDir, prefix, { recursive: true, verbatimSymlinks: true });
    const files = debControlFiles(version, arch, folderKiB(bundleDir));
    const unitKey = Object.keys(files).find((key) => key.startsWith('unit:'))!;
    const unitDir = path.join(work, 'usr', 'lib', 'systemd', 'system');
    fs.mkdirSync(unitDir, { recursive: true });
    fs.writeFileSync(path.join(unitDir, unitKey.slice('unit:'.length)), files[unitKey]!, { mode: 0o644 });
    const debian = path.join(work, 'DEBIAN');
    fs.mkdirSync(debian);
    for (const name of ['control', 'postinst', 'prerm', 'postrm']) fs.writeFileSync(path.join(debian, name), files[name]!, { mode: name === 'control' ? 0o644 : 0o755 });
    const deb = path.join(outDir, `vigil-agent_${version}_${debArch(arch)}.deb`);
    fs.rmSync(deb, { force: true });
    run('dpkg-deb', ['--root-owner-group', '-Zgzip', `-z${level}`, '--build', work, deb]);
    return deb;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export async function buildBundle(options: BundleOptions = {}): Promise<Bundle> {
  const log = options.log ?? (() => {});
  const arch = bundleArch();
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;
  const nodeVersion = options.nodeVersion ?? BUNDLED_NODE_VERSION;
  const outDir = path.resolve(options.outDir ?? path.join(root, 'release'));
  if (options.build !== false) await buildDist(log);

  const runtime = nodeRuntime(arch, nodeVersion, log);
  const addon = sqliteAddon(runtime, arch, log);

  const name = bundleName(pkg.version, arch);
  fs.mkdirSync(outDir, { recursive: true });
  const dir = path.join(outDir, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'node', 'bin'), { recursive: true });
  fs.copyFileSync(path.join(runtime, 'bin', 'node'), path.join(dir, 'node', 'bin', 'node'));
  fs.chmodSync(path.join(dir, 'node', 'bin', 'node'), 0o755);
  fs.copyFileSync(path.join(runtime, 'LICENSE'), path.join(dir, 'node', 'LICENSE'));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.copyFileSync(path.join(root, 'bin', 'vigil.js'), path.join(dir, 'bin', 'vigil.js'));
  copyDist(dir);
  for (const relative of productionPackages()) copyPackage(relative, dir);
  const addonTarget = path.join(dir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  fs.mkdirSync(path.dirname(addonTarget), { recursive: true });
  fs.copyFileSync(addon.file, addonTarget);
  writeBundlePackageJson(pkg, dir);
  fs.writeFileSync(path.join(dir, 'vigil'), launcherScript(), { mode: 0o755 });

  const tarball = path.join(outDir, `${name}.tar.gz`);
  fs.rmSync(tarball, { force: true });
  const level = options.fastCompression ? 1 : 9;
  run('tar', ['--owner=0', '--group=0', '--numeric-owner', '-I', `gzip -${level}`, '-cf', tarball, '-C', outDir, name]);
  log(`bundle: ${path.relative(process.cwd(), tarball)} (Node ${nodeVersion}, better-sqlite3 ${addon.how})`);

  const wantDeb = options.deb ?? hasDpkgDeb();
  const deb = wantDeb ? buildDeb(dir, pkg.version, arch, outDir, level) : null;
  if (deb) log(`bundle: ${path.relative(process.cwd(), deb)}`);
  return { dir, tarball, deb, addon: addon.how, nodeVersion };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => !['--no-deb', '--deb', '--no-build'].includes(arg));
  if (unknown.length > 0) {
    process.stderr.write(`bundle: unknown option ${unknown.join(' ')} (known: --no-deb, --deb, --no-build)\n`);
    process.exit(2);
  }
  const deb = args.includes('--no-deb') ? false : args.includes('--deb') ? true : undefined;
  await buildBundle({ deb, build: !args.includes('--no-build'), log: (line) => process.stdout.write(`${line}\n`) });
}
