// Day rollover at local midnight in several time zones, DST days included. Node reads TZ once
// per process for our purposes, so each zone runs tz-rollover.script.ts in a child process
// started with TZ set. Expected day lengths and offsets below are calendar facts for 2026, not
// values computed by the code under test.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tz-rollover.script.ts');
const ROOT = path.resolve(path.dirname(SCRIPT), '../../..');

interface DayCase {
  day: string; // DD-MM-YYYY
  hours: number;
  offsetAtStart: string;
  offsetAtEnd: string;
}

const ZONES: Record<string, DayCase[]> = {
  'Europe/Paris': [
    { day: '29-03-2026', hours: 23, offsetAtStart: '+01:00', offsetAtEnd: '+02:00' },
    { day: '25-10-2026', hours: 25, offsetAtStart: '+02:00', offsetAtEnd: '+01:00' },
    { day: '22-11-2026', hours: 24, offsetAtStart: '+01:00', offsetAtEnd: '+01:00' },
  ],
  'America/New_York': [
    { day: '08-03-2026', hours: 23, offsetAtStart: '-05:00', offsetAtEnd: '-04:00' },
    { day: '01-11-2026', hours: 25, offsetAtStart: '-04:00', offsetAtEnd: '-05:00' },
  ],
  // Half-hour DST shift.
  'Australia/Lord_Howe': [
    { day: '04-10-2026', hours: 23.5, offsetAtStart: '+10:30', offsetAtEnd: '+11:00' },
    { day: '05-04-2026', hours: 24.5, offsetAtStart: '+11:00', offsetAtEnd: '+10:30' },
  ],
  UTC: [{ day: '31-12-2026', hours: 24, offsetAtStart: '+00:00', offsetAtEnd: '+00:00' }],
};

interface FileReport {
  complete: boolean;
  widths: number[];
  header0: string[];
  rows: [string, number][];
}

/** DD-MM-YYYY of the calendar day `delta` days from `day` (plain calendar arithmetic in UTC). */
function neighbour(day: string, delta: number): string {
  const [d, m, y] = day.split('-').map(Number);
  const date = new Date(Date.UTC(y!, m! - 1, d! + delta));
  return `${String(date.getUTCDate()).padStart(2, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${date.getUTCFullYear()}`;
}

function isoDate(day: string): string {
  const [d, m, y] = day.split('-');
  return `${y}-${m}-${d}`;
}

describe.each(Object.entries(ZONES))('day rollover in %s', (tz, cases) => {
  it('puts each sample in the file of its local day, closing and opening files at local midnight', () => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', SCRIPT, ...cases.map((c) => c.day)], {
      cwd: ROOT,
      env: { ...process.env, TZ: tz },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const report = JSON.parse(output) as { tz: string; days: Record<string, { files: Record<string, FileReport> }> };
    expect(report.tz).toBe(tz);
    for (const c of cases) {
      const files = report.days[c.day]!.files;
      const [before, day, after] = [neighbour(c.day, -1), c.day, neighbour(c.day, 1)];
      expect(Object.keys(files).sort()).toEqual([`${before}.csv`, `${day}.csv`, `${after}.csv`].sort());
      let previousTs: number | null = null;
      for (const name of [before, day, after]) {
        const file = files[`${name}.csv`]!;
        expect(file.complete).toBe(true);
        expect(file.widths).toHaveLength(1);
        expect(file.header0).toEqual(['time', 'unix_ms']);
        for (const [time, ts] of file.rows) {
          expect(time.startsWith(`${isoDate(name)}T`)).toBe(true);
          expect(Date.parse(time)).toBe(ts);
          if (previousTs !== null) expect(ts - previousTs).toBe(60_000);
          previousTs = ts;
        }
      }
      const rows = files[`${day}.csv`]!.rows;
      expect(rows).toHaveLength(c.hours * 60);
      expect(rows[0]![0]).toBe(`${isoDate(day)}T00:00:00${c.offsetAtStart}`);
      expect(rows.at(-1)![0]).toBe(`${isoDate(day)}T23:59:00${c.offsetAtEnd}`);
      expect(files[`${before}.csv`]!.rows).toHaveLength(120);
      expect(files[`${after}.csv`]!.rows).toHaveLength(120);
    }
  });
});
