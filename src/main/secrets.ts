// Secrets typed into the settings window (the hub token, the SMTP password) never go into
// config.json: each is written alone to a file only its owner can read (0600), where the core
// reads it (sync: sync.tokenFile, default <data-dir>/sync-token; alerts: smtp.passwordFile).
import fs from 'node:fs';
import path from 'node:path';
import { syncTokenPath, checkToken } from '../core/sync/token.js';
import type { SecretsState } from '../shared/app-ipc.js';
import { VigilError } from '../shared/errors.js';
import type { Settings, SettingsPatch } from '../shared/settings.js';

/** Where the SMTP password goes when the settings name no file yet (relative to the data dir). */
export const DEFAULT_SMTP_PASSWORD_FILE = 'smtp-password';

export function secretsState(dataDir: string, settings: Settings): SecretsState {
  const smtpUrlHasPassword = /^smtps?:\/\/[^/@:]*:[^@/]+@/i.test(settings.smtp.url);
  return {
    syncToken: fileHasContent(syncTokenPath(dataDir, settings.sync.tokenFile)),
    smtpPassword: smtpUrlHasPassword || (settings.smtp.passwordFile !== '' && fileHasContent(path.resolve(dataDir, settings.smtp.passwordFile))),
  };
}

/**
 * Checks new secret values before anything is written, and says which settings must change with
 * them (a password file name when none is set yet).
 */
export function prepareSecrets(secrets: { syncToken?: string; smtpPassword?: string } | undefined, settings: Settings): { patch: SettingsPatch; write: (dataDir: string, settings: Settings) => void } {
  const patch: SettingsPatch = {};
  const syncToken = secrets?.syncToken;
  const smtpPassword = secrets?.smtpPassword;
  if (syncToken) checkToken(syncToken, 'typed in the settings window');
  if (smtpPassword && !settings.smtp.passwordFile) patch.smtp = { passwordFile: DEFAULT_SMTP_PASSWORD_FILE };
  return {
    patch,
    write(dataDir, saved) {
      if (syncToken !== undefined) writeSecretFile(syncTokenPath(dataDir, saved.sync.tokenFile), syncToken === '' ? null : checkToken(syncToken, 'typed in the settings window'));
      if (smtpPassword !== undefined && saved.smtp.passwordFile) writeSecretFile(path.resolve(dataDir, saved.smtp.passwordFile), smtpPassword === '' ? null : smtpPassword);
    },
  };
}

/** Writes (or, for null, removes) a one-line secret file, created 0600 and renamed into place. */
export function writeSecretFile(file: string, value: string | null): void {
  try {
    if (value === null) {
      fs.rmSync(file, { force: true });
      return;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${value}\n`, { mode: 0o600 });
    fs.chmodSync(temporary, 0o600);
    fs.renameSync(temporary, file);
  } catch (error) {
    throw new VigilError('io_error', `Cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
}

function fileHasContent(file: string): boolean {
  try {
    return fs.readFileSync(file, 'utf8').trim() !== '';
  } catch {
    return false;
  }
}
