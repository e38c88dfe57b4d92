// The daily CSV files: <data-dir>/telemetry/DD-MM-YYYY.csv, one per local day, one row per sample.
//
// Invariants, whatever happens (crash, full disk, interfaces coming and going):
// - every record of a file has exactly the header's fields;
// - the header covers every series written to the file, in the order they first appeared
//   (columns.ts: a new series' column goes at the end, existing columns never move), so
//   `vigil export` of that day gives the same bytes;
// - a file ends with a complete row: each row is one write() on a file kept open in append mode;
//   a short or failed write is truncated back; a row torn by a crash is cut off at the next open.
//
// When a series appears mid-day (a new interface, a CPU brought online) the header must grow:
// the file is rewritten to `<file>.tmp` with the wider header (the new columns at its end; old
// rows get empty cells there, so each old row is its old text plus trailing commas) and the row
// that needed it, synced and renamed over the original, so a crash leaves either the old file or
// the new one with its row, never a mix, and never a column no row has yet. A vanished interface
// just keeps its column, with empty cells. A reader following the file by name (`tail -F`, a log
// shipper) sees it replaced: the rows it already read come again, each with the same fields first.
//
// Synchronous on purpose, like the logger: one small write per tick costs microseconds, keeps
// rows in tick order without a queue, and nothing is lost in a buffer when the process dies.
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { dayOf, formatDay } from '../../shared/dates.js';
import { VigilError } from '../../shared/errors.js';
import type { Sample } from '../../shared/model.js';
import { flattenSample, type SeriesKey } from '../../shared/series.js';
import { silentLogger, type Logger } from '../log.js';
import { CsvLayout } from './columns.js';
import { findValidEnd, isTempFileName, nodeFs, readHeader, type CsvFs } from './files.js';
import { LINE_END } from './rfc4180.js';
import { rowWidener } from './row-widener.js';

export interface DailyCsvWriterOptions {
  /** The telemetry folder (created on the first sample if missing). */
  dir: string;
  logger?: Logger;
  /** File-system seam for tests (failing writes, full disks). */
  fs?: CsvFs;
}

interface OpenFile {
  day: string;
  path: string;
  fd: number;
  /** Null until the first row: the header is written with it. */
  layout: CsvLayout | null;
  /** Bytes of the header record (where rows start). */
  headerBytes: number;
  /** Length of the file's valid content, which is where the next row goes. */
  size: number;
}

const REWRITE_CHUNK = 256 * 1024;

export class DailyCsvWriter {
  private readonly log: Logger;
  private readonly fs: CsvFs;
  readonly dir: string;
  private current: OpenFile | null = null;
  private swept = false;

  /** Does no I/O: the folder is created, and temp files left by a crash removed, on the first sample. */
  constructor(options: DailyCsvWriterOptions) {
    this.dir = options.dir;
    this.log = options.logger ?? silentLogger;
    this.fs = options.fs ?? nodeFs;
  }

  /** The file rows currently go to (null before the first sample). */
  get currentFile(): string | null {
    return this.current?.path ?? null;
  }

  /** Series keys of the current file's header, in column order. */
  get currentColumns(): readonly SeriesKey[] | null {
    return this.current?.layout?.keys ?? null;
  }

  /**
   * Appends one sample to the file of its local day. Throws VigilError('io_error') when the row
   * cannot be written (full disk, file gone read-only…); the file is then left exactly as it was
   * before the call and the writer stays usable, so the caller may simply retry later.
   */
  append(sample: Sample): void {
    if (!Number.isSafeInteger(sample.ts) || sample.ts < 0) {
      throw new VigilError('invalid_argument', `Cannot write a sample with timestamp ${String(sample.ts)} to the CSV: expected unix milliseconds`);
    }
    const { series, values } = flattenSample(sample);
    const keys = series.map((s) => s.key);
    const day = formatDay(dayOf(sample.ts));
    if (this.current?.day !== day) this.switchTo(day);
    const file = this.current!;
    // An empty file has no header yet: it gets this sample's.
    if (file.layout === null || file.size === 0) file.layout = CsvLayout.forKeys(keys);
    else if (!file.layout.covers(keys)) {
      const wider = file.layout.widen(keys);
      if (this.widen(file, wider, wider.formatRow(sample.ts, keys, values))) return;
    }
    const row = file.layout.formatRow(sample.ts, keys, values);
    if (file.size > 0) this.write(file, row);
    else {
      // A new (or emptied) file: its header goes in the same single write as its first row.
      this.write(file, file.layout.header + row);
      file.headerBytes = Buffer.byteLength(file.layout.header);
    }
  }

  /** Closes the current file (synced to disk). The writer can be used again afterwards. */
  close(): void {
    this.closeCurrent();
  }

  private switchTo(day: string): void {
    const previous = this.current;
    this.closeCurrent();
    this.current = this.openDay(day);
    if (previous) this.log.info('CSV day rollover', { from: previous.path, to: this.current.path });
  }

