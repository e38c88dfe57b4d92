// The tray menu as data: ShellState in, a list of items out. The shell turns it into an Electron
// menu (toMenuTemplate) and wires each action id to what it does (app.ts); tests read the model.
import type { MenuItemConstructorOptions } from 'electron';
import { statusLines } from './tray-text.js';
import type { ShellState } from './state.js';

/** The presets of the Export CSV submenu; `range` opens a small window to pick the days. */
export type ExportChoice = 'today' | 'yesterday' | 'last-7-days' | 'range';

/** The exports the tray offers at once (a day or a week); 'range' opens a window instead. */
export type ExportPreset = Exclude<ExportChoice, 'range'>;

/** The preset an export action asks for (typed, where `action.slice('export:'.length)` was not). */
export function exportPresetOf(action: `export:${ExportPreset}`): ExportPreset {
  switch (action) {
    case 'export:today':
      return 'today';
    case 'export:yesterday':
      return 'yesterday';
    case 'export:last-7-days':
      return 'last-7-days';
  }
}

export type MenuAction =
  | 'open-chart'
  | `export:${ExportChoice}`
  | 'export:cancel'
  | 'pause'
  | 'resume'
  | 'open-settings'
  | 'toggle-login'
  | 'open-data-folder'
  | 'quit';

export type MenuItemModel =
  /** A disabled line; `live` ones change with every sample and may lag a few seconds. */
  | { kind: 'status'; label: string; live: boolean }
  | { kind: 'separator' }
  | { kind: 'action'; action: MenuAction; label: string; enabled: boolean; checked?: boolean }
  | { kind: 'submenu'; label: string; enabled: boolean; items: MenuItemModel[] };

export function buildMenuModel(state: ShellState): MenuItemModel[] {
  const exporting = state.exporting !== null;
  const items: MenuItemModel[] = statusLines(state).map(({ label, live }) => ({ kind: 'status', label, live }));
  items.push(
    { kind: 'separator' },
    { kind: 'action', action: 'open-chart', label: 'Open daily chart', enabled: true },
    // One export at a time: while one runs, a status line shows its progress and this stops it.
    exporting
      ? { kind: 'action', action: 'export:cancel', label: 'Cancel export', enabled: true }
      : {
          kind: 'submenu',
          label: 'Export CSV…',
          enabled: true,
          items: [
            { kind: 'action', action: 'export:today', label: 'Today', enabled: true },
            { kind: 'action', action: 'export:yesterday', label: 'Yesterday', enabled: true },
            { kind: 'action', action: 'export:last-7-days', label: 'Last 7 days', enabled: true },
            { kind: 'separator' },
            { kind: 'action', action: 'export:range', label: 'Choose days…', enabled: true },
          ],
        },
    { kind: 'separator' },
    state.paused
      ? { kind: 'action', action: 'resume', label: 'Resume sampling', enabled: !state.sleeping }
      : { kind: 'action', action: 'pause', label: 'Pause sampling', enabled: !state.sleeping },
    { kind: 'action', action: 'open-settings', label: 'Settings…', enabled: true },
    { kind: 'action', action: 'toggle-login', label: 'Start at login', enabled: true, checked: state.openAtLogin },
    { kind: 'action', action: 'open-data-folder', label: 'Open data folder', enabled: true },
    { kind: 'separator' },
    { kind: 'action', action: 'quit', label: 'Quit Vigil', enabled: true },
  );
  return items;
}

/** Electron's menu template for a model; every click goes to `dispatch` with the item's action. */
export function toMenuTemplate(model: readonly MenuItemModel[], dispatch: (action: MenuAction) => void, platform: NodeJS.Platform = 'linux'): MenuItemConstructorOptions[] {
  const label = (text: string) => menuLabel(text, platform);
  return model.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'status':
        return { label: label(item.label), enabled: false };
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { label: label(item.label), enabled: item.enabled, submenu: toMenuTemplate(item.items, dispatch, platform) };
      case 'action':
        return {
          // The action as the item's id: Menu.getMenuItemById finds it (the e2e suite clicks it so).
          id: item.action,
          label: label(item.label),
          enabled: item.enabled,
          ...(item.checked === undefined ? {} : { type: 'checkbox' as const, checked: item.checked }),
          click: () => dispatch(item.action),
        };
    }
  });
}

/**
 * On Windows and Linux an `&` in a menu label marks the next letter as its keyboard mnemonic (it
 * disappears, the letter is underlined): a peer named "R&D" would show as "RD". `&&` is a literal
 * `&` there. macOS menus have no mnemonics and show the text as it is.
 */
export function menuLabel(text: string, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? text : text.replaceAll('&', '&&');
}

/** The actions a model offers (enabled or not), depth first: what a test or a menu walker sees. */
export function menuActions(model: readonly MenuItemModel[]): MenuAction[] {
  return model.flatMap((item) => (item.kind === 'action' ? [item.action] : item.kind === 'submenu' ? menuActions(item.items) : []));
}

/**
 * Rebuilding the menu closes it if it is open (on Linux the AppIndicator menu is replaced, not
 * updated), so live figures refresh it at most every `minIntervalMs`; any other change (paused,
 * a peer down, the login item, an export starting) rebuilds it at once.
 */
export function shouldRebuildMenu(previous: readonly MenuItemModel[] | null, next: readonly MenuItemModel[], msSinceLast: number, minIntervalMs: number): boolean {
  if (previous === null) return true;
  const shape = (model: readonly MenuItemModel[]) =>
    JSON.stringify(model.map((item) => (item.kind === 'status' && item.live ? { kind: 'live' } : item)));
  if (shape(previous) !== shape(next)) return true;
  if (JSON.stringify(previous) === JSON.stringify(next)) return false;
  return msSinceLast >= minIntervalMs;
}
