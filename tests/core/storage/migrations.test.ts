import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate, type Migration } from '../../../src/core/storage/schema.js';
import { silentLogger } from '../../../src/core/log.js';
import { VigilError } from '../../../src/shared/errors.js';
import { tempDir } from './helpers.js';
import { randomSamples } from '../../helpers/random.js';

const T0 = Date.UTC(2026, 10, 22);
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function tempFile(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return path.join(dir, 'vigil.db');
}

function raw(file: string, options?: Database.Options): Database.Database {
  const db = new Database(file, options);
  cleanups.push(() => db.close());
  return db;
}

describe('the real schema', () => {
  it('creates a new database at the latest version, in WAL mode, with incremental auto-vacuum', () => {
    const file = tempFile();
    openSampleStore(file).close();
    const db = raw(file);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2); // INCREMENTAL
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['disk_sample', 'host_snapshot', 'layout', 'meta', 'mount', 'process_name', 'rollup_1h', 'rollup_1m', 'sample', 'series', 'top_1m']);
  });

  it('commits with synchronous=NORMAL (acknowledged, not fsynced), or FULL (fsynced) when asked, as the hub does for hub.durability full', () => {
    const synchronous = (durability?: 'normal' | 'full'): unknown => {
      let level: unknown;
      openSampleStore(tempFile(), { durability, configure: (db) => (level = db.pragma('synchronous', { simple: true })) }).close();
      return level;
    };
    // SQLite's numbering: 1 NORMAL, 2 FULL.
    expect([synchronous(), synchronous('normal'), synchronous('full')]).toEqual([1, 1, 2]);
  });

  it('upgrades a database left at version 0 (an empty SQLite file) and reopens idempotently', () => {
    const file = tempFile();
    const pre = new Database(file);
    pre.pragma('user_version = 0');
    pre.close();
    const samples = randomSamples(T0, 100, 1000, 1);
    let store = openSampleStore(file);
    store.insertSamples(samples);
    store.close();
    for (let i = 0; i < 2; i++) {
      store = openSampleStore(file);
      expect(store.countSamples(T0, T0 + 100_000)).toBe(100);
      expect(store.insertSamples(samples)).toBe(0);
      store.close();
    }
    expect(raw(file).pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('refuses a database from a newer Vigil, writable or read-only, and leaves it alone', () => {
    const file = tempFile();
    openSampleStore(file).close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    for (const readonly of [false, true]) {
      let error: unknown;
      try {
        openSampleStore(file, { readonly });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(VigilError);
      expect((error as VigilError).code).toBe('io_error');
      expect((error as VigilError).message).toMatch(/newer version of Vigil/);
    }
    expect(raw(file).pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 5);
  });

  it('tells a read-only caller to run the agent when the schema is older', () => {
    const file = tempFile();
    new Database(file).close();
    expect(() => openSampleStore(file, { readonly: true })).toThrow(/run the agent once to upgrade/);
  });

  it('explains what is wrong with a file that is not a database', async () => {
    const file = tempFile();
    const fs = await import('node:fs');
    fs.writeFileSync(file, 'this is not SQLite, just some text that is long enough to look like a header.'.repeat(20));
    const error = (() => {
      try {
        openSampleStore(file);
      } catch (e) {
        return e as VigilError;
      }
    })();
    expect(error).toBeInstanceOf(VigilError);
    expect(error!.code).toBe('io_error');
    expect(error!.message).toMatch(/damaged or not a Vigil database/);
  });

  it('lists migrations numbered 1, 2, 3… in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });
});

describe('the migration runner', () => {
  let runs: string[] = [];
  const step = (version: number, sql: string, fail = false): Migration => ({
    version,
    description: `step ${version}`,
    up(db) {
      runs.push(`v${version}`);
      db.exec(sql);
      if (fail) throw new Error(`step ${version} failed`);
    },
  });
  const v1 = step(1, 'CREATE TABLE t (a INTEGER)');
  const v2 = step(2, 'ALTER TABLE t ADD COLUMN b TEXT');
  const v3bad = step(3, 'CREATE TABLE half (x); INSERT INTO t VALUES (9, 9)', true);

  it('applies only the missing migrations, each once, keeping data', () => {
    runs = [];
    const db = raw(tempFile());
    expect(migrate(db, 'x.db', silentLogger, [v1])).toEqual({ from: 0, to: 1 });
    db.prepare('INSERT INTO t VALUES (1)').run();
    expect(migrate(db, 'x.db', silentLogger, [v1, v2])).toEqual({ from: 1, to: 2 });
    expect(migrate(db, 'x.db', silentLogger, [v1, v2])).toEqual({ from: 2, to: 2 });
    expect(runs).toEqual(['v1', 'v2']);
    expect(db.prepare('SELECT a, b FROM t').raw().all()).toEqual([[1, null]]);
  });

  it('rolls a failing migration back entirely and stays at the previous version', () => {
    runs = [];
    const db = raw(tempFile());
    migrate(db, 'x.db', silentLogger, [v1, v2]);
    expect(() => migrate(db, 'x.db', silentLogger, [v1, v2, v3bad])).toThrow(/step 3 failed/);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0);
  });

  it('refuses a list with gaps, and a database newer than the list', () => {
    const db = raw(tempFile());
    expect(() => migrate(db, 'x.db', silentLogger, [v1, step(3, 'SELECT 1')])).toThrow(/expected 2/);
    migrate(db, 'x.db', silentLogger, [v1, v2]);
    expect(() => migrate(db, 'x.db', silentLogger, [v1])).toThrow(VigilError);
  });
});
