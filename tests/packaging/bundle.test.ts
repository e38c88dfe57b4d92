// The server bundle (scripts/bundle.ts, `npm run bundle`): the tarball is unpacked into a temp
// folder and its `vigil` runs there with a PATH that has no node on it, as on a server without
// Node; the vigil-agent deb carries the same folder and the unit `vigil service install --system`
// writes.
//
// Which bundle: VIGIL_BUNDLE_TARBALL=path tests one already built (the release workflow tests
// the very tarball it ships, with the release's Node, on x64 and on arm64). Otherwise one is built
// here with the runtime of the Node running the tests (the npm package node-linux-ARCH at this
// exact version), so node_modules' better-sqlite3 loads in it as it is: the same build steps as
// the shipped bundle without a ~75 s recompile on every CI run. When that version is not on the
// registry, the release's runtime is used and better-sqlite3 is rebuilt for it (cached).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildRenderer } from '../../scripts/build-renderer.js';
import { BUNDLED_NODE_VERSION, buildBundle, debServicePlan, DEB_PREFIX, nodeRuntime, bundleArch, type Bundle } from '../../scripts/bundle.js';
import { AGENT_V8_FLAGS } from '../../src/core/service/spec.js';
import { waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };
const hasDpkgDeb = spawnSync('dpkg-deb', ['--version'], { stdio: 'ignore' }).status === 0;

let bundle: Pick<Bundle, 'tarball' | 'deb' | 'nodeVersion'>;
let unpacked: string;
/** A PATH with the few tools the launcher uses (readlink, dirname) and no node. */
let nodelessPath: string;
let home: string;
const children: ChildProcess[] = [];
/** The big folders (the bundle, its unpacked copy, the deb's): removed here, with time for ~0.5 GB. */
const bigFolders: string[] = [];
function bigFolder(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  bigFolders.push(dir);
  return dir;
}

function runtimeForTests(): string {
  try {
    nodeRuntime(bundleArch(), process.versions.node);
    return process.versions.node;
  } catch {
    return BUNDLED_NODE_VERSION;
  }
}

function vigil(args: string[], options: { cwd?: string; command?: string } = {}) {
  return spawnSync(options.command ?? './vigil', args, { cwd: options.cwd ?? unpacked, env: { PATH: nodelessPath, HOME: home, LANG: 'C.UTF-8' }, encoding: 'utf8', timeout: 60_000 });
}

beforeAll(async () => {
  const given = process.env.VIGIL_BUNDLE_TARBALL;
  if (given) {
    const deb = path.join(path.dirname(given), `vigil-agent_${pkg.version}_${bundleArch() === 'x64' ? 'amd64' : 'arm64'}.deb`);
    bundle = { tarball: path.resolve(given), deb: fs.existsSync(deb) ? deb : null, nodeVersion: BUNDLED_NODE_VERSION };
  } else {
    // dist/ (tsc) comes from the global setup; the chart page the agent serves is esbuild's.
    await buildRenderer();
    bundle = await buildBundle({ build: false, nodeVersion: runtimeForTests(), outDir: bigFolder('vigil-bundle-out-'), deb: hasDpkgDeb, fastCompression: true });
  }
  const target = bigFolder('vigil-bundle-run-');
  execFileSync('tar', ['-xzf', bundle.tarball, '-C', target]);
  unpacked = path.join(target, path.basename(bundle.tarball, '.tar.gz'));
  home = tempDir('vigil-bundle-home-');
  nodelessPath = tempDir('vigil-bundle-path-');
  for (const tool of ['readlink', 'dirname']) {
    const found = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    fs.symlinkSync(found, path.join(nodelessPath, tool));
  }
}, 600_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of bigFolders) fs.rmSync(dir, { recursive: true, force: true });
}, 180_000);

