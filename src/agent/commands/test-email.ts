// `vigil test-email`: sends one email with the alert settings (or the flags) right now, not
// through the queue, and says what the SMTP server answered — or why it could not.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { SmtpNotifier, describeSmtp, smtpConfigFrom } from '../../core/alerts/notifier.js';
import { dataPaths } from '../../core/paths.js';
import { readSettingsIsolated } from '../../core/settings.js';
import { formatLocalIso } from '../../shared/dates.js';
import { VigilError } from '../../shared/errors.js';
import { defaultSettings, mergeSettings, type Settings } from '../../shared/settings.js';
import { resolveDataDir } from '../options.js';
import { alertOverrides, type AlertFlags } from './alert-options.js';

export interface TestEmailOptions extends AlertFlags {
  dataDir?: string;
  config?: string;
}

export async function runTestEmail(options: TestEmailOptions): Promise<number> {
  const paths = dataPaths(resolveDataDir(options.dataDir));
  const settings = mergeSettings(await readSettingsIfAny(options.config ?? paths.settings, options.config !== undefined), alertOverrides(options));
  const config = smtpConfigFrom(settings.smtp, paths.dataDir);
  if (!config) throw new VigilError('invalid_argument', 'No SMTP server is configured: pass --smtp smtp://user:password@host:587 (or set smtp.url in the settings)');
  const name = settings.machine.name.trim() || os.hostname();
  const now = Date.now();
  const notifier = new SmtpNotifier(config);
  try {
    const result = await notifier.send({
      messageId: `<test.${randomUUID()}@${os.hostname().replace(/[^A-Za-z0-9.-]/g, '') || 'localhost'}.vigil>`,
      date: now,
      from: config.from,
      to: config.to,
      subject: `[Vigil] Test email from ${name}`,
      text: [
        `This is a test email from Vigil on ${name}, sent at ${formatLocalIso(now)}.`,
        '',
        `If you read this, alerts from ${name} (a peer down or back, a threshold crossed) reach you.`,
        `Sent through ${describeSmtp(config)}${config.secure ? ' (TLS)' : config.requireTls ? ' (STARTTLS required)' : ' (STARTTLS when offered)'}.`,
        '',
      ].join('\n'),
    });
    process.stdout.write(`Test email sent to ${result.accepted.join(', ') || config.to.join(', ')} through ${describeSmtp(config)}\n`);
    process.stdout.write(`The server answered: ${result.response}\n`);
    if (result.rejected.length > 0) {
      process.stdout.write(`Refused recipients: ${result.rejected.join(', ')}\n`);
      return 1;
    }
    return 0;
  } finally {
    notifier.close();
  }
}

async function readSettingsIfAny(file: string, explicit: boolean): Promise<Settings> {
  // A missing default settings file is not an error here (and must not be created by a test).
  if (!explicit && !fs.existsSync(file)) return defaultSettings();
  return (await readSettingsIsolated(file)).settings;
}
