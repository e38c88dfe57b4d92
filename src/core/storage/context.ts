// What the sample store's parts share: one connection, its statements, the logger. The parts
// (dictionary.ts, writes.ts, rollups.ts, reads.ts, aux-tables.ts, retention.ts) never open a
// transaction themselves: the facade (sample-store.ts) runs each call in one.
import type Database from 'better-sqlite3';
import type { Logger } from '../log.js';
import type { ChunkReader } from './chunks.js';
import type { Statements } from './statements.js';

export interface StoreContext {
  readonly db: Database.Database;
  /** The database file (':memory:' in tests), for error messages. */
  readonly file: string;
  readonly logger: Logger;
  readonly s: Statements;
  /** The three (ts, layout, data) tables, read a chunk at a time. */
  readonly rows: { readonly raw: ChunkReader; readonly minute: ChunkReader; readonly hour: ChunkReader };
  /** Logs at warn once per id for the life of the store (a bad value repeats every tick). */
  warnOnce(id: string, message: string, fields: Record<string, unknown>): void;
}

export function warnOnceWith(logger: Logger): StoreContext['warnOnce'] {
  const warned = new Set<string>();
  return (id, message, fields) => {
    if (warned.has(id)) return;
    warned.add(id);
    logger.warn(message, fields);
  };
}
