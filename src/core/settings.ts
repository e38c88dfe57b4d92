// Settings persistence. The agent reads and writes <data-dir>/config.json through `conf`; the
// tray app uses electron-store (conf underneath) with the same schema, so either can open the
// other's file. Both sit behind SettingsStore so the engine never knows which one it has.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Schema } from 'conf';
import { VigilError, type ErrorCode } from '../shared/errors.js';
import { defaultSettings, mergeSettings, settingsSections, type Settings, type SettingsPatch } from '../shared/settings.js';
import { describeUnknownKeys, unknownSettingsKeys, type UnknownSettingsKey } from '../shared/settings-unknown-keys.js';

export interface SettingsStore {
  /** The file behind the store. */
  readonly path: string;
  /** The current settings, complete (defaults filled in). */
  get(): Settings;
  /** Validates and persists a change; throws VigilError('invalid_settings') and changes nothing when invalid. */
  update(patch: SettingsPatch): Settings;
  /** Sections in the file the schema does not know (ignored: a newer Vigil may have written them). */
  unknownKeys(): UnknownSettingsKey[];
}

/**
 * The conf options that make a store hold Vigil's settings: the shared schema, validated on every
 * read and write. The agent passes them to conf, the tray app to electron-store (a conf), so both
 * read and write the same file the same way.
 */
export function settingsConfOptions() {
  return {
    // The shared schema is a readonly `as const` literal; conf's type wants mutable JSON Schema.
    schema: settingsSections as unknown as Schema<Record<string, unknown>>,
    clearInvalidConfig: false,
    // Settings change through this process (or SIGHUP); conf's file watcher is not needed.
    watch: false,
  };
}

/** What a SettingsStore needs of an open conf (or electron-store) instance. */
export interface ConfLike {
  readonly path: string;
  store: Record<string, unknown>;
}

/** Opens (creating if needed) a settings file through conf; validates it against the shared schema. */
export async function openSettingsFile(file: string): Promise<SettingsStore> {
  // conf (with ajv) costs ~5 MB of resident memory: load it only when settings are needed.
  const { default: Conf } = await import('conf');
  const extension = path.extname(file);
  return settingsStoreOver(file, () =>
    new Conf<Record<string, unknown>>({
      ...settingsConfOptions(),
      cwd: path.dirname(path.resolve(file)),
      configName: path.basename(file, extension),
      fileExtension: extension.replace(/^\./, ''),
    }),
  );
}

/**
 * A SettingsStore over a conf-like store that `open` creates (conf, or electron-store in the
 * tray app); errors from opening or writing become VigilErrors naming the file and the field.
 */
export function settingsStoreOver(file: string, open: () => ConfLike): SettingsStore {
  let conf: ConfLike;
  try {
    conf = open();
  } catch (error) {
    throw settingsError(file, error);
  }
  return {
    path: conf.path,
    get: () => completeSettings(conf.store),
    unknownKeys: () => unknownSettingsKeys(conf.store),
    update(patch) {
      const next = mergeSettings(completeSettings(conf.store), patch);
      try {
        // conf validates the whole store before writing; on failure nothing is written.
        conf.store = { ...conf.store, ...next };
      } catch (error) {
        throw settingsError(file, error);
      }
      return completeSettings(conf.store);
    },
  };
}

function completeSettings(store: Record<string, unknown>): Settings {
  return mergeSettings(defaultSettings(), store as SettingsPatch);
}

