// `vigil test-email`: sends one email with the alert settings (or the flags) right now, not
// through the queue, and says what the SMTP server answered — or why it could not.
import fs from 'node:fs';
import { sendTestEmail } from '../../core/alerts/test-email.js';
import { dataPaths } from '../../core/paths.js';
import { readSettingsIsolated } from '../../core/settings.js';
import { defaultSettings, mergeSettings, type Settings } from '../../shared/settings.js';
import { resolveDataDir, warnOnStderr } from '../options.js';
import { alertOverrides, type AlertFlags } from './alert-options.js';

export interface TestEmailOptions extends AlertFlags {
  dataDir?: string;
  config?: string;
  json?: boolean;
}

export async function runTestEmail(options: TestEmailOptions): Promise<number> {
  const paths = dataPaths(resolveDataDir(options.dataDir));
  const settings = mergeSettings(await readSettingsIfAny(options.config ?? paths.settings, options.config !== undefined), alertOverrides(options));
  const result = await sendTestEmail(settings, paths.dataDir);
  if (options.json) {
    const { server, to, accepted, rejected, response } = result;
    process.stdout.write(`${JSON.stringify({ server, to, accepted, rejected, response }, null, 2)}\n`);
    return rejected.length > 0 ? 1 : 0;
  }
  process.stdout.write(`Test email sent to ${(result.accepted.length ? result.accepted : result.to).join(', ')} through ${result.server}\n`);
  process.stdout.write(`The server answered: ${result.response}\n`);
  if (result.rejected.length > 0) {
    process.stdout.write(`Refused recipients: ${result.rejected.join(', ')}\n`);
    return 1;
  }
  return 0;
}

async function readSettingsIfAny(file: string, explicit: boolean): Promise<Settings> {
  // A missing default settings file is not an error here (and must not be created by a test).
  if (!explicit && !fs.existsSync(file)) return defaultSettings();
  const read = await readSettingsIsolated(file, { missing: 'refuse' });
  warnOnStderr(read.warning);
  return read.settings;
}
