// Which tray icon file to show, per platform and state. The files are in assets/tray/ (made by
// scripts/make-icons.ts), never renamed or hashed by a bundler:
// - macOS: template images (black + alpha; the menu bar tints them for light/dark mode), with an
//   @2x twin that nativeImage picks up by itself on Retina screens. Template images cannot carry
//   colour, so each state has its own shape (a badge).
// - Windows: .ico files with 16, 20, 24, 32, 40 and 48 px frames (the notification area picks the
//   frame for the screen's scaling).
// - Linux: 32 px PNG (AppIndicator/StatusNotifier hosts scale it to their panel).
import path from 'node:path';

/** What the icon tells at a glance; the most urgent state wins (a machine down beats a sync problem). */
export type TrayStatus = 'normal' | 'peer-down' | 'sync-failing';

export const TRAY_STATUSES: readonly TrayStatus[] = ['normal', 'peer-down', 'sync-failing'];

export interface TrayIcon {
  /** File name inside assets/tray. */
  file: string;
  /** macOS template image (nativeImage.setTemplateImage). */
  template: boolean;
}

export function trayIcon(platform: NodeJS.Platform, status: TrayStatus): TrayIcon {
  const base = status === 'normal' ? 'tray' : `tray-${status}`;
  switch (platform) {
    case 'darwin':
      // The "Template" suffix is what makes macOS treat the file as a template image.
      return { file: `${base}Template.png`, template: true };
    case 'win32':
      return { file: `${base}.ico`, template: false };
    default:
      return { file: `${base}.png`, template: false };
  }
}

export function trayIconPath(assetsDir: string, platform: NodeJS.Platform, status: TrayStatus): string {
  return path.join(assetsDir, 'tray', trayIcon(platform, status).file);
}

/** The icon state from what the services report. */
export function trayStatus(health: { peersDown: readonly string[]; syncFailing: boolean }): TrayStatus {
  if (health.peersDown.length > 0) return 'peer-down';
  if (health.syncFailing) return 'sync-failing';
  return 'normal';
}
