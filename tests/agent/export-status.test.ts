// `vigil export` and `vigil status` on a seeded data dir, in a fixed time zone.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCsv } from '../../src/core/csv/export.js';
import { openSampleStore } from '../../src/core/storage/sample-store.js';
import { dayBounds, parseDay } from '../../src/shared/dates.js';
import { VIGIL_BIN, runVigil } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { randomSamples } from '../helpers/random.js';

const TZ = 'Europe/Paris';
const env = { TZ };
const originalTz = process.env.TZ;
let dataDir: string;

beforeAll(() => {
  process.env.TZ = TZ;
  dataDir = tempDir();
  const store = openSampleStore(path.join(dataDir, 'vigil.db'));
  // 24-10-2026 10:00 → 26-10-2026 02:00 local at 10 s: crosses the 25-hour DST day.
  const from = new Date(2026, 9, 24, 10).getTime();
  store.insertSamples(randomSamples(from, (40 * 3600) / 10, 10_000, 7));
  store.close();
});

afterAll(() => {
  process.env.TZ = originalTz;
});

async function referenceCsv(from: number, to: number): Promise<string> {
  const store = openSampleStore(path.join(dataDir, 'vigil.db'), { readonly: true });
  const chunks: string[] = [];
  const sink = new (await import('node:stream')).Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  await exportCsv(store, { from, to }, sink);
  store.close();
  return chunks.join('');
}

