// The main process's side of the IPC contract: one ipcMain.handle per channel of the chart API
// (shared/api-client.ts: IPC_CHANNELS, EXPORT_CHANNEL) and of the app's own windows
// (shared/app-ipc.ts: APP_CHANNELS). Every handler, before anything else:
//   1. checks the sender (one of our windows, its main frame, on an app:// page),
//   2. validates the one parameter object against the shared schema,
// then calls the same core function the HTTP route calls, and answers with the Settled envelope.
import { EXPORT_CANCEL_CHANNEL, EXPORT_CHANNEL, EXPORT_PROGRESS_CHANNEL, IPC_CHANNELS, settle } from '../../shared/api-client.js';
import { API_METHODS, type ExportResult, type VigilApi } from '../../shared/api.js';
import { APP_CHANNELS, type DataFolderOutcome, type SettingsUpdate, type SettingsView, type TestOutcome } from '../../shared/app-ipc.js';
import { VigilError } from '../../shared/errors.js';
import type { Logger } from '../../core/log.js';
import type { InvokeEventApi, IpcMainApi } from '../electron-api.js';
import { apiParams, chooseDataFolderParams, exportParams, noParams, openExternalParams, senderRejection, settingsUpdate } from './validators.js';

/** What the app windows may ask of the main process besides the chart API. */
export interface AppActions {
  getSettings(): SettingsView;
  updateSettings(update: SettingsUpdate): Promise<SettingsView> | SettingsView;
  testSync(): Promise<TestOutcome>;
  sendTestEmail(): Promise<TestOutcome>;
  openDataFolder(): Promise<void>;
  /** Asks for a folder in the OS dialog (or takes the default one) and restarts the core there. */
  chooseDataFolder(params: { useDefault?: boolean }): Promise<DataFolderOutcome>;
  openExternal(url: string): Promise<void>;
}

export interface IpcHandlersOptions {
  ipcMain: IpcMainApi;
  /** webContents ids of the app's windows (WindowManager.trustedWebContents). */
  trustedWebContents: ReadonlySet<number>;
  /** The chart API of the running core. */
  api: () => VigilApi;
  /** Save dialog + CSV export; progress goes to `progress`. */
  exportCsv: (params: Record<string, string>, progress: (done: number, total: number) => void) => Promise<ExportResult>;
  /** Stops the running export, if any. */
  cancelExport: () => void;
  actions: AppActions;
  logger: Logger;
}

/**
 * Progress for the window that started an export. The user may close that window while the export
 * runs: Electron then throws "Object has been destroyed" from send, and the export must finish
 * anyway (its file is what the user asked for), so progress to a closed window goes nowhere.
 */
export function progressTo(sender: InvokeEventApi['sender']): (done: number, total: number) => void {
  return (done, total) => {
    try {
      if (!sender.isDestroyed()) sender.send(EXPORT_PROGRESS_CHANNEL, { done, total });
    } catch {
      // Destroyed between the check and the send (or a send Electron refused): nothing to tell.
    }
  };
}

/** Registers every handler; returns a function that removes them all. */
export function registerIpcHandlers(options: IpcHandlersOptions): () => void {
  const channels: string[] = [];
  const handle = (channel: string, run: (event: InvokeEventApi, params: unknown) => unknown) => {
    channels.push(channel);
    options.ipcMain.handle(channel, (event, ...args) =>
      settle(async () => {
        const refused = senderRejection(event, options.trustedWebContents);
        if (refused !== null) {
          options.logger.warn('IPC call refused', { channel, reason: refused });
          throw new VigilError('unauthorized', `Refused: ${refused}`);
        }
        if (args.length > 1) throw new VigilError('invalid_argument', `${channel} takes one parameter object`);
        try {
          return await run(event, args[0] ?? {});
        } catch (error) {
          // The page gets a generic message for anything but a VigilError (settle); the log gets the detail.
          if (!(error instanceof VigilError)) options.logger.error('IPC handler failed', { channel, error });
          throw error;
        }
      }),
    );
  };

  for (const method of API_METHODS) {
    handle(IPC_CHANNELS[method], (_event, params) => {
      const call = options.api()[method] as (params: object) => Promise<unknown>;
      return call.call(options.api(), apiParams[method](params));
    });
  }
  handle(EXPORT_CHANNEL, (event, params) => options.exportCsv(exportParams(params), progressTo(event.sender)));

  handle(EXPORT_CANCEL_CHANNEL, (_event, params) => {
    noParams(params);
    options.cancelExport();
    return null;
  });

  const { actions } = options;
  handle(APP_CHANNELS.getSettings, (_event, params) => {
    noParams(params);
    return actions.getSettings();
  });
  handle(APP_CHANNELS.updateSettings, (_event, params) => actions.updateSettings(settingsUpdate(params) as SettingsUpdate));
  handle(APP_CHANNELS.testSync, (_event, params) => {
    noParams(params);
    return actions.testSync();
  });
  handle(APP_CHANNELS.sendTestEmail, (_event, params) => {
    noParams(params);
    return actions.sendTestEmail();
  });
  handle(APP_CHANNELS.openDataFolder, async (_event, params) => {
    noParams(params);
    await actions.openDataFolder();
    return null;
  });
  handle(APP_CHANNELS.chooseDataFolder, (_event, params) => actions.chooseDataFolder(chooseDataFolderParams(params)));
  handle(APP_CHANNELS.openExternal, async (_event, params) => {
    await actions.openExternal(openExternalParams(params).url);
    return null;
  });

  return () => {
    for (const channel of channels) options.ipcMain.removeHandler(channel);
  };
}
