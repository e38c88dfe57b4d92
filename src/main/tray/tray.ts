// The tray icon: created once, then kept in step with ShellState. The icon changes with the state
// (normal / a peer down / sync failing), the tooltip and (macOS) the title with every sample, and
// the menu when its model changes (menu-model.ts decides how often).
import path from 'node:path';
import type { ElectronApi, ImageApi, MenuApi, TrayApi } from '../electron-api.js';
import { buildMenuModel, shouldRebuildMenu, toMenuTemplate, type MenuAction, type MenuItemModel } from './menu-model.js';
import { trayIcon, trayStatus, type TrayStatus } from './icons.js';
import type { ShellState } from './state.js';
import { tooltipText, trayTitle } from './tray-text.js';

export interface TrayControllerOptions {
  electron: Pick<ElectronApi, 'Tray' | 'Menu' | 'nativeImage'>;
  assetsDir: string;
  platform: NodeJS.Platform;
  dispatch: (action: MenuAction) => void;
  /** Monotonic-enough ms clock for the menu refresh throttle. */
  now: () => number;
  /** Live figures rebuild the menu at most this often (other changes do at once). */
  menuRefreshMs: number;
  /** Shown when a tray icon file cannot be read (an empty image shows nothing at all). */
  fallbackIconPath?: string;
  /** Told when an icon file could not be read. */
  onIconMissing?: (file: string) => void;
}

export class TrayController {
  private readonly tray: TrayApi;
  private readonly images = new Map<TrayStatus, ImageApi>();
  private status: TrayStatus | null = null;
  private tooltip = '';
  private title = '';
  private model: MenuItemModel[] | null = null;
  private builtMenu: MenuApi | null = null;
  private menuBuiltAt = 0;
  /** The menu is on screen: it is not replaced until it closes (then the newest state is shown). */
  private menuOpen = false;
  private changedWhileOpen = false;
  private latest: ShellState;

  constructor(
    private readonly options: TrayControllerOptions,
    initial: ShellState,
  ) {
    this.latest = initial;
    this.status = trayStatus({ peersDown: initial.health.peersDown, syncFailing: initial.health.sync.state === 'failing' });
    this.tray = new options.electron.Tray(this.image(this.status));
    // Windows: a left click on the icon opens the chart (the menu is on the right click). macOS
    // and Linux show the menu on click.
    if (options.platform === 'win32') this.tray.on('click', () => options.dispatch('open-chart'));
    this.update(initial);
  }

  update(state: ShellState): void {
    if (this.tray.isDestroyed()) return;
    this.latest = state;
    if (this.menuOpen) this.changedWhileOpen = true;
    const status = trayStatus({ peersDown: state.health.peersDown, syncFailing: state.health.sync.state === 'failing' });
    if (status !== this.status) {
      this.status = status;
      this.tray.setImage(this.image(status));
    }
    const tooltip = tooltipText(state);
    if (tooltip !== this.tooltip) {
      this.tooltip = tooltip;
      this.tray.setToolTip(tooltip);
    }
    if (this.options.platform === 'darwin') {
      const title = trayTitle(state);
      if (title !== this.title) {
        this.title = title;
        // Digits of one width: the figures change every second, and the menu bar must not jitter.
        this.tray.setTitle(title, { fontType: 'monospacedDigit' });
      }
    }
    const model = buildMenuModel(state);
    const now = this.options.now();
    // On Linux the menu must be set again after every change (AppIndicator menus are not live);
    // doing the same everywhere keeps one code path. Never while it is open: on Windows the open
    // menu's model would go, and the click the user is making with it (menu-will-close applies
    // what changed meanwhile).
    if (this.menuOpen) return;
    if (shouldRebuildMenu(this.model, model, now - this.menuBuiltAt, this.options.menuRefreshMs)) {
      this.model = model;
      this.menuBuiltAt = now;
      const menu = this.options.electron.Menu.buildFromTemplate(toMenuTemplate(model, this.options.dispatch, this.options.platform));
      menu.on('menu-will-show', () => {
        this.menuOpen = true;
      });
      menu.on('menu-will-close', () => {
        this.menuOpen = false;
        // After the click is handled (Electron emits the close first), with the newest state.
        if (this.changedWhileOpen) setImmediate(() => this.update(this.latest));
        this.changedWhileOpen = false;
      });
      this.builtMenu = menu;
      this.tray.setContextMenu(menu);
    }
  }

  /** The menu's model as last set (tests). */
  get menuModel(): readonly MenuItemModel[] | null {
    return this.model;
  }

  /** The Electron menu as last set (the e2e suite clicks its items: getMenuItemById(action)). */
  get menu(): MenuApi | null {
    return this.builtMenu;
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }

  private image(status: TrayStatus): ImageApi {
    let image = this.images.get(status);
    if (!image) {
      const icon = trayIcon(this.options.platform, status);
      const file = path.join(this.options.assetsDir, 'tray', icon.file);
      image = this.options.electron.nativeImage.createFromPath(file);
      // createFromPath does not fail for a file it cannot read: it gives an empty image, and the
      // tray would be invisible. The app icon is better than nothing.
      if (image.isEmpty()) {
        this.options.onIconMissing?.(file);
        if (this.options.fallbackIconPath) image = this.options.electron.nativeImage.createFromPath(this.options.fallbackIconPath);
      } else if (icon.template) image.setTemplateImage(true);
      this.images.set(status, image);
    }
    return image;
  }
}
