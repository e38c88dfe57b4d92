// The CSV layout of samples: column names for series keys (and back), the column order, number
// formatting, and rows. The daily files and `vigil export` both go through CsvLayout, which is
// what makes an export of a day byte-identical to that day's file.
//
// Column order: the series of the first sample (plus the fixed ones) in canonical order; a series
// that appears later (an interface plugged in mid-day, a CPU brought online) gets a column at the
// END, so every existing column keeps its position: a spreadsheet or a log shipper that mapped
// columns by position keeps reading the right ones after the header grows. The canonical order
// comes from the metric table (src/shared/metrics/table.ts: each family's `csv.column`), in its
// order; a file whose series were all there from its first row reads:
//
//   time, unix_ms, cpu_percent, cpu0_percent … cpuN_percent,
//   mem_total_bytes, mem_used_bytes, mem_available_bytes, mem_free_bytes,
//   swap_total_bytes, swap_used_bytes, load1, load5, load15,
//   net_<iface>_rx_bps, net_<iface>_tx_bps, …   (interfaces in compareNames order)
//
// Every column name starts with a fixed letter prefix, and cells are numbers or ISO times, so no
// cell can start with = + - @: a hostile interface name cannot become a spreadsheet formula.
import { formatLocalIso } from '../../shared/dates.js';
import { VigilError } from '../../shared/errors.js';
import { FAMILIES, fill, parseColumn, parseSeriesKey } from '../../shared/metrics/catalog.js';
import { compareSeriesKeys, quantize, resolutionOf, seriesKeyOf, toSteps, type SeriesKey } from '../../shared/series.js';
import { LINE_END, escapeField } from './rfc4180.js';

export const TIME_COLUMN = 'time';
/**
 * How the `time` column is written (unix_ms is always there):
 * - iso: local time, ISO 8601 with its UTC offset (2026-11-22T14:03:05+01:00), the daily files'
 *   format: unambiguous, but LibreOffice and Excel keep it as text;
 * - local: local wall-clock time "2026-11-22 14:03:05", which both spreadsheets read as a date
 *   (the hour repeated when clocks go back reads the same twice: unix_ms tells them apart);
 * - unix: Unix time in seconds (decimals only for a sample off the whole second).
 * Milliseconds appear (.123) only when not zero, in every format.
 */
export const TIME_FORMATS = ['iso', 'local', 'unix'] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];
export const UNIX_MS_COLUMN = 'unix_ms';

/**
 * Series every file has a column for, whatever the machine: the machine-wide families (a value
 * the OS does not have, like Windows' load average, stays an empty cell).
 */
export const FIXED_KEYS: readonly SeriesKey[] = FAMILIES.filter((family) => family.scope === 'machine' && family.column).map((family) => seriesKeyOf(family));

export function columnName(key: string): string {
  const parsed = parseSeriesKey(key);
  if (!parsed?.family.column) throw new VigilError('internal', `No CSV column for series "${key}"`);
  return fill(parsed.family.column, parsed.instance);
}

/** The series key of a column name; null for anything that is not a series column. */
export function keyOfColumn(name: string): SeriesKey | null {
  const parsed = parseColumn(name);
  return parsed ? seriesKeyOf(parsed.family, parsed.instance) : null;
}

/**
 * Exact decimal text of a number, never in exponent notation: String() already gives the
 * shortest text that reads back to the same double (12.3, not 12.300000000000001); only its
 * exponent form (1e+21, 1e-7) is expanded.
 */
export function formatNumber(value: number): string {
  const text = String(value);
  if (!text.includes('e')) return text;
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text; // Infinity / NaN: callers never pass them
  const [, sign, int, frac = '', exponent] = match;
  const digits = int! + frac;
  const point = 1 + Number(exponent);
  let plain: string;
  if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) plain = digits + '0'.repeat(point - digits.length);
  else plain = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign + plain;
}

/**
 * One cell: empty for no value; otherwise the value at its series' resolution (as SQLite keeps
 * it), i.e. exactly formatNumber(quantize(value, resolution)). Built from the integer step count
 * where it can be: converting a double to its shortest text is what dominated export time
 * (~180 ns a value against ~30 ns this way; bench/csv.ts).
 */
export function formatCell(value: number | null | undefined, resolution: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  const steps = toSteps(value, resolution);
  if (Number.isSafeInteger(steps)) {
    if (resolution >= 1 && Number.isInteger(resolution)) {
      const v = steps * resolution;
      if (Number.isSafeInteger(v)) return formatInteger(v);
    } else {
      const digits = DECIMALS.get(resolution);
      if (digits !== undefined) return formatDecimal(steps, digits);
    }
  }
  return formatNumber(quantize(value, resolution));
}

