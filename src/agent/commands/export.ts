// `vigil export`: CSV for a day or a range of days, read from SQLite (the source of truth),
// streamed to stdout or to a file (written beside it and renamed at the end, so a failed export
// never leaves a half file under the requested name). A progress bar on a terminal.
import fs from 'node:fs';
import path from 'node:path';
import { TIME_FORMATS, type TimeFormat } from '../../core/csv/columns.js';
import { exportCsv } from '../../core/csv/export.js';
import { writeFileAtomically } from '../../core/fs-util.js';
import { dataPaths } from '../../core/paths.js';
import { openSampleStore } from '../../core/storage/sample-store.js';
import type { SampleStore } from '../../core/storage/types.js';
import { compareDays, dayBounds, formatDay, parseDay, startOfDay, type LocalDay } from '../../shared/dates.js';
import { VigilError } from '../../shared/errors.js';
import { displaySettings } from '../display-settings.js';
import { resolveDataDir } from '../options.js';
import { ProgressBar } from '../progress.js';

export interface ExportOptions {
  date?: string;
  from?: string;
  to?: string;
  out?: string;
  dataDir?: string;
  /** The `time` column: iso, local or unix (columns.ts); default: the settings' csv.exportTimeFormat. */
  timeFormat?: string;
}

/** A range whose export takes long enough to deserve a progress bar (≈ half an hour at 1 s). */
const PROGRESS_THRESHOLD_ROWS = 2_000;

export async function runExport(options: ExportOptions, now = Date.now()): Promise<number> {
  const range = resolveRange(options, now);
  const paths = dataPaths(resolveDataDir(options.dataDir));
  // No --time-format: the settings' choice (an unreadable settings file leaves the default).
  const timeFormat = resolveTimeFormat(options.timeFormat ?? (await displaySettings(paths.settings))?.csv.exportTimeFormat);
  const store = openStoreForReading(paths.database, paths.dataDir);
  try {
    const total = store.countSamples(range.from, range.to);
    if (total === 0) process.stderr.write(`vigil: no samples for ${range.label}; writing the header only\n`);
    const showProgress = process.stderr.isTTY === true && total >= PROGRESS_THRESHOLD_ROWS;
    const bar = showProgress ? new ProgressBar(process.stderr, `exporting ${range.label}`) : null;
    const onProgress = bar ? (done: number, all: number) => bar.update(done, all) : undefined;
    const result = options.out
      ? await writeFileAtomically(path.resolve(options.out), (output) => exportCsv(store, range, output, { onProgress, timeFormat }))
      : await exportToStdout(() => exportCsv(store, range, process.stdout, { onProgress, timeFormat }));
    if (result === null) {
      // The reader had enough (`vigil export … | head`): a normal end, said nowhere.
      if (bar) process.stderr.write('\r\x1b[K');
      return 0;
    }
    const { rows } = result;
    bar?.finish(`${rows} rows`);
    if (options.out) process.stderr.write(`vigil: wrote ${rows} rows to ${options.out}\n`);
    return 0;
  } finally {
    store.close();
  }
}

/** Runs an export to stdout; null when the reader closed the pipe early (EPIPE), as `head` does. */
async function exportToStdout(run: () => Promise<{ rows: number }>): Promise<{ rows: number } | null> {
  try {
    return await run();
  } catch (error) {
    const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
    if (cause?.code !== 'EPIPE') throw error;
    // Later writes (buffered ones) fail the same way: nobody is listening, and that is fine.
    process.stdout.on('error', () => {});
    return null;
  }
}

function resolveTimeFormat(value: string | undefined): TimeFormat {
  if (value === undefined) return 'iso';
  const format = TIME_FORMATS.find((f) => f === value);
  if (!format) throw new VigilError('invalid_argument', `--time-format must be one of ${TIME_FORMATS.join(', ')} (got "${value}")`);
  return format;
}

export interface ExportRange {
  from: number;
  to: number;
  label: string;
}

/** --date D, or --from D --to D (both days included); strict dates, no future days. */
export function resolveRange(options: Pick<ExportOptions, 'date' | 'from' | 'to'>, now: number): ExportRange {
  const hasRange = options.from !== undefined || options.to !== undefined;
  if (options.date !== undefined && hasRange) {
    throw new VigilError('invalid_argument', 'Use either --date, or --from with --to, not both');
  }
  let first: LocalDay;
  let last: LocalDay;
  if (options.date !== undefined) {
    first = last = parseDay(options.date);
  } else if (options.from !== undefined && options.to !== undefined) {
    first = parseDay(options.from);
    last = parseDay(options.to);
    if (compareDays(first, last) > 0) {
      throw new VigilError('invalid_range', `--from ${options.from} is after --to ${options.to}`);
    }
  } else if (hasRange) {
    throw new VigilError('invalid_argument', `--from and --to go together (missing ${options.from === undefined ? '--from' : '--to'})`);
  } else {
    throw new VigilError('invalid_argument', 'Say which day: --date DD-MM-YYYY, or --from DD-MM-YYYY --to DD-MM-YYYY');
  }
  if (startOfDay(first) > now) {
    throw new VigilError('future_date', `${formatDay(first)} is in the future`);
  }
  const label = compareDays(first, last) === 0 ? formatDay(first) : `${formatDay(first)} to ${formatDay(last)}`;
  return { from: dayBounds(first).from, to: dayBounds(last).to, label };
}

export function openStoreForReading(database: string, dataDir: string): SampleStore {
  if (!fs.existsSync(database)) {
    throw new VigilError('not_found', `No Vigil data in ${dataDir} (no vigil.db); is the agent running with this --data-dir?`);
  }
  return openSampleStore(database, { readonly: true });
}
