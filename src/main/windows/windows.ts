// The app's windows: the daily chart, settings, and the small "export these days" window. At most
// one of each; opening one that exists brings it to the front. The app lives in the tray, so
// closing a window never quits it: the chart window is hidden (it reopens instantly, where it
// was), the small ones are closed for real (they read fresh settings when opened again).
import type { BrowserWindowApi, ElectronApi } from '../electron-api.js';
import type { Logger } from '../../core/log.js';
import { pageUrl, windowOptions, type PageName } from './options.js';

export interface WindowManagerOptions {
  BrowserWindow: ElectronApi['BrowserWindow'];
  preloadPath: string;
  iconPath: string | null;
  platform: NodeJS.Platform;
  devTools: boolean;
  logger: Logger;
  /** A page could not load: its window is gone (it would never show), the user should hear why. */
  onLoadFailed?: (page: PageName, message: string) => void;
}

/** Windows hidden rather than closed when the user closes them. */
const HIDE_ON_CLOSE: ReadonlySet<PageName> = new Set(['chart']);

export class WindowManager {
  private readonly windows = new Map<PageName, BrowserWindowApi>();
  /** webContents ids of our windows: the only senders IPC handlers answer. */
  readonly trustedWebContents = new Set<number>();
  private quitting = false;

  constructor(private readonly options: WindowManagerOptions) {}

  /** Shows a page's window (creating it if needed) and focuses it. */
  open(page: PageName, query: Record<string, string> = {}): BrowserWindowApi {
    const url = pageUrl(page, query);
    const existing = this.windows.get(page);
    if (existing && !existing.isDestroyed()) {
      if (Object.keys(query).length > 0 && existing.webContents.getURL() !== url) void this.load(existing, url, page);
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return existing;
    }
    const { BrowserWindow } = this.options;
    const options = windowOptions(page, {
      preloadPath: this.options.preloadPath,
      iconPath: this.options.iconPath,
      platform: this.options.platform,
      devTools: this.options.devTools,
    });
    // The security flags come from secureWebPreferences (options.ts, tested); they are repeated
    // here, at the one place windows are made, so that no change elsewhere can turn one off and
    // so that static scanners (electronegativity, in `npm test`) see them.
    const window = new BrowserWindow({
      ...options,
      webPreferences: {
        ...options.webPreferences,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        disableBlinkFeatures: 'Auxclick',
      },
    });
    const contentsId = window.webContents.id;
    this.windows.set(page, window);
    this.trustedWebContents.add(contentsId);
    if (this.options.platform !== 'darwin') window.setMenu(null);
    window.once('ready-to-show', () => {
      window.show();
      window.focus();
    });
    window.on('close', (event) => {
      if (this.quitting || !HIDE_ON_CLOSE.has(page)) return;
      event.preventDefault();
      window.hide();
    });
    window.on('closed', () => {
      this.trustedWebContents.delete(contentsId);
      if (this.windows.get(page) === window) this.windows.delete(page);
    });
    void this.load(window, url, page);
    return window;
  }

  get(page: PageName): BrowserWindowApi | null {
    const window = this.windows.get(page);
    return window && !window.isDestroyed() ? window : null;
  }

  /** The most useful window to bring forward when the user launches the app a second time. */
  focusMain(): BrowserWindowApi {
    return this.open('chart');
  }

  /** From now on closing really closes (the app is quitting). */
  setQuitting(): void {
    this.quitting = true;
  }

  destroyAll(): void {
    this.quitting = true;
    for (const window of this.windows.values()) if (!window.isDestroyed()) window.destroy();
    this.windows.clear();
    this.trustedWebContents.clear();
  }

  private async load(window: BrowserWindowApi, url: string, page: PageName): Promise<void> {
    try {
      await window.loadURL(url);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.error('window page failed to load', { url, error: message });
      // 'ready-to-show' never comes for a page that failed: the window would stay hidden for
      // good, and opening it again would only bring back that hidden window. It goes; the next
      // open tries again.
      if (!window.isDestroyed() && this.windows.get(page) === window) window.destroy();
      this.options.onLoadFailed?.(page, message);
    }
  }
}
