// electron-builder.yml, checked here because installers cannot be built on this machine (no
// Electron binary, no internet for AppImage/deb/NSIS tools): the config is validated against
// electron-builder's own schema, its choices are asserted, and the built app is packaged for real
// around a stand-in Electron binary and the resulting app.asar inspected.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trayIcon, TRAY_STATUSES } from '../../src/main/tray/icons.js';
import { tempDir } from '../helpers/tmp.js';
import { ensureBuiltApp } from './helpers/built-app.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

interface BuilderConfig {
  appId: string;
  productName: string;
  files: (string | { filter: string[] })[];
  asarUnpack: string[];
  npmRebuild: boolean;
  directories: { buildResources: string };
  mac: { target: string[]; icon: string; extendInfo: Record<string, unknown> };
  win: { target: string[]; icon: string };
  nsis: Record<string, unknown>;
  linux: { target: string[]; icon: string; executableName: string };
  deb: { depends: string[] };
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

describe('electron-builder.yml', () => {
  // CPU-bound (electron-builder loads its schema and validator): slow on a loaded machine.
  it('is valid for electron-builder (its own schema), which refuses a misspelled option', { timeout: 120_000 }, async () => {
    const { config, validate } = await loadConfig();
    await expect(validate(config)).resolves.toBeUndefined();
    await expect(validate({ ...config, nsis: { ...config.nsis, oneClik: true } })).rejects.toThrow(/configuration\.nsis/);
  });

  it('names the app as the shell does, and builds NSIS, dmg, AppImage and deb', async () => {
    const { config } = await loadConfig();
    expect(config.appId).toBe('app.vigil.monitor'); // = APP_USER_MODEL_ID (Windows notifications)
    expect(config.productName).toBe('Vigil');
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.executableName).toBe('vigil'); // the autostart entry's Icon=vigil
  });

  it('macOS: a menu bar app without a Dock icon; Linux: the tray needs AppIndicator', async () => {
    const { config } = await loadConfig();
    expect(config.mac.extendInfo.LSUIElement).toBe(true);
    expect(config.deb.depends).toContain('libayatana-appindicator3-1 | libappindicator3-1');
    // Setting depends replaces electron-builder's defaults: they must all still be there.
    for (const dependency of ['libgtk-3-0', 'libnotify4', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0', 'libuuid1', 'libsecret-1-0']) {
      expect(config.deb.depends).toContain(dependency);
    }
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

  it('packaged around a stand-in Electron: app.asar holds the app, better-sqlite3 sits beside it', async () => {
    await ensureBuiltApp();
    // Everything electron-builder does for `--linux dir` except downloading Electron and
    // rebuilding natives (no internet here): file selection, asar, unpacking.
    const electronDist = tempDir('vigil-electron-dist-');
    fs.writeFileSync(path.join(electronDist, 'electron'), '#!/bin/sh\n', { mode: 0o755 });
    const out = tempDir('vigil-package-');
    execFileSync(
      process.execPath,
      [require.resolve('electron-builder/cli.js'), '--linux', 'dir', `-c.electronDist=${electronDist}`, '-c.npmRebuild=false', `-c.directories.output=${out}`, '--publish', 'never'],
      { cwd: root, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, stdio: 'pipe', timeout: 120_000 },
    );
    const resources = path.join(out, 'linux-unpacked', 'resources');
    const asar = require('@electron/asar') as { listPackage(archive: string, options: object): string[]; extractFile(archive: string, file: string): Buffer };
    const archive = path.join(resources, 'app.asar');
    const files = new Set(asar.listPackage(archive, {}).map((file) => file.replaceAll('\\', '/')));
    const main = (JSON.parse(asar.extractFile(archive, 'package.json').toString()) as { main: string }).main;
    for (const file of [`/${main}`, '/dist/preload/preload.cjs', '/dist/renderer/index.html', '/dist/renderer/app.js', '/dist/renderer/settings/index.html', '/dist/renderer/settings/export.html', '/dist/core/runtime.js', '/node_modules/electron-store/index.js']) {
      expect(files.has(file), file).toBe(true);
    }
    for (const status of TRAY_STATUSES) for (const platform of ['darwin', 'win32', 'linux'] as const) expect(files.has(`/assets/tray/${trayIcon(platform, status).file}`)).toBe(true);
    expect([...files].some((file) => file.startsWith('/node_modules/@napi-rs'))).toBe(false);
    expect([...files].some((file) => file.endsWith('.map'))).toBe(false);
    expect([...files].some((file) => file.startsWith('/src/') || file.startsWith('/tests/'))).toBe(false);
    expect(fs.existsSync(path.join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
    // koffi itself (JavaScript) stays in the archive; its platform package's binary sits beside it.
    expect(files.has('/node_modules/koffi/package.json')).toBe(true);
    expect(fs.existsSync(path.join(resources, 'app.asar.unpacked', 'node_modules', '@koromix', `koffi-${process.platform}-${process.arch}`, 'package.json'))).toBe(true);
  }, 300_000);
});
