// What the settings window asks of the app: its view, a settings change (applied live, or by a
// core restart for the sections the running core cannot take), and a move to another data folder.
// Restart and move both replace the core through CoreHolder.replaceCore. One change at a time:
// a restart must not interleave with another change.
import path from 'node:path';
import type { Logger } from '../../core/log.js';
import type { SettingsStore } from '../../core/settings.js';
import type { DataFolderOutcome, SettingsUpdate, SettingsView } from '../../shared/app-ipc.js';
import { VigilError, isVigilError } from '../../shared/errors.js';
import type { Settings, SettingsPatch } from '../../shared/settings.js';
import { carryOver, checkDataFolder, emptyAgain, saveDataFolderChoice, type DataFolderLocation } from '../data-folder.js';
import { prepareSecrets, secretsState } from '../secrets.js';
import { openAppSettings, type ElectronStoreClass } from '../settings-store.js';
import type { AppLog } from './app-log.js';
import type { Core, CoreHolder } from './core-holder.js';
import type { FrontDialogs } from './dialogs.js';

/**
 * Sections the running core cannot take live: the local server is bound at start, sync targets
 * are made at start. A change to them restarts the core (a second or so, in place), so it still
 * applies at once.
 */
const CORE_RESTART_SECTIONS = ['server', 'sync', 'influx'];

/** The data folder in use and its settings (both change when the folder moves). */
export interface AppFolder {
  dataDir: string;
  settings: SettingsStore;
  /** Shown in the settings window until the data folder moves. */
  problem: string | null;
}

export interface SettingsActionsOptions {
  folder: AppFolder;
  location: DataFolderLocation;
  holder: CoreHolder;
  startCore: (settings: Settings, dataDir: string) => Promise<Core>;
  ElectronStore: ElectronStoreClass;
  dialog: FrontDialogs;
  log: AppLog;
  /** The tray shows what changed. */
  onChange: () => void;
}

export interface SettingsActions {
  view(): SettingsView;
  update(update: SettingsUpdate): Promise<SettingsView>;
  chooseDataFolder(params: { useDefault?: boolean }): Promise<DataFolderOutcome>;
  /** Settles once the change in progress (if any) is done (quit waits for it). */
  idle(): Promise<unknown>;
}

