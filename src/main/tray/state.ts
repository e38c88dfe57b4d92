// What the tray shows, gathered in one plain object: the shell builds it from the runtime, the
// services and the OS, and the pure functions in menu-model.ts and tray-text.ts turn it into a
// menu, a tooltip, a title and an icon. Tests build it by hand.
import type { TrafficSummary } from '../../core/traffic/report.js';
import type { Sample } from '../../shared/model.js';

export type SyncHealth =
  | { state: 'off' }
  | { state: 'ok'; lagSeconds: number | null }
  /** Delivery fails; `since` is when the first failure of this run of failures happened. */
  | { state: 'failing'; since: number; message: string };

/**
 * What the feature services report, reduced to what the tray shows. The sync and peer services
 * feed it (see src/main/services.ts for where each value comes from); with neither running it is
 * NO_HEALTH.
 */
export interface ShellHealth {
  /** Peers being watched; 0 when peer watch is off. */
  peersWatched: number;
  /** Names of the watched peers that are DOWN now. */
  peersDown: string[];
  sync: SyncHealth;
  /**
   * Alert email is failing: the SMTP server refuses (5xx) an email that is being tried again
   * (a DOWN email, for as long as its incident is open). Absent when nothing is refused.
   */
  alertEmail?: { since: number; message: string };
}

export const NO_HEALTH: ShellHealth = { peersWatched: 0, peersDown: [], sync: { state: 'off' } };

export interface ExportProgressState {
  label: string;
  done: number;
  total: number;
}

export interface ShellState {
  platform: NodeJS.Platform;
  /** Unix ms now (durations in the status lines are relative to it). */
  now: number;
  latest: Sample | null;
  /** Sampling paused by the user. */
  paused: boolean;
  /** Suspend or shutdown announced (power.ts). */
  sleeping: boolean;
  openAtLogin: boolean;
  /** A CSV export running from the tray, or null. */
  exporting: ExportProgressState | null;
  health: ShellHealth;
  /** Bytes over the physical interfaces today and in this billing period (null: not known yet). */
  traffic?: TrafficSummary | null;
}
