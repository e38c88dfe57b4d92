// What happens around the store: a reader while the agent writes, a crash mid-batch, a full disk.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import type { SampleStore } from '../../../src/core/storage/types.js';
import { VigilError } from '../../../src/shared/errors.js';
import type { Sample } from '../../../src/shared/model.js';
import { unflattenSample } from '../../../src/shared/series.js';
import { naiveRollups, readRollups, tempDir } from './helpers.js';
import { randomSamples } from '../../helpers/random.js';

const T0 = Date.UTC(2026, 10, 22);
const MIN = 60_000;
const DAY = 86_400_000;
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function tempFile(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return path.join(dir, 'vigil.db');
}

function track<T extends { close(): void }>(x: T): T {
  cleanups.push(() => x.close());
  return x;
}

function errorOf(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (e) {
    if (e instanceof VigilError) return e;
    throw e;
  }
  throw new Error('expected a VigilError');
}

function allRows(store: SampleStore): Sample[] {
  return [...store.iterateRows(0, Number.MAX_SAFE_INTEGER)].map((r) => unflattenSample(r.ts, r.series, r.values));
}

/** Every complete minute and hour is rolled up, exactly as its raw samples say. */
function expectRollupsConsistent(file: string, samples: readonly Sample[]): void {
  const db = track(new Database(file, { readonly: true }));
  const last = samples[samples.length - 1]!.ts;
  for (const [table, unit] of [
    ['rollup_1m', MIN],
    ['rollup_1h', 60 * MIN],
  ] as const) {
    const want = naiveRollups(samples, unit);
    want.delete(last - (last % unit));
    expect(readRollups(db, table), table).toEqual(want);
  }
}

describe('a read-only store next to the writer', () => {
  it('sees what the writer commits, including new layouts and rollups, and cannot write', () => {
    const file = tempFile();
    const writer = track(openSampleStore(file));
    const first = randomSamples(T0, 150, 1000, 1);
    writer.insertSamples(first);
    const reader = track(openSampleStore(file, { readonly: true }));
    expect(reader.latestSample()).toEqual(first[149]);

    const later = randomSamples(T0 + 150_000, 200, 1000, 2, { ifaces: [{ name: 'eth0' }, { name: 'usb0' }] });
    writer.insertSamples(later);
    expect(reader.latestSample()).toEqual(later[199]);
    const q = { from: T0, to: T0 + 350_000, bucketMs: MIN };
    expect(reader.query(q)).toEqual(writer.query(q));
    expect(reader.query(q).resolution).toBe('1m');
    expect(reader.seriesInRange(T0, T0 + 350_000)).toEqual(writer.seriesInRange(T0, T0 + 350_000));

    expect(errorOf(() => reader.insertSamples(randomSamples(T0 + DAY, 1, 1000, 3))).message).toMatch(/read-only/);
    expect(errorOf(() => reader.applyRetention(T0, { rawDays: 1, minuteDays: 2 })).message).toMatch(/read-only/);
    expect(writer.countSamples(T0, T0 + DAY)).toBe(350);
  });

  it('reads while the writer holds an open write transaction (WAL)', () => {
    const file = tempFile();
    const writer = track(openSampleStore(file));
    writer.insertSamples(randomSamples(T0, 10, 1000, 1));
    const other = track(new Database(file));
    other.exec('BEGIN IMMEDIATE');
    other.prepare('DELETE FROM sample').run(); // uncommitted
    const reader = track(openSampleStore(file, { readonly: true }));
    expect(reader.countSamples(T0, T0 + MIN)).toBe(10);
    other.exec('ROLLBACK');
  });

  it('says there is nothing to read when the database does not exist', () => {
    const error = errorOf(() => openSampleStore(path.join(path.dirname(tempFile()), 'none.db'), { readonly: true }));
    expect(error.code).toBe('not_found');
  });
});

