// Which data folder the app uses, and moving to another one from the settings window.
//
// The data folder holds config.json itself, so the choice cannot be a setting in it: it is kept in
// the per-user default folder, in data-folder.json ({ "dataDir": "/abs/path" }), which the app
// reads at start. That default folder stays Electron's userData whatever is chosen: Electron's
// single-instance lock and Chromium's own files live there, and must not move with the data.
// $VIGIL_DATA_DIR, when set, wins: the folder is then the one it names, and the window cannot
// change it (the variable would take it back at the next start anyway).
//
// What a move does, and does not:
// - the history (vigil.db, the daily CSV files, logs, alerts.db, sync-state.json) STAYS in the old
//   folder, untouched: nothing is moved or deleted (the CLI reads it there with --data-dir);
// - a folder that already holds Vigil data is used as it is, with its own settings and history;
// - an empty folder starts with an empty history and what makes this machine itself: config.json,
//   machine-id (the hub and peers see the same machine) and the token, password and CA files the
//   settings name inside the old folder (copied 0600, never overwritten);
// - any other folder with files in it is refused (config.json there may be another program's).
// A headless agent started without --data-dir keeps using the default folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { APP_NAME, dataPaths, defaultDataDir } from '../core/paths.js';
import { writePrivateFile } from '../core/private-file.js';
import { influxTokenPath } from '../core/sync/influx-target.js';
import { syncTokenPath } from '../core/sync/token.js';
import type { DataFolderView } from '../shared/app-ipc.js';
import { VigilError } from '../shared/errors.js';
import type { Settings } from '../shared/settings.js';

export const DATA_FOLDER_FILE = 'data-folder.json';

export interface DataFolderLocation {
  /** The folder in use. */
  dataDir: string;
  /** Electron's userData, where the choice is kept: $VIGIL_DATA_DIR, else the per-user default. */
  homeDir: string;
  /** The per-user default folder. */
  defaultDir: string;
  source: DataFolderView['source'];
  /** Why a saved choice is not in use, else null. */
  problem: string | null;
}

/**
 * Chromium's profile for the app's windows (Electron's sessionData, which defaults to userData, the
 * data folder): the per-user cache folder instead, which backups skip and which never roams.
 */
