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
  LIVE_ROUTE,
  isApiErrorBody,
  type ApiErrorBody,
  type ApiMethod,
  type ExportParams,
  type ExportProgress,
  type ExportResult,
  type FollowStatus,
  type LiveSampleEvent,
  type VigilApi,
  type VigilClient,
} from './api.js';
import type { Sample } from './model.js';

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
    follow(onSample, followOptions = {}) {
      const abort = new AbortController();
      let stopPolling: (() => void) | null = null;
      const status = (value: FollowStatus) => {
        if (!abort.signal.aborted) followOptions.onStatus?.(value);
      };
      void (async () => {
        let retryMs = 3000;
        while (!abort.signal.aborted) {
          let response: ResponseLike;
          try {
            response = await options.fetch(`${base}${LIVE_ROUTE.path}`, { headers: { ...headers(), accept: 'text/event-stream' }, signal: abort.signal });
          } catch {
            if (abort.signal.aborted) return;
            status('reconnecting');
            await sleep(retryMs, abort.signal);
            continue;
          }
          if (response.status === 404 || response.status === 405) {
            // A server without a feed (an older agent): ask for the newest sample instead.
            stopPolling = pollLatest(() => api.latest(), onSample, followOptions.pollMs ?? 1000, status);
            return;
          }
          if (!response.ok || !response.body) {
            status('reconnecting');
            await sleep(retryMs, abort.signal);
            continue;
          }
          status('live');
          try {
            await readEventStream(response.body, abort.signal, (event, data) => {
              if (event === 'retry') retryMs = Math.max(500, Number(data) || retryMs);
              if (event !== 'sample') return;
              const parsed = JSON.parse(data) as LiveSampleEvent;
              if (parsed?.sample && typeof parsed.sample.ts === 'number') onSample(parsed.sample);
            });
          } catch {
            // The stream broke (server restarted, network): reconnect below.
          }
          if (abort.signal.aborted) return;
          status('reconnecting');
          await sleep(retryMs, abort.signal);
        }
      })();
      return () => {
        abort.abort();
        stopPolling?.();
      };
    },
  };
}

/**
 * Reads a text/event-stream body, calling `dispatch(event, data)` per event (`event` defaults to
 * "message"), and `dispatch('retry', ms)` for a retry field. Resolves when the stream ends.
 */
export async function readEventStream(body: ReadableStream<Uint8Array>, signal: AbortSignal, dispatch: (event: string, data: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const cancel = () => void reader.cancel().catch(() => {});
  signal.addEventListener('abort', cancel, { once: true });
  let buffer = '';
  let event = '';
  let data: string[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\n|\r/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer[newline] === '\r' && buffer[newline + 1] === '\n' ? 2 : 1));
        if (line === '') {
          if (data.length > 0) dispatch(event || 'message', data.join('\n'));
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'retry' && /^\d+$/.test(value)) dispatch('retry', value);
      }
    }
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/** Asks for the newest sample every `everyMs` and hands on each new one; returns the stop function. */
function pollLatest(latest: () => Promise<{ sample: Sample | null }>, onSample: (sample: Sample) => void, everyMs: number, status: (value: FollowStatus) => void): () => void {
  let lastTs = -Infinity;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const tick = async (): Promise<void> => {
    try {
      const { sample } = await latest();
      if (stopped) return;
      status('polling');
      if (sample && sample.ts > lastTs) {
        lastTs = sample.ts;
        onSample(sample);
      }
    } catch {
      if (!stopped) status('reconnecting');
    }
    if (!stopped) timer = setTimeout(() => void tick(), everyMs);
  };
  void tick();
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
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

export async function errorOf(response: ResponseLike): Promise<VigilError> {
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
    // The app's core is in this process's main: the newest sample is one IPC call away.
    follow: (onSample, options = {}) => pollLatest(() => api.latest(), onSample, options.pollMs ?? 1000, (status) => options.onStatus?.(status)),
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