  private closeCurrent(): void {
    const file = this.current;
    if (!file) return;
    this.current = null;
    try {
      this.fs.fsyncSync(file.fd);
    } catch (error) {
      this.log.warn('CSV fsync failed on close', { file: file.path, error });
    }
    try {
      this.fs.closeSync(file.fd);
    } catch (error) {
      this.log.warn('CSV close failed', { file: file.path, error });
    }
  }

  /** Opens (creating if needed) a day's file and repairs what a crash may have left. */
  private openDay(day: string): OpenFile {
    const file = path.join(this.dir, `${day}.csv`);
    try {
      this.fs.mkdirSync(this.dir, { recursive: true });
      if (!this.swept) {
        this.sweepTempFiles();
        this.swept = true;
      }
      this.removeTemp(`${file}.tmp`);
      const fd = this.fs.openSync(file, 'a+');
      try {
        return this.inspect(day, file, fd);
      } catch (error) {
        try {
          this.fs.closeSync(fd);
        } catch {
          // already closed on the way to setting the file aside
        }
        throw error;
      }
    } catch (error) {
      throw ioError(`Cannot open the CSV file ${file}`, error);
    }
  }

  private inspect(day: string, file: string, fd: number): OpenFile {
    const size = this.fs.fstatSync(fd).size;
    if (size === 0) return { day, path: file, fd, layout: null, headerBytes: 0, size: 0 };
    const header = readHeader(this.fs, fd, size);
    const layout = header.kind === 'ok' ? CsvLayout.fromHeader(header.fields) : null;
    if (header.kind === 'torn') {
      // The process died while writing the file's very first record.
      this.fs.ftruncateSync(fd, 0);
      this.log.warn('CSV file had a torn header; truncated it', { file, removedBytes: size });
      return { day, path: file, fd, layout: null, headerBytes: 0, size: 0 };
    }
    if (header.kind !== 'ok' || !layout) {
      // Not a file we wrote (or edited beyond recognition): keep it under another name, start afresh.
      this.fs.closeSync(fd);
      const aside = this.setAside(file);
      this.log.warn('CSV file has an unrecognised header; moved it aside', { file, movedTo: aside, reason: header.kind === 'malformed' ? header.reason : 'unknown columns' });
      const fresh = this.fs.openSync(file, 'a+');
      return { day, path: file, fd: fresh, layout: null, headerBytes: 0, size: this.fs.fstatSync(fresh).size };
    }
    const repair = findValidEnd(this.fs, fd, header.bytes, size, layout.width);
    if (repair.end < size) {
      this.fs.ftruncateSync(fd, repair.end);
      this.log.warn('CSV file ended with a torn row; truncated it to the last complete row', { file, removedBytes: repair.removed.bytes, removedLines: repair.removed.lines });
    }
    return { day, path: file, fd, layout, headerBytes: header.bytes, size: repair.end };
  }

  /** One row (or header + row) in one write; on failure the file is cut back to where it was. */
  private write(file: OpenFile, text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    let written: number;
    try {
      written = this.fs.writeSync(file.fd, bytes, 0, bytes.length);
    } catch (error) {
      this.rollback(file);
      throw ioError(`Cannot append to the CSV file ${file.path}`, error);
    }
    if (written !== bytes.length) {
      this.rollback(file);
      throw ioError(`Cannot append to the CSV file ${file.path}: short write (${written} of ${bytes.length} bytes; disk full?)`);
    }
    file.size += bytes.length;
  }

  private rollback(file: OpenFile): void {
    try {
      this.fs.ftruncateSync(file.fd, file.size);
    } catch (error) {
      // We cannot vouch for the file's end any more: drop it; the next append reopens the file,
      // which repairs any torn row.
      this.log.error('CSV rollback failed; the file will be repaired when reopened', { file: file.path, error });
      this.closeCurrent();
    }
  }

  /**
   * Rewrites the file with the wider header `to` (old rows get empty cells there) and `row` at its
   * end. Returns false when the file had to be set aside instead: the caller then writes `row` into
   * the fresh file.
   */
  private widen(file: OpenFile, to: CsvLayout, row: string): boolean {
    const from = file.layout!;
    const added = to.keys.filter((k) => from.indexOf(k) === undefined);
    const temp = `${file.path}.tmp`;
    let rows: number;
    try {
      rows = this.rewrite(file, from, to, temp, row);
    } catch (error) {
      this.removeTemp(temp, false);
      if (error instanceof VigilError && error.code === 'invalid_argument') {
        // Rows we cannot parse (the file was edited): keep them aside rather than guess.
        try {
          this.replaceUnreadable(file, to, error.message);
          return false;
        } catch (asideError) {
          this.current = null;
          throw ioError(`Cannot set aside the unreadable CSV file ${file.path}`, asideError);
        }
      }
      throw ioError(`Cannot widen the header of the CSV file ${file.path}`, error);
    }
    this.reopenAfterRename(file, to);
    this.log.info('CSV header widened for new series; rewrote the day file', { file: file.path, added, rows });
    return true;
  }

