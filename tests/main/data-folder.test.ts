// data-folder.ts on real folders: where the app finds its data folder at start, which folders it
// may move to, and what it copies into an empty one. tests/main/app.test.ts moves a running app.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_FOLDER_FILE, carryOver, checkDataFolder, emptyAgain, locateDataFolder, saveDataFolderChoice } from '../../src/main/data-folder.js';
import { VigilError } from '../../src/shared/errors.js';
import { defaultSettings, mergeSettings } from '../../src/shared/settings.js';
import { tempDir } from '../helpers/tmp.js';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    return (error as VigilError).message;
  }
  throw new Error('expected a refusal');
}

describe('data folder: where it is at start', () => {
  it('the per-user default, or the folder chosen there; $VIGIL_DATA_DIR wins over both', () => {
    const home = tempDir('vigil-home-');
    const env = { XDG_CONFIG_HOME: path.join(home, '.config') };
    const defaultDir = path.join(home, '.config', 'Vigil');
    expect(locateDataFolder(env, 'linux', home)).toEqual({ dataDir: defaultDir, homeDir: defaultDir, defaultDir, source: 'default', problem: null });

    const chosen = tempDir('vigil-chosen-');
    saveDataFolderChoice(defaultDir, chosen);
    expect(JSON.parse(fs.readFileSync(path.join(defaultDir, DATA_FOLDER_FILE), 'utf8'))).toEqual({ dataDir: chosen });
    // userData (homeDir) stays the default folder: the single-instance lock must not move.
    expect(locateDataFolder(env, 'linux', home)).toEqual({ dataDir: chosen, homeDir: defaultDir, defaultDir, source: 'chosen', problem: null });

    const fromEnv = tempDir('vigil-env-');
    expect(locateDataFolder({ ...env, VIGIL_DATA_DIR: fromEnv }, 'linux', home)).toEqual({ dataDir: fromEnv, homeDir: fromEnv, defaultDir, source: 'env', problem: null });

    saveDataFolderChoice(defaultDir, null);
    expect(fs.existsSync(path.join(defaultDir, DATA_FOLDER_FILE))).toBe(false);
    expect(locateDataFolder(env, 'linux', home).source).toBe('default');
  });

  it('a chosen folder that is gone (an unplugged disk) or a damaged choice: the default folder, and why', () => {
    const home = tempDir('vigil-home-');
    const env = { XDG_CONFIG_HOME: path.join(home, '.config') };
    const defaultDir = path.join(home, '.config', 'Vigil');
    const gone = path.join(home, 'unplugged', 'Vigil');
    saveDataFolderChoice(defaultDir, gone);
    const located = locateDataFolder(env, 'linux', home);
    expect(located).toMatchObject({ dataDir: defaultDir, source: 'default' });
    expect(located.problem).toBe(`The chosen data folder ${gone} is not there (ENOENT); using the default one until it is back`);
    fs.writeFileSync(path.join(defaultDir, DATA_FOLDER_FILE), '{ "dataDir": "relative/path" }');
    expect(locateDataFolder(env, 'linux', home).problem).toMatch(/does not name a folder; using the default one$/);
    fs.writeFileSync(path.join(defaultDir, DATA_FOLDER_FILE), 'not json');
    expect(locateDataFolder(env, 'linux', home)).toMatchObject({ dataDir: defaultDir, problem: expect.stringMatching(/does not name a folder/) });
  });
});

