// Count / sum / min / max per series over one bucket, fed straight from encoded blobs.
//
// Shared by the rollup writer (raw → minute, minute → hour) and by query() (anything → chart
// buckets). Slots are series ids (small dense integers from the `series` table), so a layout's
// id list doubles as its slot map and no per-row lookup or allocation happens; query() passes a
// copy of that list with -1 for series its key filter leaves out.
import { corruptRow } from './codec.js';

export class Accumulator {
  count: Float64Array = new Float64Array(64);
  sum: Float64Array = new Float64Array(64);
  min: Float64Array = new Float64Array(64);
  max: Float64Array = new Float64Array(64);
  /** Slots with count > 0 since the last reset, in first-seen order. */
  readonly touched: number[] = [];

  /** Makes room for slots 0 … size−1. */
  ensure(size: number): void {
    if (size <= this.count.length) return;
    let next = this.count.length;
    while (next < size) next *= 2;
    const grow = (a: Float64Array): Float64Array => {
      const b = new Float64Array(next);
      b.set(a);
      return b;
    };
    this.count = grow(this.count);
    this.sum = grow(this.sum);
    this.min = grow(this.min);
    this.max = grow(this.max);
  }

  add(slot: number, v: number): void {
    if (this.count[slot] === 0) {
      this.touched.push(slot);
      this.count[slot] = 1;
      this.sum[slot] = v;
      this.min[slot] = v;
      this.max[slot] = v;
      return;
    }
    this.count[slot]! += 1;
    this.sum[slot]! += v;
    if (v < this.min[slot]!) this.min[slot] = v;
    if (v > this.max[slot]!) this.max[slot] = v;
  }

  merge(slot: number, count: number, min: number, max: number, sum: number): void {
    if (this.count[slot] === 0) {
      this.touched.push(slot);
      this.count[slot] = count;
      this.sum[slot] = sum;
      this.min[slot] = min;
      this.max[slot] = max;
      return;
    }
    this.count[slot]! += count;
    this.sum[slot]! += sum;
    if (min < this.min[slot]!) this.min[slot] = min;
    if (max > this.max[slot]!) this.max[slot] = max;
  }

  reset(): void {
    for (const slot of this.touched) this.count[slot] = 0;
    this.touched.length = 0;
  }
}

/**
 * Adds one raw-sample blob, data[start, end). `slots[i]` is the slot of the layout's i-th series, or -1 to skip it.
 * The varint walk is inlined: this loop runs once per stored value on raw queries.
 */
export function feedRaw(data: Uint8Array, start: number, end: number, slots: ArrayLike<number>, acc: Accumulator): void {
  // Accumulator.add inlined: this loop runs once per stored value on raw reads.
  const { count, sum, min, max, touched } = acc;
  const n = slots.length;
  let p = start;
  for (let i = 0; i < n; i++) {
    let b = data[p++]!;
    let v = b & 0x7f;
    if (b >= 0x80) {
      let scale = 0x80;
      do {
        b = data[p++]!;
        v += (b & 0x7f) * scale;
        scale *= 0x80;
      } while (b >= 0x80);
    }
    if (v === 0) continue;
    const slot = slots[i]!;
    if (slot < 0) continue;
    v -= 1;
    if (count[slot] === 0) {
      touched.push(slot);
      count[slot] = 1;
      sum[slot] = v;
      min[slot] = v;
      max[slot] = v;
    } else {
      count[slot]! += 1;
      sum[slot]! += v;
      if (v < min[slot]!) min[slot] = v;
      else if (v > max[slot]!) max[slot] = v;
    }
  }
  if (p !== end) throw corruptRow(end - start, p - start);
}

/** Adds one rollup blob, data[start, end) (count, min, max − min, sum − count·min per series). */
export function feedRollup(data: Uint8Array, start: number, end: number, slots: ArrayLike<number>, acc: Accumulator): void {
  const { count, sum, min, max, touched } = acc;
  const n = slots.length;
  let p = start;
  // Four varints per series, each walk spelled out: a helper returning (value, position) would
  // allocate or need shared state in the hottest loop of a chart query.
  for (let i = 0; i < n; i++) {
    let b = data[p++]!;
    let c = b & 0x7f;
    for (let scale = 0x80; b >= 0x80; scale *= 0x80) {
      b = data[p++]!;
      c += (b & 0x7f) * scale;
    }
    if (c === 0) continue;
    b = data[p++]!;
    let lo = b & 0x7f;
    for (let scale = 0x80; b >= 0x80; scale *= 0x80) {
      b = data[p++]!;
      lo += (b & 0x7f) * scale;
    }
    b = data[p++]!;
    let spread = b & 0x7f;
    for (let scale = 0x80; b >= 0x80; scale *= 0x80) {
      b = data[p++]!;
      spread += (b & 0x7f) * scale;
    }
    b = data[p++]!;
    let excess = b & 0x7f;
    for (let scale = 0x80; b >= 0x80; scale *= 0x80) {
      b = data[p++]!;
      excess += (b & 0x7f) * scale;
    }
    const slot = slots[i]!;
    if (slot < 0) continue;
    // Accumulator.merge inlined, as in feedRaw.
    const hi = lo + spread;
    const total = excess + c * lo;
    if (count[slot] === 0) {
      touched.push(slot);
      count[slot] = c;
      sum[slot] = total;
      min[slot] = lo;
      max[slot] = hi;
    } else {
      count[slot]! += c;
      sum[slot]! += total;
      if (lo < min[slot]!) min[slot] = lo;
      if (hi > max[slot]!) max[slot] = hi;
    }
  }
  if (p !== end) throw corruptRow(end - start, p - start);
}
