// The alert commands through the real CLI: test-email, alerts, sleep, and the agent's alert flags.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVigil } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { CERT_FILE, SmtpSink, freePort } from '../core/alerts/smtp-sink.js';

const AUTH = { user: 'alerts', password: 's3cret' };
const smtp = new SmtpSink({ auth: AUTH });

beforeAll(async () => {
  await smtp.start();
});
afterAll(async () => {
  await smtp.stop();
});

describe('vigil test-email', () => {
  it('sends a test email with the settings and says what the server answered', async () => {
    const dataDir = tempDir();
    fs.writeFileSync(
      path.join(dataDir, 'config.json'),
      JSON.stringify({ machine: { name: 'box-1' }, smtp: { url: `smtp://alerts@127.0.0.1:${smtp.port}`, passwordFile: 'smtp-password', caFile: CERT_FILE, requireTls: true, to: ['ops@example.org'] } }),
    );
    fs.writeFileSync(path.join(dataDir, 'smtp-password'), `${AUTH.password}\n`, { mode: 0o600 });
    const result = await runVigil(['test-email', '--data-dir', dataDir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Test email sent to ops@example.org through smtp://alerts@127.0.0.1:${smtp.port}`);
    expect(result.stdout).toMatch(/The server answered: 250/);
    const mail = smtp.messages.at(-1)!;
    expect(mail).toMatchObject({ secure: true, user: 'alerts', to: ['ops@example.org'] });
    expect(mail.parsed.subject).toBe('[Vigil] Test email from box-1');
    expect(mail.parsed.text).toContain('alerts from box-1');
  });

  it('flags instead of settings; a wrong password or no server is a one-line error with an exit code', async () => {
    const dataDir = tempDir();
    const sent = await runVigil(['test-email', '--data-dir', dataDir, '--smtp', smtp.url(AUTH), '--alert-to', 'a@example.org', '--alert-to', 'b@example.org', '--alert-from', 'vigil@example.org'], {
      env: { NODE_EXTRA_CA_CERTS: CERT_FILE },
    });
    expect(sent.code, sent.stderr).toBe(0);
    expect(smtp.messages.at(-1)).toMatchObject({ to: ['a@example.org', 'b@example.org'], from: 'vigil@example.org' });
    // Nothing was written into the data dir (no settings file created by a test).
    expect(fs.readdirSync(dataDir)).toEqual([]);

    const json = await runVigil(['test-email', '--json', '--data-dir', dataDir, '--smtp', smtp.url(AUTH), '--alert-to', 'a@example.org'], { env: { NODE_EXTRA_CA_CERTS: CERT_FILE } });
    expect(json.code, json.stderr).toBe(0);
    const answer = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(answer).toEqual({ server: expect.stringMatching(/^smtps?:\/\/alerts@127\.0\.0\.1:\d+$/), to: ['a@example.org'], accepted: ['a@example.org'], rejected: [], response: expect.stringMatching(/^250/) });
    expect(json.stdout).not.toContain(AUTH.password);

    const wrong = await runVigil(['test-email', '--data-dir', dataDir, '--smtp', smtp.url({ user: 'alerts', password: 'wrong' }), '--alert-to', 'a@example.org'], { env: { NODE_EXTRA_CA_CERTS: CERT_FILE } });
    expect(wrong.code).toBe(74);
    expect(wrong.stderr).toMatch(/^vigil: SMTP .* authentication failed/);
    expect(wrong.stderr).not.toContain('wrong');

    const closed = await runVigil(['test-email', '--data-dir', dataDir, '--smtp', `smtp://127.0.0.1:${await freePort()}`, '--alert-to', 'a@example.org']);
    expect(closed.code).toBe(74);
    expect(closed.stderr).toContain('ECONNREFUSED');

    const none = await runVigil(['test-email', '--data-dir', dataDir]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('No SMTP server is configured');

    const noRecipient = await runVigil(['test-email', '--data-dir', dataDir, '--smtp', smtp.url()]);
    expect(noRecipient.code).toBe(78);
    expect(noRecipient.stderr).toContain('no recipient');
  });
});

describe('alert flags and commands', () => {
  it('bad --peer, --smtp or --alert-to values are refused before anything starts', async () => {
    const dataDir = tempDir();
    for (const [flag, value, message] of [
      ['--peer', 'web-1', 'expected NAME=URL'],
      ['--peer', 'web-1=ftp://host', 'http:// or https:// only'],
      ['--alert-to', 'nobody', 'expected an email address'],
      ['--smtp', 'http://mail.example.org', '--smtp: expected smtp://'],
    ] as const) {
      const result = await runVigil(['agent', '--data-dir', dataDir, flag, value]);
      expect(result.code, `${flag} ${value}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });

  it('vigil alerts on a data dir without alerts; vigil sleep without an agent', async () => {
    const dataDir = tempDir();
    const alerts = await runVigil(['alerts', '--data-dir', dataDir]);
    expect(alerts.code).toBe(0);
    expect(alerts.stdout).toContain('Open     nothing is wrong');
    expect(alerts.stdout).toContain('No alerts yet.');
    const json = JSON.parse((await runVigil(['alerts', '--json', '--data-dir', dataDir])).stdout) as unknown;
    expect(json).toEqual({ alerts: [], open: [], outbox: { pending: 0, failed: 0, oldestPendingAt: null, refused: 0, refusedSince: null, lastError: null } });

    const port = await freePort();
    const sleep = await runVigil(['sleep', '--for', '10m', '--url', `http://127.0.0.1:${port}`]);
    expect(sleep.code).toBe(74);
    expect(sleep.stderr).toContain(`No Vigil agent answers at http://127.0.0.1:${port}`);
    const both = await runVigil(['sleep', '--for', '10m', '--wake']);
    expect(both.code).toBe(2);
    const badDuration = await runVigil(['sleep', '--for', '10 years']);
    expect(badDuration.code).toBe(2);
  });
});