function settingsError(file: string, error: unknown): VigilError {
  if (error instanceof VigilError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof SyntaxError) {
    return new VigilError('invalid_settings', `Settings file ${file} is not valid JSON: ${jsonErrorSummary(file, message)}`, { cause: error });
  }
  if (message.startsWith('Config schema violation:')) {
    // ajv's "`sampling` must NOT have additional properties" does not say which: name them.
    const unknown = unknownKeysInFile(file);
    if (/must NOT have additional properties/.test(message) && unknown.length > 0) {
      return new VigilError('invalid_settings', `Settings file ${file} is invalid: ${describeUnknownKeys(unknown)}`, { cause: error });
    }
    return new VigilError('invalid_settings', `Settings file ${file} is invalid: ${message.slice('Config schema violation:'.length).trim()}`, { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new VigilError('data_dir_unwritable', `Cannot write settings file ${file}: ${code}`, { cause: error });
  }
  return new VigilError('io_error', `Cannot read settings file ${file}: ${message}`, { cause: error });
}

function unknownKeysInFile(file: string): UnknownSettingsKey[] {
  try {
    return unknownSettingsKeys(JSON.parse(fs.readFileSync(path.resolve(file), 'utf8'))).filter(({ key }) => key.includes('.'));
  } catch {
    return [];
  }
}

/** The one-line warning about unknown sections of a settings file, or null when it has none. */
export function unknownKeysWarning(file: string, keys: readonly UnknownSettingsKey[]): string | null {
  return keys.length === 0 ? null : `settings file ${file}: ${describeUnknownKeys(keys)} ignored`;
}

/**
 * V8's JSON.parse message, on one line and without the file's text, which V8 quotes for some
 * errors ("Unexpected token '}', \"{…}\" is not valid JSON": a secret may be in there, and it
 * spans lines), with where it went wrong as line and column.
 */
function jsonErrorSummary(file: string, message: string): string {
  const reason = message.replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '').replace(/ at position \d+.*$/s, '').replace(/ in JSON$/, '').replace(/\s+/g, ' ');
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(file), 'utf8');
  } catch {
    return reason;
  }
  const position = jsonErrorPosition(text, message);
  const before = text.slice(0, position).split('\n');
  return `${reason} at line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

/** Where JSON.parse failed (the character index). */
function jsonErrorPosition(text: string, message: string): number {
  const given = / at position (\d+)/.exec(message);
  if (given) return Number(given[1]);
  if (!/^Unexpected token/.test(message)) return text.length;
  // V8 names the unexpected token but not where it is. Every prefix that ends before it fails
  // only at its own end (or parses), every longer one fails at it: search for the shortest of those.
  const failsInside = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      const failure = (error as Error).message;
      const at = / at position (\d+)/.exec(failure);
      return at ? Number(at[1]) < length : /^Unexpected token/.test(failure);
    }
  };
  let low = 1;
  let high = text.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (failsInside(middle)) high = middle;
    else low = middle + 1;
  }
  return low - 1;
}

/**
 * Reads a settings file through conf in a short-lived child process and returns the validated,
 * complete settings. For the long-running agent: conf and its ajv validator stay resident once
 * imported (~4 MB, measured), which the agent's 50 MB budget cannot spare for something read at
 * start and on SIGHUP. The child costs ~60 ms of CPU once.
 */
export interface IsolatedSettings {
  path: string;
  settings: Settings;
  /** One line naming the file's unknown sections (ignored), or null: for the log or stderr. */
  warning: string | null;
  /** The file did not exist and was created with the defaults. */
  created: boolean;
}

export interface ReadSettingsOptions {
  /**
   * A file that does not exist: 'create' it with the defaults (the data folder's own
   * config.json, or when the user asked for a new file), or 'refuse' (a path the user gave,
   * which is more likely a typo than a wish for a new file). `hint` ends the refusal.
   */
  missing?: 'create' | 'refuse';
  hint?: string;
}

export async function readSettingsIsolated(file: string, options: ReadSettingsOptions = {}): Promise<IsolatedSettings> {
  const existed = fs.existsSync(file);
  if (!existed && options.missing === 'refuse') {
    throw new VigilError('invalid_settings', `Settings file ${file} does not exist: check the path${options.hint ?? ''}`);
  }
  const reader = fileURLToPath(new URL(`./settings-reader${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));
  // Under the test runner this module is TypeScript: run the reader through tsx as well.
  const loader = reader.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [...loader, reader, file], { timeout: 30_000, maxBuffer: 1 << 20 }, (error, out, err) => {
      if (error && !out) reject(new VigilError('io_error', `Could not read settings ${file}: ${err.trim() || error.message}`, { cause: error }));
      else resolve(out);
    });
  });
  const lastLine = stdout.trim().split('\n').pop() ?? '';
  let reply: { ok: true; path: string; settings: Settings; unknownKeys: UnknownSettingsKey[] } | { ok: false; code: ErrorCode; message: string };
  try {
    reply = JSON.parse(lastLine) as typeof reply;
  } catch {
    throw new VigilError('io_error', `Could not read settings ${file}: unexpected reader output`);
  }
  if (!reply.ok) throw new VigilError(reply.code, reply.message);
  return { path: reply.path, settings: reply.settings, warning: unknownKeysWarning(reply.path, reply.unknownKeys), created: !existed };
}
