// Shared test helpers for the CSV side: sample builders, temp folders, and a store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Sample } from '../../../src/shared/model.js';
import type { Logger, LogFields } from '../../../src/core/log.js';

export interface IfaceSpec {
  name: string;
  rx: number | null;
  tx: number | null;
  loopback?: boolean;
  virtual?: boolean;
}

/** A sample with deterministic, quantized values derived from `i`. */
export function makeSample(ts: number, options: { i?: number; cores?: number; ifaces?: IfaceSpec[]; load?: boolean } = {}): Sample {
  const i = options.i ?? 0;
  const coreCount = options.cores ?? 2;
  return {
    ts,
    cpu: { total: ((i * 37) % 1001) / 10, cores: Array.from({ length: coreCount }, (_, c) => ((i * 13 + c * 7) % 1001) / 10) },
    memory: {
      total: 16 * 1024 * 1024 * 1024,
      used: (4_000_000 + i) * 1024,
      available: (12_000_000 - i) * 1024,
      free: (8_000_000 - i) * 1024,
      swapTotal: 2 * 1024 * 1024 * 1024,
      swapUsed: i * 1024,
    },
    load: options.load === false ? null : { one: ((i * 3) % 500) / 100, five: 1.25, fifteen: 0.5 },
    net: (options.ifaces ?? [{ name: 'eth0', rx: i * 8000, tx: i * 800 }]).map((f) => ({
      iface: f.name,
      rxBitsPerSecond: f.rx,
      txBitsPerSecond: f.tx,
      loopback: f.loopback ?? false,
      virtual: f.virtual ?? false,
    })),
  };
}

export function tempDir(prefix = 'vigil-csv-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A logger that records what it is told, to assert that repairs are logged. */
export function recordingLogger(): Logger & { lines: { level: string; message: string; fields?: LogFields }[] } {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      lines.push({ level, message, fields });
    };
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), setLevel() {}, close() {} };
}

/** mulberry32: a small seeded PRNG, so a failing case reproduces. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sample with random quantized values over wide ranges (bitrates up to ~100 Gbit/s), some nulls. */
export function randomSample(ts: number, random: () => number, shape: { cores?: number; ifaces?: Omit<IfaceSpec, 'rx' | 'tx'>[]; load?: boolean } = {}): Sample {
  const pct = (): number => Math.round(random() * 1000) / 10;
  const kib = (max: number): number => Math.floor(random() * max) * 1024;
  const bps = (): number | null => (random() < 0.05 ? null : Math.floor(random() * 2 ** (random() * 34)) * 8);
  const ifaces = shape.ifaces ?? [{ name: 'eth0' }, { name: 'lo', loopback: true }];
  return {
    ts,
    cpu: { total: pct(), cores: Array.from({ length: shape.cores ?? 4 }, pct) },
    memory: { total: 16 * 2 ** 30, used: kib(2 ** 24), available: kib(2 ** 24), free: kib(2 ** 23), swapTotal: 2 ** 31, swapUsed: kib(2 ** 21) },
    load: shape.load === false ? null : { one: Math.round(random() * 800) / 100, five: Math.round(random() * 800) / 100, fifteen: Math.round(random() * 800) / 100 },
    net: [...ifaces]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((f) => ({ iface: f.name, rxBitsPerSecond: bps(), txBitsPerSecond: bps(), loopback: f.loopback ?? false, virtual: f.virtual ?? false })),
  };
}

/** A Writable that keeps everything written to it. */
export function collector(): Writable & { text: () => string; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return Object.assign(stream, { text: () => Buffer.concat(chunks).toString('utf8'), bytes: () => Buffer.concat(chunks) });
}
