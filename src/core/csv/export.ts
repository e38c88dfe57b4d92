// CSV export of a time range from the database, streamed: same header rule and row format as
// the daily files (columns.ts), so exporting a day gives that day's file byte for byte.
//
// The header is the union of the series that have samples in the range, plus the fixed ones, in
// the order a daily file gains them (columns.ts): those of the first sample in canonical order,
// each later one appended as it first appears.
//
// Rows are read in slices, each consumed synchronously, and the next slice is a fresh
// iterateRows() from the last timestamp on, so no iterator is ever held across an `await`
// (while a slow consumer drains). The SQLite store pages internally anyway, but the contract
// does not promise it, and an open better-sqlite3 statement would keep the connection busy for
// the engine's inserts when the app exports from its own store. Timestamps are unique per row,
// so resuming at last + 1 neither skips nor repeats a row.
import { VigilError } from '../../shared/errors.js';
import type { SeriesInfo } from '../../shared/series.js';
import type { SampleStore } from '../storage/types.js';
import { CsvLayout, type TimeFormat } from './columns.js';

export interface ExportCsvOptions {
  /** Called after each slice and at the end; `total` is the row count at the start (or more). */
  onProgress?: (done: number, total: number) => void;
  /** Aborting rejects with `signal.reason` (an AbortError unless the caller gave another). */
  signal?: AbortSignal;
  /** How the `time` column reads (columns.ts); 'iso', the daily files' format, by default. */
  timeFormat?: TimeFormat;
}

/** Text handed to the stream per write; the slice of rows read per query is what fills it. */
const SLICE_BYTES = 256 * 1024;
/** Room after SLICE_BYTES for the row that crosses it (a row is ~200 B; a wider one grows the slice). */
const SLICE_SLACK = 64 * 1024;

/**
 * Writes the CSV of [from, to) to `output`, honouring backpressure (waits for 'drain' whenever
 * write() returns false). Does not end the stream: the caller owns it (it may be stdout).
 * Rejects with VigilError('io_error') if the stream fails or closes early.
 */
export async function exportCsv(
  store: SampleStore,
  range: { from: number; to: number },
  output: NodeJS.WritableStream,
  options: ExportCsvOptions = {},
): Promise<{ rows: number }> {
  const { from, to } = range;
  if (!Number.isFinite(from) || !Number.isFinite(to) || from > to) {
    throw new VigilError('invalid_range', `Invalid export range [${from}, ${to})`);
  }
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const total = onProgress ? store.countSamples(from, to) : 0;
  const layout = CsvLayout.forGroupsInOrder(store.seriesInOrderSeen(from, to).map((group) => group.map((s) => s.key))).withTimeFormat(options.timeFormat ?? 'iso');
  const sink = new Sink(output, signal);
  try {
    await sink.write(layout.header);
    let rows = 0;
    let cursor = from;
    let lastSeries: readonly SeriesInfo[] | null = null;
    let columns: Int32Array = new Int32Array(0);
    for (let exhausted = false; !exhausted; ) {
      // Rows go straight into the slice's bytes: a string grown row by row had to be flattened
      // and encoded again when written, a fifth of the export's time (bench/csv.ts). A row is
      // ASCII (numbers and an ISO time, columns.ts), so latin1 writes it byte for byte.
      let slice = Buffer.allocUnsafe(SLICE_BYTES + SLICE_SLACK);
      let length = 0;
      let sliceRows = 0;
      exhausted = true;
      for (const row of store.iterateRows(cursor, to)) {
        // Stores usually share one series array between consecutive rows of the same shape.
        if (row.series !== lastSeries) {
          lastSeries = row.series;
          columns = columnsFor(layout, row.series);
        }
        const text = layout.formatRowAt(row.ts, columns, row.values);
        if (length + text.length > slice.length) {
          // A row wider than the slack (thousands of series): grow this slice to hold it.
          const wider = Buffer.allocUnsafe(length + text.length + SLICE_SLACK);
          slice.copy(wider, 0, 0, length);
          slice = wider;
        }
        length += slice.write(text, length, 'latin1');
        sliceRows++;
        cursor = row.ts + 1;
        if (length >= SLICE_BYTES) {
          exhausted = false;
          break;
        }
      }
      if (sliceRows === 0) break;
      rows += sliceRows;
      await sink.write(slice.subarray(0, length));
      onProgress?.(rows, Math.max(total, rows));
      signal?.throwIfAborted();
    }
    if (rows === 0) onProgress?.(0, total);
    return { rows };
  } finally {
    sink.release();
  }
}

function columnsFor(layout: CsvLayout, series: readonly SeriesInfo[]): Int32Array {
  const columns = new Int32Array(series.length);
  series.forEach((s, i) => {
    const column = layout.indexOf(s.key);
    // seriesInOrderSeen() promised every series of the range; a row with another one is a store bug.
    if (column === undefined) throw new VigilError('internal', `Export: series "${s.key}" is missing from seriesInOrderSeen()`);
    columns[i] = column;
  });
  return columns;
}

/** A writable with backpressure and its failures turned into rejections. */
class Sink {
  private failure: Error | null = null;
  private readonly onError = (error: Error): void => {
    this.failure ??= new VigilError('io_error', `Export output failed: ${(error as NodeJS.ErrnoException).code ?? error.message}`, { cause: error });
    this.wake?.();
  };
  private readonly onClose = (): void => {
    this.failure ??= new VigilError('io_error', 'Export output was closed before the export finished');
    this.wake?.();
  };
  private wake: (() => void) | null = null;

  constructor(
    private readonly output: NodeJS.WritableStream,
    private readonly signal: AbortSignal | undefined,
  ) {
    output.on('error', this.onError);
    output.on('close', this.onClose);
  }

  async write(text: string | Buffer): Promise<void> {
    this.check();
    if (this.output.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.wake = null;
        this.output.removeListener('drain', done);
        this.signal?.removeEventListener('abort', done);
        resolve();
      };
      this.wake = done;
      this.output.on('drain', done);
      this.signal?.addEventListener('abort', done);
    });
    this.check();
  }

  release(): void {
    this.output.removeListener('error', this.onError);
    this.output.removeListener('close', this.onClose);
  }

  private check(): void {
    this.signal?.throwIfAborted();
    if (this.failure) throw this.failure;
  }
}
