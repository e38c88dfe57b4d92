// How the app's windows are made: security flags, sizes, the URL of each page and the Content
// Security Policy they are served with. Pure, so the security settings are tested in plain Node.
//
// The pages are served from a custom, privileged `app://vigil/` scheme (protocol.ts) rather than
// file://: a file:// page may read any other file:// URL, and every file:// page shares one
// origin; app://vigil/ serves exactly the renderer folder, with our CSP as a response header.
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'vigil';
/** Origin of every page the app shows (what an IPC sender's frame URL must start with). */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export type PageName = 'chart' | 'settings' | 'export';

/** Each page's file inside the renderer folder (dist/renderer). */
export const PAGE_FILES: Record<PageName, string> = {
  // The chart page is the charts renderer (src/renderer), the same page the agent serves at /.
  chart: 'index.html',
  settings: 'settings/index.html',
  // The small "export these days" window opened from the tray's Export CSV → Choose days….
  export: 'settings/export.html',
};

export function pageUrl(page: PageName, query: Record<string, string> = {}): string {
  const url = new URL(`${APP_ORIGIN}/${PAGE_FILES[page]}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.toString();
}

/**
 * Served with every app:// response. Scripts, styles and images only from the app itself; no
 * inline script, no eval, no network (the pages talk to the main process over IPC only), no
 * frames, no plugins, no forms posting anywhere. chart.js sizes its canvas through the CSSOM
 * (element.style), which style-src does not restrict.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'none'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The web preferences of every window: the renderer is a web page with no Node and no Electron. */
export function secureWebPreferences(preloadPath: string, options: { devTools: boolean }): WebPreferences {
  return {
    preload: preloadPath,
    // The preload runs in its own JavaScript world; the page sees only what contextBridge exposes.
    contextIsolation: true,
    // The renderer process runs in Chromium's OS-level sandbox (this is why the preload is one
    // bundled CommonJS file: a sandboxed preload cannot require() our modules).
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    // A middle click would ask for a new window (denied anyway by the window-open handler).
    disableBlinkFeatures: 'Auxclick',
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: options.devTools,
  };
}

const SIZES: Record<PageName, { width: number; height: number; minWidth: number; minHeight: number; resizable: boolean; title: string }> = {
  chart: { width: 1200, height: 820, minWidth: 720, minHeight: 480, resizable: true, title: 'Vigil — daily chart' },
  settings: { width: 760, height: 780, minWidth: 560, minHeight: 480, resizable: true, title: 'Vigil — settings' },
  export: { width: 440, height: 320, minWidth: 440, minHeight: 320, resizable: false, title: 'Vigil — export CSV' },
};

export interface WindowOptionsInput {
  preloadPath: string;
  platform: NodeJS.Platform;
  /** The app icon for the window frame (Windows, Linux); macOS takes it from the bundle. */
  iconPath: string | null;
  devTools: boolean;
}

export function windowOptions(page: PageName, input: WindowOptionsInput): BrowserWindowConstructorOptions {
  const size = SIZES[page];
  return {
    width: size.width,
    height: size.height,
    minWidth: size.minWidth,
    minHeight: size.minHeight,
    resizable: size.resizable,
    title: size.title,
    // Shown on 'ready-to-show', so the window never flashes empty.
    show: false,
    autoHideMenuBar: true,
    ...(input.iconPath && input.platform !== 'darwin' ? { icon: input.iconPath } : {}),
    webPreferences: secureWebPreferences(input.preloadPath, { devTools: input.devTools }),
  };
}

/** A URL belongs to the app's own pages (same scheme and host); everything else is foreign. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}