export function settingsActions(options: SettingsActionsOptions): SettingsActions {
  const { folder, location, holder, log } = options;
  const logger: Logger = log.logger;
  let queue: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(run: () => Promise<T>): Promise<T> => {
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  };

  const view = (): SettingsView => {
    const current = folder.settings.get();
    return {
      settings: current,
      file: folder.settings.path,
      dataDir: folder.dataDir,
      dataFolder: {
        source: location.source === 'env' ? 'env' : folder.dataDir === location.defaultDir ? 'default' : 'chosen',
        defaultDir: location.defaultDir,
        canChoose: location.source !== 'env',
        problem: folder.problem,
      },
      secrets: secretsState(folder.dataDir, current),
    };
  };

  /** A core on the saved settings; if it cannot start, the previous settings come back. */
  const restartCore = (previous: Settings) =>
    holder.replaceCore(
      () => options.startCore(folder.settings.get(), folder.dataDir),
      async (error) => {
        logger.error('core did not start with the new settings; back to the previous ones', { error: message(error) });
        folder.settings.update(previous as SettingsPatch);
        return options.startCore(previous, folder.dataDir);
      },
    ).then(
      () => logger.info('core restarted with the new settings', {}),
      (error: unknown) => {
        throw new VigilError(isVigilError(error) ? error.code : 'invalid_settings', `Not applied, the previous settings are back: ${message(error)}`);
      },
    );

  const update = (change: SettingsUpdate): Promise<SettingsView> =>
    oneAtATime(async () => {
      const previous = folder.settings.get();
      // Secrets are checked first, then the settings file is written (validated whole, or not at
      // all), then the secret files, then the running core is told.
      const secrets = prepareSecrets(change.secrets, previous);
      const patch = mergePatches(change.patch, secrets.patch);
      const next = folder.settings.update(patch);
      secrets.write(folder.dataDir, next);
      const changed = Object.keys(patch).filter((section) => JSON.stringify((previous as Record<string, unknown>)[section]) !== JSON.stringify((next as Record<string, unknown>)[section]));
      // The sync and InfluxDB targets read their token files when the core starts.
      const restart =
        changed.some((section) => CORE_RESTART_SECTIONS.includes(section)) ||
        (change.secrets?.syncToken !== undefined && next.sync.enabled) ||
        (change.secrets?.influxToken !== undefined && next.influx.enabled);
      logger.info('settings changed in the settings window', { sections: changed, restart });
      logger.setLevel(next.log.level);
      if (restart) await restartCore(previous);
      else holder.core.runtime.applySettings(next);
      options.onChange();
      return view();
    });

  /**
   * Moves to another data folder: the core stops, starts again there (its lock, its database, its
   * settings), and the choice is kept for the next starts; if it cannot start there, it starts
   * again in the old folder, which is left as it was. See data-folder.ts for what is copied.
   */
  const moveDataFolder = async (target: string): Promise<DataFolderOutcome> => {
    if (path.resolve(target) === folder.dataDir) return { moved: false, message: `Already using ${folder.dataDir}.`, view: view() };
    const checked = checkDataFolder(target, folder.dataDir);
    const from = folder.dataDir;
    try {
      await holder.replaceCore(
        async () => {
          if (!checked.holdsData) carryOver(from, checked.dir, folder.settings.get());
          const nextSettings = openAppSettings(options.ElectronStore, checked.dir);
          const started = await options.startCore(nextSettings.get(), checked.dir);
          try {
            saveDataFolderChoice(location.homeDir, checked.dir === location.defaultDir ? null : checked.dir);
          } catch (error) {
            await started.runtime.stop().catch((stopError: unknown) => logger.error('could not stop the core in the new folder', { error: stopError }));
            throw error;
          }
          folder.settings = nextSettings;
          folder.dataDir = checked.dir;
          folder.problem = null;
          log.switchTo(folder.dataDir, folder.settings.get());
          logger.info('data folder moved', { from, to: folder.dataDir, copiedSettings: !checked.holdsData });
          return started;
        },
        async (error) => {
          logger.error('could not move the data folder; staying in the old one', { to: checked.dir, error: message(error) });
          try {
            emptyAgain(checked);
          } catch (cleanError) {
            logger.warn('could not tidy the folder the move was refused for', { dir: checked.dir, error: String(cleanError) });
          }
          return options.startCore(folder.settings.get(), folder.dataDir);
        },
      );
    } catch (error) {
      throw new VigilError(isVigilError(error) ? error.code : 'io_error', `Not moved, still using ${folder.dataDir}: ${message(error)}`);
    } finally {
      logger.setLevel(folder.settings.get().log.level);
    }
    const kept = checked.holdsData ? 'its own settings and history' : 'these settings and an empty history';
    return { moved: true, message: `Now using ${folder.dataDir}, with ${kept}. The history so far stays in the previous folder.`, view: view() };
  };

  const chooseDataFolder = async ({ useDefault }: { useDefault?: boolean }): Promise<DataFolderOutcome> => {
    if (location.source === 'env') {
      throw new VigilError('invalid_argument', `The data folder is set by $VIGIL_DATA_DIR (${folder.dataDir}): change or unset that variable to use another one`);
    }
    let target = location.defaultDir;
    if (!useDefault) {
      // The folder comes from the OS dialog, never from the page: a page can ask, not point.
      const choice = await options.dialog.showOpenDialog({
        title: 'Choose the Vigil data folder',
        defaultPath: folder.dataDir,
        buttonLabel: 'Use this folder',
        properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'],
      });
      const picked = choice.filePaths[0];
      if (choice.canceled || !picked) return { moved: false, message: 'No folder chosen.', view: view() };
      target = picked;
    } else if (folder.dataDir === location.defaultDir) {
      return { moved: false, message: `Already using the default folder ${folder.dataDir}.`, view: view() };
    }
    // One change at a time: a move waits for a settings change (and its restart) to finish.
    return oneAtATime(() => moveDataFolder(target));
  };

  return { view, update, chooseDataFolder, idle: () => queue };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function mergePatches(a: SettingsUpdate['patch'], b: SettingsUpdate['patch']): SettingsUpdate['patch'] {
  const out: Record<string, Record<string, unknown>> = {};
  for (const patch of [a, b]) {
    for (const [section, values] of Object.entries(patch)) out[section] = { ...(out[section] ?? {}), ...(values ?? {}) };
  }
  return out as SettingsUpdate['patch'];
}
