// The tray's live text: tooltip (every OS), title beside the icon (macOS menu bar) and the status
// lines at the top of the menu. Pure: ShellState in, strings out.
import type { Sample } from '../../shared/model.js';
import { formatBits, formatBytes, formatDuration, formatVolume } from '../../shared/units.js';
import type { ShellState } from './state.js';

/** Windows truncates notification-area tooltips at 127 characters. */
export const TOOLTIP_MAX = 127;

export interface NetTotals {
  rx: number | null;
  tx: number | null;
}

/**
 * Traffic over the physical interfaces: loopback and virtual ones (bridges, veth, VPN tunnels)
 * carry the same bytes again, so counting them would double what crossed the wire.
 */
export function netTotals(sample: Sample): NetTotals {
  let rx: number | null = null;
  let tx: number | null = null;
  for (const rate of sample.net) {
    if (rate.loopback || rate.virtual) continue;
    if (rate.rxBitsPerSecond !== null) rx = (rx ?? 0) + rate.rxBitsPerSecond;
    if (rate.txBitsPerSecond !== null) tx = (tx ?? 0) + rate.txBitsPerSecond;
  }
  return { rx, tx };
}

export function memoryPercent(sample: Sample): number | null {
  return sample.memory.total > 0 ? (sample.memory.used / sample.memory.total) * 100 : null;
}

function percent(value: number | null): string {
  return value === null ? '–' : `${Math.round(value)} %`;
}

export function cpuLine(sample: Sample): string {
  return `CPU ${percent(sample.cpu.total)} · RAM ${formatBytes(sample.memory.used)} of ${formatBytes(sample.memory.total)} (${percent(memoryPercent(sample))})`;
}

export function networkLine(sample: Sample): string {
  const { rx, tx } = netTotals(sample);
  return `Network ↓ ${formatBits(rx)} ↑ ${formatBits(tx)}`;
}

export interface StatusLine {
  label: string;
  /** Live figures that change with every sample (CPU, network, durations, export progress). */
  live: boolean;
}

/** The disabled lines at the top of the menu, most important first. */
export function statusLines(state: ShellState): StatusLine[] {
  const lines: StatusLine[] = [];
  const fixed = (label: string) => lines.push({ label: truncateLabel(label), live: false });
  const live = (label: string) => lines.push({ label: truncateLabel(label), live: true });
  if (state.sleeping) fixed('Going to sleep…');
  else if (state.paused) fixed('Sampling paused');
  if (state.latest) {
    live(cpuLine(state.latest));
    live(networkLine(state.latest));
  } else if (!state.paused) {
    fixed('Waiting for the first sample…');
  }
  // Once the billing period has recorded any traffic (a fresh install has nothing to total).
  if (state.traffic && state.traffic.period.rx + state.traffic.period.tx > 0) {
    const { today, period } = state.traffic;
    live(`Today ↓ ${formatVolume(today.rx)} ↑ ${formatVolume(today.tx)}`);
    live(`Since ${period.from.slice(0, 5)} ↓ ${formatVolume(period.rx)} ↑ ${formatVolume(period.tx)} (billing period to ${period.to.slice(0, 5)})`);
  }
  const { health } = state;
  if (health.peersWatched > 0) {
    fixed(
      health.peersDown.length === 0
        ? `Peers: all ${health.peersWatched} up`
        : `Peers down: ${health.peersDown.join(', ')} (${health.peersDown.length} of ${health.peersWatched})`,
    );
  }
  if (health.sync.state === 'failing') {
    live(`Sync failing for ${formatDuration(state.now - health.sync.since)}: ${health.sync.message}`);
  } else if (health.sync.state === 'ok') {
    const behind = health.sync.lagSeconds !== null && health.sync.lagSeconds > 60;
    if (behind) live(`Sync catching up (${formatDuration((health.sync.lagSeconds ?? 0) * 1000)} behind)`);
    else fixed('Sync up to date');
  }
  if (health.alertEmail) live(`Alert email failing for ${formatDuration(state.now - health.alertEmail.since)}: ${health.alertEmail.message}`);
  if (state.exporting) live(exportingLabel(state.exporting));
  return lines;
}

export function exportingLabel(progress: { label: string; done: number; total: number }): string {
  const share = progress.total > 0 ? ` ${Math.min(100, Math.floor((progress.done / progress.total) * 100))} %` : '';
  return `Exporting ${progress.label}…${share}`;
}

/** Hover text of the tray icon: the app, the state that matters, then live figures. */
export function tooltipText(state: ShellState): string {
  const parts = ['Vigil'];
  if (state.health.peersDown.length > 0) parts.push(`${state.health.peersDown.length === 1 ? 'Peer' : 'Peers'} down: ${state.health.peersDown.join(', ')}`);
  if (state.health.sync.state === 'failing') parts.push('Sync failing');
  if (state.health.alertEmail) parts.push('Alert email failing');
  if (state.sleeping) parts.push('Going to sleep');
  else if (state.paused) parts.push('Sampling paused');
  if (state.latest) {
    const { rx, tx } = netTotals(state.latest);
    parts.push(`CPU ${percent(state.latest.cpu.total)} · RAM ${percent(memoryPercent(state.latest))}`, `↓ ${formatBits(rx)} ↑ ${formatBits(tx)}`);
  }
  const text = parts.join('\n');
  return text.length <= TOOLTIP_MAX ? text : `${text.slice(0, TOOLTIP_MAX - 1)}…`;
}

/**
 * The text beside the icon in the macOS menu bar: short, so the bar does not jump around.
 * Empty on other platforms (Tray.setTitle is macOS-only) and while nothing is measured.
 */
export function trayTitle(state: ShellState): string {
  if (state.platform !== 'darwin') return '';
  if (state.paused || state.sleeping || !state.latest) return '';
  return `${percent(state.latest.cpu.total)} · ${percent(memoryPercent(state.latest))}`;
}

/** Menus show one line per item; keep a long sync error from making the menu a page wide. */
export const LABEL_MAX = 80;

function truncateLabel(label: string): string {
  return label.length <= LABEL_MAX ? label : `${label.slice(0, LABEL_MAX - 1)}…`;
}