export function sessionDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home = os.homedir()): string {
  switch (platform) {
    case 'win32':
      return path.win32.join(env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local'), APP_NAME, 'Session');
    case 'darwin':
      return path.posix.join(home, 'Library', 'Caches', APP_NAME);
    default:
      return path.posix.join(env.XDG_CACHE_HOME || path.posix.join(home, '.cache'), APP_NAME);
  }
}

export function locateDataFolder(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home?: string): DataFolderLocation {
  const defaultDir = defaultDataDir({ ...env, VIGIL_DATA_DIR: undefined }, platform, home);
  if (env.VIGIL_DATA_DIR) {
    const dir = defaultDataDir(env, platform, home);
    return { dataDir: dir, homeDir: dir, defaultDir, source: 'env', problem: null };
  }
  const fallback = (problem: string | null): DataFolderLocation => ({ dataDir: defaultDir, homeDir: defaultDir, defaultDir, source: 'default', problem });
  const file = path.join(defaultDir, DATA_FOLDER_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return fallback((error as NodeJS.ErrnoException).code === 'ENOENT' ? null : `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; using the default folder`);
  }
  let chosen: unknown;
  try {
    chosen = (JSON.parse(text) as { dataDir?: unknown }).dataDir;
  } catch {
    chosen = undefined;
  }
  if (typeof chosen !== 'string' || !path.isAbsolute(chosen)) return fallback(`${file} does not name a folder; using the default one`);
  try {
    if (!fs.statSync(chosen).isDirectory()) return fallback(`The chosen data folder ${chosen} is not a folder; using the default one`);
  } catch (error) {
    // An unplugged disk, say: keep monitoring, in the default folder, and say so in the window.
    return fallback(`The chosen data folder ${chosen} is not there (${(error as NodeJS.ErrnoException).code ?? String(error)}); using the default one until it is back`);
  }
  return { dataDir: path.resolve(chosen), homeDir: defaultDir, defaultDir, source: 'chosen', problem: null };
}

/** Keeps the choice for the next starts (null: back to the default folder). */
export function saveDataFolderChoice(homeDir: string, dir: string | null): void {
  const file = path.join(homeDir, DATA_FOLDER_FILE);
  try {
    if (dir === null) {
      fs.rmSync(file, { force: true });
      return;
    }
    fs.mkdirSync(homeDir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify({ dataDir: dir }, null, 2)}\n`);
    fs.renameSync(temporary, file);
  } catch (error) {
    throw new VigilError('data_dir_unwritable', `Cannot save the data folder choice in ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
}

/** Files that say a folder is a Vigil data folder. */
const VIGIL_MARKERS = ['config.json', 'vigil.db', 'machine-id'];
/** What file managers leave in an otherwise empty folder. */
const IGNORABLE = /^(\..*|desktop\.ini|Thumbs\.db)$/i;

export interface CheckedFolder {
  dir: string;
  /** It holds Vigil data already (used as it is); otherwise it is empty. */
  holdsData: boolean;
  /** What was in it when checked (only file-manager leftovers, for an empty one). */
  entries: string[];
}

/** A folder the app may move to from `current`; a clear VigilError otherwise. */
export function checkDataFolder(dir: string, current: string): CheckedFolder {
  if (!path.isAbsolute(dir)) throw new VigilError('invalid_argument', `Not an absolute path: ${dir}`);
  const resolved = path.resolve(dir);
  let entries: string[];
  try {
    if (!fs.statSync(resolved).isDirectory()) throw new VigilError('invalid_argument', `${resolved} is not a folder`);
    entries = fs.readdirSync(resolved);
  } catch (error) {
    if (error instanceof VigilError) throw error;
    throw new VigilError('invalid_argument', `Cannot use ${resolved}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  const inside = path.relative(current, resolved);
  if (inside !== '' && !inside.startsWith('..') && !path.isAbsolute(inside)) {
    throw new VigilError('invalid_argument', `${resolved} is inside the data folder in use: choose a folder outside it`);
  }
  const holdsData = entries.some((entry) => VIGIL_MARKERS.includes(entry));
  if (!holdsData && entries.some((entry) => !IGNORABLE.test(entry))) {
    throw new VigilError('invalid_argument', `${resolved} holds other files: choose an empty folder, or one that already holds Vigil data`);
  }
  const probe = path.join(resolved, `.vigil-write-check-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe, { force: true });
  } catch (error) {
    throw new VigilError('data_dir_unwritable', `Cannot write in ${resolved}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  return { dir: resolved, holdsData, entries };
}

/** Copies what makes this machine itself from `from` into the empty folder `to` (see the header). */
export function carryOver(from: string, to: string, settings: Settings): void {
  const secrets = [
    syncTokenPath(from, settings.sync.tokenFile),
    influxTokenPath(from, settings.influx.tokenFile),
    ...[settings.smtp.passwordFile].filter(Boolean).map((file) => path.resolve(from, file)),
  ];
  const others = [dataPaths(from).settings, path.join(from, 'machine-id'), ...[settings.sync.caFile, settings.influx.caFile, settings.smtp.caFile].filter(Boolean).map((file) => path.resolve(from, file))];
  const created: string[] = [];
  try {
    for (const source of [...others, ...secrets]) {
      const relative = path.relative(from, source);
      // Files the settings name outside the old folder are still where they were: nothing to copy.
      if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative) || !fs.existsSync(source)) continue;
      const target = path.join(to, relative);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (fs.existsSync(target)) throw Object.assign(new Error(`${target} exists`), { code: 'EEXIST' });
      // A secret is written private from the start (an ACL of its own on Windows), not copied
      // with whatever the new folder would let it inherit.
      if (secrets.includes(source)) writePrivateFile(target, fs.readFileSync(source, 'utf8'));
      else fs.copyFileSync(source, target, fs.constants.COPYFILE_EXCL);
      created.push(target);
    }
  } catch (error) {
    for (const file of created) fs.rmSync(file, { force: true });
    throw new VigilError('io_error', `Cannot copy the settings into ${to}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
}

/**
 * A move into an empty folder that did not happen leaves it empty again: what the copy and the
 * attempted start created there goes (only what was not there when it was checked).
 */
export function emptyAgain(checked: CheckedFolder): void {
  if (checked.holdsData) return;
  for (const entry of fs.readdirSync(checked.dir)) {
    if (!checked.entries.includes(entry)) fs.rmSync(path.join(checked.dir, entry), { recursive: true, force: true });
  }
}
