// `vigil traffic` through the real CLI, on a database made the agent's way (/proc/net/dev texts
// through the real reader and rate tracker) with a reboot that reset the counters in the middle
// of the month: the month's totals agree with the sum of its samples, and with what the counters
// moved; the text report; bad input.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSampleStore } from '../../src/core/storage/sample-store.js';
import type { TrafficReport } from '../../src/shared/api.js';
import { dayBounds, parseDay } from '../../src/shared/dates.js';
import { runVigil } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { sumOfSamples, trafficFixture, type TrafficFixture } from '../core/traffic/fixture.js';

const TZ = 'Europe/Paris';
process.env.TZ = TZ;
const H = 3_600_000;
let dataDir: string;
let fixture: TrafficFixture;

beforeAll(() => {
  dataDir = tempDir();
  const at = (day: string, hour: number) => dayBounds(parseDay(day)).from + hour * H;
  fixture = trafficFixture(
    [
      // The evening before the month: not in it.
      { from: at('31-10-2025', 22), to: at('01-11-2025', 0) + 30 * 60_000, restartCounters: false },
      // The machine rebooted on the 10th: counters from zero, the agent's first reading a baseline.
      { from: at('10-11-2025', 9), to: at('10-11-2025', 11), restartCounters: true },
      { from: at('10-11-2025', 11) + 4 * 60_000, to: at('10-11-2025', 12), restartCounters: true },
      { from: at('30-11-2025', 23), to: at('01-12-2025', 1), restartCounters: false },
    ],
    10_000,
    11,
  );
  const store = openSampleStore(path.join(dataDir, 'vigil.db'));
  store.insertSamples(fixture.samples);
  store.close();
});

function traffic(args: string[]) {
  return runVigil(['traffic', ...args, '--data-dir', dataDir], { env: { TZ }, timeoutMs: 60_000 });
}

describe('vigil traffic', () => {
  it('--month MM-YYYY --json: the month’s bytes per interface agree with the sum of its samples, through a counter reset', async () => {
    const result = await traffic(['--month', '11-2025', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as TrafficReport;
    expect([report.from, report.to, report.label]).toEqual(['01-11-2025', '30-11-2025', 'month 11-2025']);
    const month = { from: dayBounds(parseDay('01-11-2025')).from, to: dayBounds(parseDay('30-11-2025')).to };
    const expected = sumOfSamples(fixture.samples, month.from, month.to, 10_000);
    expect(report.interfaces.map((t) => t.name)).toEqual(['eth0', 'lo']);
    for (const t of report.interfaces) {
      const want = expected.get(t.name)!;
      expect(Math.abs(t.rx - want.rx) / want.rx).toBeLessThan(0.001);
      expect(Math.abs(t.tx - want.tx) / want.tx).toBeLessThan(0.001);
      expect(t.total).toBe(t.rx + t.tx);
    }
    // No fake spike from the reset: the month is far below what a jump of a counter would add.
    expect(report.physical.total).toBeLessThan(1e12);
    expect(report.days).toHaveLength(30);
    expect(report.days.filter((d) => d.interfaces.length > 0).map((d) => d.day)).toEqual(['01-11-2025', '10-11-2025', '30-11-2025']);
  }, 90_000);

  it('the text report: a line per interface, the physical total, each day; --day gives one day', async () => {
    const month = await traffic(['--month', '11-2025']);
    expect(month.code, month.stderr).toBe(0);
    const lines = month.stdout.split('\n');
    expect(lines[0]).toMatch(/^Traffic of \S+, month 11-2025$/);
    expect(lines).toContainEqual(expect.stringMatching(/^Interface\s+Received\s+Sent\s+Total$/));
    expect(lines).toContainEqual(expect.stringMatching(/^eth0\s+[\d.]+ [kMG]?B\s+[\d.]+ [kMG]?B\s+[\d.]+ [kMG]?B$/));
    expect(lines).toContainEqual(expect.stringMatching(/^lo \(loopback\)\s+/));
    expect(lines).toContainEqual(expect.stringMatching(/^10-11-2025\s+[\d.]+ [kMG]?B/));
    expect(lines).toContainEqual(expect.stringMatching(/^09-11-2025\s+–\s+–\s+–$/));
    const day = await traffic(['--day', '10-11-2025', '--json']);
    const report = JSON.parse(day.stdout) as TrafficReport;
    expect(report.days.map((d) => d.day)).toEqual(['10-11-2025']);
    const want = sumOfSamples(fixture.samples, dayBounds(parseDay('10-11-2025')).from, dayBounds(parseDay('10-11-2025')).to, 10_000).get('eth0')!;
    expect(Math.abs(report.interfaces[0]!.rx - want.rx) / want.rx).toBeLessThan(0.001);
  }, 90_000);

  it('a reset day and a quota from config.json: the billing month and the quota line', async () => {
    const dir = tempDir();
    fs.copyFileSync(path.join(dataDir, 'vigil.db'), path.join(dir, 'vigil.db'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ traffic: { resetDay: 5, quotas: { eth0: { bytes: 2_000_000_000, direction: 'rx' } } } }));
    const result = await runVigil(['traffic', '--month', '11-2025', '--data-dir', dir], { env: { TZ }, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('billing month 05-11-2025 to 04-12-2025 (billing periods start on day 5)');
    expect(result.stdout).toMatch(/Quota eth0: [\d.]+ [kMG]?B of 2\.00 GB \([\d.]+ %, received\)/);
  }, 90_000);

  it('bad input: one line, exit 2', async () => {
    for (const [args, message] of [
      [['--month', '2025-11'], 'Invalid month "2025-11": expected MM-YYYY'],
      [['--day', '31-02-2025'], 'Invalid date "31-02-2025": no such day in the calendar'],
      [['--day', '10-11-2025', '--month', '11-2025'], 'Give one of day, month, or from with to (got day and month)'],
      [['--from', '10-11-2025'], 'from and to go together (missing to)'],
      [['--day', '01-01-2099'], '01-01-2099 is in the future'],
    ] as const) {
      const result = await traffic([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 90_000);
});
