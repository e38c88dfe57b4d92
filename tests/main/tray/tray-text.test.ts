import { describe, expect, it } from 'vitest';
import { netTotals, TOOLTIP_MAX, tooltipText, trayTitle, statusLines } from '../../../src/main/tray/tray-text.js';
import { NO_HEALTH, type ShellState } from '../../../src/main/tray/state.js';
import type { Sample } from '../../../src/shared/model.js';

const GiB = 2 ** 30;
const sample: Sample = {
  ts: 0,
  cpu: { total: 99.6, cores: [99.6] },
  memory: { total: 8 * GiB, used: 7 * GiB, available: GiB, free: GiB / 2, swapTotal: 0, swapUsed: 0 },
  load: { one: 1, five: 1, fifteen: 1 },
  net: [
    { iface: 'eth0', loopback: false, virtual: false, rxBitsPerSecond: 1000, txBitsPerSecond: 2000 },
    { iface: 'wlan0', loopback: false, virtual: false, rxBitsPerSecond: 3000, txBitsPerSecond: null },
    { iface: 'lo', loopback: true, virtual: false, rxBitsPerSecond: 1e9, txBitsPerSecond: 1e9 },
    { iface: 'docker0', loopback: false, virtual: true, rxBitsPerSecond: 5e8, txBitsPerSecond: 5e8 },
  ],
};
const state = (patch: Partial<ShellState> = {}): ShellState => ({
  platform: 'linux',
  now: 0,
  latest: sample,
  paused: false,
  sleeping: false,
  openAtLogin: false,
  exporting: null,
  health: NO_HEALTH,
  ...patch,
});

describe('tray text', () => {
  it('network totals count physical interfaces only, and skip unknown rates', () => {
    expect(netTotals(sample)).toEqual({ rx: 4000, tx: 2000 });
    expect(netTotals({ ...sample, net: [{ iface: 'eth0', loopback: false, virtual: false, rxBitsPerSecond: null, txBitsPerSecond: null }] })).toEqual({ rx: null, tx: null });
  });

  it('tooltip: app, problems first, then figures; never past the Windows limit', () => {
    expect(tooltipText(state())).toBe('Vigil\nCPU 100 % · RAM 88 %\n↓ 4.00 kbit/s ↑ 2.00 kbit/s');
    const manyDown = Array.from({ length: 40 }, (_, i) => `machine-${i}`);
    const long = tooltipText(state({ health: { peersWatched: 40, peersDown: manyDown, sync: { state: 'failing', since: 0, message: 'x' } } }));
    expect(long.length).toBe(TOOLTIP_MAX);
    expect(long.startsWith('Vigil\nPeers down: machine-0, machine-1')).toBe(true);
    expect(long.endsWith('…')).toBe(true);
    expect(tooltipText(state({ latest: null, paused: true }))).toBe('Vigil\nSampling paused');
  });

  it('title beside the icon: macOS only, empty while paused or without a sample', () => {
    expect(trayTitle(state({ platform: 'darwin' }))).toBe('100 % · 88 %');
    expect(trayTitle(state({ platform: 'win32' }))).toBe('');
    expect(trayTitle(state({ platform: 'darwin', paused: true }))).toBe('');
    expect(trayTitle(state({ platform: 'darwin', latest: null }))).toBe('');
  });

  it('an alert email the SMTP server refuses: a status line and the tooltip say alert email is failing', () => {
    const health = { ...NO_HEALTH, alertEmail: { since: 0, message: 'SMTP smtp://mail:587 refused the email: 550 mailbox unavailable' } };
    const line = statusLines(state({ now: 12 * 60_000, health })).find((l) => l.label.startsWith('Alert email failing'));
    expect(line).toEqual({ label: 'Alert email failing for 12 min: SMTP smtp://mail:587 refused the email: 550 mai…', live: true });
    expect(tooltipText(state({ health }))).toBe('Vigil\nAlert email failing\nCPU 100 % · RAM 88 %\n↓ 4.00 kbit/s ↑ 2.00 kbit/s');
    expect(statusLines(state()).some((l) => l.label.startsWith('Alert email'))).toBe(false);
  });

  it('a long sync error is cut to keep the menu narrow', () => {
    const lines = statusLines(state({ health: { peersWatched: 0, peersDown: [], sync: { state: 'failing', since: 0, message: 'x'.repeat(300) } } }));
    const sync = lines.find((line) => line.label.startsWith('Sync failing'))!;
    expect(sync.label.length).toBe(80);
    expect(sync.live).toBe(true);
  });

  it('sync catching up says how far behind', () => {
    const lines = statusLines(state({ health: { peersWatched: 0, peersDown: [], sync: { state: 'ok', lagSeconds: 7200 } } }));
    expect(lines.map((l) => l.label)).toContain('Sync catching up (2 h behind)');
  });
});
