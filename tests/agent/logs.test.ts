// `vigil logs`: the last lines across rotated files, the level filter, and --follow across the
// real logger's rotation (src/core/log.ts renames vigil.log to .1 and starts a new file).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastLines, levelFilter, lineAsJson, LogFollower } from '../../src/agent/commands/logs.js';
import { createLogger } from '../../src/core/log.js';
import { finished, runVigil, startVigil, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

function smallLogger(dataDir: string) {
  let t = Date.UTC(2026, 10, 22, 10, 0, 0);
  return createLogger({ level: 'debug', stream: null, file: path.join(dataDir, 'logs/vigil.log'), maxBytes: 512, maxFiles: 5, now: () => (t += 1000) });
}

describe('lastLines and the level filter', () => {
  it('reads back across rotated files, oldest first, and filters by level', () => {
    const dataDir = tempDir();
    const logger = smallLogger(dataDir);
    for (let i = 0; i < 60; i++) (i % 10 === 0 ? logger.warn : logger.info)(`line ${i}`, { i });
    logger.close();
    const file = path.join(dataDir, 'logs/vigil.log');
    expect(fs.existsSync(`${file}.2`)).toBe(true); // it did rotate
    const last = lastLines(file, 30);
    expect(last.map((l) => /line (\d+)/.exec(l)![1])).toEqual(Array.from({ length: 30 }, (_, k) => String(30 + k)));
    const warnings = lastLines(file, 3, levelFilter('warn'));
    expect(warnings.map((l) => /line (\d+)/.exec(l)![1])).toEqual(['30', '40', '50']);
    expect(warnings.every((l) => / WARN /.test(l))).toBe(true);
    expect(levelFilter('error')('2026-11-22T10:00:00.000Z DEBUG x')).toBe(false);
    expect(levelFilter('debug')('2026-11-22T10:00:00.000Z DEBUG x')).toBe(true);
    expect(levelFilter('error')('a stack trace line')).toBe(true);
    // --log-format json lines: the level is the object's.
    expect(levelFilter('warn')('{"time":"2026-11-22T10:00:00.000Z","level":"info","msg":"x"}')).toBe(false);
    expect(levelFilter('warn')('{"time":"2026-11-22T10:00:00.000Z","level":"error","msg":"x"}')).toBe(true);
  });
});

describe('LogFollower', () => {
  it('follows the log across rotations and a truncation, every line once, in order', () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'logs/vigil.log');
    const logger = smallLogger(dataDir);
    logger.info('before following');
    const seen: string[] = [];
    const follower = new LogFollower(file, (line) => seen.push(line));
    let n = 0;
    for (let burst = 0; burst < 12; burst++) {
      for (let k = 0; k < 9; k++) logger.info(`event ${n++}`); // ~a third of a file: rotates every few bursts
      follower.poll();
    }
    logger.close();
    follower.poll();
    expect(fs.existsSync(`${file}.3`)).toBe(true);
    expect(seen.map((l) => /event (\d+)$/.exec(l)?.[1])).toEqual(Array.from({ length: n }, (_, k) => String(k)));

    fs.truncateSync(file, 0); // copytruncate-style
    fs.appendFileSync(file, 'after truncation\nhalf a li');
    follower.poll();
    fs.appendFileSync(file, 'ne\n');
    follower.poll();
    follower.close();
    expect(seen.slice(n)).toEqual(['after truncation', 'half a line']);
  });
});

describe('vigil logs', () => {
  it('prints the last lines; a missing log is a clear error', async () => {
    const dataDir = tempDir();
    const missing = await runVigil(['logs', '--data-dir', dataDir]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/No log at .*vigil\.log: has the agent run with this data folder/);
    const logger = smallLogger(dataDir);
    for (let i = 0; i < 20; i++) logger.info(`line ${i}`);
    logger.error('boom');
    logger.close();
    const tail = await runVigil(['logs', '--data-dir', dataDir, '-n', '3']);
    expect(tail.code).toBe(0);
    expect(tail.stdout.trimEnd().split('\n').map((l) => l.slice(25))).toEqual(['INFO  line 18', 'INFO  line 19', 'ERROR boom']);
    const errors = await runVigil(['logs', '--data-dir', dataDir, '--level', 'error']);
    expect(errors.stdout.trimEnd().split('\n')).toHaveLength(1);
  });

  it('--app shows the tray app\'s own log (logs/app.log, beside the agent\'s)', async () => {
    const dataDir = tempDir();
    const missing = await runVigil(['logs', '--app', '--data-dir', dataDir]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/No log at .*app\.log: has the tray app run with this data folder/);
    const agentLog = smallLogger(dataDir);
    agentLog.info('from the agent');
    agentLog.close();
    const appLog = createLogger({ level: 'info', stream: null, file: path.join(dataDir, 'logs/app.log') });
    appLog.info('from the app');
    appLog.close();
    const app = await runVigil(['logs', '--app', '--data-dir', dataDir]);
    expect(app.code).toBe(0);
    expect(app.stdout).toContain('from the app');
    expect(app.stdout).not.toContain('from the agent');
    const both = await runVigil(['logs', '--app', '--hub', '--data-dir', dataDir]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--hub and --app/);
  });

  it('--follow prints new lines across rotation until Ctrl-C', async () => {
    const dataDir = tempDir();
    const logger = smallLogger(dataDir);
    logger.info('old line');
    const follow = startVigil(['logs', '--follow', '--data-dir', dataDir, '-n', '1']);
    await waitFor(() => follow.output.stdout.includes('old line'), 'the tail');
    let n = 0;
    for (let burst = 0; burst < 6; burst++) {
      for (let k = 0; k < 12; k++) logger.info(`event ${n++}`);
      // The follower has read this burst before the next one rotates the file again (a fixed
      // 400 ms was "more than one poll per rotation" only on an idle machine).
      const last = `event ${n - 1}\n`;
      await waitFor(() => follow.output.stdout.includes(last), `event ${n - 1}`);
    }
    logger.close();
    await waitFor(() => follow.output.stdout.includes(`event ${n - 1}\n`), 'the last event');
    follow.kill('SIGINT');
    const result = await finished(follow);
    expect(result.code).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'logs/vigil.log.2'))).toBe(true);
    const events = result.stdout.split('\n').filter((l) => l.includes('event')).map((l) => /event (\d+)$/.exec(l)![1]);
    expect(events).toEqual(Array.from({ length: n }, (_, k) => String(k)));
  });
});

