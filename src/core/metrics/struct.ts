// Reading C structs out of a Buffer, for the native readers (Windows and macOS).
//
// The native readers never let koffi decode structs: the OS writes into a Buffer we own, and pure
// functions read it at documented offsets. That keeps every layout in one constant table per
// struct (offsets and size, asserted by the tests on bytes laid out by hand) and lets the parsing
// run, and be tested, on any OS. Both targets are little-endian (x64, arm64).
import { VigilError } from '../../shared/errors.js';

/** Offsets of the fields we read in one C struct, and its size (sizeof, padding included). */
export type StructLayout = { readonly size: number } & Readonly<Record<string, number>>;

const TWO_TO_32 = 2 ** 32;

/**
 * An unsigned 64-bit little-endian integer as a Number. Exact below 2^53 (8 PiB of bytes,
 * 28 years of 100 ns CPU time per core); above, the nearest double, which is still monotonic.
 * Two 32-bit reads are cheaper than a BigInt.
 */
export function readU64(buffer: Buffer, offset: number): number {
  return buffer.readUInt32LE(offset) + buffer.readUInt32LE(offset + 4) * TWO_TO_32;
}

/** A NUL-terminated (or full-length) 8-bit string field of `max` bytes. */
export function readCString(buffer: Buffer, offset: number, max: number): string {
  const end = Math.min(buffer.length, offset + max);
  let nul = buffer.indexOf(0, offset);
  if (nul < 0 || nul > end) nul = end;
  return buffer.toString('utf8', offset, nul);
}

/** A NUL-terminated (or full-length) UTF-16LE string field (WCHAR[]) of `maxChars` characters. */
export function readWideString(buffer: Buffer, offset: number, maxChars: number): string {
  const end = Math.min(buffer.length, offset + maxChars * 2);
  let at = offset;
  while (at + 1 < end && (buffer[at] !== 0 || buffer[at + 1] !== 0)) at += 2;
  return buffer.toString('utf16le', offset, at);
}

/** Throws when `length` bytes from `offset` do not fit: a struct the OS cut short. */
export function requireBytes(buffer: Buffer, offset: number, length: number, what: string): void {
  if (offset < 0 || offset + length > buffer.length) {
    throw new VigilError('io_error', `${what}: ${length} bytes needed at offset ${offset}, only ${Math.max(0, buffer.length - offset)} there`);
  }
}