  /** Writes the widened file and `lastRow` to `temp`, synced, then renames it over the original. Returns the rows copied. */
  private rewrite(file: OpenFile, from: CsvLayout, to: CsvLayout, temp: string, lastRow: string): number {
    const columns = to.columnsOf(from.keys);
    const out = this.fs.openSync(temp, 'w');
    let rows = 0;
    try {
      let pending = to.header;
      const flush = (): void => {
        const bytes = Buffer.from(pending, 'utf8');
        let done = 0;
        while (done < bytes.length) {
          const n = this.fs.writeSync(out, bytes, done, bytes.length - done);
          if (n <= 0) throw new Error('short write (disk full?)');
          done += n;
        }
        pending = '';
      };
      // Rows Vigil writes hold only numbers and ISO times: no quotes, no embedded line breaks.
      // So a row is a line, its fields are separated by plain commas, and widening it means
      // inserting empty cells (commas) at a few places; see rowWidener(). A line that does not
      // fit is not ours: we refuse it (the caller sets the file aside) rather than guess.
      const widenRow = rowWidener(from.width, to.width, columns);
      const remap = (line: string): void => {
        const widened = line.includes('"') || line.includes('\r') ? null : widenRow(line);
        if (widened === null) throw new VigilError('invalid_argument', `Row ${rows + 1} after the header is not one Vigil writes`);
        pending += widened + LINE_END;
        rows++;
      };
      const decoder = new StringDecoder('utf8');
      const buffer = Buffer.alloc(REWRITE_CHUNK);
      let partial = '';
      for (let position = file.headerBytes; position < file.size; ) {
        const n = this.fs.readSync(file.fd, buffer, 0, Math.min(buffer.length, file.size - position), position);
        if (n <= 0) throw new Error('file shrank while being rewritten');
        position += n;
        const text = partial + decoder.write(buffer.subarray(0, n));
        let start = 0;
        for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
          remap(text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end));
          start = end + 1;
        }
        partial = text.slice(start);
        if (pending.length >= REWRITE_CHUNK) flush();
      }
      // file.size ends after a complete row, so nothing may be left over.
      if (partial !== '') throw new VigilError('invalid_argument', 'The last row has no line ending');
      pending += lastRow;
      flush();
      this.fs.fsyncSync(out);
    } finally {
      this.fs.closeSync(out);
    }
    this.fs.renameSync(temp, file.path);
    this.syncDir();
    return rows;
  }

  /** After a rename the open fd points at the old, unlinked file: switch to the new one. */
  private reopenAfterRename(file: OpenFile, layout: CsvLayout): void {
    try {
      this.fs.closeSync(file.fd);
    } catch {
      // the old inode is gone from the directory anyway
    }
    try {
      file.fd = this.fs.openSync(file.path, 'a+');
      file.size = this.fs.fstatSync(file.fd).size;
      file.layout = layout;
      file.headerBytes = Buffer.byteLength(layout.header);
    } catch (error) {
      this.current = null;
      throw ioError(`Cannot reopen the CSV file ${file.path}`, error);
    }
  }

  private replaceUnreadable(file: OpenFile, layout: CsvLayout, reason: string): void {
    this.fs.closeSync(file.fd);
    const aside = this.setAside(file.path);
    this.log.warn('CSV file has unreadable rows; moved it aside and started a new one', { file: file.path, movedTo: aside, reason });
    file.fd = this.fs.openSync(file.path, 'a+');
    file.size = 0;
    file.headerBytes = 0;
    file.layout = layout;
  }

  private setAside(file: string): string {
    const aside = file.replace(/\.csv$/, `.unrecognised-${Date.now()}.csv`);
    this.fs.renameSync(file, aside);
    return aside;
  }

  private removeTemp(temp: string, leftover = true): void {
    try {
      this.fs.unlinkSync(temp);
      if (leftover) this.log.warn('Removed a leftover CSV temp file (an interrupted header rewrite)', { file: temp });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn('Cannot remove CSV temp file', { file: temp, error });
    }
  }

  /** Makes a rename durable. Not possible on Windows (directories cannot be opened), where NTFS journals it. */
  private syncDir(): void {
    let fd: number | null = null;
    try {
      fd = this.fs.openSync(this.dir, 'r');
      this.fs.fsyncSync(fd);
    } catch {
      // best effort
    } finally {
      if (fd !== null) this.fs.closeSync(fd);
    }
  }

  /** Removes every leftover `DD-MM-YYYY.csv.tmp` (a rewrite cut short: the original is intact). */
  private sweepTempFiles(): void {
    let names: string[];
    try {
      names = this.fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) if (isTempFileName(name)) this.removeTemp(path.join(this.dir, name));
  }
}

function ioError(message: string, cause?: unknown): VigilError {
  if (cause instanceof VigilError) return cause;
  const detail = cause instanceof Error ? `: ${(cause as NodeJS.ErrnoException).code ?? cause.message}` : '';
  return new VigilError('io_error', `${message}${detail}`, { cause });
}
