// The functions the preload exposes to the page, generated from the shared contracts: one named
// function per channel (api-client.ts for the chart API, app-ipc.ts for the app's windows). The
// page never sees ipcRenderer, channel names or events, only these functions, and each passes
// exactly one plain parameter object.
import { EXPORT_CANCEL_CHANNEL, EXPORT_CHANNEL, EXPORT_PROGRESS_CHANNEL, IPC_CHANNELS, type Settled, type VigilBridge } from '../shared/api-client.js';
import { API_METHODS, type ExportProgress } from '../shared/api.js';
import { APP_CHANNELS, type AppBridge, type WindowBridge } from '../shared/app-ipc.js';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** Only plain data crosses: a page cannot smuggle a function or a prototype into the call. */
function plain(params: unknown): object {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params)) throw new TypeError('Vigil bridge: parameters must be an object');
  return params;
}

export function createBridge(ipc: IpcRendererLike): WindowBridge {
  const invoke = <T>(channel: string, params?: unknown) => ipc.invoke(channel, plain(params)) as Promise<Settled<T>>;

  const api = Object.fromEntries(API_METHODS.map((method) => [method, (params?: unknown) => invoke(IPC_CHANNELS[method], params)])) as Omit<VigilBridge, 'exportCsv' | 'cancelExport'>;
  const bridge: VigilBridge = {
    ...api,
    async exportCsv(params, onProgress?: ExportProgress) {
      const listener = (_event: unknown, progress: unknown) => {
        const { done, total } = (progress ?? {}) as { done?: unknown; total?: unknown };
        if (typeof onProgress === 'function' && typeof done === 'number' && typeof total === 'number') onProgress(done, total);
      };
      ipc.on(EXPORT_PROGRESS_CHANNEL, listener);
      try {
        return await invoke(EXPORT_CHANNEL, params);
      } finally {
        ipc.removeListener(EXPORT_PROGRESS_CHANNEL, listener);
      }
    },
    cancelExport: () => invoke(EXPORT_CANCEL_CHANNEL),
  };

  const app: AppBridge = {
    getSettings: () => invoke(APP_CHANNELS.getSettings),
    updateSettings: (update) => invoke(APP_CHANNELS.updateSettings, update),
    testSync: () => invoke(APP_CHANNELS.testSync),
    sendTestEmail: () => invoke(APP_CHANNELS.sendTestEmail),
    openDataFolder: () => invoke(APP_CHANNELS.openDataFolder),
    chooseDataFolder: (params) => invoke(APP_CHANNELS.chooseDataFolder, params),
    openExternal: (params) => invoke(APP_CHANNELS.openExternal, params),
  };

  return { api: bridge, app };
}