describe('vigil logs --json', () => {
  it('prints every line as a JSON object, text lines taken apart, JSON lines as they are', async () => {
    const dataDir = tempDir();
    const logger = smallLogger(dataDir);
    logger.info('sampling started', { dataDir: '/x {y}', intervalSeconds: 1 });
    logger.warn('a {brace} in the message', { error: new Error('EACCES'), msg: 'field named msg' });
    logger.close();
    const file = path.join(dataDir, 'logs', 'vigil.log');
    fs.appendFileSync(file, '    at a stack trace line\n{"time":"2026-12-05T06:00:00.000Z","level":"error","msg":"from json mode"}\n');
    const result = await runVigil(['logs', '--json', '--data-dir', dataDir]);
    expect(result.code, result.stderr).toBe(0);
    const records = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toEqual([
      { time: expect.stringMatching(/Z$/), level: 'info', msg: 'sampling started', dataDir: '/x {y}', intervalSeconds: 1 },
      { time: expect.stringMatching(/Z$/), level: 'warn', msg: 'a {brace} in the message', error: { name: 'Error', message: 'EACCES' }, field_msg: 'field named msg' },
      { msg: '    at a stack trace line' },
      { time: '2026-12-05T06:00:00.000Z', level: 'error', msg: 'from json mode' },
    ]);
    expect(lineAsJson('2026-12-05T06:00:00.000Z INFO  no fields')).toBe('{"time":"2026-12-05T06:00:00.000Z","level":"info","msg":"no fields"}');
  });
});

describe('vigil agent --log-format json', () => {
  it('logs one JSON object a line on stderr and in the file; vigil logs --level reads them', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    const agent = startVigil(['agent', '--data-dir', dataDir, '--log-format', 'json']);
    const file = path.join(dataDir, 'logs', 'vigil.log');
    // "running" is logged once the signal handlers are in place; "sampling started" comes before them.
    await waitFor(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('"msg":"vigil agent running"'), 'vigil agent running in the log', 30_000);
    agent.kill('SIGTERM');
    const { code, stderr } = await finished(agent);
    expect(code).toBe(0);
    const stderrLines = stderr.trimEnd().split('\n');
    const fileLines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(fileLines.length).toBeGreaterThanOrEqual(2);
    for (const line of [...stderrLines, ...fileLines]) {
      const record = JSON.parse(line) as { time: string; level: string; msg: string };
      expect(record.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(['error', 'warn', 'info', 'debug']).toContain(record.level);
      expect(typeof record.msg).toBe('string');
    }
    expect(stderrLines).toEqual(fileLines);
    // A warning among them, for the level filter to find.
    fs.appendFileSync(file, `${JSON.stringify({ time: new Date().toISOString(), level: 'warn', msg: 'disk almost full' })}\n`);
    const warnings = await runVigil(['logs', '--data-dir', dataDir, '--level', 'warn']);
    expect(warnings.code).toBe(0);
    expect(warnings.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('disk almost full');
    expect(warnings.stdout).not.toContain('"level":"info"');
  });

  it('the hub takes it too', { timeout: 60_000 }, async () => {
    const hubDir = tempDir();
    const hub = startVigil(['hub', '--data-dir', hubDir, '--port', '0', '--log-format', 'json']);
    await waitFor(() => hub.output.stderr.includes('\n'), 'a first log line from the hub', 30_000);
    hub.kill('SIGTERM');
    const { stderr } = await finished(hub);
    const lines = stderr.trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { level: string }).level).every((level) => ['error', 'warn', 'info', 'debug'].includes(level))).toBe(true);
  });

  it('refuses a format it does not know', async () => {
    const result = await runVigil(['agent', '--data-dir', tempDir(), '--log-format', 'xml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/xml.*text, json/);
  });
});