describe('server bundle (npm run bundle)', () => {
  it('one folder vigil-VERSION-linux-ARCH: launcher, Node runtime, CLI, production dependencies only', () => {
    expect(path.basename(bundle.tarball)).toBe(`vigil-${pkg.version}-linux-${bundleArch()}.tar.gz`);
    const listing = execFileSync('tar', ['-tzf', bundle.tarball], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim().split('\n');
    const top = new Set(listing.map((entry) => entry.split('/')[0]));
    expect([...top]).toEqual([path.basename(unpacked)]);
    for (const file of ['vigil', 'node/bin/node', 'bin/vigil.js', 'dist/agent/main.js', 'dist/hub/hub.js', 'dist/renderer/index.html', 'dist/renderer/app.js', 'node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/commander/package.json', 'package.json']) {
      expect(fs.existsSync(path.join(unpacked, file)), file).toBe(true);
    }
    expect(fs.statSync(path.join(unpacked, 'vigil')).mode & 0o111).not.toBe(0);
    // Not the Electron shell, not development tools, not source maps, not better-sqlite3's C sources.
    for (const absent of ['dist/main', 'dist/preload', 'node_modules/electron', 'node_modules/vitest', 'node_modules/typescript', 'node_modules/better-sqlite3/deps', 'src']) {
      expect(fs.existsSync(path.join(unpacked, absent)), absent).toBe(false);
    }
    expect(listing.some((entry) => entry.endsWith('.map'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8'))).toMatchObject({ version: pkg.version, type: 'module' });
  });

  it('runs with no node on the PATH: the bundled runtime, with the agent V8 flags', () => {
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: nodelessPath } }).status).not.toBe(0);
    const version = vigil(['--version']);
    expect([version.status, version.stderr]).toEqual([0, '']);
    expect(version.stdout.trim()).toContain(pkg.version);
    expect(fs.readFileSync(path.join(unpacked, 'vigil'), 'utf8')).toContain(`"$here/node/bin/node" ${AGENT_V8_FLAGS.join(' ')} "$here/bin/vigil.js"`);
    const runtime = spawnSync(path.join(unpacked, 'node/bin/node'), ['-p', 'process.versions.node'], { encoding: 'utf8' });
    expect(runtime.stdout.trim()).toBe(bundle.nodeVersion);
  });

  it('./vigil sample --count 2 --json: two samples from the bundled runtime, one JSON line each', () => {
    const sample = vigil(['sample', '--count', '2', '--json']);
    expect([sample.status, sample.stderr]).toEqual([0, '']);
    const lines = sample.stdout.trim().split('\n').map((line) => JSON.parse(line) as { ts: number; cpu: { total: number }; memory: { total: number } });
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.memory.total).toBeGreaterThan(0);
    expect(lines[1]!.ts).toBeGreaterThan(lines[0]!.ts);
  });

  it('./vigil agent samples for a few seconds (better-sqlite3 loads in the bundled runtime), then stops on SIGTERM', async () => {
    const dataDir = path.join(home, 'agent data');
    const agent = spawn('./vigil', ['agent', '--data-dir', dataDir, '--log-level', 'warn'], { cwd: unpacked, env: { PATH: nodelessPath, HOME: home, LANG: 'C.UTF-8' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(agent);
    let stderr = '';
    agent.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => agent.once('exit', (code) => resolve(code)));
    const status = () => JSON.parse(vigil(['status', '--json', '--data-dir', dataDir]).stdout || 'null') as { agent: { running: boolean; pid?: number }; storage: { firstSample: number | null; lastSample: number | null } } | null;
    await waitFor(() => {
      if (agent.exitCode !== null) throw new Error(`the agent exited (${agent.exitCode}): ${stderr}`);
      const now = status();
      return Boolean(now?.agent.running && now.storage.firstSample !== null && now.storage.lastSample! > now.storage.firstSample);
    }, 'two samples recorded by the bundled agent', 60_000);
    expect(status()!.agent.pid).toBe(agent.pid);
    agent.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(status()!.agent.running).toBe(false);
  }, 90_000);
  it('through a symbolic link too (as /usr/bin/vigil), with arguments passed as given', () => {
    const links = tempDir('vigil-bundle-links-');
    fs.symlinkSync(path.join(unpacked, 'vigil'), path.join(links, 'vigil'));
    // The agent's data folder (the test above), whose name has spaces.
    const dataDir = path.join(home, 'agent data');
    const status = vigil(['status', '--json', '--data-dir', dataDir], { cwd: links, command: path.join(links, 'vigil') });
    expect(status.status, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ dataDir, agent: { running: false } });
  });
});

describe.runIf(hasDpkgDeb)('vigil-agent deb', () => {
  let root: string;
  beforeAll(() => {
    expect(bundle.deb, 'the deb beside the tarball').not.toBeNull();
    root = bigFolder('vigil-deb-root-');
    execFileSync('dpkg-deb', ['-x', bundle.deb!, root]);
    execFileSync('dpkg-deb', ['-e', bundle.deb!, path.join(root, 'DEBIAN')]);
  });

  it('control: vigil-agent for this CPU, at this version', () => {
    const field = (name: string) => execFileSync('dpkg-deb', ['-f', bundle.deb!, name], { encoding: 'utf8' }).trim();
    expect(field('Package')).toBe('vigil-agent');
    expect(field('Version')).toBe(pkg.version);
    expect(field('Architecture')).toBe(bundleArch() === 'x64' ? 'amd64' : 'arm64');
    expect(field('Depends')).toContain('libc6');
  });

  it(`${DEB_PREFIX} holds the bundle; /usr/bin/vigil points to it through update-alternatives`, () => {
    for (const file of ['vigil', 'node/bin/node', 'bin/vigil.js', 'dist/agent/main.js']) expect(fs.existsSync(path.join(root, DEB_PREFIX, file)), file).toBe(true);
    const postinst = fs.readFileSync(path.join(root, 'DEBIAN/postinst'), 'utf8');
    expect(postinst).toContain(`update-alternatives --install /usr/bin/vigil vigil ${DEB_PREFIX}/vigil 50`);
    expect(fs.readFileSync(path.join(root, 'DEBIAN/prerm'), 'utf8')).toContain(`update-alternatives --remove vigil ${DEB_PREFIX}/vigil`);
    for (const script of ['postinst', 'prerm', 'postrm']) {
      expect(fs.statSync(path.join(root, 'DEBIAN', script)).mode & 0o111, script).not.toBe(0);
      expect(spawnSync('sh', ['-n', path.join(root, 'DEBIAN', script)]).status, script).toBe(0);
    }
  });

  it('the systemd unit is the one `vigil service install --system` writes, installed and started the same way', () => {
    const plan = debServicePlan(pkg.version);
    const unit = fs.readFileSync(path.join(root, 'usr/lib/systemd/system', plan.name), 'utf8');
    expect(unit.endsWith(plan.content)).toBe(true);
    expect(unit).toContain(`ExecStart=${DEB_PREFIX}/node/bin/node ${AGENT_V8_FLAGS.join(' ')} ${DEB_PREFIX}/bin/vigil.js agent --data-dir /var/lib/vigil\n`);
    for (const line of ['DynamicUser=yes', 'StateDirectory=vigil', 'WantedBy=multi-user.target']) expect(unit).toContain(`${line}\n`);
    const postinst = fs.readFileSync(path.join(root, 'DEBIAN/postinst'), 'utf8');
    for (const step of plan.install) expect(postinst).toContain(step.argv.join(' '));
    expect(postinst).toContain('systemctl enable vigil-agent.service');
    expect(fs.readFileSync(path.join(root, 'DEBIAN/prerm'), 'utf8')).toContain('systemctl disable --now vigil-agent.service');
  });
});
