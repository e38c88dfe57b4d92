// Byte formats of the `data` blobs in sample / rollup_1m / rollup_1h.
//
// Every number is an unsigned LEB128 varint of integer *steps* (value / resolutionOf(key), see
// series.ts). Values arrive quantized, so steps are exact integers and the encoding is lossless.
// The series a blob's values belong to are given by its row's layout (an ordered list of series
// ids); the blob itself carries no keys, no types, no lengths.
//
//   raw sample:  per series  v        0 = null, n + 1 = n steps
//   rollup:      per series  count    0 = no value in the bucket (nothing follows)
//                            min, max − min, sum − count·min      (only when count > 0)
//
// Why this rollup shape: storing the exact sum (instead of an average rounded to a step) keeps
// minute → hour → chart-bucket merges exact, and storing it relative to count·min (with max as a
// spread above min) keeps it about as small as an average would be: for a steady series such as
// mem.total the spread and the excess are 0 and cost one byte each.
//
// Why not zigzag: every series is non-negative by definition (percentages, bytes, bit rates,
// load), so zigzag would spend a bit on a sign that is never set, pushing many values across a
// byte boundary (e.g. CPU % 6.4–12.7 would take 2 bytes instead of 1). A negative value is a bug
// upstream; the store clamps it to 0 and says so once in the log (see sample-store.ts).
import { VigilError } from '../../shared/errors.js';

/**
 * Largest step count stored. Keeps every hour sum (3,600 samples at 1 s) below 2^53, i.e. exact
 * in a double: 2^41 steps is 17 Tbit/s, 2 PiB or 2·10^11 % — far beyond any real reading.
 */
export const MAX_STEPS = 2 ** 41;

/** A growable byte buffer: one row's blob is built without a per-value allocation. */
export class ByteWriter {
  private buf: Buffer;
  length = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  reset(): void {
    this.length = 0;
  }

  /** Appends a non-negative integer as an unsigned LEB128 varint. */
  uint(n: number): void {
    if (this.length + 10 > this.buf.length) this.grow();
    const buf = this.buf;
    let p = this.length;
    if (n < 0x80000000) {
      // Bit operations are only valid below 2^31; this is the path almost every value takes.
      while (n >= 0x80) {
        buf[p++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
    } else {
      while (n >= 0x80) {
        buf[p++] = (n % 0x80) | 0x80;
        n = Math.floor(n / 0x80);
      }
    }
    buf[p++] = n;
    this.length = p;
  }

  /** The bytes written so far, as a view that the next write may overwrite (SQLite copies on bind). */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  /** The bytes written so far, as an independent copy. */
  copy(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }

  private grow(): void {
    const next = Buffer.allocUnsafe(this.buf.length * 2);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
}

/** Sequential varint reader over one blob, buf[start, end). */
export class ByteReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    private readonly start = 0,
    private readonly endAt = buf.length,
  ) {
    this.pos = start;
  }

  uint(): number {
    const buf = this.buf;
    let b = buf[this.pos++]!;
    let v = b & 0x7f;
    let scale = 0x80;
    while (b >= 0x80) {
      b = buf[this.pos++]!;
      v += (b & 0x7f) * scale;
      scale *= 0x80;
    }
    return v;
  }

  /** Throws unless the blob was consumed exactly: a short or long blob means a damaged row. */
  end(): void {
    if (this.pos !== this.endAt) throw corruptRow(this.endAt - this.start, this.pos - this.start);
  }
}

export function corruptRow(length: number, consumed: number): VigilError {
  return new VigilError(
    'io_error',
    `The Vigil database holds a damaged row (${length} bytes, layout wanted ${consumed}): run "PRAGMA integrity_check" or restore a backup`,
  );
}

/** Raw values → blob. `steps[i]` is null or a non-negative integer step count. */
export function encodeSteps(writer: ByteWriter, steps: readonly (number | null)[]): void {
  writer.reset();
  for (const s of steps) writer.uint(s === null ? 0 : s + 1);
}

/** Blob → step counts (null where the series had no value). */
export function decodeSteps(data: Uint8Array, count: number): (number | null)[] {
  const reader = new ByteReader(data);
  const out: (number | null)[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const v = reader.uint();
    out[i] = v === 0 ? null : v - 1;
  }
  reader.end();
  return out;
}

/** One series' summary over a bucket, in steps. */
export interface StepSummary {
  count: number;
  min: number;
  max: number;
  sum: number;
}

export function encodeSummaries(writer: ByteWriter, summaries: readonly (StepSummary | null)[]): void {
  writer.reset();
  for (const s of summaries) writeSummary(writer, s ? s.count : 0, s?.min ?? 0, s?.max ?? 0, s?.sum ?? 0);
}

export function writeSummary(writer: ByteWriter, count: number, min: number, max: number, sum: number): void {
  writer.uint(count);
  if (count > 0) {
    writer.uint(min);
    writer.uint(max - min);
    writer.uint(sum - count * min);
  }
}

export function decodeSummaries(data: Uint8Array, count: number): (StepSummary | null)[] {
  const reader = new ByteReader(data);
  const out: (StepSummary | null)[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const n = reader.uint();
    if (n === 0) {
      out[i] = null;
      continue;
    }
    const min = reader.uint();
    const max = min + reader.uint();
    const sum = reader.uint() + n * min;
    out[i] = { count: n, min, max, sum };
  }
  reader.end();
  return out;
}
