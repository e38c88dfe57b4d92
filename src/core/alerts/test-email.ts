// The test email, sent now and not through the queue, so whoever asks (`vigil test-email`, the
// settings window's button) learns at once what the server answered or why it refused.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { formatLocalIso } from '../../shared/dates.js';
import { VigilError } from '../../shared/errors.js';
import type { Settings } from '../../shared/settings.js';
import { SmtpNotifier, describeSmtp, smtpConfigFrom, type SendResult } from './notifier.js';

export interface TestEmailResult extends SendResult {
  /** smtp://user@host:port */
  server: string;
  to: string[];
}

/** Throws VigilError: invalid_argument (no SMTP set), invalid_settings (no recipient…), io_error (the send failed). */
export async function sendTestEmail(settings: Pick<Settings, 'smtp' | 'machine'>, dataDir: string, options: { from?: 'agent' | 'app'; now?: number } = {}): Promise<TestEmailResult> {
  const config = smtpConfigFrom(settings.smtp, dataDir);
  if (!config) throw new VigilError('invalid_argument', 'No SMTP server is configured: pass --smtp smtp://user:password@host:587 (or set smtp.url in the settings)');
  const name = settings.machine.name.trim() || os.hostname();
  const now = options.now ?? Date.now();
  const server = describeSmtp(config);
  const notifier = new SmtpNotifier(config);
  try {
    const result = await notifier.send({
      messageId: `<test.${randomUUID()}@${os.hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'localhost'}.vigil>`,
      date: now,
      from: config.from,
      to: config.to,
      subject: `[Vigil] Test email from ${name}`,
      text: [
        `This is a test email from ${options.from === 'app' ? 'the Vigil app' : 'Vigil'} on ${name}, sent at ${formatLocalIso(now)}.`,
        '',
        `If you read this, alerts from ${name} (a peer down or back, a threshold crossed) reach you.`,
        `Sent through ${server}${config.secure ? ' (TLS)' : config.requireTls ? ' (STARTTLS required)' : ' (STARTTLS when offered)'}.`,
        '',
      ].join('\n'),
    });
    return { ...result, server, to: config.to };
  } finally {
    notifier.close();
  }
}
