// Arguments the sample store refuses before it touches the database, with a message that says
// what was expected.
import { VigilError } from '../../shared/errors.js';

export function checkTimestamp(ts: unknown, what: string): void {
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) {
    throw new VigilError('invalid_argument', `Invalid timestamp ${String(ts)} in ${what}: expected unix milliseconds (a whole number ≥ 0).`);
  }
}

export function checkRange(from: unknown, to: unknown): asserts from is number {
  if (typeof from !== 'number' || typeof to !== 'number' || !Number.isSafeInteger(from) || !Number.isSafeInteger(to)) {
    throw new VigilError('invalid_range', `Invalid range [${String(from)}, ${String(to)}): expected two unix-millisecond times (whole numbers).`);
  }
  if (from >= to) throw new VigilError('invalid_range', `Invalid range: the start (${from}) must be before the end (${to}).`);
}
