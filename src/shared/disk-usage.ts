// A filesystem's usage as df computes it: used / (used + available). The root reserve (5 % of
// ext4 by default) counts as neither, so 100 % means users are out of space, as df says it;
// used / size would say ~95 % at that moment, and a threshold alert would come too late.
import type { DiskUsage } from './model.js';

/**
 * df's Use%, 0–100 (unrounded); null for a filesystem with no room at all. A reading without
 * `available` (stored before Vigil kept it, or sent by an older agent) falls back to used / size.
 */
export function diskUsedPercent(disk: Pick<DiskUsage, 'total' | 'used' | 'available'>): number | null {
  const room = disk.available === undefined ? disk.total : disk.used + disk.available;
  return room > 0 ? (disk.used / room) * 100 : null;
}