/** Fractional resolutions we format from steps: 0.1 → 1 decimal, 0.01 → 2, 0.001 → 3. */
const DECIMALS = new Map<number, number>([
  [0.1, 1],
  [0.01, 2],
  [0.001, 3],
]);

function formatInteger(v: number): string {
  const a = Math.abs(v);
  if (a < 1e9) return String(v === 0 ? 0 : v);
  // Two small integers convert much faster than one large double.
  const high = Math.floor(a / 1e9);
  const low = a - high * 1e9;
  return `${v < 0 ? '-' : ''}${high}${String(low).padStart(9, '0')}`;
}

/** steps / 10^digits as the shortest decimal (12.30 → "12.3", 5.00 → "5"). */
function formatDecimal(steps: number, digits: number): string {
  const scale = 10 ** digits;
  const a = Math.abs(steps);
  const whole = Math.floor(a / scale);
  let fraction = a - whole * scale;
  const sign = steps < 0 ? '-' : '';
  if (fraction === 0) return sign + formatInteger(whole);
  while (fraction % 10 === 0) {
    fraction /= 10;
    digits--;
  }
  return `${sign}${formatInteger(whole)}.${String(fraction).padStart(digits, '0')}`;
}

/**
 * formatLocalIso(ts), with the text up to the minute and the UTC offset kept for the minute in
 * hand: rows come second after second, and a Date with its local getters per row was a fifth of
 * an export's formatting. Used only where the offset is the same whole number of minutes at the
 * minute's start and end (then the local seconds and milliseconds are the UTC ones); any other
 * minute (a historical offset with seconds, like Monrovia's until 1972) goes through
 * formatLocalIso itself.
 */
class LocalTimeText {
  private minute = Number.NaN;
  private head = '';
  private offset = '';

  /** `withOffset` false gives the spreadsheet form: a space for the T, no offset. */
  constructor(private readonly withOffset = true) {}

  format(ts: number): string {
    const minute = Math.floor(ts / 60_000);
    if (minute !== this.minute && !this.load(minute)) return this.withOffset ? formatLocalIso(ts) : withoutOffset(formatLocalIso(ts));
    const withinMinute = ts - minute * 60_000;
    const seconds = Math.floor(withinMinute / 1000);
    const ms = withinMinute - seconds * 1000;
    const ss = seconds < 10 ? `0${seconds}` : String(seconds);
    if (ms === 0) return `${this.head}${ss}${this.offset}`;
    return `${this.head}${ss}.${ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : ms}${this.offset}`;
  }

  private load(minute: number): boolean {
    const start = minute * 60_000;
    if (!Number.isSafeInteger(start)) return false;
    // getTimezoneOffset() is whole minutes even where the offset was not (Monrovia until 1972:
    // -00:44:30), so the local seconds say whether the minute lines up.
    const first = new Date(start);
    const last = new Date(start + 59_999);
    if (first.getSeconds() !== 0 || first.getMilliseconds() !== 0 || last.getSeconds() !== 59 || last.getTimezoneOffset() !== first.getTimezoneOffset()) {
      this.minute = Number.NaN;
      return false;
    }
    const text = formatLocalIso(start); // YYYY-MM-DDTHH:MM:00±HH:MM
    const seconds = text.indexOf(':', text.indexOf('T') + 4) + 1;
    this.head = this.withOffset ? text.slice(0, seconds) : text.slice(0, seconds).replace('T', ' ');
    this.offset = this.withOffset ? text.slice(seconds + 2) : '';
    this.minute = minute;
    return true;
  }
}

/** formatLocalIso's text as "YYYY-MM-DD HH:MM:SS[.mmm]" (T → space, offset dropped). */
function withoutOffset(iso: string): string {
  return iso.replace('T', ' ').replace(/(?:Z|[+-]\d\d:\d\d(?::\d\d)?)$/, '');
}

/** Unix seconds as decimal text: 1764421385, or 1764421385.25 off the whole second. */
function unixSecondsText(ts: number): string {
  const ms = ts % 1000;
  if (ms === 0) return formatNumber(ts / 1000);
  return `${formatNumber((ts - ms) / 1000)}.${String(ms).padStart(3, '0').replace(/0+$/, '')}`;
}

function timeFormatter(format: TimeFormat): (ts: number) => string {
  if (format === 'unix') return unixSecondsText;
  const text = new LocalTimeText(format === 'iso');
  return (ts) => text.format(ts);
}

/** A header (a set of series in column order) and the rows written under it. */
export class CsvLayout {
  readonly keys: readonly SeriesKey[];
  /** The header record, with its line ending. */
  readonly header: string;
  private readonly index = new Map<SeriesKey, number>();
  private readonly resolutions: number[];
  private readonly time: (ts: number) => string;
  private lastColumns: Int32Array | null = null;
  private lastSources = new Int32Array(0);

