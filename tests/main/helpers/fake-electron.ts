// A recording fake of the slice of Electron the shell uses (src/main/electron-api.ts). It is
// declared `satisfies ElectronApi`, and src/main/index.ts passes the real electron module where
// an ElectronApi is expected, so the fake and the real API cannot drift apart unnoticed: both are
// checked against the same interface by `npm run typecheck`.
//
// It behaves like Electron where the shell depends on it: 'before-quit' can be prevented, a
// window's 'close' can be prevented (then it stays), a new BrowserWindow emits the app's
// 'web-contents-created', ipcMain calls go through the registered handlers with a sender frame.
// And it is as strict as Electron 41 where Electron refuses or loses something (the sources cited
// are electron/electron's, branch 41-x-y):
// - a destroyed window, webContents or tray throws on every method but isDestroyed/destroy;
// - a Notification nobody references is garbage-collected, and its 'click' is lost;
// - 'activate' is macOS's relaunch (and dock click); no 'before-quit' at a Windows session end;
// - a tray menu replaced while it is open loses the click made in it;
// - protocol.handle (through session.defaultSession) and dialogs only after 'ready',
//   registerSchemesAsPrivileged only before;
// - nativeImage.createFromPath of a missing file is an empty image, not an error;
// - a page that fails to load rejects loadURL and never emits 'ready-to-show'.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import type * as Electron from 'electron';
import type {
  BrowserWindowApi,
  ElectronApi,
  ImageApi,
  InvokeEventApi,
  MenuApi,
  NotificationApi,
  SessionWindowApi,
  TrayApi,
  WebContentsApi,
} from '../../../src/main/electron-api.js';

export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

/**
 * Electron's gin_helper refuses any method call on a destroyed object with this TypeError
 * (shell/common/gin_helper/function_template.h, ArgumentHolder; destroyable.cc). Tray has its own
 * check and message (shell/browser/api/electron_api_tray.cc, Tray::CheckAlive).
 */
function alive(object: { isDestroyed(): boolean }, message = 'Object has been destroyed'): void {
  if (object.isDestroyed()) throw message === 'Object has been destroyed' ? new TypeError(message) : new Error(message);
}

/** Only the fake's own code reads these; the shell treats images as opaque handles. */
export class FakeImage {
  template = false;
  /**
   * createFromPath never throws: a file it cannot read gives an empty image
   * (shell/common/api/electron_api_native_image.cc, NativeImage::CreateFromPath), and a tray
   * with an empty image shows nothing at all.
   */
  readonly empty: boolean;
  constructor(readonly path: string) {
    this.empty = !fs.existsSync(path);
  }
  isEmpty(): boolean {
    return this.empty;
  }
  setTemplateImage(option: boolean): void {
    this.template = option;
  }
}

export class FakeMenu extends EventEmitter {
  constructor(readonly template: Electron.MenuItemConstructorOptions[]) {
    super();
  }

  /** Labels of the top level (separators as '---'). */
  labels(): string[] {
    return this.template.map((item) => (item.type === 'separator' ? '---' : String(item.label)));
  }

