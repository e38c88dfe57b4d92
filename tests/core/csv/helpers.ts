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
