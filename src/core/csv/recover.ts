// Crash recovery of the database from the daily CSV files.
//
// The engine writes every sample to the CSV at once but to SQLite in batches (every few
// seconds), so a hard kill or a power cut can leave the last seconds only in the CSV. At start,
// before sampling resumes, the rows newer than the database's last sample are read back from
// the end of the recent daily files and inserted. Insertion is idempotent by timestamp, so a
// row the database already has is never duplicated.
//
// Which files: from the day of the database's last sample up to today (just yesterday's and
// today's when the database is empty). Each is read backwards from its end and stops at the
// first row not newer than the database, so the cost is the size of the gap, not of the day.
import { addDays, compareDays, dayOf, startOfDay, type LocalDay } from '../../shared/dates.js';
import type { Sample } from '../../shared/model.js';
import { interfaceFlags, parseCoreKey, parseNetKey, unflattenSample, type SeriesInfo, type SeriesKey } from '../../shared/series.js';
import { silentLogger, type Logger } from '../log.js';
import { classifyByName, classifyLinuxInterface } from '../metrics/network.js';
import type { SampleStore } from '../storage/types.js';
import { CsvLayout } from './columns.js';
import { listDailyFiles, nodeFs, parseRowLine, readHeader, type CsvFs, type DailyFile } from './files.js';

export interface RecoverOptions {
  /**
   * Flags (SeriesFlag bits: loopback, virtual) of an interface the database has not seen
   * recently. The CSV has no flags; interfaces the database knows keep theirs (the store would
   * otherwise overwrite them with what we pass). Default: the sampler's own classification
   * (/sys on Linux for an interface that still exists, its name otherwise).
   */
  flagsFor?: (iface: string) => number;
  logger?: Logger;
  /** "Today" is the local day of this instant (default: now). */
  now?: number;
  fs?: CsvFs;
}

const INSERT_BATCH = 1000;
/** What formatNumber writes: plain decimals, never exponents. */
const NUMBER = /^-?\d+(?:\.\d+)?$/;
const CHUNK = 64 * 1024;

/** Inserts the CSV rows newer than the database's last sample; returns how many were new to it. */
export function recoverFromCsv(store: SampleStore, dir: string, options: RecoverOptions = {}): number {
  const log = options.logger ?? silentLogger;
  const fsys = options.fs ?? nodeFs;
  const last = store.lastTimestamp();
  const today = dayOf(options.now ?? Date.now());
  const firstDay = last === null ? addDays(today, -1) : dayOf(last);
  const files = listDailyFiles(dir, fsys).filter((f) => compareDays(f.day, firstDay) >= 0 && compareDays(f.day, today) <= 0);
  if (files.length === 0) return 0;

  const knownFlags = storeFlags(store, last, firstDay);
  const flagsFor = options.flagsFor ?? defaultFlags;
  const flagsOf = (iface: string): number => {
    let flags = knownFlags.get(iface);
    if (flags === undefined) knownFlags.set(iface, (flags = flagsFor(iface)));
    return flags;
  };

  let inserted = 0;
  let read = 0;
  let skipped = 0;
  let batch: Sample[] = [];
  const flushBatch = (): void => {
    if (batch.length === 0) return;
    inserted += store.insertSamples(batch);
    batch = [];
  };
  // Newest file first: once a file reaches rows the database has, older files hold no more.
  for (const file of files.reverse()) {
    const result = scanFile(fsys, file, last, flagsOf, log, (sample) => {
      batch.push(sample);
      read++;
      if (batch.length >= INSERT_BATCH) flushBatch();
    });
    skipped += result.skipped;
    if (result.reachedKnown) break;
  }
  flushBatch();
  if (read > 0 || skipped > 0) log.info('CSV recovery: re-inserted samples the database had missed', { read, inserted, skippedLines: skipped, since: last });
  return inserted;
}

function defaultFlags(iface: string): number {
  return interfaceFlags(process.platform === 'linux' ? classifyLinuxInterface('/', iface) : classifyByName(iface));
}

/** Flags of the interfaces the database has seen since the day before the first file's. */
function storeFlags(store: SampleStore, last: number | null, firstDay: LocalDay): Map<string, number> {
  const flags = new Map<string, number>();
  if (last === null) return flags;
  for (const series of store.seriesInRange(startOfDay(addDays(firstDay, -1)), last + 1)) {
    const net = parseNetKey(series.key);
    if (net) flags.set(net.iface, series.flags);
  }
  return flags;
}

