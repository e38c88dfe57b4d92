// Rules every web page in the app lives under, applied to each webContents as it is created
// (app 'web-contents-created'), so no window can be made without them:
// - no new windows: window.open / target=_blank are refused; an http(s) link goes to the
//   user's browser through the one openExternal helper;
// - no navigation away from the app's own pages (a link, a redirect, a drag-and-drop);
// - no <webview>;
// - no permissions (camera, notifications, geolocation…): the pages need none.
import type { SessionApi, ShellApi, WebContentsApi } from '../electron-api.js';
import { externalUrl } from '../ipc/validators.js';
import { isAppUrl } from './options.js';

/** Opens an http(s) URL in the user's browser; refuses (and says so) anything else. */
export function createOpenExternal(shell: Pick<ShellApi, 'openExternal'>, onRefused: (url: string, reason: string) => void): (url: string) => Promise<void> {
  return async (url) => {
    let safe: string;
    try {
      safe = externalUrl(url);
    } catch (error) {
      onRefused(url, error instanceof Error ? error.message : String(error));
      throw error;
    }
    await shell.openExternal(safe);
  };
}

export function hardenWebContents(contents: WebContentsApi, openExternal: (url: string) => Promise<void>): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:/i.test(url)) void openExternal(url).catch(() => undefined);
    return { action: 'deny' };
  });
  const stayInApp = (event: { preventDefault(): void }, url: string) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    if (/^https?:/i.test(url)) void openExternal(url).catch(() => undefined);
  };
  contents.on('will-navigate', stayInApp);
  contents.on('will-redirect', stayInApp);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function denyAllPermissions(session: SessionApi): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
