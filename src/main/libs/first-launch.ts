// The first launch shows where Vigil lives: a tray app with nothing else on screen can look as if
// it never started (the icon may sit in Windows 11's overflow, behind a MacBook's notch, or
// nowhere on stock GNOME). It opens the chart window once and says where the icon is.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../core/log.js';
import type { Notifier } from '../notifications.js';
import { whereTheIconLives } from '../tray/where.js';

/** In userData: written once the first launch has shown where Vigil lives. */
export const FIRST_LAUNCH_MARKER = 'app-first-launch-done';

export function welcomeOnFirstLaunch(options: { userData: string; platform: NodeJS.Platform; openChart: () => void; notifier: Notifier; logger: Logger; now: () => number }): boolean {
  const marker = path.join(options.userData, FIRST_LAUNCH_MARKER);
  if (fs.existsSync(marker)) return false;
  options.openChart();
  options.notifier.show({ title: 'Vigil is running', body: whereTheIconLives(options.platform), urgency: 'normal', silent: true }, options.openChart);
  try {
    fs.writeFileSync(marker, `${new Date(options.now()).toISOString()}\n`);
  } catch (error) {
    options.logger.warn('could not record the first launch', { error: String(error) });
  }
  return true;
}
