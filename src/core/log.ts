// Leveled logging to stderr and to a size-rotated file in the data dir.
//
// Hand-written rather than pino: pino's file and rotation transports run in a worker thread,
// which alone costs ~10 MB of resident memory, a fifth of the agent's 50 MB budget. What we
// need is small: one line per event, synchronous appends (nothing lost on a crash), rotation
// by size with a fixed number of old files.
import fs from 'node:fs';
import path from 'node:path';
import { makeDirs } from './fs-util.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

/** text: `2026-12-05T06:06:47.806Z INFO  message {fields}`; json: one JSON object a line (Loki, ELK). */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  setLevel(level: LogLevel): void;
  close(): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Write lines here too (default: process.stderr); null for none. */
  stream?: LogStream | null;
  /** Log file path; rotated to .1 … .N when it grows past maxBytes. */
  file?: string;
  maxBytes?: number;
  maxFiles?: number;
  now?: () => number;
  /** Line format, for the stream and the file alike (default text). */
  format?: LogFormat;
}

/** Where lines go besides the file: process.stderr, or anything with write() (and on('error')). */
export interface LogStream {
  write(text: string): unknown;
  on?(event: 'error', listener: (error: Error) => void): unknown;
}

export const DEFAULT_LOG_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_LOG_MAX_FILES = 5;

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  setLevel() {},
  close() {},
};

export function createLogger(options: LoggerOptions = {}): Logger {
  let threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  let stream = options.stream === undefined ? process.stderr : options.stream;
  const now = options.now ?? Date.now;
  const formatLine = options.format === 'json' ? formatJsonLine : formatTextLine;
  const file = options.file ? new RotatingFile(options.file, options.maxBytes ?? DEFAULT_LOG_MAX_BYTES, options.maxFiles ?? DEFAULT_LOG_MAX_FILES) : null;

  const appendToFile = (line: string): void => {
    try {
      file?.append(line);
    } catch (error) {
      // A full or vanished disk must not take sampling down with it; say so once on stderr.
      file?.disable(error);
    }
  };
  // The reader of stderr may go away: `vigil agent 2>&1 | tee log`, then Ctrl-C, and tee dies
  // first. The write then fails with EPIPE (an 'error' event, or a throw), which must neither
  // crash the process nor stop its clean shutdown: the stream is dropped, the file goes on.
  const dropStream = (error: unknown): void => {
    if (!stream) return;
    stream = null;
    const code = (error as NodeJS.ErrnoException | null)?.code ?? (error instanceof Error ? error.message : String(error));
    appendToFile(formatLine(now(), 'warn', `log output to stderr stopped (${code}): logging to this file only`));
  };
  stream?.on?.('error', dropStream);

  const write = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (LOG_LEVELS.indexOf(level) > threshold) return;
    const line = formatLine(now(), level, message, fields);
    try {
      stream?.write(line);
    } catch (error) {
      dropStream(error);
    }
    appendToFile(line);
  };

  return {
    error: (m, f) => write('error', m, f),
    warn: (m, f) => write('warn', m, f),
    info: (m, f) => write('info', m, f),
    debug: (m, f) => write('debug', m, f),
    setLevel(level) {
      threshold = LOG_LEVELS.indexOf(level);
    },
    close() {
      file?.close();
    },
  };
}

/**
 * Keeps a broken stdout (its reader gone: `vigil agent | head -1`) from killing a long-running
 * command with an unhandled EPIPE: what it prints there (a banner, the URL) is informative, and
 * the log file has it all.
 */
export function tolerateBrokenStdout(): void {
  if (process.stdout.listenerCount('error') === 0) process.stdout.on('error', () => {});
}

export function formatTextLine(ts: number, level: LogLevel, message: string, fields?: LogFields): string {
  const extra = fields && Object.keys(fields).length > 0 ? ` ${safeJson(fields)}` : '';
  return `${new Date(ts).toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${extra}\n`;
}

/** The text format, the default (kept under its old name for the callers that format lines themselves). */
export const formatLine = formatTextLine;

/**
 * One JSON object: {"time","level","msg", …fields}, the shape Loki's json stage and Filebeat's
 * ndjson parser take as is. A field named like one of the three keeps its value as `field_<name>`.
 */
export function formatJsonLine(ts: number, level: LogLevel, message: string, fields?: LogFields): string {
  const record: LogFields = { time: new Date(ts).toISOString(), level, msg: message };
  for (const [key, value] of Object.entries(fields ?? {})) record[key in record ? `field_${key}` : key] = value;
  const text = safeJson(record, null);
  return `${text ?? JSON.stringify({ time: record.time, level, msg: message, fields: 'unserializable' })}\n`;
}

function safeJson(fields: LogFields): string;
function safeJson(fields: LogFields, fallback: null): string | null;
function safeJson(fields: LogFields, fallback: string | null = '{"fields":"unserializable"}'): string | null {
  try {
    return JSON.stringify(fields, (_key, value: unknown) =>
      value instanceof Error ? { name: value.name, message: value.message } : typeof value === 'bigint' ? String(value) : value,
    );
  } catch {
    return fallback;
  }
}

class RotatingFile {
  private fd: number | null = null;
  private size = 0;
  private disabled = false;

  constructor(
    private readonly file: string,
    private readonly maxBytes: number,
    private readonly maxFiles: number,
  ) {}

  append(line: string): void {
    if (this.disabled) return;
    if (this.fd === null) this.open();
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    fs.writeSync(this.fd!, line);
    this.size += bytes;
  }

  disable(error: unknown): void {
    if (this.disabled) return;
    this.disabled = true;
    this.close();
    process.stderr.write(`vigil: logging to ${this.file} stopped: ${error instanceof Error ? error.message : String(error)}\n`);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private open(): void {
    makeDirs(path.dirname(this.file));
    this.fd = fs.openSync(this.file, 'a');
    this.size = fs.fstatSync(this.fd).size;
  }

  /** vigil.log → vigil.log.1 → … → vigil.log.N (the oldest falls off). */
  private rotate(): void {
    this.close();
    for (let i = this.maxFiles - 1; i >= 1; i--) {
      const from = `${this.file}.${i}`;
      if (fs.existsSync(from)) fs.renameSync(from, `${this.file}.${i + 1}`);
    }
    if (this.maxFiles >= 1) fs.renameSync(this.file, `${this.file}.1`);
    else fs.unlinkSync(this.file);
    const overflow = `${this.file}.${this.maxFiles + 1}`;
    if (fs.existsSync(overflow)) fs.unlinkSync(overflow);
    this.open();
  }
}
