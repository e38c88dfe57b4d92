// RFC 4180 records: writing (escape + join) and a strict, streaming reader.
//
// Line ending: CRLF, as RFC 4180 prescribes. Excel (Windows and macOS), LibreOffice, Numbers,
// Google Sheets, pandas and Python's csv module all read CRLF files, whatever the OS; LF-only
// files are read by most of them too, but CRLF is the one choice every reader is *required* to
// accept. Unix tools cope (`wc -l` counts the same; `cut`/`awk` see a trailing \r on the last
// field, which `tr -d '\r'` removes). We write no UTF-8 byte order mark: it would break `cat`-ing
// several days into one file and most Unix tools, and every byte Vigil writes is ASCII except
// non-ASCII interface names, which are rare.
import { VigilError } from '../../shared/errors.js';

export const LINE_END = '\r\n';

const NEEDS_QUOTES = /[",\r\n]/;

/** A field as RFC 4180 wants it: quoted (with inner quotes doubled) when it holds `,` `"` CR or LF. */
export function escapeField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, without its line ending. */
export function joinRecord(fields: readonly string[]): string {
  return fields.map(escapeField).join(',');
}

const State = {
  FieldStart: 0,
  Unquoted: 1,
  Quoted: 2,
  /** A `"` inside a quoted field: either the closing quote or the first of a doubled `""`. */
  QuoteInQuoted: 3,
  /** A CR outside quotes: only valid as the start of CRLF. */
  CarriageReturn: 4,
} as const;
type State = (typeof State)[keyof typeof State];

/**
 * Streaming RFC 4180 reader. Feed text with `push` (chunks may split records, quotes and CRLFs
 * anywhere); complete records go to the callback. Both CRLF and a bare LF end a record (files
 * edited on Unix); a bare CR outside quotes, or text after a closing quote, is a syntax error.
 * `end()` returns what is left when the text stops mid-record (a torn last line), without
 * treating it as a record.
 */
export class CsvParser {
  private state: State = State.FieldStart;
  private field = '';
  private fields: string[] = [];
  /** Characters consumed so far, and where the last complete record ended. */
  private consumed = 0;
  private recordEnd = 0;
  private records = 0;

  constructor(private readonly onRecord: (fields: string[], endOffset: number) => void) {}

  /** Number of characters (UTF-16 units) up to the end of the last complete record. */
  get completeLength(): number {
    return this.recordEnd;
  }

  push(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      switch (this.state) {
        case State.FieldStart:
        case State.Unquoted:
          if (c === QUOTE && this.state === State.FieldStart) this.state = State.Quoted;
          else if (c === COMMA) this.endField();
          else if (c === LF) this.endRecord(i);
          else if (c === CR) this.state = State.CarriageReturn;
          else if (c === QUOTE) this.fail(i, 'a quote inside an unquoted field');
          else {
            // Copy the whole unquoted run at once rather than a character at a time.
            let j = i + 1;
            while (j < text.length) {
              const d = text.charCodeAt(j);
              if (d === COMMA || d === LF || d === CR || d === QUOTE) break;
              j++;
            }
            this.field += text.slice(i, j);
            this.state = State.Unquoted;
            i = j - 1;
          }
          break;
        case State.Quoted:
          if (c === QUOTE) this.state = State.QuoteInQuoted;
          else {
            const next = text.indexOf('"', i);
            const stop = next < 0 ? text.length : next;
            this.field += text.slice(i, stop);
            i = stop - 1;
          }
          break;
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            this.field += '"';
            this.state = State.Quoted;
          } else if (c === COMMA) this.endField();
          else if (c === LF) this.endRecord(i);
          else if (c === CR) this.state = State.CarriageReturn;
          else this.fail(i, 'text after a closing quote');
          break;
        case State.CarriageReturn:
          if (c === LF) this.endRecord(i);
          else this.fail(i, 'a carriage return not followed by a line feed');
          break;
      }
    }
    this.consumed += text.length;
  }

  /** What follows the last complete record, if anything (fields so far, unterminated). */
  end(): { fields: string[] } | null {
    const pending = this.state !== State.FieldStart || this.field !== '' || this.fields.length > 0;
    if (!pending) return null;
    const fields = [...this.fields, this.field];
    return { fields };
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = State.FieldStart;
  }

  private endRecord(indexInChunk: number): void {
    this.fields.push(this.field);
    const fields = this.fields;
    this.fields = [];
    this.field = '';
    this.state = State.FieldStart;
    this.recordEnd = this.consumed + indexInChunk + 1;
    this.records++;
    this.onRecord(fields, this.recordEnd);
  }

  private fail(indexInChunk: number, what: string): never {
    throw new VigilError('invalid_argument', `Malformed CSV: ${what} in record ${this.records + 1} (character ${this.consumed + indexInChunk + 1})`);
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/** Every complete record of a text; a trailing unterminated record is returned apart. */
export function parseCsv(text: string): { records: string[][]; rest: string[] | null } {
  const records: string[][] = [];
  const parser = new CsvParser((fields) => records.push(fields));
  parser.push(text);
  return { records, rest: parser.end()?.fields ?? null };
}
