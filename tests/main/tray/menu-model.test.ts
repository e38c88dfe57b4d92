import { describe, expect, it, vi } from 'vitest';
import { buildMenuModel, menuActions, shouldRebuildMenu, toMenuTemplate, type MenuItemModel } from '../../../src/main/tray/menu-model.js';
import { NO_HEALTH, type ShellState } from '../../../src/main/tray/state.js';
import type { Sample } from '../../../src/shared/model.js';

const GiB = 2 ** 30;
const sample: Sample = {
  ts: Date.UTC(2026, 10, 22, 12),
  cpu: { total: 12.3, cores: [10, 14.6] },
  memory: { total: 16 * GiB, used: 6 * GiB, available: 10 * GiB, free: 8 * GiB, swapTotal: 0, swapUsed: 0 },
  load: null,
  net: [{ iface: 'eth0', loopback: false, virtual: false, rxBitsPerSecond: 1_200_000, txBitsPerSecond: 200_000 }],
};

function state(patch: Partial<ShellState> = {}): ShellState {
  return { platform: 'linux', now: sample.ts, latest: sample, paused: false, sleeping: false, openAtLogin: false, exporting: null, health: NO_HEALTH, ...patch };
}

const labels = (model: MenuItemModel[]) => model.map((item) => (item.kind === 'separator' ? '---' : item.label));
const find = (model: MenuItemModel[], label: string): MenuItemModel | undefined =>
  model.flatMap((item) => (item.kind === 'submenu' ? [item, ...item.items] : [item])).find((item) => item.kind !== 'separator' && item.label === label);

describe('tray menu model', () => {
  it('live status lines, then every action, in order', () => {
    const model = buildMenuModel(state());
    expect(labels(model)).toEqual([
      'CPU 12 % · RAM 6.00 GiB of 16.0 GiB (38 %)',
      'Network ↓ 1.20 Mbit/s ↑ 200 kbit/s',
      '---',
      'Open daily chart',
      'Export CSV…',
      '---',
      'Pause sampling',
      'Settings…',
      'Start at login',
      'Open data folder',
      '---',
      'Quit Vigil',
    ]);
    expect(model.slice(0, 2).every((item) => item.kind === 'status' && item.live)).toBe(true);
    expect(menuActions(model)).toEqual(['open-chart', 'export:today', 'export:yesterday', 'export:last-7-days', 'export:range', 'pause', 'open-settings', 'toggle-login', 'open-data-folder', 'quit']);
  });

  it('paused: says so and offers Resume; sleeping: pause/resume disabled', () => {
    const paused = buildMenuModel(state({ paused: true }));
    expect(labels(paused)[0]).toBe('Sampling paused');
    expect(find(paused, 'Resume sampling')).toMatchObject({ kind: 'action', action: 'resume', enabled: true });
    expect(find(paused, 'Pause sampling')).toBeUndefined();
    const sleeping = buildMenuModel(state({ sleeping: true }));
    expect(labels(sleeping)[0]).toBe('Going to sleep…');
    expect(find(sleeping, 'Pause sampling')).toMatchObject({ enabled: false });
  });

  it('no sample yet: one waiting line', () => {
    expect(labels(buildMenuModel(state({ latest: null }))).slice(0, 2)).toEqual(['Waiting for the first sample…', '---']);
  });

  it('Start at login is a checkbox showing the login item', () => {
    expect(find(buildMenuModel(state({ openAtLogin: true })), 'Start at login')).toMatchObject({ checked: true });
    expect(find(buildMenuModel(state({ openAtLogin: false })), 'Start at login')).toMatchObject({ checked: false });
  });

  it('while an export runs: its progress is a status line, and Cancel export replaces the export entries', () => {
    const model = buildMenuModel(state({ exporting: { label: '22-11-2026', done: 450, total: 1000 } }));
    expect(labels(model)).toContain('Exporting 22-11-2026… 45 %');
    expect(find(model, 'Cancel export')).toMatchObject({ kind: 'action', action: 'export:cancel', enabled: true });
    expect(find(model, 'Export CSV…')).toBeUndefined();
    expect(find(model, 'Today')).toBeUndefined();
  });

  it('peers and sync: what is down, since when', () => {
    const model = buildMenuModel(
      state({ health: { peersWatched: 4, peersDown: ['db-1', 'web-2'], sync: { state: 'failing', since: sample.ts - 3_720_000, message: 'hub answered 503' } } }),
    );
    expect(labels(model)).toEqual(expect.arrayContaining(['Peers down: db-1, web-2 (2 of 4)', 'Sync failing for 1 h 2 min: hub answered 503']));
    const fine = buildMenuModel(state({ health: { peersWatched: 2, peersDown: [], sync: { state: 'ok', lagSeconds: 3 } } }));
    expect(labels(fine)).toEqual(expect.arrayContaining(['Peers: all 2 up', 'Sync up to date']));
  });

  it('Electron template: status lines disabled, separators, checkbox, submenu; clicks dispatch the action', () => {
    const dispatch = vi.fn();
    const template = toMenuTemplate(buildMenuModel(state({ openAtLogin: true })), dispatch);
    expect(template[0]).toEqual({ label: expect.stringMatching(/^CPU/), enabled: false });
    expect(template[2]).toEqual({ type: 'separator' });
    const login = template.find((item) => item.label === 'Start at login')!;
    expect(login).toMatchObject({ id: 'toggle-login', type: 'checkbox', checked: true, enabled: true });
    const exportMenu = template.find((item) => item.label === 'Export CSV…')!;
    const today = (exportMenu.submenu as typeof template).find((item) => item.label === 'Today')!;
    (today.click as () => void)();
    (login.click as () => void)();
    expect(dispatch.mock.calls).toEqual([['export:today'], ['toggle-login']]);
  });

  it('rebuilds at once for a state change, and at most every interval for live figures', () => {
    const first = buildMenuModel(state());
    expect(shouldRebuildMenu(null, first, 0, 5000)).toBe(true);
    expect(shouldRebuildMenu(first, buildMenuModel(state()), 100, 5000)).toBe(false);
    const busier = buildMenuModel(state({ latest: { ...sample, cpu: { total: 80, cores: [80, 80] } } }));
    expect(shouldRebuildMenu(first, busier, 1000, 5000)).toBe(false);
    expect(shouldRebuildMenu(first, busier, 5000, 5000)).toBe(true);
    expect(shouldRebuildMenu(first, buildMenuModel(state({ paused: true })), 10, 5000)).toBe(true);
    expect(shouldRebuildMenu(first, buildMenuModel(state({ openAtLogin: true })), 10, 5000)).toBe(true);
    const peerDown = buildMenuModel(state({ health: { peersWatched: 1, peersDown: ['a'], sync: { state: 'off' } } }));
    expect(shouldRebuildMenu(first, peerDown, 10, 5000)).toBe(true);
  });
});
