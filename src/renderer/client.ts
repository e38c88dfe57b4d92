// The page's one VigilClient: IPC when the tray app's preload bridge is there (window.vigil.api),
// HTTP to the server that served the page otherwise; and the token loop HTTP needs.
import type { VigilClient } from '../shared/api.js';
import { createHttpClient, createIpcClient, type VigilBridge } from '../shared/api-client.js';
import { VigilError } from '../shared/errors.js';
import { h } from './dom.js';
import { askForToken, currentToken, forgetToken } from './token.js';

declare global {
  interface Window {
    /** The tray app's preload bridge (see shared/api-client.ts). */
    vigil?: { api?: VigilBridge };
  }
}

export type Transport = 'http' | 'ipc';

/** Runs an API call; over HTTP, a 401 asks for the token (once per refusal) and tries again. */
export type Authorized = <T>(run: () => Promise<T>) => Promise<T>;

/** IPC when the tray app's preload bridge is there, else HTTP to the server that served the page. */
export function createClient(): { client: VigilClient; transport: Transport; base: string | null } {
  const bridge = window.vigil?.api;
  if (bridge) return { client: createIpcClient(bridge), transport: 'ipc', base: null };
  const base = document.querySelector<HTMLMetaElement>('meta[name="vigil-api-base"]')?.content || 'api';
  const client = createHttpClient({
    baseUrl: new URL(base, document.baseURI).href,
    fetch: (url, init) => window.fetch(url, { ...init, credentials: 'omit', cache: 'no-store' }),
    token: currentToken,
    saveFile: download,
  });
  return { client, transport: 'http', base };
}

/** Over HTTP a 401 means "ask for the token"; over IPC there is none. */
export function authorizer(transport: Transport): Authorized {
  return async <T>(run: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await run();
      } catch (error) {
        if (!(error instanceof VigilError) || error.code !== 'unauthorized' || transport !== 'http') throw error;
        const hadToken = currentToken() !== null;
        forgetToken();
        await askForToken(hadToken ? error.message : null);
      }
    }
  };
}

function download(data: Blob, fileName: string): void {
  const url = URL.createObjectURL(data);
  const link = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the object URL; release it once the click is handled.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
