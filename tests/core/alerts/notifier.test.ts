import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotifierError, SmtpNotifier, parseSmtpUrl, redactSmtpUrl, smtpConfigFrom, type OutgoingEmail, type SmtpConfig } from '../../../src/core/alerts/notifier.js';
import { VigilError } from '../../../src/shared/errors.js';
import { defaultSettings } from '../../../src/shared/settings.js';
import { tempDir } from '../../helpers/tmp.js';
import { AiosmtpdSink, CERT_FILE, SmtpSink, freePort } from './smtp-sink.js';

const sinks: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  for (const sink of sinks) await sink.stop();
});

async function sink(options: ConstructorParameters<typeof SmtpSink>[0] = {}): Promise<SmtpSink> {
  const s = await new SmtpSink(options).start();
  sinks.push(s);
  return s;
}

function config(url: string, extra: Partial<SmtpConfig> = {}): SmtpConfig {
  return { ...parseSmtpUrl(url), requireTls: false, ca: fs.readFileSync(CERT_FILE, 'utf8'), from: 'Vigil <vigil@example.org>', to: ['ops@example.org'], timeoutMs: 5000, ...extra };
}

const email = (subject = '[Vigil] web-1 is DOWN'): OutgoingEmail => ({
  messageId: `<alert.${Math.random().toString(16).slice(2)}@test.vigil>`,
  date: Date.UTC(2026, 0, 5, 10, 0, 0),
  from: 'Vigil <vigil@example.org>',
  to: ['ops@example.org', 'oncall@example.org'],
  subject,
  text: 'web-1 is DOWN\n\nSince: …\n',
});

describe('SMTP URL and settings', () => {
  it('parses smtp(s)://user:password@host:port with default ports, and never shows the password', () => {
    expect(parseSmtpUrl('smtps://alerts%40ex.org:p%40ss@mail.ex.org')).toEqual({ host: 'mail.ex.org', port: 465, secure: true, user: 'alerts@ex.org', password: 'p@ss' });
    expect(parseSmtpUrl('smtp://mail.ex.org')).toEqual({ host: 'mail.ex.org', port: 587, secure: false, user: null, password: null });
    expect(parseSmtpUrl('smtp://[::1]:2525').host).toBe('::1');
    expect(() => parseSmtpUrl('http://mail.ex.org')).toThrow(/scheme must be smtp/);
    expect(() => parseSmtpUrl('smtp://u:secret@mail.ex.org/path')).toThrow(/unexpected path/);
    expect(() => parseSmtpUrl('smtp://u:secret@mail.ex.org/path')).not.toThrow(/secret/);
    expect(redactSmtpUrl('smtps://u:secret@mail.ex.org:465')).toBe('smtps://u:***@mail.ex.org:465');
  });

  it('reads the password from passwordFile and needs at least one recipient', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'smtp-password'), 'from-file\n', { mode: 0o600 });
    const smtp = { ...defaultSettings().smtp, url: 'smtp://alerts@mail.ex.org', passwordFile: 'smtp-password', to: ['ops@ex.org'] };
    expect(smtpConfigFrom(smtp, dir)).toMatchObject({ user: 'alerts', password: 'from-file', from: expect.stringContaining('vigil@'), to: ['ops@ex.org'] });
    expect(smtpConfigFrom({ ...smtp, url: '' }, dir)).toBeNull();
    expect(() => smtpConfigFrom({ ...smtp, to: [] }, dir)).toThrow(VigilError);
    expect(() => smtpConfigFrom({ ...smtp, passwordFile: 'missing' }, dir)).toThrow(/Cannot read the SMTP password file/);
  });
});

describe('SmtpNotifier against real SMTP servers', () => {
  it('STARTTLS with AUTH: the server gets the email encrypted, authenticated, with our Message-ID and Date', async () => {
    const server = await sink({ auth: { user: 'alerts', password: 's3cret' } });
    const notifier = new SmtpNotifier(config(server.url({ user: 'alerts', password: 's3cret' }), { requireTls: true }));
    const sent = email();
    const result = await notifier.send(sent);
    notifier.close();
    expect(result.accepted).toEqual(['ops@example.org', 'oncall@example.org']);
    expect(result.response).toMatch(/^250/);
    const received = server.messages.at(-1)!;
    expect(received).toMatchObject({ secure: true, user: 'alerts', from: 'vigil@example.org', to: ['ops@example.org', 'oncall@example.org'] });
    expect(received.parsed.messageId).toBe(sent.messageId);
    expect(received.parsed.subject).toBe(sent.subject);
    expect(received.parsed.text).toBe(sent.text);
    expect(received.parsed.date?.getTime()).toBe(sent.date);
    expect(received.parsed.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('implicit TLS (smtps://)', async () => {
    const server = await sink({ secure: true });
    const notifier = new SmtpNotifier(config(server.url()));
    await notifier.send(email('[Vigil] over TLS'));
    notifier.close();
    expect(server.messages.at(-1)).toMatchObject({ secure: true, parsed: expect.objectContaining({ subject: '[Vigil] over TLS' }) });
  });

  it('failures say what went wrong and whether it is the server or this email', async () => {
    const secured = await sink({ auth: { user: 'alerts', password: 's3cret' } });
    const untrusted = new SmtpNotifier(config(secured.url({ user: 'alerts', password: 's3cret' }), { ca: null }));
    await expect(untrusted.send(email())).rejects.toMatchObject({ scope: 'transport', message: expect.stringMatching(/TLS|certificate/i) });

    const wrongPassword = new SmtpNotifier(config(secured.url({ user: 'alerts', password: 'nope' })));
    const authError = await wrongPassword.send(email()).catch((e: unknown) => e);
    expect(authError).toBeInstanceOf(NotifierError);
    expect(authError).toMatchObject({ scope: 'transport', message: expect.stringContaining('authentication failed') });
    expect((authError as Error).message).not.toContain('nope');

    const closed = new SmtpNotifier(config(`smtp://127.0.0.1:${await freePort()}`));
    await expect(closed.send(email())).rejects.toMatchObject({ scope: 'transport', message: expect.stringContaining('ECONNREFUSED') });

    const picky = await sink({ rejectRecipients: ['ops@example.org', 'oncall@example.org'] });
    const refused = new SmtpNotifier(config(picky.url()));
    await expect(refused.send(email())).rejects.toMatchObject({ scope: 'message' });
    for (const n of [untrusted, wrongPassword, closed, refused]) n.close();
  });

  it.skipIf(!AiosmtpdSink.available() && process.env.CI !== 'true')('an independent server (python3-aiosmtpd) receives the same email', async () => {
    const server = await new AiosmtpdSink(tempDir(), await freePort()).start();
    sinks.push(server);
    const notifier = new SmtpNotifier(config(`smtp://127.0.0.1:${server.port}`));
    const sent = email('[Vigil] to aiosmtpd');
    await notifier.send(sent);
    notifier.close();
    const messages = await server.messages();
    expect(messages.map((m) => [m.subject, m.messageId])).toEqual([['[Vigil] to aiosmtpd', sent.messageId]]);
  });
});
