// `vigil logs [--follow] [--lines N] [--level L] [--hub | --app]`: the agent's (or the hub's) log,
// <data-dir>/logs/vigil.log, or the tray app's <data-dir>/logs/app.log (the app shares the agent's
// data folder but logs in a file of its own), which src/core/log.ts rotates by size (vigil.log.1 … .N).
// The last lines come from the rotated files too when the current one is short; --follow keeps
// printing new lines and follows the log across rotation, like `tail -F`: when vigil.log is
// renamed away, the rest of the old file is read to its end before the new one is opened.
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { VigilError } from '../../shared/errors.js';
import { LOG_LEVEL_VALUES, type LogLevelSetting } from '../../shared/settings.js';
import { dataPaths } from '../../core/paths.js';
import { resolveDataDir } from '../options.js';

export interface LogsOptions {
  follow?: boolean;
  lines?: number;
  level?: LogLevelSetting;
  hub?: boolean;
  /** The tray app's log (logs/app.log) instead of the agent's. */
  app?: boolean;
  dataDir?: string;
  /** Each line as one JSON object ({time, level, msg, ...fields}), whatever format the log is in. */
  json?: boolean;
}

export const FOLLOW_POLL_MS = 250;

export async function runLogs(options: LogsOptions): Promise<number> {
  if (options.hub && options.app) throw new VigilError('invalid_argument', '--hub and --app name different logs: choose one');
  const dataDir = options.hub ? (await import('./hub.js')).resolveHubDataDir(options.dataDir) : resolveDataDir(options.dataDir);
  const paths = dataPaths(dataDir);
  const file = options.app ? paths.appLogFile : paths.logFile;
  const who = options.hub ? 'the hub' : options.app ? 'the tray app' : 'the agent';
  const keep = levelFilter(options.level);
  const out = (text: string) => process.stdout.write(text);
  const write = options.json ? (text: string) => out(text.split('\n').map((line) => (line === '' ? line : lineAsJson(line))).join('\n')) : out;
  if (!fs.existsSync(file) && !options.follow) {
    throw new VigilError('not_found', `No log at ${file}: has ${who} run with this data folder? (pass --data-dir; \`vigil service status\` shows a service's)`);
  }
  const tail = lastLines(file, options.lines ?? 50, keep);
  if (tail.length > 0) write(`${tail.join('\n')}\n`);
  if (!options.follow) return 0;
  if (!fs.existsSync(file)) process.stderr.write(`vigil: waiting for ${file} to appear (Ctrl-C to stop)\n`);

  const follower = new LogFollower(file, (line) => {
    if (keep(line)) write(`${line}\n`);
  });
  return new Promise((resolve) => {
    const timer = setInterval(() => follower.poll(), FOLLOW_POLL_MS);
    const stop = () => {
      clearInterval(timer);
      follower.poll();
      follower.close();
      resolve(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** Keeps lines at `level` or more severe; a line that is not a log line (no level) is kept. */
export function levelFilter(level: LogLevelSetting | undefined): (line: string) => boolean {
  if (!level) return () => true;
  const threshold = LOG_LEVEL_VALUES.indexOf(level);
  return (line) => {
    const word = line.startsWith('{') ? jsonLevel(line) : line.split(' ', 3)[1]?.toLowerCase();
    const at = LOG_LEVEL_VALUES.indexOf(word as LogLevelSetting);
    return at < 0 || at <= threshold;
  };
}

const TEXT_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (ERROR|WARN|INFO|DEBUG) +(.*)$/;

/**
 * A log line as the JSON object `--log-format json` would have written: a JSON line as it is, a
 * text line split into time, level, message and its trailing {fields}; any other line (a stack
 * trace's) as {"msg": line}.
 */
export function lineAsJson(line: string): string {
  if (line.startsWith('{') && jsonLevel(line) !== undefined) return line;
  const match = TEXT_LINE.exec(line);
  if (!match) return JSON.stringify({ msg: line });
  const [, time, level, rest] = match;
  let msg = rest!;
  let fields: Record<string, unknown> = {};
  // The fields are the JSON object that ends the line; a message may hold " {" itself, so each
  // candidate start is tried in turn.
  for (let brace = rest!.indexOf(' {'); brace >= 0; brace = rest!.indexOf(' {', brace + 1)) {
    try {
      const parsed: unknown = JSON.parse(rest!.slice(brace + 1));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        fields = parsed as Record<string, unknown>;
        msg = rest!.slice(0, brace);
        break;
      }
    } catch {
      // not where the fields start
    }
  }
  const record: Record<string, unknown> = { time, level: level!.toLowerCase(), msg };
  for (const [key, value] of Object.entries(fields)) record[key in record ? `field_${key}` : key] = value;
  return JSON.stringify(record);
}

/** The level of a `--log-format json` line; undefined for anything else. */
function jsonLevel(line: string): string | undefined {
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level === 'string' ? level : undefined;
  } catch {
    return undefined;
  }
}

/** The last `count` lines that pass `keep`, from vigil.log and, if it is short, vigil.log.1, .2, … */
export function lastLines(file: string, count: number, keep: (line: string) => boolean = () => true): string[] {
  const collected: string[] = [];
  for (let i = 0; collected.length < count; i++) {
    const name = i === 0 ? file : `${file}.${i}`;
    let text: string;
    try {
      text = readTail(name, 8 * 1024 * 1024);
    } catch {
      if (i === 0) continue;
      break;
    }
    const lines = text.split('\n').filter((line) => line !== '' && keep(line));
    collected.unshift(...lines.slice(Math.max(0, lines.length - (count - collected.length))));
  }
  return collected;
}

/** At most the last `max` bytes of a file, from a line start. */
function readTail(file: string, max: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - max);
    const buffer = Buffer.alloc(size - start);
    fs.readSync(fd, buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8');
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Follows a log file across rotation (rename-and-create, as src/core/log.ts rotates) and
 * truncation. Call poll() periodically; complete lines go to onLine, in order, none twice.
 * Starts at the current end of the file (the caller prints the tail first).
 */
export class LogFollower {
  private fd: number | null = null;
  private ino = -1;
  private position = 0;
  private partial = '';
  private decoder = new StringDecoder('utf8');

  constructor(
    private readonly file: string,
    private readonly onLine: (line: string) => void,
  ) {
    this.open(false);
  }

  poll(): void {
    if (this.fd === null) {
      this.open(true);
      if (this.fd === null) return;
    }
    let current: fs.Stats | null = null;
    try {
      current = fs.statSync(this.file);
    } catch {
      // Renamed away and not re-created yet: finish the old file, look again next time.
    }
    if (current && current.ino !== this.ino) {
      this.drain();
      this.flushPartial();
      this.closeFd();
      this.open(true);
      this.drain();
      return;
    }
    const size = fs.fstatSync(this.fd).size;
    if (size < this.position) {
      // Truncated in place (copytruncate): start over from the beginning.
      this.position = 0;
      this.partial = '';
      this.decoder = new StringDecoder('utf8');
    }
    this.drain();
  }

  close(): void {
    this.flushPartial();
    this.closeFd();
  }

  private flushPartial(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    this.decoder = new StringDecoder('utf8');
    if (rest) this.onLine(rest);
  }

  private open(fromStart: boolean): void {
    try {
      this.fd = fs.openSync(this.file, 'r');
    } catch {
      this.fd = null;
      return;
    }
    const stat = fs.fstatSync(this.fd);
    this.ino = stat.ino;
    this.position = fromStart ? 0 : stat.size;
  }

  private drain(): void {
    if (this.fd === null) return;
    const buffer = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const n = fs.readSync(this.fd, buffer, 0, buffer.length, this.position);
      if (n === 0) break;
      this.position += n;
      const text = this.partial + this.decoder.write(buffer.subarray(0, n));
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) this.onLine(line);
    }
  }

  private closeFd(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
