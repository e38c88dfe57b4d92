// Run by rollover.test.ts in a child process whose TZ is set before Node starts:
//   TZ=Europe/Paris node --import tsx tests/core/csv/tz-rollover.script.ts 29-03-2026 …
// For each day given, writes a sample every minute from 2 h before the local day to 2 h after
// it through one DailyCsvWriter, then prints (JSON) what each file of the day holds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DailyCsvWriter } from '../../../src/core/csv/daily-writer.js';
import { parseCsv } from '../../../src/core/csv/rfc4180.js';
import { dayBounds, parseDay } from '../../../src/shared/dates.js';
import { makeSample } from './helpers.js';

const report: Record<string, unknown> = { tz: process.env.TZ, days: {} };
for (const dayText of process.argv.slice(2)) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-tz-'));
  try {
    const { from, to } = dayBounds(parseDay(dayText));
    const writer = new DailyCsvWriter({ dir });
    let i = 0;
    for (let ts = from - 2 * 3600_000; ts < to + 2 * 3600_000; ts += 60_000) writer.append(makeSample(ts, { i: i++ }));
    writer.close();
    const files: Record<string, unknown> = {};
    for (const name of fs.readdirSync(dir).sort()) {
      const { records, rest } = parseCsv(fs.readFileSync(path.join(dir, name), 'utf8'));
      const [header, ...rows] = records;
      files[name] = {
        complete: rest === null,
        widths: [...new Set(records.map((r) => r.length))],
        header0: header?.slice(0, 2),
        rows: rows.map((r) => [r[0], Number(r[1])]),
      };
    }
    (report.days as Record<string, unknown>)[dayText] = { from, to, files };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
process.stdout.write(JSON.stringify(report));
