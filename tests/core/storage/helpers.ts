// Test data for the storage tests: realistic-looking, quantized samples from a seeded generator
// (so a failure reproduces), and a naive reference implementation of bucketing to compare with.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { Sample } from '../../../src/shared/model.js';
import { decodeSummaries } from '../../../src/core/storage/codec.js';
import { flattenSample, resolutionOf, toSteps } from '../../../src/shared/series.js';

export interface NaiveBucket {
  ts: number;
  values: Map<string, { avg: number; min: number; max: number }>;
}

/** Straight from the definition: buckets [from + i·w, from + (i+1)·w), mean/min/max of non-null values. */
export function naiveBuckets(samples: readonly Sample[], from: number, to: number, bucketMs: number): NaiveBucket[] {
  const buckets = new Map<number, Map<string, number[]>>();
  for (const s of samples) {
    if (s.ts < from || s.ts >= to) continue;
    const start = from + Math.floor((s.ts - from) / bucketMs) * bucketMs;
    let bucket = buckets.get(start);
    if (!bucket) buckets.set(start, (bucket = new Map()));
    const { series, values } = flattenSample(s);
    series.forEach((info, i) => {
      const v = values[i];
      if (v === null || v === undefined) return;
      let list = bucket!.get(info.key);
      if (!list) bucket!.set(info.key, (list = []));
      list.push(v);
    });
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .filter(([, m]) => m.size > 0)
    .map(([ts, m]) => ({
      ts,
      values: new Map(
        [...m.entries()].map(([key, list]) => [key, { avg: list.reduce((a, b) => a + b, 0) / list.length, min: Math.min(...list), max: Math.max(...list) }]),
      ),
    }));
}

/** Tolerance for comparing an average: float noise only (sums are exact in steps). */
export function closeTo(key: string, a: number, b: number): boolean {
  return Math.abs(a - b) <= resolutionOf(key) * 1e-6 + Math.abs(b) * 1e-12;
}

export function tempDir(prefix = 'vigil-storage-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface Summary {
  count: number;
  min: number;
  max: number;
  sum: number;
}

/** Rollup rows read straight from the file (not through the store): ts → key → summary in steps. */
export function readRollups(db: Database.Database, table: 'rollup_1m' | 'rollup_1h'): Map<number, Map<string, Summary>> {
  const keys = new Map((db.prepare('SELECT id, key FROM series').raw().all() as [number, string][]).map(([id, key]) => [id, key]));
  const layouts = new Map(
    (db.prepare('SELECT id, series_ids FROM layout').raw().all() as [number, string][]).map(([id, ids]) => [id, ids.split(',').map(Number)]),
  );
  const out = new Map<number, Map<string, Summary>>();
  for (const [ts, layout, data] of db.prepare(`SELECT ts, layout, data FROM ${table} ORDER BY ts`).raw().all() as [number, number, Buffer][]) {
    const ids = layouts.get(layout)!;
    const summaries = decodeSummaries(data, ids.length);
    const row = new Map<string, Summary>();
    ids.forEach((id, i) => {
      const s = summaries[i];
      if (s) row.set(keys.get(id)!, s);
    });
    out.set(ts, row);
  }
  return out;
}

/** The same summaries computed naively from samples, per `unit`-aligned bucket, in steps. */
export function naiveRollups(samples: readonly Sample[], unit: number): Map<number, Map<string, Summary>> {
  const out = new Map<number, Map<string, Summary>>();
  for (const s of [...samples].sort((a, b) => a.ts - b.ts)) {
    const bucket = s.ts - (s.ts % unit);
    let row = out.get(bucket);
    if (!row) out.set(bucket, (row = new Map()));
    const { series, values } = flattenSample(s);
    series.forEach((info, i) => {
      const v = values[i];
      if (v === null || v === undefined) return;
      const steps = toSteps(v, resolutionOf(info.key));
      const cur = row!.get(info.key);
      if (!cur) row!.set(info.key, { count: 1, min: steps, max: steps, sum: steps });
      else {
        cur.count++;
        cur.sum += steps;
        cur.min = Math.min(cur.min, steps);
        cur.max = Math.max(cur.max, steps);
      }
    });
  }
  return out;
}
