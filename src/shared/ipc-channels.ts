// The one typed IPC contract, as GitHub Desktop's ipc-shared.ts: a type from every invoke channel
// to its signature (one parameter object in, one value out). Main registers each channel through
// one `handle` (main/ipc/handlers.ts: sender check, schema validation, the Settled envelope) and
// the preload calls it through one `invoke` (preload/bridge.ts), both typed by this map: a changed
// signature breaks both sides at compile time. The bridges the page sees (VigilBridge, AppBridge)
// are derived from it too.
import type { ExportParams, ExportResult, VigilApi, ApiMethod } from './api.js';
import type { AppCalls, AppMethod } from './app-ipc.js';

type Call<F> = F extends (...args: infer A) => infer R ? (params: A extends [] ? Record<string, never> | undefined : A[0]) => R : never;

/** Every invoke channel and its signature. */
export type IpcChannels = { [M in ApiMethod as `vigil:api:${M}`]: (params: Parameters<VigilApi[M]>[0]) => Awaited<ReturnType<VigilApi[M]>> } & {
  'vigil:api:exportCsv': (params: ExportParams) => ExportResult;
  /** Stops the running export (its file is not written); it then resolves with fileName null. */
  'vigil:api:exportCsv:cancel': (params?: Record<string, never>) => null;
} & { [M in AppMethod as `vigil:app:${M}`]: Call<AppCalls[M]> };

export type IpcChannel = keyof IpcChannels;
export type ChannelParams<C extends IpcChannel> = Parameters<IpcChannels[C]>[0];
export type ChannelResult<C extends IpcChannel> = ReturnType<IpcChannels[C]>;

export const apiChannel = <M extends ApiMethod>(method: M): `vigil:api:${M}` => `vigil:api:${method}`;
export const appChannel = <M extends AppMethod>(method: M): `vigil:app:${M}` => `vigil:app:${method}`;
export const EXPORT_CHANNEL = 'vigil:api:exportCsv' satisfies IpcChannel;
export const EXPORT_CANCEL_CHANNEL = 'vigil:api:exportCsv:cancel' satisfies IpcChannel;
/** Main → the page that started an export (an event, not an invoke): { done, total }. */
export const EXPORT_PROGRESS_CHANNEL = 'vigil:api:exportCsv:progress';
