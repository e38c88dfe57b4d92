// kill -9 of a process in the middle of writing the daily CSV (appends and header rewrites):
// the file is never torn, and holds exactly the rows written before the kill, in order.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CsvLayout } from '../../../src/core/csv/columns.js';
import { DailyCsvWriter } from '../../../src/core/csv/daily-writer.js';
import { parseCsv } from '../../../src/core/csv/rfc4180.js';
import { dayOf, formatDay } from '../../../src/shared/dates.js';
import { makeSample, recordingLogger, tempDir } from './helpers.js';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kill-writer.script.ts');
const ROOT = path.resolve(path.dirname(SCRIPT), '../../..');
const START = new Date(2026, 10, 22, 0, 30, 0).getTime();

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

async function runAndKill(afterMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dir, String(START)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
  });
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

for (const [n, afterMs] of [[1, 150], [2, 400], [3, 900], [4, 1700]] as const) {
  it(`kill -9 after ~${afterMs} ms (run ${n}): no torn line, an unbroken prefix of the rows`, async () => {
    await runAndKill(afterMs);
    const file = path.join(dir, `${formatDay(dayOf(START))}.csv`);
    const text = fs.readFileSync(file, 'utf8');
    const { records, rest } = parseCsv(text);
    expect(rest).toBeNull();
    const layout = CsvLayout.fromHeader(records[0]!)!;
    expect(layout).not.toBeNull();
    const rows = records.slice(1);
    expect(rows.length).toBeGreaterThan(0);
    rows.forEach((row, i) => {
      expect(row).toHaveLength(layout.width);
      expect(Number(row[1])).toBe(START + i * 100);
    });
    // The header has every interface that appeared up to the last row (one per 3000 rows).
    const ifaces = layout.keys.filter((k) => k.endsWith('.rx'));
    expect(ifaces).toHaveLength(1 + Math.floor((rows.length - 1) / 3000));

    // A restart: a leftover temp file (killed mid-rewrite) is removed, nothing needs repair.
    const log = recordingLogger();
    const writer = new DailyCsvWriter({ dir, logger: log });
    writer.append(makeSample(START + rows.length * 100, { i: rows.length, ifaces: [{ name: 'eth0', rx: 8, tx: 8 }] }));
    writer.close();
    expect(fs.readdirSync(dir)).toEqual([path.basename(file)]);
    expect(log.lines.filter((l) => l.message.includes('torn'))).toEqual([]);
    expect(parseCsv(fs.readFileSync(file, 'utf8')).records).toHaveLength(rows.length + 2);
  });
}
