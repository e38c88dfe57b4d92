// The functions the preload exposes to the page, generated from the one typed channel map
// (shared/ipc-channels.ts): one named function per channel. The page never sees ipcRenderer,
// channel names or events, only these functions, and each passes exactly one plain parameter
// object.
import type { Settled, VigilBridge } from '../shared/api-client.js';
import { API_METHODS, type ApiMethod, type ExportProgress } from '../shared/api.js';
import { APP_METHODS, type AppBridge, type AppMethod, type WindowBridge } from '../shared/app-ipc.js';
import { apiChannel, appChannel, EXPORT_CANCEL_CHANNEL, EXPORT_CHANNEL, EXPORT_PROGRESS_CHANNEL, type ChannelParams, type ChannelResult, type IpcChannel } from '../shared/ipc-channels.js';

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

/** The one typed invoke: a channel of the map, its parameter object, its answer in the Settled envelope. */
export function typedInvoke(ipc: IpcRendererLike) {
  return <C extends IpcChannel>(channel: C, params?: ChannelParams<C>): Promise<Settled<ChannelResult<C>>> =>
    ipc.invoke(channel, plain(params)) as Promise<Settled<ChannelResult<C>>>;
}

export function createBridge(ipc: IpcRendererLike): WindowBridge {
  const invoke = typedInvoke(ipc);
  const apiCall = <M extends ApiMethod>(method: M) => (params?: ChannelParams<`vigil:api:${M}`>) => invoke(apiChannel(method), params);
  const appCall = <M extends AppMethod>(method: M) => (params?: ChannelParams<`vigil:app:${M}`>) => invoke(appChannel(method), params);

  const api = Object.fromEntries(API_METHODS.map((method) => [method, apiCall(method)])) as Omit<VigilBridge, 'exportCsv' | 'cancelExport'>;
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
  const app = Object.fromEntries(APP_METHODS.map((method) => [method, appCall(method)])) as AppBridge;
  return { api: bridge, app };
}
