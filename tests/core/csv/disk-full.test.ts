// A real full disk: a 16 KiB tmpfs (needs root and mount rights; skipped, with the reason,
// where the test process has neither).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CsvLayout } from '../../../src/core/csv/columns.js';
import { DailyCsvWriter } from '../../../src/core/csv/daily-writer.js';
import { parseCsv } from '../../../src/core/csv/rfc4180.js';
import { dayOf, formatDay } from '../../../src/shared/dates.js';
import { VigilError } from '../../../src/shared/errors.js';
import { makeSample, tempDir } from './helpers.js';

let mountPoint: string | null = null;
let cleanupDir: (() => void) | null = null;
let skipReason = '';

beforeAll(() => {
  const { dir, cleanup } = tempDir('vigil-tmpfs-');
  cleanupDir = cleanup;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir], { stdio: 'pipe' });
    mountPoint = dir;
  } catch (error) {
    skipReason = `cannot mount a tmpfs here: ${String((error as Error).message).split('\n')[0]}`;
  }
});

afterAll(() => {
  if (mountPoint) execFileSync('umount', [mountPoint]);
  cleanupDir?.();
});

it('on a real full disk: io_error, no partial row, and writing resumes once there is room', (ctx) => {
  if (!mountPoint) return ctx.skip(skipReason);
  const filler = path.join(mountPoint, 'filler');
  fs.writeFileSync(filler, Buffer.alloc(4096, 1));
  const dir = path.join(mountPoint, 'telemetry');
  const writer = new DailyCsvWriter({ dir });
  const start = new Date(2026, 10, 22, 12, 0, 0).getTime();
  const file = path.join(dir, `${formatDay(dayOf(start))}.csv`);
  let written = 0;
  let failure: unknown = null;
  for (let i = 0; i < 10_000 && failure === null; i++) {
    try {
      writer.append(makeSample(start + i * 1000, { i, ifaces: [{ name: 'eth0', rx: i * 8, tx: i * 16 }] }));
      written++;
    } catch (error) {
      failure = error;
    }
  }
  expect(failure).toBeInstanceOf(VigilError);
  expect((failure as VigilError).code).toBe('io_error');
  expect((failure as VigilError).message).toMatch(/ENOSPC|short write/);
  expect(written).toBeGreaterThan(10);

  const check = (rows: number): void => {
    const text = fs.readFileSync(file, 'utf8');
    const { records, rest } = parseCsv(text);
    expect(rest).toBeNull();
    const layout = CsvLayout.fromHeader(records[0]!)!;
    expect(records.length - 1).toBe(rows);
    for (const record of records.slice(1)) expect(record).toHaveLength(layout.width);
  };
  check(written);

  // Still full: still refused, still consistent.
  expect(() => writer.append(makeSample(start + written * 1000 + 500, { i: 1 }))).toThrow(VigilError);
  check(written);

  // Room again: the same writer carries on.
  fs.unlinkSync(filler);
  writer.append(makeSample(start + 20_000_000, { i: 7, ifaces: [{ name: 'eth0', rx: 8, tx: 16 }] }));
  writer.close();
  check(written + 1);
});
