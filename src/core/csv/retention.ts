// Retention of the daily CSV files: keep the last `keepDays` local days, today included.
import path from 'node:path';
import { addDays, compareDays, type LocalDay } from '../../shared/dates.js';
import { VigilError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../log.js';
import { listDailyFiles, nodeFs, type CsvFs } from './files.js';

/**
 * Deletes the daily files (exactly `DD-MM-YYYY.csv`, a real date) of days before the last
 * `keepDays` days: with keepDays = 30 on 22-11-2026, 24-10-2026.csv … 22-11-2026.csv stay and
 * 23-10-2026.csv goes. keepDays = 0 keeps everything. Other files in the folder are never
 * touched. A file that cannot be deleted is logged and skipped (retried at the next run).
 * Returns the paths deleted.
 */
export function pruneCsvFiles(dir: string, keepDays: number, today: LocalDay, options: { logger?: Logger; fs?: CsvFs } = {}): string[] {
  if (!Number.isInteger(keepDays) || keepDays < 0) throw new VigilError('invalid_argument', `CSV retention must be a whole number of days ≥ 0, got ${keepDays}`);
  if (keepDays === 0) return [];
  const log = options.logger ?? silentLogger;
  const fsys = options.fs ?? nodeFs;
  const oldestKept = addDays(today, -(keepDays - 1));
  const deleted: string[] = [];
  for (const file of listDailyFiles(dir, fsys)) {
    if (compareDays(file.day, oldestKept) >= 0) continue;
    try {
      fsys.unlinkSync(file.path);
      deleted.push(file.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('Cannot delete an old CSV file', { file: path.basename(file.path), error });
    }
  }
  if (deleted.length > 0) log.info('Deleted old CSV files', { count: deleted.length, keepDays });
  return deleted;
}
