// Secrets typed into the settings window (the hub token, the SMTP password, the InfluxDB token)
// never go into config.json: each is written alone to a file only its owner can read (0600), where
// the core reads it (sync: sync.tokenFile, default <data-dir>/sync-token; alerts:
// smtp.passwordFile; InfluxDB: influx.tokenFile, default <data-dir>/influx-token).
import fs from 'node:fs';
import path from 'node:path';
import { writePrivateFile, type PrivateFileOptions } from '../core/private-file.js';
import { checkInfluxToken, influxTokenPath } from '../core/sync/influx-target.js';
import { syncTokenPath, checkToken } from '../core/sync/token.js';
import type { SecretValues, SecretsState } from '../shared/app-ipc.js';
import { VigilError } from '../shared/errors.js';
import type { Settings, SettingsPatch } from '../shared/settings.js';

/** Where the SMTP password goes when the settings name no file yet (relative to the data dir). */
export const DEFAULT_SMTP_PASSWORD_FILE = 'smtp-password';

export function secretsState(dataDir: string, settings: Settings): SecretsState {
  const smtpUrlHasPassword = /^smtps?:\/\/[^/@:]*:[^@/]+@/i.test(settings.smtp.url);
  return {
    syncToken: fileHasContent(syncTokenPath(dataDir, settings.sync.tokenFile)),
    smtpPassword: smtpUrlHasPassword || (settings.smtp.passwordFile !== '' && fileHasContent(path.resolve(dataDir, settings.smtp.passwordFile))),
    influxToken: fileHasContent(influxTokenPath(dataDir, settings.influx.tokenFile)),
  };
}

/**
 * Checks new secret values before anything is written, and says which settings must change with
 * them (a password file name when none is set yet).
 */
export function prepareSecrets(secrets: SecretValues | undefined, settings: Settings): { patch: SettingsPatch; write: (dataDir: string, settings: Settings) => void } {
  const patch: SettingsPatch = {};
  const syncToken = secrets?.syncToken;
  const smtpPassword = secrets?.smtpPassword;
  const influxToken = secrets?.influxToken;
  if (syncToken) checkToken(syncToken, 'typed in the settings window');
  if (influxToken) checkInfluxToken(influxToken, 'typed in the settings window');
  if (smtpPassword && !settings.smtp.passwordFile) patch.smtp = { passwordFile: DEFAULT_SMTP_PASSWORD_FILE };
  return {
    patch,
    write(dataDir, saved) {
      if (syncToken !== undefined) writeSecretFile(syncTokenPath(dataDir, saved.sync.tokenFile), syncToken === '' ? null : checkToken(syncToken, 'typed in the settings window'));
      if (smtpPassword !== undefined && saved.smtp.passwordFile) writeSecretFile(path.resolve(dataDir, saved.smtp.passwordFile), smtpPassword === '' ? null : smtpPassword);
      if (influxToken !== undefined) writeSecretFile(influxTokenPath(dataDir, saved.influx.tokenFile), influxToken === '' ? null : checkInfluxToken(influxToken, 'typed in the settings window'));
    },
  };
}

/**
 * Writes (or, for null, removes) a one-line secret file that only this user can read (0600; on
 * Windows an ACL of its own, see core/private-file.ts), renamed into place.
 */
export function writeSecretFile(file: string, value: string | null, options: PrivateFileOptions = {}): void {
  try {
    if (value === null) {
      fs.rmSync(file, { force: true });
      return;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writePrivateFile(file, `${value}\n`, options);
  } catch (error) {
    throw new VigilError('io_error', `Cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))}`, { cause: error });
  }
}

function fileHasContent(file: string): boolean {
  try {
    return fs.readFileSync(file, 'utf8').trim() !== '';
  } catch {
    return false;
  }
}