  private constructor(
    keys: readonly SeriesKey[],
    readonly timeFormat: TimeFormat = 'iso',
  ) {
    this.time = timeFormatter(timeFormat);
    this.keys = keys;
    keys.forEach((key, i) => this.index.set(key, i));
    this.resolutions = keys.map(resolutionOf);
    this.header = [TIME_COLUMN, UNIX_MS_COLUMN, ...keys.map(columnName)].map(escapeField).join(',') + LINE_END;
  }

  /** The canonical layout for a set of series (the fixed columns are always included). */
  static forKeys(keys: Iterable<SeriesKey>): CsvLayout {
    const all = new Set<SeriesKey>(FIXED_KEYS);
    for (const key of keys) all.add(key);
    return new CsvLayout([...all].sort(compareSeriesKeys));
  }

  /**
   * The layout a daily file ends up with when its samples' series came in these groups, in time
   * order (group i: the series first seen in the i-th sample that brought any): the first group
   * as forKeys(), each later one's new series appended, as widen() does.
   */
  static forGroupsInOrder(groups: Iterable<Iterable<SeriesKey>>): CsvLayout {
    let layout: CsvLayout | null = null;
    for (const group of groups) layout = layout === null ? CsvLayout.forKeys(group) : layout.widen(group);
    return layout ?? CsvLayout.forKeys([]);
  }

  /**
   * The layout a file's header describes, in the file's own order; null when the header is not
   * one Vigil writes (missing time columns, unknown or repeated column).
   */
  static fromHeader(fields: readonly string[]): CsvLayout | null {
    if (fields[0] !== TIME_COLUMN || fields[1] !== UNIX_MS_COLUMN) return null;
    const keys: SeriesKey[] = [];
    const seen = new Set<SeriesKey>();
    for (const name of fields.slice(2)) {
      const key = keyOfColumn(name);
      if (key === null || seen.has(key)) return null;
      seen.add(key);
      keys.push(key);
    }
    return new CsvLayout(keys);
  }

  /** The same columns, with the `time` column written in `format` (the daily files keep 'iso'). */
  withTimeFormat(format: TimeFormat): CsvLayout {
    return format === this.timeFormat ? this : new CsvLayout(this.keys, format);
  }

  /** Fields per record, time columns included. */
  get width(): number {
    return this.keys.length + 2;
  }

  indexOf(key: SeriesKey): number | undefined {
    return this.index.get(key);
  }

  covers(keys: Iterable<SeriesKey>): boolean {
    for (const key of keys) if (!this.index.has(key)) return false;
    return true;
  }

  /**
   * This layout plus the `keys` it lacks, appended after its columns (in canonical order among
   * themselves): existing columns never move, which is what lets a reader that follows the file
   * keep its column positions across a header rewrite. Returns this layout when nothing is new.
   */
  widen(keys: Iterable<SeriesKey>): CsvLayout {
    const added = new Set<SeriesKey>();
    for (const key of keys) if (!this.index.has(key)) added.add(key);
    if (added.size === 0) return this;
    return new CsvLayout([...this.keys, ...[...added].sort(compareSeriesKeys)]);
  }

  /** Column index of each key (for formatRowAt); throws for a key this layout has no column for. */
  columnsOf(keys: readonly SeriesKey[]): Int32Array {
    const columns = new Int32Array(keys.length);
    keys.forEach((key, i) => {
      const column = this.index.get(key);
      if (column === undefined) throw new VigilError('internal', `CSV layout has no column for series "${key}"`);
      columns[i] = column;
    });
    return columns;
  }

  /** A row, with its line ending; values[i] goes to column columns[i]; columns not named stay empty. */
  formatRowAt(ts: number, columns: Int32Array, values: readonly (number | null)[]): string {
    // Built in column order with no array per row: an export formats 86,400 rows a day, and the
    // per-row cells array and join() were a third of its time (bench/csv.ts).
    const sources = this.sourcesOf(columns);
    let line = `${this.time(ts)},${formatNumber(ts)}`;
    for (let column = 0; column < sources.length; column++) {
      const i = sources[column]!;
      line += i < 0 ? ',' : `,${formatCell(values[i], this.resolutions[column]!)}`;
    }
    return line + LINE_END;
  }

  /** For each column, the index in `columns` that names it (the last one), or -1; cached for the last `columns` seen. */
  private sourcesOf(columns: Int32Array): Int32Array {
    if (columns === this.lastColumns) return this.lastSources;
    const sources = new Int32Array(this.keys.length).fill(-1);
    for (let i = 0; i < columns.length; i++) sources[columns[i]!] = i;
    this.lastColumns = columns;
    this.lastSources = sources;
    return sources;
  }

  formatRow(ts: number, keys: readonly SeriesKey[], values: readonly (number | null)[]): string {
    return this.formatRowAt(ts, this.columnsOf(keys), values);
  }
}
