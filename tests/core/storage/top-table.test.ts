import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../../src/core/storage/schema.js';
import { silentLogger } from '../../../src/core/log.js';
import { VigilError } from '../../../src/shared/errors.js';
import type { TopMinute, TopProcess } from '../../../src/shared/processes.js';
import { tempDir } from './helpers.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 22, 10, 0);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function tempFile(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return path.join(dir, 'vigil.db');
}

const proc = (pid: number, name: string, cpuPercent: number, memoryBytes: number): TopProcess => ({ pid, name, cpuPercent, memoryBytes });

/** A minute whose two lists share two processes (a busy browser is big too). */
function minuteAt(ts: number): TopMinute {
  const chrome = proc(4242, 'chrome', 187.3, 812 * 1024 * 1024);
  const node = proc(77, 'node', 54.1, 96 * 1024 * 1024);
  return {
    ts,
    windowMs: 60_012,
    byCpu: [chrome, node, proc(12, 'kworker/1:2', 3.2, 0), proc(901, 'Xorg', 2.5, 120 * 1024 * 1024), proc(5, 'ksoftirqd/0', 0.1, 0)],
    byMemory: [chrome, proc(3001, 'firefox-bin', 0, 640 * 1024 * 1024), proc(901, 'Xorg', 2.5, 120 * 1024 * 1024), node, proc(1, 'systemd', 0, 12 * 1024 * 1024)],
  };
}

function errorOf(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('top processes per minute in the sample store', () => {
  it('gives back both lists of a minute, in their order, and null for a minute never recorded', () => {
    const store = openSampleStore(':memory:');
    cleanups.push(() => store.close());
    const minute = minuteAt(T0);
    store.insertTopMinute(minute);
    expect(store.topMinute(T0)).toEqual(minute);
    expect(store.topMinute(T0 + MINUTE)).toBeNull();
    expect(store.topMinute(T0 - MINUTE)).toBeNull();
  });

  it('survives a reopen, stores each name once and each shared process once', () => {
    const file = tempFile();
    let store = openSampleStore(file);
    for (let i = 0; i < 30; i++) store.insertTopMinute(minuteAt(T0 + i * MINUTE));
    store.close();
    store = openSampleStore(file, { readonly: true });
    expect(store.topMinute(T0 + 29 * MINUTE)).toEqual(minuteAt(T0 + 29 * MINUTE));
    store.close();
    const db = new Database(file, { readonly: true });
    cleanups.push(() => db.close());
    expect(db.prepare('SELECT count(*) FROM process_name').pluck().get()).toBe(7);
    expect(db.prepare('SELECT count(*) FROM top_1m').pluck().get()).toBe(30);
    // 7 distinct processes of 10 entries, 5 varints each: small enough to keep a year of minutes.
    const bytes = db.prepare('SELECT length(data) FROM top_1m WHERE ts = ?').pluck().get(T0) as number;
    expect(bytes).toBeLessThan(80);
  });

  it('replaces a minute recorded twice (a restart inside it) instead of failing', () => {
    const store = openSampleStore(':memory:');
    cleanups.push(() => store.close());
    store.insertTopMinute(minuteAt(T0));
    const again: TopMinute = { ts: T0, windowMs: 500, byCpu: [proc(9, 'make', 99.5, 4096)], byMemory: [] };
    store.insertTopMinute(again);
    expect(store.topMinute(T0)).toEqual(again);
  });

  it('refuses malformed minutes with a clear error and stores nothing of them', () => {
    const store = openSampleStore(':memory:');
    cleanups.push(() => store.close());
    expect(errorOf(() => store.insertTopMinute({ ...minuteAt(T0), ts: T0 + 1 })).message).toMatch(/not the start of a minute/);
    const six = [...minuteAt(T0).byCpu, proc(6, 'six', 0, 0)];
    expect(errorOf(() => store.insertTopMinute({ ...minuteAt(T0), byCpu: six })).message).toMatch(/at most 5/);
    expect(errorOf(() => store.insertTopMinute({ ...minuteAt(T0), byMemory: [proc(1, 'x', -1, 0)] })).message).toMatch(/Process #0 .*by memory/);
    expect(errorOf(() => store.insertTopMinute({ ...minuteAt(T0), windowMs: Number.NaN })).code).toBe('invalid_argument');
    expect(errorOf(() => store.topMinute(-5)).code).toBe('invalid_argument');
    expect(store.topMinute(T0)).toBeNull();
  });

  it('keeps a minute as long as the minute rollups are kept, then drops it', () => {
    const store = openSampleStore(':memory:');
    cleanups.push(() => store.close());
    store.insertTopMinute(minuteAt(T0));
    store.insertTopMinute(minuteAt(T0 + 3 * DAY));
    store.applyRetention(T0 + 4 * DAY - MINUTE, { rawDays: 1, minuteDays: 4 });
    expect(store.topMinute(T0)).not.toBeNull();
    store.applyRetention(T0 + 4 * DAY + MINUTE, { rawDays: 1, minuteDays: 4 });
    expect(store.topMinute(T0)).toBeNull();
    expect(store.topMinute(T0 + 3 * DAY)).toEqual(minuteAt(T0 + 3 * DAY));
  });

  it('adds its tables to a database of schema 2 without losing what it held', () => {
    const file = tempFile();
    const old = new Database(file);
    migrate(old, file, silentLogger, MIGRATIONS.slice(0, 2));
    old.prepare('INSERT INTO host_snapshot (ts, data) VALUES (?, ?)').run(T0, JSON.stringify({ hostname: 'old-box' }));
    old.prepare("INSERT INTO meta (key, value) VALUES ('raw_floor', ?)").run(T0 - DAY);
    old.close();

    const store = openSampleStore(file);
    expect(store.latestHost()).toEqual({ ts: T0, host: { hostname: 'old-box' } });
    store.insertTopMinute(minuteAt(T0));
    expect(store.topMinute(T0)).toEqual(minuteAt(T0));
    store.close();
    const db = new Database(file, { readonly: true });
    cleanups.push(() => db.close());
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'raw_floor'").pluck().get()).toBe(T0 - DAY);
  });
});
