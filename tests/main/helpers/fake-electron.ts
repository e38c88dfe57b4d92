// A recording fake of the slice of Electron the shell uses (src/main/electron-api.ts). It is
// declared `satisfies ElectronApi`, and src/main/index.ts passes the real electron module where
// an ElectronApi is expected, so the fake and the real API cannot drift apart unnoticed: both are
// checked against the same interface by `npm run typecheck`.
//
// It behaves like Electron where the shell depends on it: 'before-quit' can be prevented, a
// window's 'close' can be prevented (then it stays), a new BrowserWindow emits the app's
// 'web-contents-created', ipcMain calls go through the registered handlers with a sender frame.
import { EventEmitter } from 'node:events';
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

/** Only the fake's own code reads these; the shell treats images as opaque handles. */
export class FakeImage {
  template = false;
  constructor(readonly path: string) {}
  isEmpty(): boolean {
    return false;
  }
  setTemplateImage(option: boolean): void {
    this.template = option;
  }
}

export class FakeMenu {
  constructor(readonly template: Electron.MenuItemConstructorOptions[]) {}

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
  menu: FakeMenu | null = null;
  menuSets = 0;
  private destroyed = false;

  constructor(image: ImageApi) {
    super();
    this.image = image as unknown as FakeImage;
  }
  setImage(image: ImageApi): void {
    this.image = image as unknown as FakeImage;
  }
  setToolTip(toolTip: string): void {
    this.toolTip = toolTip;
  }
  setTitle(title: string): void {
    this.title = title;
  }
  setContextMenu(menu: MenuApi | null): void {
    this.menu = menu as FakeMenu | null;
    this.menuSets++;
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
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(handler: (details: Electron.HandlerDetails) => Electron.WindowOpenHandlerResponse): void {
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
  readonly webContents = new FakeWebContents();
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
    world.app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }

  async loadURL(url: string): Promise<void> {
    this.loads.push(url);
    this.webContents.url = url;
    // The page is ready: Electron emits ready-to-show once the first paint is possible.
    queueMicrotask(() => this.emit('ready-to-show'));
  }
  show(): void {
    this.visible = true;
  }
  focus(): void {
    this.focused = true;
  }
  hide(): void {
    this.visible = false;
  }
  restore(): void {
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.visible = false;
    this.emit('closed');
  }
  setMenu(menu: MenuApi | null): void {
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

export class FakeNotification extends EventEmitter implements NotificationApi {
  shown = false;
  constructor(
    readonly options: Electron.NotificationConstructorOptions,
    world: FakeElectronWorld,
  ) {
    super();
    world.notifications.push(this);
  }
  show(): void {
    this.shown = true;
  }
  click(): void {
    this.emit('click', new FakeEvent());
  }
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
  readonly dock: { hide(): void } | undefined;
  private resolveReady!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.resolveReady = resolve));

  constructor(
    platform: NodeJS.Platform,
    private readonly appPath: string,
  ) {
    super();
    this.dock = platform === 'darwin' ? { hide: () => (this.dockHidden = true) } : undefined;
  }

  /** The test says when Electron is ready (like the real 'ready'). */
  makeReady(): void {
    this.resolveReady();
  }
  requestSingleInstanceLock(): boolean {
    return this.singleInstanceLock;
  }
  whenReady(): Promise<void> {
    return this.ready;
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
  webContents: FakeWebContents | { id: number; send(): void };
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
  notifications: FakeNotification[];
  handlers: Map<string, (event: InvokeEventApi, ...args: unknown[]) => unknown>;
  power: EventEmitter;
  errorBoxes: { title: string; content: string }[];
  saveDialogs: Electron.SaveDialogOptions[];
  /** What the next save dialogs answer (shifted per call); default: cancelled. */
  saveDialogAnswers: Electron.SaveDialogReturnValue[];
  openDialogs: Electron.OpenDialogOptions[];
  /** What the next open dialogs answer (shifted per call); default: cancelled. */
  openDialogAnswers: Electron.OpenDialogReturnValue[];
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
    notifications: [],
    handlers: new Map(),
    power: new EventEmitter(),
    errorBoxes: [],
    saveDialogs: [],
    saveDialogAnswers: [],
    openDialogs: [],
    openDialogAnswers: [],
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
      showErrorBox(title: string, content: string) {
        world.errorBoxes.push({ title, content });
      },
      async showSaveDialog(dialogOptions: Electron.SaveDialogOptions): Promise<Electron.SaveDialogReturnValue> {
        world.saveDialogs.push(dialogOptions);
        return world.saveDialogAnswers.shift() ?? { canceled: true, filePath: '' };
      },
      async showOpenDialog(dialogOptions: Electron.OpenDialogOptions): Promise<Electron.OpenDialogReturnValue> {
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
        world.privilegedSchemes.push(...schemes);
      },
      handle(scheme: string, handler: (request: Request) => Response | Promise<Response>) {
        world.protocolHandlers.set(scheme, handler);
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) {
          world.permissionRequestHandler = handler;
        },
        setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean) {
          world.permissionCheckHandler = handler;
        },
      },
    },
  } satisfies ElectronApi;

  return { api, world };
}