/** Reads one file backwards; hands over samples newer than `last`. */
function scanFile(
  fsys: CsvFs,
  file: DailyFile,
  last: number | null,
  flagsOf: (iface: string) => number,
  log: Logger,
  onSample: (sample: Sample) => void,
): { reachedKnown: boolean; skipped: number } {
  let fd: number;
  try {
    fd = fsys.openSync(file.path, 'r');
  } catch (error) {
    log.warn('CSV recovery: cannot open file', { file: file.path, error });
    return { reachedKnown: false, skipped: 0 };
  }
  try {
    const size = fsys.fstatSync(fd).size;
    const header = readHeader(fsys, fd, size);
    const layout = header.kind === 'ok' ? CsvLayout.fromHeader(header.fields) : null;
    if (header.kind !== 'ok' || !layout) {
      if (size > 0) log.warn('CSV recovery: file has no usable header; skipped', { file: file.path });
      return { reachedKnown: false, skipped: 0 };
    }
    const series: SeriesInfo[] = layout.keys.map((key) => ({ key, flags: flagsForKey(key, flagsOf) }));
    let skipped = 0;
    let first = true;
    for (const line of linesBackward(fsys, fd, header.bytes, size)) {
      const terminated = line.endsWith('\n');
      const isTornTail = first && !terminated;
      first = false;
      if (isTornTail) continue; // the writer cuts it off when it reopens the file
      const fields = parseRowLine(line, layout.width);
      const sample = fields ? toSample(fields, series) : null;
      if (!sample) {
        skipped++;
        continue;
      }
      if (last !== null && sample.ts <= last) return { reachedKnown: true, skipped };
      onSample(sample);
    }
    return { reachedKnown: false, skipped };
  } finally {
    fsys.closeSync(fd);
  }
}

function flagsForKey(key: SeriesKey, flagsOf: (iface: string) => number): number {
  const net = parseNetKey(key);
  return net ? flagsOf(net.iface) : 0;
}

/**
 * A Sample from a row's cells. An empty cell is "no value"; an interface whose cells are both
 * empty, or CPUs past the last one with a value, were absent from the sample (their columns
 * only exist because of other rows of the day), so they are left out rather than brought back
 * as zeros. Null for a row with a cell that is not a number.
 */
export function toSample(fields: readonly string[], series: readonly SeriesInfo[]): Sample | null {
  const ts = Number(fields[1]);
  if (!Number.isSafeInteger(ts)) return null;
  const values: (number | null)[] = [];
  for (let i = 0; i < series.length; i++) {
    const cell = fields[i + 2] ?? '';
    if (cell === '') values.push(null);
    else if (NUMBER.test(cell)) values.push(Number(cell));
    else return null;
  }
  const present = new Set<string>();
  let lastCore = -1;
  series.forEach((s, i) => {
    if (values[i] === null) return;
    const net = parseNetKey(s.key);
    if (net) present.add(net.iface);
    const core = parseCoreKey(s.key);
    if (core !== null) lastCore = Math.max(lastCore, core);
  });
  const keptSeries: SeriesInfo[] = [];
  const keptValues: (number | null)[] = [];
  series.forEach((s, i) => {
    const net = parseNetKey(s.key);
    if (net && !present.has(net.iface)) return;
    const core = parseCoreKey(s.key);
    if (core !== null && core > lastCore) return;
    keptSeries.push(s);
    keptValues.push(values[i]!);
  });
  return unflattenSample(ts, keptSeries, keptValues);
}

/**
 * The lines of [start, end) from the last to the first, each with its line ending (the last
 * one may have none). Splits on LF bytes, which never occur inside a UTF-8 sequence.
 */
function* linesBackward(fsys: CsvFs, fd: number, start: number, end: number): Generator<string> {
  const buffer = Buffer.alloc(CHUNK);
  let carry: Buffer = Buffer.alloc(0); // the start of a line whose beginning is in an earlier chunk
  for (let stop = end; stop > start; ) {
    const from = Math.max(start, stop - CHUNK);
    const n = fsys.readSync(fd, buffer, 0, stop - from, from);
    if (n <= 0) break;
    const data = carry.length > 0 ? Buffer.concat([buffer.subarray(0, n), carry]) : Buffer.from(buffer.subarray(0, n));
    // Lines end at each LF; the text before the first LF may continue in the previous chunk.
    let lineEnd = data.length;
    for (let i = data.length - 2; i >= 0; i--) {
      if (data[i] === 0x0a) {
        yield data.subarray(i + 1, lineEnd).toString('utf8');
        lineEnd = i + 1;
      }
    }
    carry = data.subarray(0, lineEnd);
    stop = from;
  }
  if (carry.length > 0) yield carry.toString('utf8');
}