  /** Finds an item by label, depth first (submenus included). */
  find(label: string, items = this.template): Electron.MenuItemConstructorOptions | undefined {
    for (const item of items) {
      if (item.label === label) return item;
      if (Array.isArray(item.submenu)) {
        const found = this.find(label, item.submenu);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Clicks an item as Electron would (only when enabled). */
  click(label: string): void {
    const item = this.find(label);
    if (!item) throw new Error(`No menu item "${label}" in ${JSON.stringify(this.labels())}`);
    if (item.enabled === false) throw new Error(`Menu item "${label}" is disabled`);
    (item.click as (() => void) | undefined)?.();
  }
}

export class FakeTray extends EventEmitter implements TrayApi {
  image: FakeImage;
  toolTip = '';
  title = '';
  titleOptions: Electron.TitleOptions | undefined;
  menu: FakeMenu | null = null;
  menuSets = 0;
  /** The menu on screen (openMenu), and whether it was replaced while open. */
  openedMenu: FakeMenu | null = null;
  private openedMenuReplaced = false;
  private destroyed = false;

  constructor(image: ImageApi) {
    super();
    this.image = image as unknown as FakeImage;
  }
  setImage(image: ImageApi): void {
    alive(this, 'Tray is destroyed');
    this.image = image as unknown as FakeImage;
  }
  setToolTip(toolTip: string): void {
    alive(this, 'Tray is destroyed');
    this.toolTip = toolTip;
  }
  setTitle(title: string, options?: Electron.TitleOptions): void {
    alive(this, 'Tray is destroyed');
    // electron_api_tray.cc, Tray::SetTitle: any other fontType is an error.
    if (options?.fontType !== undefined && options.fontType !== 'monospaced' && options.fontType !== 'monospacedDigit') {
      throw new Error("fontType must be one of 'monospaced' or 'monospacedDigit'");
    }
    this.title = title;
    this.titleOptions = options;
  }
  setContextMenu(menu: MenuApi | null): void {
    alive(this, 'Tray is destroyed');
    // On Windows the notify icon keeps a raw pointer to the model it shows
    // (shell/browser/ui/win/notify_icon.cc, NotifyIcon::SetContextMenu); swapping it under an open
    // menu lets the old model go, and the click made in the open menu is lost.
    if (this.openedMenu && menu !== this.openedMenu) this.openedMenuReplaced = true;
    this.menu = menu as FakeMenu | null;
    this.menuSets++;
  }

  /** The user opens the context menu: Menu emits 'menu-will-show' (electron_api_menu.cc). */
  openMenu(): FakeMenu {
    if (!this.menu) throw new Error('No context menu to open');
    this.openedMenu = this.menu;
    this.openedMenuReplaced = false;
    this.openedMenu.emit('menu-will-show', new FakeEvent());
    return this.openedMenu;
  }

  /**
   * The user clicks an item of the open menu, which then closes ('menu-will-close'). False when
   * the click was lost because the menu was replaced while it was open.
   */
  clickOpenMenu(label: string): boolean {
    const menu = this.openedMenu;
    if (!menu) throw new Error('No menu is open');
    const lost = this.openedMenuReplaced;
    this.openedMenu = null;
    this.openedMenuReplaced = false;
    menu.emit('menu-will-close', new FakeEvent());
    if (lost) return false;
    menu.click(label);
    return true;
  }

  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter implements WebContentsApi {
  readonly id = nextContentsId++;
  url = '';
  windowOpenHandler: ((details: Electron.HandlerDetails) => Electron.WindowOpenHandlerResponse) | null = null;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  destroyed = false;

  getURL(): string {
    alive(this);
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    // lib/browser/api/web-contents.ts: send goes through mainFrame, a destroyed object.
    alive(this);
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(handler: (details: Electron.HandlerDetails) => Electron.WindowOpenHandlerResponse): void {
    alive(this);
    this.windowOpenHandler = handler;
  }

  /** What happens when the page tries to navigate to `url`: true when the shell allowed it. */
  navigate(url: string): boolean {
    const event = new FakeEvent();
    this.emit('will-navigate', event, url);
    if (!event.defaultPrevented) this.url = url;
    return !event.defaultPrevented;
  }
}

export class FakeBrowserWindow extends EventEmitter implements BrowserWindowApi {
  private static nextId = 1;
  readonly id = FakeBrowserWindow.nextId++;
  private readonly contents = new FakeWebContents();
  visible = false;
  focused = false;
  minimized = false;
  destroyed = false;
  menu: MenuApi | null | undefined = undefined;
  readonly loads: string[] = [];

  constructor(
    readonly options: Electron.BrowserWindowConstructorOptions,
    private readonly world: FakeElectronWorld,
  ) {
    super();
    world.windows.push(this);
    // Electron creates the webContents with the window and tells the app.
    world.app.emit('web-contents-created', new FakeEvent(), this.contents);
  }

  /** A getter on the native window: it throws once the window is destroyed. */
  get webContents(): FakeWebContents {
    alive(this);
    return this.contents;
  }

  async loadURL(url: string): Promise<void> {
    alive(this);
    this.loads.push(url);
    this.contents.url = url;
    if (this.world.failingLoads) {
      // A page that fails: loadURL rejects with the net error, and 'ready-to-show' never comes
      // (it follows the first paint of a page that loaded).
      throw new Error(`ERR_FILE_NOT_FOUND (-6) loading '${url}'`);
    }
    // The page is ready: Electron emits ready-to-show once the first paint is possible.
    queueMicrotask(() => {
      if (!this.destroyed) this.emit('ready-to-show');
    });
  }
  show(): void {
    alive(this);
    this.visible = true;
  }
  focus(): void {
    alive(this);
    this.focused = true;
  }
  hide(): void {
    alive(this);
    this.visible = false;
  }
  restore(): void {
    alive(this);
    this.minimized = false;
  }
  isMinimized(): boolean {
    alive(this);
    return this.minimized;
  }
  isVisible(): boolean {
    alive(this);
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.contents.destroyed = true;
    this.visible = false;
    this.emit('closed');
  }
  setMenu(menu: MenuApi | null): void {
    alive(this);
    this.menu = menu;
  }

  /** The user clicks the window's close button. */
  close(): void {
    const event = new FakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
}

/**
 * A window without web contents (Electron's BaseWindow), as the shell uses it: hidden, to hear
 * Windows' session end. Electron hands both listeners a WindowSessionEndEvent.
 */
export class FakeBaseWindow extends EventEmitter implements SessionWindowApi {
  destroyed = false;
  constructor(
    readonly options: Electron.BaseWindowConstructorOptions,
    world: FakeElectronWorld,
  ) {
    super();
    world.baseWindows.push(this);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }

  /** Windows asks whether the session may end (WM_QUERYENDSESSION); true when a listener prevented it. */
  queryEndSession(reasons: Electron.WindowSessionEndEvent['reasons'] = ['shutdown']): boolean {
    const event = Object.assign(new FakeEvent(), { reasons });
    if (!this.destroyed) this.emit('query-session-end', event);
    return event.defaultPrevented;
  }

  /** The session ends (WM_ENDSESSION with wParam TRUE). */
  endSession(reasons: Electron.WindowSessionEndEvent['reasons'] = ['shutdown']): void {
    if (!this.destroyed) this.emit('session-end', Object.assign(new FakeEvent(), { reasons }));
  }
}

/**
 * A Notification is a plain wrappable with nothing keeping it alive
 * (shell/browser/api/electron_api_notification.h: no SelfKeepAlive, unlike Menu), so once the app
 * drops its last reference the garbage collector takes it, and a later click on it reaches no
 * listener (electron#16922, #12690). The world holds them weakly, and collectGarbage() runs V8's
 * collector for real.
 */
export class FakeNotification extends EventEmitter implements NotificationApi {
  shown = false;
  constructor(
    readonly options: Electron.NotificationConstructorOptions,
    world: FakeElectronWorld,
  ) {
    super();
    world.shownNotifications.push({ options, ref: new WeakRef(this) });
  }
  show(): void {
    this.shown = true;
  }
  click(): void {
    this.emit('click', new FakeEvent());
  }
  /** The user dismisses it. */
  close(): void {
    this.emit('close', new FakeEvent());
  }
}

/** What a test sees of a notification: its options, and a click that works only if it is alive. */
export interface ShownNotification {
  options: Electron.NotificationConstructorOptions;
  ref: WeakRef<FakeNotification>;
}

/** Runs V8's garbage collector (as Electron's would, eventually). */
export async function collectGarbage(): Promise<void> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  // Let pending microtasks drop their references first; then a full collection, twice (weak
  // references are cleared after the job that observed them).
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  readonly paths = new Map<string, string>();
  readonly loginItems: Electron.Settings[] = [];
  openAtLogin = false;
  singleInstanceLock = true;
  quitRequests = 0;
  /** Set once a quit went through (no before-quit listener prevented it). */
  quitted = false;
  exitCode: number | null = null;
  dockHidden = false;
  appUserModelId: string | null = null;
  /** app.focus({ steal }) calls, in order (macOS brings the app to the front). */
  readonly focusCalls: ({ steal: boolean } | undefined)[] = [];
  /** Set by makeReady(): what Electron's Browser::is_ready() reports. */
  ready = false;
  readonly dock: { hide(): void } | undefined;
  private resolveReady!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => (this.resolveReady = resolve));

  constructor(
    private readonly platform: NodeJS.Platform,
    private readonly appPath: string,
  ) {
    super();
    this.dock = platform === 'darwin' ? { hide: () => (this.dockHidden = true) } : undefined;
  }

  /** The test says when Electron is ready (like the real 'ready'). */
  makeReady(): void {
    this.ready = true;
    this.resolveReady();
  }
  requestSingleInstanceLock(): boolean {
    return this.singleInstanceLock;
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  focus(options?: { steal: boolean }): void {
    this.focusCalls.push(options);
    this.focusLog?.push('focus');
  }
  /** Where focus() calls are also logged (the world's dialogOrder). */
  focusLog: string[] | null = null;

  /**
   * The user opens the app again from Finder, Spotlight or the Dock while it runs: macOS sends
   * the running app 'activate' (electron_api_app.cc, App::OnActivate), never 'second-instance'.
   */
  activate(hasVisibleWindows = false): void {
    if (this.platform !== 'darwin') throw new Error("'activate' is emitted on macOS only");
    this.emit('activate', new FakeEvent(), hasVisibleWindows);
  }
  quit(): void {
    this.quitRequests++;
    const event = new FakeEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.quitted = true;
  }
  exit(exitCode = 0): void {
    this.exitCode = exitCode;
  }
  getPath(name: string): string {
    const value = this.paths.get(name);
    if (!value) throw new Error(`fake app.getPath: no path "${name}"`);
    return value;
  }
  setPath(name: string, value: string): void {
    // Chromium reads sessionData when it starts: setting it after 'ready' changes nothing.
    if (name === 'sessionData' && this.ready) throw new Error("fake app.setPath('sessionData') after ready has no effect in Electron");
    this.paths.set(name, value);
  }
  getAppPath(): string {
    return this.appPath;
  }
  getVersion(): string {
    return '0.0.0-test';
  }
  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }
  setLoginItemSettings(settings: Electron.Settings): void {
    this.loginItems.push(settings);
    this.openAtLogin = settings.openAtLogin ?? false;
  }
  getLoginItemSettings(): { openAtLogin: boolean } {
    return { openAtLogin: this.openAtLogin };
  }
}

export interface FakeSender {
  webContents: FakeWebContents | { id: number; isDestroyed(): boolean; send(): void };
  /** The frame's URL; default: what the webContents shows. */
  url?: string;
  /** Not the main frame. */
  subframe?: boolean;
  /** The frame is gone (navigated away or destroyed). */
  noFrame?: boolean;
}

export interface FakeElectronWorld {
  app: FakeApp;
  trays: FakeTray[];
  windows: FakeBrowserWindow[];
  baseWindows: FakeBaseWindow[];
  /** Every notification created, held weakly (see FakeNotification). */
  shownNotifications: ShownNotification[];
  /** Pages fail to load (loadURL rejects, no 'ready-to-show'). */
  failingLoads: boolean;
  handlers: Map<string, (event: InvokeEventApi, ...args: unknown[]) => unknown>;
  power: EventEmitter;
  errorBoxes: { title: string; content: string }[];
  saveDialogs: Electron.SaveDialogOptions[];
  /** What the next save dialogs answer (shifted per call); default: cancelled. */
  saveDialogAnswers: Electron.SaveDialogReturnValue[];
  openDialogs: Electron.OpenDialogOptions[];
  /** What the next open dialogs answer (shifted per call); default: cancelled. */
  openDialogAnswers: Electron.OpenDialogReturnValue[];
  /** Which dialogs opened, in order with app.focus calls ('focus'), to check what came first. */
  dialogOrder: string[];
  openedPaths: string[];
  openedExternal: string[];
  shownInFolder: string[];
  privilegedSchemes: Electron.CustomScheme[];
  protocolHandlers: Map<string, (request: Request) => Response | Promise<Response>>;
  permissionRequestHandler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null;
  permissionCheckHandler: ((webContents: unknown, permission: string) => boolean) | null;
  notificationsSupported: boolean;
  /** Calls an IPC channel as the given sender would (ipcRenderer.invoke). */
  invoke(channel: string, sender: FakeSender, ...args: unknown[]): Promise<unknown>;
}

export function createFakeElectron(options: { platform: NodeJS.Platform; appPath: string }) {
  const world: FakeElectronWorld = {
    app: new FakeApp(options.platform, options.appPath),
    trays: [],
    windows: [],
    baseWindows: [],
    shownNotifications: [],
    failingLoads: false,
    handlers: new Map(),
    power: new EventEmitter(),
    errorBoxes: [],
    saveDialogs: [],
    saveDialogAnswers: [],
    openDialogs: [],
    openDialogAnswers: [],
    dialogOrder: [],
    openedPaths: [],
    openedExternal: [],
    shownInFolder: [],
    privilegedSchemes: [],
    protocolHandlers: new Map(),
    permissionRequestHandler: null,
    permissionCheckHandler: null,
    notificationsSupported: true,
    async invoke(channel, sender, ...args) {
      const handler = world.handlers.get(channel);
      if (!handler) throw new Error(`No handler for ${channel}`);
      const url = sender.url ?? ('getURL' in sender.webContents ? sender.webContents.getURL() : '');
      const event: InvokeEventApi = {
        sender: sender.webContents as FakeWebContents,
        senderFrame: sender.noFrame ? null : { url, parent: sender.subframe ? {} : null },
      };
      return handler(event, ...args);
    },
  };

  world.app.focusLog = world.dialogOrder;
  const api = {
    app: world.app,
    Tray: class extends FakeTray {
      constructor(image: ImageApi) {
        super(image);
        world.trays.push(this);
      }
    },
    Menu: { buildFromTemplate: (template: Electron.MenuItemConstructorOptions[]) => new FakeMenu(template) },
    BrowserWindow: class extends FakeBrowserWindow {
      constructor(windowOptions: Electron.BrowserWindowConstructorOptions) {
        super(windowOptions, world);
      }
    },
    BaseWindow: class extends FakeBaseWindow {
      constructor(windowOptions: Electron.BaseWindowConstructorOptions) {
        super(windowOptions, world);
      }
    },
    ipcMain: {
      handle(channel: string, listener: (event: InvokeEventApi, ...args: unknown[]) => unknown) {
        if (world.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        world.handlers.set(channel, listener);
      },
      removeHandler(channel: string) {
        world.handlers.delete(channel);
      },
    },
    powerMonitor: {
      on(event: 'suspend' | 'resume' | 'shutdown', listener: () => void) {
        world.power.on(event, listener);
        return this;
      },
    },
    Notification: Object.assign(
      class extends FakeNotification {
        constructor(notificationOptions: Electron.NotificationConstructorOptions) {
          super(notificationOptions, world);
        }
      },
      { isSupported: () => world.notificationsSupported },
    ),
    dialog: {
      // showErrorBox works before 'ready' (it is meant for startup errors); the others do not
      // (lib/browser/api/dialog.ts: 'dialog module can only be used after app is ready').
      showErrorBox(title: string, content: string) {
        world.errorBoxes.push({ title, content });
      },
      async showSaveDialog(dialogOptions: Electron.SaveDialogOptions): Promise<Electron.SaveDialogReturnValue> {
        afterReady('dialog module can only be used after app is ready');
        world.dialogOrder.push('save');
        world.saveDialogs.push(dialogOptions);
        return world.saveDialogAnswers.shift() ?? { canceled: true, filePath: '' };
      },
      async showOpenDialog(dialogOptions: Electron.OpenDialogOptions): Promise<Electron.OpenDialogReturnValue> {
        afterReady('dialog module can only be used after app is ready');
        world.dialogOrder.push('open');
        world.openDialogs.push(dialogOptions);
        return world.openDialogAnswers.shift() ?? { canceled: true, filePaths: [] };
      },
      async showMessageBox(): Promise<Electron.MessageBoxReturnValue> {
        return { response: 0, checkboxChecked: false };
      },
    },
    shell: {
      async openPath(path: string) {
        world.openedPaths.push(path);
        return '';
      },
      async openExternal(url: string) {
        world.openedExternal.push(url);
      },
      showItemInFolder(path: string) {
        world.shownInFolder.push(path);
      },
    },
    nativeImage: {
      // The shell hands images back to Tray untouched; a stand-in is enough (see ImageApi).
      createFromPath: (path: string) => new FakeImage(path) as unknown as Electron.NativeImage,
    },
    protocol: {
      registerSchemesAsPrivileged(schemes: Electron.CustomScheme[]) {
        // shell/browser/api/electron_api_protocol.cc, RegisterSchemesAsPrivileged.
        if (world.app.ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
        world.privilegedSchemes.push(...schemes);
      },
      handle(scheme: string, handler: (request: Request) => Response | Promise<Response>) {
        // lib/browser/api/protocol.ts: protocol.handle is session.defaultSession.protocol.handle,
        // and the default session exists only once the app is ready.
        defaultSession();
        // Protocol.prototype.handle: a second registration of the scheme fails.
        if (world.protocolHandlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`);
        world.protocolHandlers.set(scheme, handler);
      },
    },
    session: {
      get defaultSession() {
        return defaultSession();
      },
    },
  } satisfies ElectronApi;

  function afterReady(message: string): void {
    if (!world.app.ready) throw new Error(message);
  }
  /** shell/browser/api/electron_api_session.cc: 'Session can only be received when app is ready'. */
  function defaultSession() {
    if (!world.app.ready) throw new TypeError('Session can only be received when app is ready');
    return session;
  }
  const session = {
    setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) {
      world.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean) {
      world.permissionCheckHandler = handler;
    },
  };

  return { api, world };
}