describe('a crash mid-batch', () => {
  /** Starts the child writer and SIGKILLs it at a random moment after `commits` commits. */
  function killMidBatch(file: string, commits: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'crash-writer.ts'), file, '3000'], {
        cwd: repo,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      let seen = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const n = out.split('\n').filter((l) => l.startsWith('committed')).length;
        if (n >= commits && seen < commits) setTimeout(() => child.kill('SIGKILL'), Math.random() * 40);
        seen = n;
      });
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`writer exited ${code} ${signal}: ${err}`));
        else resolve(out.split('\n').filter((l) => l.startsWith('committed')).length);
      });
    });
  }

  it('leaves a database that passes integrity_check, with whole batches and consistent rollups', async () => {
    const file = tempFile();
    let committed = 0;
    for (let round = 0; round < 2; round++) {
      committed += await killMidBatch(file, 2);
      const check = new Database(file);
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      check.close();
      const store = openSampleStore(file);
      const rows = allRows(store);
      // a batch is all or nothing; the one being written when killed may or may not have landed
      expect(rows.length % 3000).toBe(0);
      expect(rows.length / 3000 - committed).toBeGreaterThanOrEqual(0);
      expect(rows.length / 3000 - committed).toBeLessThanOrEqual(1);
      store.close();
      expectRollupsConsistent(file, rows);
    }
    // and the store carries on
    const store = track(openSampleStore(file));
    const last = store.lastTimestamp()!;
    expect(store.insertSamples(randomSamples(last + 1000, 120, 1000, 99))).toBe(120);
    expectRollupsConsistent(file, allRows(store));
  });
});

describe('a full disk', () => {
  it('gives an io_error, stores nothing of the batch, and the store carries on (size limit)', () => {
    const file = tempFile();
    let db: Database.Database | undefined;
    const store = track(openSampleStore(file, { configure: (handle) => (db = handle) }));
    const first = randomSamples(T0, 100, 1000, 1);
    store.insertSamples(first);
    db!.pragma(`max_page_count = ${(db!.pragma('page_count', { simple: true }) as number) + 2}`);
    const big = randomSamples(T0 + 100_000, 5000, 1000, 2);
    const error = errorOf(() => store.insertSamples(big));
    expect(error.code).toBe('io_error');
    expect(error.message).toMatch(/full/);
    expect(error.message).toMatch(/nothing of it was stored/);
    expect(allRows(store)).toEqual(first);
    expect(store.latestSample()).toEqual(first[99]);
    expect(store.query({ from: T0, to: T0 + DAY, bucketMs: MIN }).timestamps).toEqual([T0, T0 + MIN]);
    db!.pragma('max_page_count = 1073741823');
    expect(store.insertSamples(big)).toBe(5000);
    expect(allRows(store)).toEqual([...first, ...big]);
    expectRollupsConsistent(file, [...first, ...big]);
  });

  it('gives an io_error on a real full file system, and recovers when space comes back', (ctx) => {
    const { dir, cleanup } = tempDir('vigil-tmpfs-');
    const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).status === 0;
    if (!mounted) {
      cleanup();
      ctx.skip('needs root to mount a small tmpfs');
      return;
    }
    cleanups.push(cleanup);
    cleanups.push(() => spawnSync('umount', [dir]));
    const file = path.join(dir, 'vigil.db');
    const store = track(openSampleStore(file));
    const stored: Sample[] = [];
    let error: VigilError | undefined;
    for (let i = 0; i < 100 && !error; i++) {
      const batch = randomSamples(T0 + stored.length * 1000, 2000, 1000, i);
      try {
        store.insertSamples(batch);
        stored.push(...batch);
      } catch (e) {
        if (!(e instanceof VigilError)) throw e;
        error = e;
      }
    }
    expect(error?.code).toBe('io_error');
    expect(error?.message).toMatch(/full|I\/O error/);
    expect(stored.length).toBeGreaterThan(0);
    expect(store.countSamples(0, Number.MAX_SAFE_INTEGER)).toBe(stored.length);
    expect(store.latestSample()).toEqual(stored[stored.length - 1]);

    expect(spawnSync('mount', ['-o', 'remount,size=64m', dir]).status).toBe(0);
    const more = randomSamples(T0 + stored.length * 1000, 2000, 1000, 1000);
    expect(store.insertSamples(more)).toBe(2000);
    store.close();
    const check = track(new Database(file, { readonly: true }));
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(fs.existsSync(file)).toBe(true);
    expectRollupsConsistent(file, [...stored, ...more]);
  });
});