describe('vigil export', () => {
  it('writes a day as CSV to stdout', async () => {
    const result = await runVigil(['export', '--date', '25-10-2026', '--data-dir', dataDir], { env });
    expect(result.code).toBe(0);
    const { from, to } = dayBounds(parseDay('25-10-2026'));
    expect(result.stdout).toBe(await referenceCsv(from, to));
    const rows = result.stdout.split('\r\n').filter(Boolean).slice(1);
    // The DST day has 25 hours: 9,000 samples at 10 s.
    expect(rows).toHaveLength(9000);
    expect(rows[0]).toMatch(/^2026-10-25T00:00:00\+02:00,/);
    expect(rows.at(-1)).toMatch(/^2026-10-25T23:59:50\+01:00,/);
  });

  it('writes a range (both days included) to a file, atomically', async () => {
    const out = path.join(tempDir(), 'range.csv');
    const result = await runVigil(['export', '--from', '24-10-2026', '--to', '26-10-2026', '--out', out, '--data-dir', dataDir], { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('wrote 14400 rows');
    const text = fs.readFileSync(out, 'utf8');
    expect(text).toBe(await referenceCsv(dayBounds(parseDay('24-10-2026')).from, dayBounds(parseDay('26-10-2026')).to));
    expect(fs.existsSync(`${out}.partial`)).toBe(false);
  });

  it('--time-format local|unix|iso writes the time column so spreadsheets read a date; every other byte as the default', async () => {
    const dir = tempDir();
    const texts: Record<string, string> = {};
    for (const format of ['iso', 'local', 'unix']) {
      const out = path.join(dir, `${format}.csv`);
      const result = await runVigil(['export', '--date', '25-10-2026', '--time-format', format, '--out', out, '--data-dir', dataDir], { env });
      expect(result.code).toBe(0);
      texts[format] = fs.readFileSync(out, 'utf8');
    }
    const { from, to } = dayBounds(parseDay('25-10-2026'));
    expect(texts.iso).toBe(await referenceCsv(from, to));
    const split = (text: string) => text.split('\r\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf(',')), line.slice(line.indexOf(',') + 1)]);
    const iso = split(texts.iso!);
    const local = split(texts.local!);
    const unix = split(texts.unix!);
    expect(local.map((r) => r[1])).toEqual(iso.map((r) => r[1]));
    expect(unix.map((r) => r[1])).toEqual(iso.map((r) => r[1]));
    expect(local[0]![0]).toBe('time');
    // Paris wall-clock time without an offset: 00:00 CEST, 02:59:50 twice when clocks go back, 23:59:50 CET.
    expect(local[1]![0]).toBe('2026-10-25 00:00:00');
    expect(local.at(-1)![0]).toBe('2026-10-25 23:59:50');
    expect(local.filter((r) => r[0] === '2026-10-25 02:59:50')).toHaveLength(2);
    for (const [i, row] of local.slice(1).entries()) {
      const ms = Number(row[1]!.slice(0, row[1]!.indexOf(',')));
      expect(row[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(row[0]).toBe(iso[i + 1]![0]!.replace('T', ' ').slice(0, 19));
      expect(unix[i + 1]![0]).toBe(String(ms / 1000)); // whole seconds: no decimals
    }
  });

  it('without --time-format, the settings choose (csv.exportTimeFormat); the flag still wins', async () => {
    const settingsFile = path.join(dataDir, 'config.json');
    fs.writeFileSync(settingsFile, JSON.stringify({ csv: { exportTimeFormat: 'unix' } }));
    try {
      const chosen = await runVigil(['export', '--date', '25-10-2026', '--data-dir', dataDir], { env });
      expect(chosen.code).toBe(0);
      const firstRow = chosen.stdout.split('\r\n')[1]!.split(',');
      expect(firstRow[0]).toBe(String(Number(firstRow[1]) / 1000)); // unix seconds beside unix_ms
      const flag = await runVigil(['export', '--date', '25-10-2026', '--time-format', 'iso', '--data-dir', dataDir], { env });
      const { from, to } = dayBounds(parseDay('25-10-2026'));
      expect(flag.stdout).toBe(await referenceCsv(from, to));
    } finally {
      fs.rmSync(settingsFile);
    }
    // No settings file: iso.
    const none = await runVigil(['export', '--date', '25-10-2026', '--data-dir', dataDir], { env });
    expect(none.stdout.split('\r\n')[1]).toMatch(/^2026-10-25T00:00:00(\.000)?\+02:00,/);
  });

  it('refuses an unknown --time-format', async () => {
    const result = await runVigil(['export', '--date', '25-10-2026', '--time-format', 'excel', '--data-dir', dataDir], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--time-format.*excel/);
    expect(result.stdout).toBe('');
  });

  it('an empty past day gives the header only and says so', async () => {
    const result = await runVigil(['export', '--date', '01-01-2026', '--data-dir', dataDir], { env });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\r\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toContain('no samples for 01-01-2026');
  });

  it.each([
    [['--date', '31-02-2026'], /Invalid date "31-02-2026": no such day/],
    [['--date', '2026-11-22'], /expected DD-MM-YYYY/],
    [['--date', '../x'], /expected DD-MM-YYYY/],
    [['--from', '26-10-2026', '--to', '24-10-2026'], /--from 26-10-2026 is after --to 24-10-2026/],
    [['--from', '24-10-2026'], /--from and --to go together/],
    [['--date', '25-10-2026', '--to', '26-10-2026'], /either --date, or --from with --to/],
    [[], /Say which day/],
    [['--date', '01-01-2099'], /01-01-2099 is in the future/],
  ])('refuses %j with one clear line and exit code 2', async (args, message) => {
    const result = await runVigil(['export', ...args, '--data-dir', dataDir], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('a data dir without data is a clear error', async () => {
    const result = await runVigil(['export', '--date', '25-10-2026', '--data-dir', tempDir()], { env });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/No Vigil data in .* \(no vigil\.db\)/);
  });

  it('an unwritable --out fails without leaving a file', async () => {
    const out = path.join('/etc/passwd', 'x.csv');
    const result = await runVigil(['export', '--date', '25-10-2026', '--out', out, '--data-dir', dataDir], { env });
    expect(result.code).toBe(74);
    expect(result.stderr).toMatch(/ENOTDIR/);
  });

  it('a folder it may not write in fails at once with the true cause (EACCES), not a later ENOENT', async () => {
    // sysfs refuses new files even to root, so this holds whoever runs the tests.
    const result = await runVigil(['export', '--date', '25-10-2026', '--out', '/sys/vigil-export-test.csv', '--data-dir', dataDir], { env });
    expect(result.code).toBe(74);
    expect(result.stderr).toBe('vigil: Export to /sys/vigil-export-test.csv failed (EACCES); nothing was written\n');
  });

  it('a reader that stops early (| head -1) is a normal end: exit 0, nothing on stderr', () => {
    const stderrFile = path.join(tempDir(), 'stderr.txt');
    const run = spawnSync('bash', ['-c', `"$0" export --from 24-10-2026 --to 26-10-2026 --data-dir "$1" 2>"$2" | head -1; echo "exit=\${PIPESTATUS[0]}"`, VIGIL_BIN, dataDir, stderrFile], {
      env: { ...process.env, TZ },
      encoding: 'utf8',
    });
    const [header, status] = run.stdout.split('\n');
    expect(header).toMatch(/^time,unix_ms,cpu_percent,/);
    expect(fs.readFileSync(stderrFile, 'utf8')).toBe('');
    expect(status).toBe('exit=0');
  });
});

describe('vigil status', () => {
  it('--json gives the latest sample, host and storage facts', async () => {
    const result = await runVigil(['status', '--json', '--data-dir', dataDir], { env });
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(status.agent).toEqual({ running: false });
    // 40 hours after 24-10 10:00 is 26-10 01:00, not 02:00: the day between had 25 hours.
    expect(status.latest.ts).toBe(new Date(2026, 9, 26, 0, 59, 50).getTime());
    expect(status.latest.time).toBe('2026-10-26T00:59:50+01:00');
    expect(status.latest.cpu.total).toBeGreaterThanOrEqual(0);
    expect(status.storage.bytes).toBeGreaterThan(0);
  });

  it('prints a readable summary', async () => {
    const result = await runVigil(['status', '--data-dir', dataDir], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Agent {4}not running$/m);
    expect(result.stdout).toMatch(/^Sample {3}2026-10-26T00:59:50\+01:00/m);
    expect(result.stdout).toMatch(/^CPU .*%/m);
    expect(result.stdout).toMatch(/^Network +interface/m);
  });
});
