// The headless agent as users run it: the real `vigil` command in a temp data dir.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSampleStore } from '../../src/core/storage/sample-store.js';
import { csvLines, finished, runVigil, startVigil, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

function storedSampleCount(dataDir: string): number {
  const store = openSampleStore(path.join(dataDir, 'vigil.db'), { readonly: true });
  try {
    return store.countSamples(0, Number.MAX_SAFE_INTEGER);
  } finally {
    store.close();
  }
}

function csvRowCount(dataDir: string): number {
  return csvLines(dataDir).reduce((n, file) => n + file.rows.length, 0);
}

function assertCsvWhole(dataDir: string): void {
  for (const file of csvLines(dataDir)) {
    expect(file.raw.endsWith('\r\n'), `${file.file} ends with a complete line`).toBe(true);
    const width = file.header.split(',').length;
    for (const row of file.rows) expect(row.split(',').length, `${file.file}: ${row}`).toBe(width);
  }
}

describe('vigil agent', () => {
  it('samples every second into SQLite and the daily CSV, and stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const agent = startVigil(['agent', '--data-dir', dataDir, '--interval', '1']);
    await waitFor(() => csvRowCount(dataDir) >= 3, 'three CSV rows');
    agent.kill('SIGTERM');
    const result = await finished(agent);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('sampling started');
    expect(result.stderr).toContain('sampling stopped');
    // A clean stop flushes the batch: the database holds exactly what the CSV holds.
    expect(storedSampleCount(dataDir)).toBe(csvRowCount(dataDir));
    assertCsvWhole(dataDir);
    const [file] = csvLines(dataDir);
    expect(file!.file).toMatch(/^\d{2}-\d{2}-\d{4}\.csv$/);
    expect(file!.header).toMatch(/^time,unix_ms,cpu_percent,cpu0_percent/);
    expect(file!.header).toContain('net_lo_rx_bps');
    // Rows are one second apart on whole seconds.
    const stamps = file!.rows.map((row) => Number(row.split(',')[1]));
    for (const stamp of stamps) expect(stamp % 1000).toBe(0);
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! - stamps[i - 1]!).toBe(1000);
    // Logs go to the rotating file in the data dir as well as stderr.
    expect(fs.readFileSync(path.join(dataDir, 'logs', 'vigil.log'), 'utf8')).toContain('sampling stopped');
  });

  it('survives kill -9: the DB passes integrity_check, the CSV has no torn line, sampling resumes and nothing is lost', async () => {
    const dataDir = tempDir();
    const first = startVigil(['agent', '--data-dir', dataDir]);
    await waitFor(() => csvRowCount(dataDir) >= 4, 'four CSV rows');
    first.kill('SIGKILL');
    await finished(first);
    const rowsAtKill = csvRowCount(dataDir);

    const db = new Database(path.join(dataDir, 'vigil.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    assertCsvWhole(dataDir);

    const second = startVigil(['agent', '--data-dir', dataDir]);
    await waitFor(() => csvRowCount(dataDir) >= rowsAtKill + 3, 'sampling to resume');
    second.kill('SIGTERM');
    const result = await finished(second);
    expect(result.code).toBe(0);
    assertCsvWhole(dataDir);
    // Samples the kill caught before their batch reached SQLite came back from the CSV tail.
    expect(storedSampleCount(dataDir)).toBe(csvRowCount(dataDir));
    const db2 = new Database(path.join(dataDir, 'vigil.db'), { readonly: true });
    expect(db2.pragma('integrity_check', { simple: true })).toBe('ok');
    db2.close();
  });

  it('refuses a second agent on the same data dir, and corrupts nothing', async () => {
    const dataDir = tempDir();
    const first = startVigil(['agent', '--data-dir', dataDir]);
    await waitFor(() => csvRowCount(dataDir) >= 1, 'the first agent to sample');
    const second = await runVigil(['agent', '--data-dir', dataDir]);
    expect(second.code).toBe(75);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(/Another Vigil agent \(pid \d+\) is already using/);
    first.kill('SIGTERM');
    expect((await finished(first)).code).toBe(0);
    assertCsvWhole(dataDir);
  });

  it.each([
    [['agent', '--data-dir', '/proc/vigil-test/data'], 73, /not writable/],
    [['agent', '--data-dir', '/etc/passwd/vigil'], 73, /not writable/],
    [['agent', '--bogus'], 2, /^vigil: unknown option '--bogus' \(run with --help for usage\)$/],
    [['agent', '--interv', '2'], 2, /^vigil: unknown option '--interv' \(Did you mean --interval\?\)/],
    [['agent', '--interval', '0'], 2, /whole seconds from 1 to 3600/],
    [['agent', '--interval', '3601'], 2, /whole seconds from 1 to 3600/],
    [['agent', '--interval', '1.5'], 2, /whole seconds from 1 to 3600/],
    [['agent', '--log-level', 'loud'], 2, /expected one of error, warn, info, debug/],
    [['frobnicate'], 2, /unknown command 'frobnicate'/],
  ])('vigil %j fails with a clear message and exit code %i', async (args, code, message) => {
    const result = await runVigil(args, { env: { VIGIL_DATA_DIR: tempDir() } });
    expect(result.code).toBe(code);
    // One `vigil: …` line, usage errors (commander's) like the others.
    expect(result.stderr.split('\n')).toEqual([expect.stringMatching(/^vigil: /), '']);
    expect(result.stderr.trim()).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('a settings file that is not JSON: one line with the place, not the file text (which may hold a secret)', async () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, 'config.json'), '{\n  "smtp": { "url": "smtp://ann:hunter22@mail" },\n  "log": }\n');
    const result = await runVigil(['agent', '--data-dir', dataDir]);
    expect(result.code).toBe(78);
    expect(result.stderr).toBe(`vigil: Settings file ${path.join(dataDir, 'config.json')} is not valid JSON: Unexpected token '}' at line 3, column 10\n`);
  });

  it('--alert-to or --alert-from without an SMTP server: a warning at start that no email can go out', async () => {
    const dataDir = tempDir();
    const agent = startVigil(['agent', '--data-dir', dataDir, '--alert-to', 'ops@example.org'], { VIGIL_SMTP: '' });
    await waitFor(() => agent.output.stderr.includes('vigil agent running') || agent.exitCode !== null, 'the agent to start');
    agent.kill('SIGTERM');
    const result = await finished(agent);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/WARN +--alert-to given but no SMTP server is set \(--smtp URL, \$VIGIL_SMTP or smtp\.url in the settings\): alert emails cannot be sent/);
    // With a server set, nothing to warn about.
    const quiet = startVigil(['agent', '--data-dir', tempDir(), '--alert-from', 'vigil@example.org', '--smtp', 'smtp://127.0.0.1:25']);
    await waitFor(() => quiet.output.stderr.includes('vigil agent running') || quiet.exitCode !== null, 'the second agent to start');
    quiet.kill('SIGTERM');
    const second = await finished(quiet);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('no SMTP server');
  });

  it('an invalid settings file is refused before anything starts', async () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ sampling: { intervalSeconds: 99999 } }));
    const result = await runVigil(['agent', '--data-dir', dataDir]);
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/config\.json is invalid: `sampling\/intervalSeconds` must be <= 3600/);
    expect(fs.existsSync(path.join(dataDir, 'vigil.db'))).toBe(false);
  });

  it('--config points at another settings file; flags win over it', async () => {
    const dataDir = tempDir();
    const config = path.join(tempDir(), 'vigil.json');
    fs.writeFileSync(config, JSON.stringify({ sampling: { intervalSeconds: 2 }, log: { level: 'debug' } }));
    const agent = startVigil(['agent', '--data-dir', dataDir, '--config', config, '--log-level', 'warn']);
    await waitFor(() => csvRowCount(dataDir) >= 2, 'two CSV rows at 2 s');
    agent.kill('SIGTERM');
    const result = await finished(agent);
    expect(result.code).toBe(0);
    const stamps = csvLines(dataDir)[0]!.rows.map((row) => Number(row.split(',')[1]));
    expect(stamps[1]! - stamps[0]!).toBe(2000);
    expect(stamps[0]! % 2000).toBe(0);
    // warn level from the flag: no info lines on stderr.
    expect(result.stderr).not.toContain('INFO');
  });
});
