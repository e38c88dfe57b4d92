// electron-builder.yml, checked here because installers cannot be built on this machine (no
// Electron binary, no internet for AppImage/deb/NSIS tools): the config is validated against
// electron-builder's own schema, its choices are asserted, and the built app is packaged for real
// around a stand-in Electron binary and the resulting app.asar inspected.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trayIcon, TRAY_STATUSES } from '../../src/main/tray/icons.js';
import { waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { ensureBuiltApp } from './helpers/built-app.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

interface ExtraResource {
  from: string;
  to: string;
}
interface BuilderConfig {
  appId: string;
  productName: string;
  files: (string | { filter: string[] })[];
  asarUnpack: string[];
  npmRebuild: boolean;
  afterPack: string;
  directories: { buildResources: string };
  mac: { target: { target: string; arch: string[] }[]; icon: string; extendInfo: Record<string, unknown>; identity?: unknown; hardenedRuntime: boolean; extraResources: ExtraResource[] };
  dmg: { artifactName: string };
  win: { target: string[]; icon: string; extraResources: ExtraResource[] };
  nsis: Record<string, unknown>;
  linux: { target: string[]; icon: string; executableName: string; extraResources: ExtraResource[] };
  deb: { depends: string[]; afterInstall: string; afterRemove: string; appArmorProfile?: string };
  appImage: { executableArgs: string[] };
  toolsets: { appimage: string };
}

async function loadConfig(): Promise<{ config: BuilderConfig; validate: (config: unknown) => Promise<void> }> {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<BuilderConfig>;
    validateConfiguration(config: unknown, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  const config = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
  return { config, validate: (candidate) => validateConfiguration(candidate, new DebugLogger(false)) };
}

// Loading and validating the config takes seconds (electron-builder's own modules and schema): more on a loaded machine.
describe('electron-builder.yml', { timeout: 120_000 }, () => {
  it('is valid for electron-builder (its own schema), which refuses a misspelled option', async () => {
    const { config, validate } = await loadConfig();
    await expect(validate(config)).resolves.toBeUndefined();
    await expect(validate({ ...config, nsis: { ...config.nsis, oneClik: true } })).rejects.toThrow(/configuration\.nsis/);
  });

  it('names the app as the shell does, and builds NSIS, dmg, AppImage and deb', async () => {
    const { config } = await loadConfig();
    expect(config.appId).toBe('app.vigil.monitor'); // = APP_USER_MODEL_ID (Windows notifications)
    expect(config.productName).toBe('Vigil');
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual([{ target: 'dmg', arch: ['arm64', 'x64'] }]);
    expect(config.dmg.artifactName).toContain('${arch}');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.executableName).toBe('vigil'); // the autostart entry's Icon=vigil
  });

  it('macOS: a menu bar app without a Dock icon, signed ad hoc unless a real identity is given', async () => {
    const { config } = await loadConfig();
    expect(config.mac.extendInfo.LSUIElement).toBe(true);
    // No identity in the file: CSC_LINK's certificate signs for real; without one, afterPack signs ad hoc.
    expect(config.mac.identity).toBeUndefined();
    const afterPack = require(path.join(root, config.afterPack)) as ((context: unknown) => Promise<void>) & { hasSigningIdentity(env: NodeJS.ProcessEnv): boolean };
    expect(afterPack.hasSigningIdentity({})).toBe(false);
    expect(afterPack.hasSigningIdentity({ CSC_LINK: 'base64…' })).toBe(true);
    expect(afterPack.hasSigningIdentity({ CSC_NAME: 'Jane Doe (TEAMID)' })).toBe(true);
    // Other platforms are left alone (no codesign there).
    await expect(afterPack({ electronPlatformName: 'linux', appOutDir: '/nonexistent' })).resolves.toBeUndefined();
  });

  it("Linux deb: Chromium's libraries, no AppIndicator, the sandbox helper and AppArmor profile from electron-builder", async () => {
    const { config } = await loadConfig();
    // Setting depends replaces electron-builder's defaults: they must all still be there.
    for (const dependency of ['libgtk-3-0', 'libnotify4', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0', 'libuuid1', 'libsecret-1-0', 'libgbm1', 'libasound2']) {
      expect(config.deb.depends).toContain(dependency);
    }
    expect(config.deb.depends.some((dependency) => dependency.includes('appindicator'))).toBe(false);
    // electron-builder's own AppArmor profile (userns for /opt/Vigil/vigil), and its after-install
    // steps for the sandbox and the profile kept word for word in ours.
    expect(config.deb.appArmorProfile).toBeUndefined();
    const templates = path.join(path.dirname(require.resolve('app-builder-lib/package.json')), 'templates', 'linux');
    expect(fs.readFileSync(path.join(templates, 'apparmor-profile.tpl'), 'utf8')).toMatch(/profile "\$\{executable\}" "\/opt\/\$\{sanitizedProductName\}\/\$\{executable\}" flags=\(unconfined\) \{\s+userns,/);
    const upstream = fs.readFileSync(path.join(templates, 'after-install.tpl'), 'utf8');
    const ours = fs.readFileSync(path.join(root, config.deb.afterInstall), 'utf8');
    const sandboxAndProfile = upstream.slice(upstream.indexOf('# Check if user namespaces'));
    expect(sandboxAndProfile).toContain("chmod 4755 '/opt/${sanitizedProductName}/chrome-sandbox'");
    expect(sandboxAndProfile).toContain('apparmor_parser --replace');
    expect(ours.endsWith(sandboxAndProfile)).toBe(true);
    const upstreamRemove = fs.readFileSync(path.join(templates, 'after-remove.tpl'), 'utf8');
    expect(fs.readFileSync(path.join(root, config.deb.afterRemove), 'utf8').endsWith(upstreamRemove.slice(upstreamRemove.indexOf('APPARMOR_PROFILE_DEST=')))).toBe(true);
  });

  it('Linux deb: /usr/bin/vigil is the vigil command (resources/bin/vigil), through update-alternatives', async () => {
    const { config } = await loadConfig();
    const script = fs.readFileSync(path.join(root, config.deb.afterInstall), 'utf8').replaceAll('${executable}', 'vigil').replaceAll('${sanitizedProductName}', 'Vigil');
    expect(script).toContain("CLI='/opt/Vigil/resources/bin/vigil'");
    expect(script).toContain(`update-alternatives --install '/usr/bin/vigil' 'vigil' "$CLI" 100`);
    expect(config.linux.extraResources).toContainEqual({ from: 'assets/cli/vigil-linux', to: 'bin/vigil' });
    const remove = fs.readFileSync(path.join(root, config.deb.afterRemove), 'utf8').replaceAll('${executable}', 'vigil').replaceAll('${sanitizedProductName}', 'Vigil');
    expect(remove).toContain("update-alternatives --remove 'vigil' '/opt/Vigil/resources/bin/vigil'");
    for (const file of [config.deb.afterInstall, config.deb.afterRemove]) expect(spawnSync('bash', ['-n', path.join(root, file)]).status, file).toBe(0);
  });

  it('AppImage: the static runtime (no libfuse2), no --no-sandbox forced in its desktop entry', async () => {
    const { config } = await loadConfig();
    expect(config.toolsets.appimage).toBe('1.0.3');
    expect(config.appImage.executableArgs).toEqual([]);
    // electron-builder's AppRun adds --no-sandbox only where an unprivileged user namespace cannot be made.
    const { generateAppRunScript } = require('app-builder-lib/out/targets/appimage/appImageUtil') as { generateAppRunScript(config: Record<string, string>): string };
    const appRun = generateAppRunScript({ DesktopFileName: 'vigil.desktop', ExecutableName: 'vigil', ProductName: 'Vigil', ProductFilename: 'Vigil', ResourceName: 'appimagekit-vigil' });
    expect(appRun).toContain('! unshare -Ur true 2>/dev/null');
    expect(appRun).toContain('NO_SANDBOX=(--no-sandbox)');
  });

  it('Windows: NSIS, per-user by default, with a page that offers the vigil command on the PATH', async () => {
    const { config } = await loadConfig();
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, selectPerMachineByDefault: false, include: 'assets/build/installer.nsh' });
    const include = fs.readFileSync(path.join(root, config.nsis.include as string), 'utf8');
    for (const macro of ['customInit', 'customPageAfterChangeDir', 'customInstall', 'customUnInstall']) expect(include).toMatch(new RegExp(`!macro ${macro}\\b`));
    expect(config.win.extraResources).toEqual([
      { from: 'assets/cli/vigil.cmd', to: 'bin/vigil.cmd' },
      { from: 'assets/cli/windows-path.cjs', to: 'bin/windows-path.cjs' },
    ]);
    expect(include).toContain('"$INSTDIR\\resources\\bin\\windows-path.cjs" ${ACTION} "$INSTDIR\\resources\\bin" $installMode');
    expect(include).toContain('ELECTRON_RUN_AS_NODE');
  });

  it('better-sqlite3 is unpacked from the asar and rebuilt for Electron', async () => {
    const { config } = await loadConfig();
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/**');
    expect(config.npmRebuild).toBe(true);
  });

  it("koffi's prebuilt binary (the Windows and macOS readers' FFI) is unpacked from the asar too", async () => {
    const { config } = await loadConfig();
    expect(config.asarUnpack).toContain('node_modules/@koromix/**');
  });

  it('packs what the app loads; the icons it names exist', async () => {
    const { config } = await loadConfig();
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string; productName: string };
    expect(pkg.main).toBe('dist/main/index.js');
    expect(pkg.productName).toBe('Vigil');
    const patterns = config.files.flatMap((entry) => (typeof entry === 'string' ? [entry] : entry.filter));
    for (const needed of ['package.json', 'dist/main/**', 'dist/core/**', 'dist/shared/**', 'dist/preload/**', 'dist/renderer/**', 'assets/tray/**']) expect(patterns).toContain(needed);
    const resources = path.join(root, config.directories.buildResources);
    for (const icon of [config.mac.icon, config.win.icon, config.linux.icon]) expect(fs.existsSync(path.join(resources, icon)), icon).toBe(true);
  });

});

describe('packaged around a stand-in Electron (electron-builder --linux dir)', () => {
  let resources: string;
  /** A PATH with the tools the launcher uses and no node: the stand-in runtime names its Node itself. */
  let nodelessPath: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await ensureBuiltApp();
    // Everything electron-builder does for `--linux dir` except downloading Electron and
    // rebuilding natives (no internet here): file selection, asar, unpacking, extraResources.
    // The stand-in for Electron's binary does what the `vigil` command asks of it: with
    // ELECTRON_RUN_AS_NODE=1 it is Node (this one); the app itself cannot start from it.
    const electronDist = tempDir('vigil-electron-dist-');
    fs.writeFileSync(
      path.join(electronDist, 'electron'),
      `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo 'stand-in Electron: only ELECTRON_RUN_AS_NODE works here' >&2; exit 97; }\nexec '${process.execPath}' "$@"\n`,
      { mode: 0o755 },
    );
    const out = tempDir('vigil-package-');
    execFileSync(
      process.execPath,
      [require.resolve('electron-builder/cli.js'), '--linux', 'dir', `-c.electronDist=${electronDist}`, '-c.npmRebuild=false', `-c.directories.output=${out}`, '--publish', 'never'],
      { cwd: root, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, stdio: 'pipe', timeout: 240_000 },
    );
    resources = path.join(out, 'linux-unpacked', 'resources');
    nodelessPath = tempDir('vigil-nodeless-path-');
    for (const tool of ['readlink', 'dirname']) fs.symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(nodelessPath, tool));
  }, 300_000);

  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('app.asar holds the app and the CLI, better-sqlite3 sits beside it', () => {
    const asar = require('@electron/asar') as { listPackage(archive: string, options: object): string[]; extractFile(archive: string, file: string): Buffer };
    const archive = path.join(resources, 'app.asar');
    const files = new Set(asar.listPackage(archive, {}).map((file) => file.replaceAll('\\', '/')));
    const main = (JSON.parse(asar.extractFile(archive, 'package.json').toString()) as { main: string }).main;
    for (const file of [`/${main}`, '/dist/preload/preload.cjs', '/dist/renderer/index.html', '/dist/renderer/app.js', '/dist/renderer/settings/index.html', '/dist/renderer/settings/export.html', '/dist/core/runtime.js', '/node_modules/electron-store/index.js', '/bin/vigil.js', '/dist/agent/main.js', '/dist/hub/hub.js', '/node_modules/commander/package.json', '/node_modules/@napi-rs/canvas/package.json']) {
      expect(files.has(file), file).toBe(true);
    }
    for (const status of TRAY_STATUSES) for (const platform of ['darwin', 'win32', 'linux'] as const) expect(files.has(`/assets/tray/${trayIcon(platform, status).file}`)).toBe(true);
    expect([...files].some((file) => file.endsWith('.map'))).toBe(false);
    expect([...files].some((file) => file.startsWith('/src/') || file.startsWith('/tests/'))).toBe(false);
    expect(fs.existsSync(path.join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
    // koffi itself (JavaScript) stays in the archive; its platform package's binary sits beside it.
    expect(files.has('/node_modules/koffi/package.json')).toBe(true);
    expect(fs.existsSync(path.join(resources, 'app.asar.unpacked', 'node_modules', '@koromix', `koffi-${process.platform}-${process.arch}`, 'package.json'))).toBe(true);
    expect(fs.statSync(path.join(resources, 'bin', 'vigil')).mode & 0o111).not.toBe(0);
  });

  it('resources/bin/vigil runs the CLI with the app runtime (ELECTRON_RUN_AS_NODE), also through a link as /usr/bin/vigil', () => {
    // Plain Node cannot read app.asar (Electron can): the stand-in gets the archive unpacked as
    // resources/app, the layout of an asar-less build, which the launcher accepts too.
    const asar = require('@electron/asar') as { extractAll(archive: string, dest: string): void };
    asar.extractAll(path.join(resources, 'app.asar'), path.join(resources, 'app'));
    fs.renameSync(path.join(resources, 'app.asar'), path.join(resources, 'app.asar.hidden'));
    const links = tempDir('vigil-usr-bin-');
    fs.symlinkSync(path.join(resources, 'bin', 'vigil'), path.join(links, 'vigil'));
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: nodelessPath } }).status).not.toBe(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    for (const command of [path.join(resources, 'bin', 'vigil'), path.join(links, 'vigil')]) {
      const version = spawnSync(command, ['--version'], { env: { PATH: nodelessPath, HOME: tempDir('vigil-home-') }, encoding: 'utf8', timeout: 60_000 });
      expect([version.status, version.stderr], command).toEqual([0, '']);
      expect(version.stdout).toContain(pkg.version);
    }
    // The app's binary without ELECTRON_RUN_AS_NODE is the app, not the CLI.
    expect(spawnSync(path.join(resources, '..', 'vigil'), ['--version'], { env: { PATH: nodelessPath } }).status).toBe(97);
  });

  it('the CLI in the app and the app share one data folder, and the lock keeps the second sampler out', async () => {
    const home = tempDir('vigil-shared-home-');
    const env = { PATH: nodelessPath, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
    const dataDir = path.join(home, '.config', 'Vigil');
    const agent = spawn(path.join(resources, 'bin', 'vigil'), ['agent', '--log-level', 'warn'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(agent);
    let stderr = '';
    agent.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = () => {
      const run = spawnSync(path.join(resources, 'bin', 'vigil'), ['status', '--json'], { env, encoding: 'utf8', timeout: 60_000 });
      return run.status === 0 ? (JSON.parse(run.stdout) as { dataDir: string; agent: { running: boolean } }) : null;
    };
    await waitFor(() => {
      if (agent.exitCode !== null) throw new Error(`the agent exited: ${stderr}`);
      return status()?.agent.running === true;
    }, 'the agent started through resources/bin/vigil', 60_000);
    expect(status()!.dataDir).toBe(dataDir);
    // The app (the built main entry on the fake Electron), started by the same user, picks the
    // same folder by default and is turned away with the reason.
    const app = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'tests/main/entry.script.ts'), root, tempDir('vigil-app-downloads-')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, VIGIL_DATA_DIR: '', HOME: home, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME, VIGIL_E2E_HOOK: '1' },
      timeout: 90_000,
    });
    expect(app.status).not.toBe(0);
    expect(app.stderr).toMatch(/already sampling this machine|already using/i);
    expect(app.stderr).toContain(dataDir);
    agent.kill('SIGTERM');
    await new Promise((resolve) => agent.once('exit', resolve));
  }, 180_000);
});
