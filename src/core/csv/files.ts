// Daily CSV files on disk: their names, and reading a file's header and the end of its last
// complete row (what crash repair truncates to and what recovery reads backwards from).
//
// All I/O goes through CsvFs, the few synchronous fs calls we use, so tests can inject a full
// disk or a short write without needing one.
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { isValidDay, parseDay, type LocalDay } from '../../shared/dates.js';
import { CsvParser, parseCsv } from './rfc4180.js';

export interface CsvFs {
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Appends (the fd is opened O_APPEND); returns bytes written, which may be fewer than asked. */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fstatSync(fd: number): { size: number };
  ftruncateSync(fd: number, length: number): void;
  fsyncSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  mkdirSync(path: string, options: { recursive: true }): unknown;
  readdirSync(path: string): string[];
}

export const nodeFs: CsvFs = {
  openSync: (p, flags) => fs.openSync(p, flags),
  closeSync: (fd) => fs.closeSync(fd),
  readSync: (fd, buffer, offset, length, position) => fs.readSync(fd, buffer, offset, length, position),
  writeSync: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  fstatSync: (fd) => fs.fstatSync(fd),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  renameSync: (from, to) => fs.renameSync(from, to),
  unlinkSync: (p) => fs.unlinkSync(p),
  mkdirSync: (p, options) => fs.mkdirSync(p, options),
  readdirSync: (p) => fs.readdirSync(p),
};

const DAILY_NAME = /^(\d{2}-\d{2}-\d{4})\.csv$/;
const TEMP_NAME = /^\d{2}-\d{2}-\d{4}\.csv\.tmp$/;

/** The day of a daily file's name; null unless the name is exactly DD-MM-YYYY.csv with a real date. */
export function parseDailyFileName(name: string): LocalDay | null {
  const match = DAILY_NAME.exec(name);
  return match && isValidDay(match[1]!) ? parseDay(match[1]!) : null;
}

export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name);
}

export interface DailyFile {
  day: LocalDay;
  name: string;
  path: string;
}

/** The daily files in a folder (none if it does not exist), oldest day first. */
export function listDailyFiles(dir: string, fsys: CsvFs = nodeFs): DailyFile[] {
  let names: string[];
  try {
    names = fsys.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: DailyFile[] = [];
  for (const name of names) {
    const day = parseDailyFileName(name);
    if (day) files.push({ day, name, path: path.join(dir, name) });
  }
  return files.sort((a, b) => a.day.year - b.day.year || a.day.month - b.day.month || a.day.day - b.day.day);
}

const CHUNK = 64 * 1024;
/** A header longer than this is not one of ours (it would take ~25,000 interfaces). */
const MAX_HEADER_BYTES = 4 * 1024 * 1024;

export type HeaderRead =
  | { kind: 'ok'; fields: string[]; bytes: number }
  /** No complete first record: an empty file or one torn while its header was written. */
  | { kind: 'torn' }
  | { kind: 'malformed'; reason: string };

/** The first record of a file; `bytes` is where the first row starts. */
export function readHeader(fsys: CsvFs, fd: number, size: number): HeaderRead {
  let header: string[] | null = null;
  let headerChars = 0;
  const parser = new CsvParser((fields, end) => {
    if (header === null) {
      header = fields;
      headerChars = end;
    }
  });
  const decoder = new StringDecoder('utf8');
  let text = '';
  const buffer = Buffer.alloc(Math.min(CHUNK, Math.max(size, 1)));
  try {
    for (let position = 0; position < size && header === null; ) {
      if (position >= MAX_HEADER_BYTES) return { kind: 'malformed', reason: 'no line ending in the first 4 MB' };
      const n = fsys.readSync(fd, buffer, 0, Math.min(buffer.length, size - position), position);
      if (n <= 0) break;
      position += n;
      const chunk = decoder.write(buffer.subarray(0, n));
      text += chunk;
      parser.push(chunk);
    }
  } catch (error) {
    // The parser stops at the first syntax error, which may lie after the header: that is the
    // rows' business, not the header's.
    if (header === null) return { kind: 'malformed', reason: (error as Error).message };
  }
  if (header === null) return { kind: 'torn' };
  return { kind: 'ok', fields: header, bytes: Buffer.byteLength(text.slice(0, headerChars)) };
}

/** Position of the last LF byte in [start, end), or -1. Reads backwards in chunks. */
export function lastNewlineBefore(fsys: CsvFs, fd: number, start: number, end: number): number {
  const buffer = Buffer.alloc(CHUNK);
  for (let stop = end; stop > start; ) {
    const from = Math.max(start, stop - CHUNK);
    const n = fsys.readSync(fd, buffer, 0, stop - from, from);
    const at = buffer.subarray(0, n).lastIndexOf(0x0a);
    if (at >= 0) return from + at;
    stop = from;
  }
  return -1;
}

export function readRange(fsys: CsvFs, fd: number, from: number, to: number): Buffer {
  const buffer = Buffer.alloc(to - from);
  let done = 0;
  while (done < buffer.length) {
    const n = fsys.readSync(fd, buffer, done, buffer.length - done, from + done);
    if (n <= 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}

/**
 * The fields of one complete row line (line ending included) if it is a row Vigil could have
 * written under a header of `width` fields; null for a torn or foreign line.
 */
export function parseRowLine(line: string, width: number): string[] | null {
  if (line.includes('\0')) return null; // a power cut can leave zero-filled blocks
  let parsed;
  try {
    parsed = parseCsv(line);
  } catch {
    return null;
  }
  const [fields] = parsed.records;
  if (parsed.records.length !== 1 || parsed.rest !== null || !fields || fields.length !== width) return null;
  if (!/^\d+$/.test(fields[1]!)) return null;
  return fields;
}

export interface TailRepair {
  /** Where the last complete, well-formed row ends: the file's valid length. */
  end: number;
  /** What was cut off the end, for the log. */
  removed: { bytes: number; lines: number };
}

/**
 * Finds the end of the last complete row after the header (at `start`): a final line without
 * a line ending, or with the wrong number of fields, is torn and excluded. Does not write.
 */
export function findValidEnd(fsys: CsvFs, fd: number, start: number, size: number, width: number): TailRepair {
  let end = size;
  let lines = 0;
  while (end > start) {
    const lastNewline = lastNewlineBefore(fsys, fd, start, end);
    if (lastNewline !== end - 1) {
      // Unterminated last line: cut it.
      end = lastNewline < 0 ? start : lastNewline + 1;
      lines++;
      continue;
    }
    const previous = lastNewlineBefore(fsys, fd, start, end - 1);
    const lineStart = previous < 0 ? start : previous + 1;
    if (parseRowLine(readRange(fsys, fd, lineStart, end).toString('utf8'), width)) break;
    end = lineStart;
    lines++;
  }
  return { end, removed: { bytes: size - end, lines } };
}
