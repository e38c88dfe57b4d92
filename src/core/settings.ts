// Settings persistence. The agent reads and writes <data-dir>/config.json through `conf`; the
// tray app uses electron-store (conf underneath) with the same schema, so either can open the
// other's file. Both sit behind SettingsStore so the engine never knows which one it has.
import path from 'node:path';
import type { Schema } from 'conf';
import { VigilError } from '../shared/errors.js';
import { defaultSettings, mergeSettings, settingsSections, type Settings, type SettingsPatch } from '../shared/settings.js';

export const SETTINGS_FILE_NAME = 'config.json';

export interface SettingsStore {
  /** The file behind the store. */
  readonly path: string;
  /** The current settings, complete (defaults filled in). */
  get(): Settings;
  /** Validates and persists a change; throws VigilError('invalid_settings') and changes nothing when invalid. */
  update(patch: SettingsPatch): Settings;
}

/** Opens (creating if needed) a settings file through conf; validates it against the shared schema. */
export async function openSettingsFile(file: string): Promise<SettingsStore> {
  // conf (with ajv) costs ~5 MB of resident memory: load it only when settings are needed.
  const { default: Conf } = await import('conf');
  const extension = path.extname(file);
  const createConf = () =>
    new Conf<Record<string, unknown>>({
      cwd: path.dirname(path.resolve(file)),
      configName: path.basename(file, extension),
      fileExtension: extension.replace(/^\./, ''),
      // The shared schema is a readonly `as const` literal; conf's type wants mutable JSON Schema.
      schema: settingsSections as unknown as Schema<Record<string, unknown>>,
      clearInvalidConfig: false,
      // Settings are read by a long-running process; conf's file watcher is not needed here.
      watch: false,
    });
  let conf: ReturnType<typeof createConf>;
  try {
    conf = createConf();
  } catch (error) {
    throw settingsError(file, error);
  }
  return {
    path: conf.path,
    get: () => completeSettings(conf.store),
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

/** An in-memory store: defaults plus overrides, never written (tests, `--no-config` style use). */
export function memorySettings(initial: SettingsPatch = {}): SettingsStore {
  let current = mergeSettings(defaultSettings(), initial);
  return {
    path: ':memory:',
    get: () => current,
    update(patch) {
      current = mergeSettings(current, patch);
      return current;
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
    return new VigilError('invalid_settings', `Settings file ${file} is not valid JSON: ${message}`, { cause: error });
  }
  if (message.startsWith('Config schema violation:')) {
    return new VigilError('invalid_settings', `Settings file ${file} is invalid: ${message.slice('Config schema violation:'.length).trim()}`, { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new VigilError('data_dir_unwritable', `Cannot write settings file ${file}: ${code}`, { cause: error });
  }
  return new VigilError('io_error', `Cannot read settings file ${file}: ${message}`, { cause: error });
}
