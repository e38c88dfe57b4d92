// Versioned schema: PRAGMA user_version holds the version of the last migration applied, and
// MIGRATIONS lists them in order. Each migration runs in its own IMMEDIATE transaction together
// with the version bump, so a crash or a failing step leaves the database at the previous
// version, untouched, and two processes opening a new file at once cannot both migrate it.
//
// Append only: a released migration is never edited, a schema change is a new entry.
import type Database from 'better-sqlite3';
import { VigilError } from '../../shared/errors.js';
import type { Logger } from '../log.js';

export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'series dictionary, layouts, raw samples, minute/hour rollups, disks, host snapshots',
    up(db) {
      db.exec(`
        -- Dictionary of series keys ("cpu", "net.eth0.rx", …) with their flags (loopback/virtual).
        CREATE TABLE series (
          id    INTEGER PRIMARY KEY,
          key   TEXT    NOT NULL UNIQUE,
          flags INTEGER NOT NULL
        );

        -- An ordered list of series ids ("1,2,3"): the values of a row follow its layout. A new
        -- layout appears only when the set of series changes (an interface comes or goes).
        CREATE TABLE layout (
          id         INTEGER PRIMARY KEY,
          series_ids TEXT    NOT NULL UNIQUE
        );

        -- One row per tick. ts (unix ms) is the rowid, so the key costs nothing beyond the b-tree;
        -- data = one varint per series of the layout (codec.ts).
        CREATE TABLE sample (
          ts     INTEGER PRIMARY KEY,
          layout INTEGER NOT NULL,
          data   BLOB    NOT NULL
        );

        -- Per complete UTC minute / hour: count, min, max, sum per series (codec.ts). Hours are
        -- merged from minutes.
        CREATE TABLE rollup_1m (
          ts     INTEGER PRIMARY KEY,
          layout INTEGER NOT NULL,
          data   BLOB    NOT NULL
        );
        CREATE TABLE rollup_1h (
          ts     INTEGER PRIMARY KEY,
          layout INTEGER NOT NULL,
          data   BLOB    NOT NULL
        );

        CREATE TABLE mount (
          id          INTEGER PRIMARY KEY,
          device      TEXT NOT NULL,
          mount_point TEXT NOT NULL,
          fs_type     TEXT NOT NULL,
          UNIQUE (device, mount_point, fs_type)
        );
        CREATE TABLE disk_sample (
          ts    INTEGER NOT NULL,
          mount INTEGER NOT NULL,
          total INTEGER NOT NULL,
          used  INTEGER NOT NULL,
          PRIMARY KEY (ts, mount)
        ) WITHOUT ROWID;

        -- JSON of HostSnapshot (keys sorted), stored only when it differs from the latest one.
        CREATE TABLE host_snapshot (
          ts   INTEGER PRIMARY KEY,
          data TEXT NOT NULL
        );

        -- Small facts that cannot be derived from the tables, e.g. how far retention has deleted.
        CREATE TABLE meta (
          key   TEXT PRIMARY KEY,
          value INTEGER NOT NULL
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 2,
    description: "disks: free and available bytes (df's Avail), for df's Use% = used / (used + avail)",
    up(db) {
      // NULL in rows written before: their percentage falls back to used / size (shared/disk-usage.ts).
      db.exec(`
        ALTER TABLE disk_sample ADD COLUMN free  INTEGER;
        ALTER TABLE disk_sample ADD COLUMN avail INTEGER;
      `);
    },
  },
  {
    version: 3,
    description: 'the top processes by CPU and by memory of each minute, kept as long as the minute rollups',
    up(db) {
      db.exec(`
        -- Process names (comm) by id: a name is stored once, each minute refers to it.
        CREATE TABLE process_name (
          id   INTEGER PRIMARY KEY,
          name TEXT    NOT NULL UNIQUE
        );

        -- One row per recorded minute (its start, as rollup_1m's ts); data = the processes of
        -- its two top lists, each once (top-table.ts); window_ms = what the CPU % spans.
        CREATE TABLE top_1m (
          ts        INTEGER PRIMARY KEY,
          window_ms INTEGER NOT NULL,
          data      BLOB    NOT NULL
        );
      `);
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function newerSchemaError(file: string, found: number, known: number): VigilError {
  return new VigilError(
    'io_error',
    `The Vigil database ${file} was written by a newer version of Vigil (schema ${found}; this one knows up to ${known}). Upgrade Vigil, or point it at another data directory.`,
  );
}

/** Brings the database up to the last migration; returns the versions before and after. */
export function migrate(
  db: Database.Database,
  file: string,
  logger: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}, expected ${i + 1}`);
  });
  const known = migrations.length;
  const start = schemaVersion(db);
  if (start > known) throw newerSchemaError(file, start, known);
  for (const m of migrations) {
    const applied = db
      .transaction(() => {
        // Re-read inside the write lock: another process may have migrated meanwhile.
        const current = schemaVersion(db);
        if (current > known) throw newerSchemaError(file, current, known);
        if (current >= m.version) return false;
        m.up(db);
        db.pragma(`user_version = ${m.version}`);
        return true;
      })
      .immediate();
    if (applied) logger.info('storage: schema migrated', { version: m.version, description: m.description });
  }
  return { from: start, to: schemaVersion(db) };
}
