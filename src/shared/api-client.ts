// The two client transports of the API contract (api.ts): HTTP JSON (a browser on the agent's
// web server, or the hub's machine pages) and IPC through the preload bridge (the tray app's chart
// window). The page gets a VigilClient and never knows which one it has.
//
// IPC mapping, for the tray app (main and preload):
// - one channel per method, `vigil:api:<method>` (ipc-channels.ts); main validates `params` against
//   API_ROUTES[method].params, calls the core's ChartService method and returns settle()'s
//   envelope: `{ value }` or `{ error: { code, message } }` (Error objects lose their code when
//   Electron serializes them, hence the envelope);
// - the preload exposes `window.vigil.api` as a VigilBridge: one named function per method plus
//   exportCsv(params, onProgress), which main answers with a save dialog and the core's CSV export
//   (progress events on ipc-channels.ts' EXPORT_PROGRESS_CHANNEL), and cancelExport() for the page's Cancel
//   (an AbortSignal cannot cross IPC; a cancelled export resolves with fileName null);
// - createIpcClient(bridge) turns that back into a VigilClient.
import { VigilError, type ErrorCode } from './errors.js';
import {
  API_ROUTES,
  EXPORT_ROUTE,
  EXPORT_ROWS_HEADER,
  isApiErrorBody,
  type ApiErrorBody,
  type ApiMethod,
  type ExportParams,
  type ExportProgress,
  type ExportResult,
  type VigilApi,
  type VigilClient,
} from './api.js';

// ---------------------------------------------------------------- HTTP

/** The part of fetch() the client uses (window.fetch, or any compatible function in tests). */
export type FetchLike = (url: string, init: { headers: Record<string, string>; signal?: AbortSignal }) => Promise<ResponseLike>;

export interface ResponseLike {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
  body: ReadableStream<Uint8Array> | null;
}

export interface HttpClientOptions {
  /** Where the API lives: '/api', 'api' (relative to the page), or a full URL. */
  baseUrl: string;
  fetch: FetchLike;
  /** The access token to send as `Authorization: Bearer`, if any (asked again after a 401). */
  token?: () => string | null;
  /** Hands a finished CSV export to the user (the page clicks an `<a download>`). */
  saveFile?: (data: Blob, fileName: string) => void;
}

export function createHttpClient(options: HttpClientOptions): VigilClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const headers = (): Record<string, string> => {
    const token = options.token?.();
    return token ? { accept: 'application/json', authorization: `Bearer ${token}` } : { accept: 'application/json' };
  };
  const request = async (path: string, params: object | undefined, signal?: AbortSignal): Promise<ResponseLike> => {
    const url = `${base}${path}${queryString(params)}`;
    let response: ResponseLike;
    try {
      response = await options.fetch(url, { headers: headers(), signal });
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new VigilError('io_error', `Cannot reach Vigil at ${base || '/'}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  };
  const call = (method: ApiMethod) => async (params?: object) => (await request(API_ROUTES[method].path, params)).json();
  const api = Object.fromEntries(Object.keys(API_ROUTES).map((method) => [method, call(method as ApiMethod)])) as unknown as VigilApi;
  return {
    ...api,
    async exportCsv(params, exportOptions = {}) {
      const response = await request(EXPORT_ROUTE.path, params, exportOptions.signal);
      const total = Number(response.headers.get(EXPORT_ROWS_HEADER) ?? 0);
      const fileName = fileNameOf(response.headers.get('content-disposition')) ?? 'vigil.csv';
      const chunks: Uint8Array[] = [];
      let lines = 0;
      if (response.body) {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          lines += countNewlines(value);
          // The first line is the header.
          exportOptions.onProgress?.(Math.max(0, lines - 1), Math.max(total, lines - 1));
        }
      }
      const rows = Math.max(0, lines - 1);
      exportOptions.onProgress?.(rows, Math.max(total, rows));
      options.saveFile?.(new Blob(chunks as unknown as ConstructorParameters<typeof Blob>[0], { type: 'text/csv' }), fileName);
      return { rows, fileName };
    },
  };
}

/** `?a=1&k=x&k=y` from a params object; arrays repeat their key, undefined is left out. */
export function queryString(params: object | undefined): string {
  if (!params) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, String(item));
    else search.append(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function errorOf(response: ResponseLike): Promise<VigilError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  if (isApiErrorBody(body)) return new VigilError(body.error.code, body.error.message);
  return new VigilError(response.status === 401 ? 'unauthorized' : response.status === 404 ? 'not_found' : 'internal', `Vigil answered HTTP ${response.status}`);
}

function fileNameOf(disposition: string | null): string | null {
  const match = disposition ? /filename="([^"]+)"/.exec(disposition) : null;
  return match ? match[1]! : null;
}

function countNewlines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) n++;
  return n;
}

function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'AbortError';
}

// ---------------------------------------------------------------- IPC

/** What crosses IPC for every call: a value, or VigilError's JSON. */
export type Settled<T> = { value: T } | ApiErrorBody;

/** The bridge the preload exposes (as window.vigil.api): one named function per API method, and the export. */
export type VigilBridge = {
  [M in ApiMethod]: (params: Parameters<VigilApi[M]>[0]) => Promise<Settled<Awaited<ReturnType<VigilApi[M]>>>>;
} & {
  exportCsv(params: ExportParams, onProgress?: ExportProgress): Promise<Settled<ExportResult>>;
  /** Stops the running export (its file is not written); it then resolves with fileName null. */
  cancelExport(): Promise<Settled<null>>;
};


/** Runs a call and wraps its outcome for IPC; anything but a VigilError becomes a generic internal error. */
export async function settle<T>(run: () => T | Promise<T>): Promise<Settled<T>> {
  try {
    return { value: await run() };
  } catch (error) {
    if (error instanceof VigilError) return error.toJSON();
    return { error: { code: 'internal', message: 'Internal error' } };
  }
}

export function unwrap<T>(result: Settled<T>): T {
  if (isApiErrorBody(result)) throw new VigilError(result.error.code as ErrorCode, result.error.message);
  return result.value;
}

export function createIpcClient(bridge: VigilBridge): VigilClient {
  const call = (method: ApiMethod) => async (params?: object) => unwrap(await (bridge[method] as (p: unknown) => Promise<Settled<unknown>>)(params ?? {}));
  const api = Object.fromEntries(Object.keys(API_ROUTES).map((method) => [method, call(method as ApiMethod)])) as unknown as VigilApi;
  return {
    ...api,
    async exportCsv(params, options = {}) {
      const cancel = () => void bridge.cancelExport();
      options.signal?.addEventListener('abort', cancel, { once: true });
      try {
        return unwrap(await bridge.exportCsv(params, options.onProgress));
      } finally {
        options.signal?.removeEventListener('abort', cancel);
      }
    },
  };
}
