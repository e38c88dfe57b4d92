// The settings the human output of `vigil status` and `vigil watch` depends on (and `vigil export`'s
// default time column), read without writing anything: the file's, the defaults when there is none,
// null when it cannot be read (the output then goes on without them).
import fs from 'node:fs';
import { openSettingsFile } from '../core/settings.js';
import { defaultSettings, type Settings } from '../shared/settings.js';
import type { Thresholds } from './format.js';

export async function displaySettings(file: string): Promise<Settings | null> {
  if (!fs.existsSync(file)) return defaultSettings();
  try {
    return (await openSettingsFile(file)).get();
  } catch {
    return null;
  }
}

/** The alert thresholds to colour percentages against (none when the settings cannot be read). */
export function thresholdsOf(settings: Settings | null): Thresholds | undefined {
  if (!settings) return undefined;
  const { cpuPercent, memoryPercent, diskPercent } = settings.alerts;
  return { cpuPercent, memoryPercent, diskPercent };
}
