// Reads (ts, layout, data) rows a chunk at a time, packed by SQLite into one blob plus three
// short number lists.
//
// Why: better-sqlite3 spends ~2 µs per row returned (an array, a Buffer for the blob), which
// for a full day of 1 s samples is ~165 ms — more than everything else in a query together.
// Concatenating a chunk's blobs inside SQLite with group_concat and handing back one blob costs
// ~30 ms for the same day. The order of rows inside an aggregate is the order of its
// sub-select (a rowid range scan, ascending), which the parser checks; should a future SQLite
// ever hand them back otherwise, the chunk is read again row by row.
//
// A chunk is a plain value: no statement stays open between chunks, so a caller may write to
// the database (or yield to its own caller) between them.
import type Database from 'better-sqlite3';

export type RowTable = 'sample' | 'rollup_1m' | 'rollup_1h';

export const CHUNK_ROWS = 2048;

export interface Chunk {
  count: number;
  ts: number[];
  layouts: number[];
  /** Row i's blob is data[offsets[i], offsets[i + 1]). */
  offsets: number[];
  data: Buffer;
}

const EMPTY: Chunk = { count: 0, ts: [], layouts: [], offsets: [0], data: Buffer.alloc(0) };

export class ChunkReader {
  private readonly packed: Database.Statement;
  private readonly plain: Database.Statement;

  constructor(db: Database.Database, table: RowTable) {
    const rows = `SELECT ts, layout, data FROM ${table} WHERE ts >= @from AND ts < @to ORDER BY ts LIMIT ${CHUNK_ROWS}`;
    this.packed = db
      .prepare(
        `SELECT CAST(group_concat(data, '') AS BLOB), group_concat(ts - CAST(@from AS INTEGER)), group_concat(layout), group_concat(length(data)) FROM (${rows})`,
      )
      .raw();
    this.plain = db.prepare(rows).raw();
  }

  /** The first CHUNK_ROWS rows with from ≤ ts < to, ascending (from, to: whole unix ms). */
  read(from: number, to: number): Chunk {
    const [data, ts, layouts, lengths] = this.packed.get({ from, to }) as [Buffer | null, string | null, string | null, string | null];
    if (data === null || ts === null || layouts === null || lengths === null) return EMPTY;
    const chunk: Chunk = { count: 0, ts: [], layouts: [], offsets: [0], data };
    const count = parseInts(ts, chunk.ts);
    if (count < 0) return this.readPlain(from, to);
    let ordered = true;
    for (let i = 0; i < count; i++) {
      chunk.ts[i] = chunk.ts[i]! + from;
      if (i > 0 && chunk.ts[i]! <= chunk.ts[i - 1]!) ordered = false;
    }
    if (!ordered || parseInts(layouts, chunk.layouts) !== count) return this.readPlain(from, to);
    const lens: number[] = [];
    if (parseInts(lengths, lens) !== count) return this.readPlain(from, to);
    for (let i = 0; i < count; i++) chunk.offsets.push(chunk.offsets[i]! + lens[i]!);
    if (chunk.offsets[count] !== data.length) return this.readPlain(from, to);
    chunk.count = count;
    return chunk;
  }

  /** Chunks covering [from, to), in order. */
  *chunks(from: number, to: number): Generator<Chunk> {
    for (let cur = from; cur < to; ) {
      const chunk = this.read(cur, to);
      if (chunk.count > 0) yield chunk;
      if (chunk.count < CHUNK_ROWS) return;
      cur = chunk.ts[chunk.count - 1]! + 1;
    }
  }

  private readPlain(from: number, to: number): Chunk {
    const rows = this.plain.all({ from, to }) as [number, number, Buffer][];
    const chunk: Chunk = { count: rows.length, ts: [], layouts: [], offsets: [0], data: Buffer.concat(rows.map((r) => r[2])) };
    for (const [ts, layout, data] of rows) {
      chunk.ts.push(ts);
      chunk.layouts.push(layout);
      chunk.offsets.push(chunk.offsets[chunk.offsets.length - 1]! + data.length);
    }
    return chunk;
  }
}

/**
 * Parses "12,0,345" (non-negative integers) into `out`; returns how many, or -1 if the text is
 * anything else (e.g. "1.0": a REAL where an INTEGER was expected). No allocation per item.
 */
export function parseInts(text: string, out: number[]): number {
  let n = 0;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44) {
      out[n++] = v;
      v = 0;
    } else if (c >= 48 && c <= 57) v = v * 10 + (c - 48);
    else return -1;
  }
  out[n++] = v;
  return n;
}
