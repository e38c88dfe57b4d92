import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFs } from '../../../src/core/csv/files.js';
import { pruneCsvFiles } from '../../../src/core/csv/retention.js';
import { VigilError } from '../../../src/shared/errors.js';
import { recordingLogger, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

const TODAY = { day: 22, month: 11, year: 2026 };

function touch(...names: string[]): void {
  for (const name of names) fs.writeFileSync(path.join(dir, name), 'x');
}

describe('pruneCsvFiles', () => {
  it('keeps the last keepDays days, today included, across month and year ends', () => {
    touch('22-11-2026.csv', '21-11-2026.csv', '24-10-2026.csv', '23-10-2026.csv', '31-10-2026.csv', '01-11-2026.csv', '31-12-2025.csv', '01-01-2020.csv');
    const deleted = pruneCsvFiles(dir, 30, TODAY);
    expect(deleted.map((p) => path.basename(p)).sort()).toEqual(['01-01-2020.csv', '23-10-2026.csv', '31-12-2025.csv']);
    expect(fs.readdirSync(dir).sort()).toEqual(['01-11-2026.csv', '21-11-2026.csv', '22-11-2026.csv', '24-10-2026.csv', '31-10-2026.csv']);
  });

  it('keeps only today with keepDays = 1, and future days always', () => {
    touch('22-11-2026.csv', '21-11-2026.csv', '23-11-2026.csv', '01-01-2027.csv');
    pruneCsvFiles(dir, 1, TODAY);
    expect(fs.readdirSync(dir).sort()).toEqual(['01-01-2027.csv', '22-11-2026.csv', '23-11-2026.csv']);
  });

  it('keeps everything with keepDays = 0', () => {
    touch('22-11-2026.csv', '01-01-1999.csv');
    expect(pruneCsvFiles(dir, 0, TODAY)).toEqual([]);
    expect(fs.readdirSync(dir)).toHaveLength(2);
  });

  it('ignores every file whose name is not exactly DD-MM-YYYY.csv with a real date', () => {
    const others = [
      '01-01-2000.csv.tmp',
      '01-01-2000.csv.bak',
      '01-01-2000.unrecognised-123.csv',
      '1-01-2000.csv',
      '2000-01-01.csv',
      '31-02-2000.csv', // no such day
      '01-01-2000.CSV',
      'x01-01-2000.csv',
      '01-01-2000.csvx',
      'notes.txt',
    ];
    touch(...others);
    fs.mkdirSync(path.join(dir, 'subdir'));
    expect(pruneCsvFiles(dir, 7, TODAY)).toEqual([]);
    expect(fs.readdirSync(dir).sort()).toEqual([...others, 'subdir'].sort());
  });

  it('does nothing for a folder that does not exist yet', () => {
    expect(pruneCsvFiles(path.join(dir, 'missing'), 7, TODAY)).toEqual([]);
  });

  it('refuses a negative or fractional retention', () => {
    expect(() => pruneCsvFiles(dir, -1, TODAY)).toThrow(VigilError);
    expect(() => pruneCsvFiles(dir, 1.5, TODAY)).toThrow(/whole number/);
  });

  it('logs a file it cannot delete and carries on with the others', () => {
    touch('01-01-2020.csv', '02-01-2020.csv');
    const log = recordingLogger();
    const fsys = {
      ...nodeFs,
      unlinkSync(p: string): void {
        if (p.endsWith('01-01-2020.csv')) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
        nodeFs.unlinkSync(p);
      },
    };
    const deleted = pruneCsvFiles(dir, 7, TODAY, { logger: log, fs: fsys });
    expect(deleted.map((p) => path.basename(p))).toEqual(['02-01-2020.csv']);
    expect(log.lines.some((l) => l.level === 'warn' && l.fields?.file === '01-01-2020.csv')).toBe(true);
  });
});
