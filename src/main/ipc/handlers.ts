// The main process's side of the one typed IPC contract (shared/ipc-channels.ts): every channel
// is registered through `handle`, which, before anything else,
//   1. checks the sender (one of our windows, its main frame, on an app:// page),
//   2. validates the one parameter object against the shared schema,
// then calls the same core function the HTTP route calls, and answers with the Settled envelope.
// The channel map types both the validator's output and the answer, so a handler cannot drift
// from what the preload's `invoke` expects.
import { settle } from '../../shared/api-client.js';
import { API_METHODS, type ExportResult, type VigilApi } from '../../shared/api.js';
import { APP_METHODS, type AppMethod } from '../../shared/app-ipc.js';
import { VigilError } from '../../shared/errors.js';
import { apiChannel, appChannel, EXPORT_CANCEL_CHANNEL, EXPORT_CHANNEL, EXPORT_PROGRESS_CHANNEL, type ChannelParams, type ChannelResult, type IpcChannel } from '../../shared/ipc-channels.js';
import type { Logger } from '../../core/log.js';
import type { InvokeEventApi, IpcMainApi } from '../electron-api.js';
import { apiParams, chooseDataFolderParams, exportParams, noParams, openExternalParams, senderRejection, settingsUpdate } from './validators.js';

type AppChannel<M extends AppMethod> = `vigil:app:${M}`;

/** What the app windows may ask of the main process besides the chart API: one per AppCalls method. */
export type AppActions = { [M in AppMethod]: (params: ChannelParams<AppChannel<M>>) => ChannelResult<AppChannel<M>> | Promise<ChannelResult<AppChannel<M>>> };

/** Each app method's parameter check (validators.ts), typed by the channel map. */
const APP_PARAMS: { [M in AppMethod]: (params: unknown) => ChannelParams<AppChannel<M>> } = {
  getSettings: noParams,
  updateSettings: (params) => settingsUpdate(params) as ChannelParams<'vigil:app:updateSettings'>,
  testSync: noParams,
  sendTestEmail: noParams,
  openDataFolder: noParams,
  chooseDataFolder: chooseDataFolderParams,
  openExternal: openExternalParams,
};

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
  const channels: IpcChannel[] = [];

  /** The one way a channel is answered: sender check, one validated parameter object, Settled. */
  const handle = <C extends IpcChannel>(
    channel: C,
    validate: (params: unknown) => ChannelParams<C>,
    run: (params: ChannelParams<C>, event: InvokeEventApi) => ChannelResult<C> | Promise<ChannelResult<C>>,
  ) => {
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
          return await run(validate(args[0] ?? {}), event);
        } catch (error) {
          // The page gets a generic message for anything but a VigilError (settle); the log gets the detail.
          if (!(error instanceof VigilError)) options.logger.error('IPC handler failed', { channel, error });
          throw error;
        }
      }),
    );
  };

  for (const method of API_METHODS) {
    handle(apiChannel(method), apiParams[method] as (params: unknown) => never, (params) => {
      const api = options.api();
      return (api[method] as (params: object) => Promise<never>).call(api, params as object);
    });
  }
  handle(EXPORT_CHANNEL, exportParams, (params, event) => options.exportCsv(params, progressTo(event.sender)));
  handle(EXPORT_CANCEL_CHANNEL, noParams, () => {
    options.cancelExport();
    return null;
  });
  for (const method of APP_METHODS) {
    const action = options.actions[method] as (params: unknown) => unknown;
    handle(appChannel(method), APP_PARAMS[method] as (params: unknown) => never, (params) => action(params) as never);
  }

  return () => {
    for (const channel of channels) options.ipcMain.removeHandler(channel);
  };
}
