// The seam between the shell and Electron. Every part of src/main receives this object instead of
// importing 'electron', so the whole shell also runs in plain Node against a recording fake
// (tests/main/fake-electron.ts): no Electron binary exists on the build machines.
//
// Each member is a narrow slice of Electron's own types: the exact methods and event overloads the
// shell uses, with Electron's own option and return types. src/main/index.ts passes the real
// `electron` module where an ElectronApi is expected, so a change in Electron's API that the shell
// depends on fails `npm run typecheck` there; the fake is declared `satisfies ElectronApi`, so it
// cannot drift from what the real module provides either.
import type * as Electron from 'electron';

type Listener<A extends unknown[] = []> = (...args: A) => void;

/**
 * A native image, opaque to the shell: created from a path, handed to the tray. Electron's Tray
 * constructor takes exactly its NativeImage, so the handle keeps that type (the fake builds a
 * stand-in and casts it; the shell itself only calls isEmpty() and setTemplateImage()).
 */
export type ImageApi = Electron.NativeImage;

/**
 * A built menu, handed to the tray. It says when it opens and closes (Menu's 'menu-will-show' and
 * 'menu-will-close'), so the tray never replaces a menu the user is looking at.
 */
export interface MenuApi {
  on(event: 'menu-will-show' | 'menu-will-close', listener: (event: Electron.Event) => void): this;
}

/** What an ipcMain handler reads from its event: who sent it. */
export interface InvokeEventApi {
  readonly sender: { readonly id: number; isDestroyed(): boolean; send(channel: string, ...args: unknown[]): void };
  /** null once the frame has navigated away or been destroyed. */
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export interface AppApi {
  readonly isPackaged: boolean;
  on(event: 'second-instance', listener: (event: Electron.Event, argv: string[], workingDirectory: string) => void): this;
  on(event: 'window-all-closed', listener: Listener): this;
  on(event: 'before-quit', listener: (event: Electron.Event) => void): this;
  on(event: 'activate', listener: (event: Electron.Event, hasVisibleWindows: boolean) => void): this;
  on(event: 'web-contents-created', listener: (event: Electron.Event, webContents: WebContentsApi) => void): this;
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<void>;
  quit(): void;
  exit(exitCode?: number): void;
  getPath(name: 'home' | 'userData' | 'downloads' | 'documents'): string;
  /** sessionData: Chromium's profile (set before 'ready'). */
  setPath(name: 'userData' | 'sessionData', path: string): void;
  /** Brings the app to the front (macOS: a tray app's dialogs otherwise open behind other apps). */
  focus(options?: { steal: boolean }): void;
  getAppPath(): string;
  getVersion(): string;
  setAppUserModelId(id: string): void;
  setLoginItemSettings(settings: Electron.Settings): void;
  getLoginItemSettings(options?: Electron.LoginItemSettingsOptions): { openAtLogin: boolean };
  /** macOS only (undefined elsewhere). */
  readonly dock?: { hide(): void } | undefined;
}

export interface TrayApi {
  setImage(image: ImageApi): void;
  setToolTip(toolTip: string): void;
  setTitle(title: string, options?: Electron.TitleOptions): void;
  setContextMenu(menu: MenuApi | null): void;
  destroy(): void;
  isDestroyed(): boolean;
  on(event: 'click', listener: Listener<[Electron.KeyboardEvent, Electron.Rectangle, Electron.Point]>): this;
}

export interface WebContentsApi {
  readonly id: number;
  getURL(): string;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
  setWindowOpenHandler(handler: (details: Electron.HandlerDetails) => Electron.WindowOpenHandlerResponse): void;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: Electron.Event, url: string) => void): this;
  on(event: 'will-attach-webview', listener: (event: Electron.Event) => void): this;
}

export interface BrowserWindowApi {
  readonly id: number;
  readonly webContents: WebContentsApi;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  hide(): void;
  restore(): void;
  isMinimized(): boolean;
  isVisible(): boolean;
  isDestroyed(): boolean;
  destroy(): void;
  setMenu(menu: MenuApi | null): void;
  on(event: 'close', listener: (event: Electron.Event) => void): this;
  on(event: 'closed', listener: Listener): this;
  once(event: 'ready-to-show', listener: Listener): this;
}

/**
 * The hidden window that hears Windows' session end (power.ts): Electron emits these two events
 * on windows only, on Windows only.
 */
export interface SessionWindowApi {
  on(event: 'query-session-end', listener: (event: Electron.WindowSessionEndEvent) => void): this;
  on(event: 'session-end', listener: (event: Electron.WindowSessionEndEvent) => void): this;
  isDestroyed(): boolean;
  destroy(): void;
}

export interface IpcMainApi {
  handle(channel: string, listener: (event: InvokeEventApi, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface PowerMonitorApi {
  on(event: 'suspend' | 'resume' | 'shutdown', listener: Listener): this;
}

export interface NotificationApi {
  show(): void;
  on(event: 'click' | 'close', listener: (event: Electron.Event) => void): this;
}

export interface DialogApi {
  showErrorBox(title: string, content: string): void;
  showSaveDialog(options: Electron.SaveDialogOptions): Promise<Electron.SaveDialogReturnValue>;
  showOpenDialog(options: Electron.OpenDialogOptions): Promise<Electron.OpenDialogReturnValue>;
  showMessageBox(options: Electron.MessageBoxOptions): Promise<Electron.MessageBoxReturnValue>;
}

export interface ShellApi {
  openPath(path: string): Promise<string>;
  openExternal(url: string): Promise<void>;
  showItemInFolder(fullPath: string): void;
}

export interface ProtocolApi {
  registerSchemesAsPrivileged(schemes: Electron.CustomScheme[]): void;
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

export interface SessionApi {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
}

export interface ElectronApi {
  app: AppApi;
  Tray: new (image: ImageApi) => TrayApi;
  Menu: { buildFromTemplate(template: Electron.MenuItemConstructorOptions[]): MenuApi };
  BrowserWindow: new (options: Electron.BrowserWindowConstructorOptions) => BrowserWindowApi;
  /** A window without web contents (only the hidden session-end window, on Windows). */
  BaseWindow: new (options: Electron.BaseWindowConstructorOptions) => SessionWindowApi;
  ipcMain: IpcMainApi;
  powerMonitor: PowerMonitorApi;
  Notification: (new (options: Electron.NotificationConstructorOptions) => NotificationApi) & { isSupported(): boolean };
  dialog: DialogApi;
  shell: ShellApi;
  nativeImage: { createFromPath(path: string): ImageApi };
  protocol: ProtocolApi;
  session: { readonly defaultSession: SessionApi };
}