describe('data folder: where it may move', () => {
  it('an empty folder (file-manager leftovers allowed), or one that holds Vigil data', () => {
    const current = tempDir('vigil-current-');
    const empty = tempDir('vigil-empty-');
    fs.writeFileSync(path.join(empty, '.DS_Store'), '');
    expect(checkDataFolder(empty, current)).toEqual({ dir: empty, holdsData: false, entries: ['.DS_Store'] });
    const vigil = tempDir('vigil-other-');
    fs.writeFileSync(path.join(vigil, 'vigil.db'), '');
    fs.writeFileSync(path.join(vigil, 'notes.txt'), '');
    expect(checkDataFolder(vigil, current).holdsData).toBe(true);
    // The probe file is gone again.
    expect(fs.readdirSync(empty)).toEqual(['.DS_Store']);
  });

  it('refuses, with the reason: other files, a missing folder, a file, a folder inside the one in use, a relative path', () => {
    const current = tempDir('vigil-current-');
    const busy = tempDir('vigil-busy-');
    fs.writeFileSync(path.join(busy, 'config.yaml'), '');
    expect(refusal(() => checkDataFolder(busy, current))).toBe(`${busy} holds other files: choose an empty folder, or one that already holds Vigil data`);
    expect(refusal(() => checkDataFolder(path.join(busy, 'nope'), current))).toBe(`Cannot use ${path.join(busy, 'nope')}: ENOENT`);
    expect(refusal(() => checkDataFolder(path.join(busy, 'config.yaml'), current))).toBe(`${path.join(busy, 'config.yaml')} is not a folder`);
    fs.mkdirSync(path.join(current, 'telemetry'));
    expect(refusal(() => checkDataFolder(path.join(current, 'telemetry'), current))).toBe(`${path.join(current, 'telemetry')} is inside the data folder in use: choose a folder outside it`);
    expect(refusal(() => checkDataFolder('relative/dir', current))).toBe('Not an absolute path: relative/dir');
  });

  it('refuses a folder it cannot write in', (ctx) => {
    if (process.platform === 'win32') return ctx.skip('no POSIX permissions on Windows');
    const current = tempDir('vigil-current-');
    const locked = tempDir('vigil-locked-');
    // Root writes through any mode bits, but not into a read-only file system.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=16k', 'tmpfs', locked], { stdio: 'pipe' });
      } catch (error) {
        return ctx.skip(`root, and cannot mount a read-only tmpfs here: ${String((error as Error).message).split('\n')[0]}`);
      }
    } else fs.chmodSync(locked, 0o500);
    try {
      expect(refusal(() => checkDataFolder(locked, current))).toBe(`Cannot write in ${locked}: ${asRoot ? 'EROFS' : 'EACCES'}`);
    } finally {
      if (asRoot) execFileSync('umount', [locked]);
      else fs.chmodSync(locked, 0o700);
    }
  });
});

describe('data folder: what an empty folder gets', () => {
  it('config.json, machine-id and the secret and CA files the settings name inside the old folder; not the history', () => {
    const from = tempDir('vigil-from-');
    const to = tempDir('vigil-to-');
    const settings = mergeSettings(defaultSettings(), { smtp: { passwordFile: 'smtp-password' }, sync: { caFile: 'ca/hub.pem' }, influx: { tokenFile: '/elsewhere/influx-token' } });
    for (const [file, text] of [
      ['config.json', '{}'],
      ['machine-id', '0b8e2b2e-6f7e-4e0e-9d0f-111111111111\n'],
      ['sync-token', 'token-0123456789\n'],
      ['smtp-password', 'pw\n'],
      ['ca/hub.pem', 'PEM\n'],
      ['vigil.db', 'history'],
      ['sync-state.json', '{}'],
    ] as const) {
      fs.mkdirSync(path.dirname(path.join(from, file)), { recursive: true });
      fs.writeFileSync(path.join(from, file), text, { mode: 0o644 });
    }
    carryOver(from, to, settings);
    expect(fs.readdirSync(to).sort()).toEqual(['ca', 'config.json', 'machine-id', 'smtp-password', 'sync-token']);
    expect(fs.readFileSync(path.join(to, 'sync-token'), 'utf8')).toBe('token-0123456789\n');
    expect(fs.readFileSync(path.join(to, 'ca', 'hub.pem'), 'utf8')).toBe('PEM\n');
    if (process.platform !== 'win32') {
      expect(fs.statSync(path.join(to, 'sync-token')).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.join(to, 'smtp-password')).mode & 0o777).toBe(0o600);
    }
    // The old folder is untouched.
    expect(fs.readFileSync(path.join(from, 'vigil.db'), 'utf8')).toBe('history');
    expect(fs.existsSync(path.join(from, 'sync-token'))).toBe(true);
  });

  it('a move that did not happen leaves the empty folder empty again (only what was there stays)', () => {
    const from = tempDir('vigil-from-');
    const to = tempDir('vigil-to-');
    fs.writeFileSync(path.join(to, '.DS_Store'), '');
    fs.writeFileSync(path.join(from, 'config.json'), '{}');
    const checked = checkDataFolder(to, from);
    carryOver(from, to, defaultSettings());
    fs.mkdirSync(path.join(to, 'telemetry'));
    fs.writeFileSync(path.join(to, 'vigil.db'), '');
    emptyAgain(checked);
    expect(fs.readdirSync(to)).toEqual(['.DS_Store']);
    // A folder that held Vigil data is never emptied.
    const vigil = tempDir('vigil-data-');
    fs.writeFileSync(path.join(vigil, 'vigil.db'), 'history');
    const held = checkDataFolder(vigil, from);
    fs.writeFileSync(path.join(vigil, 'new-file'), '');
    emptyAgain(held);
    expect(fs.readdirSync(vigil).sort()).toEqual(['new-file', 'vigil.db']);
  });
});
