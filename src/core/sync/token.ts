// The hub token on the agent's side. The agent must present the token itself, so it cannot keep
// only a hash (as the hub does): it lives alone in a file readable by its owner only (0600),
// never in config.json, which people copy around and paste into bug reports.
import fs from 'node:fs';
import path from 'node:path';
import { VigilError } from '../../shared/errors.js';

export const SYNC_TOKEN_FILE = 'sync-token';

/** The token file to use: the configured one, else <data-dir>/sync-token. */
export function syncTokenPath(dataDir: string, configured: string): string {
  return configured ? path.resolve(dataDir, configured) : path.join(dataDir, SYNC_TOKEN_FILE);
}

/** Tokens are printable ASCII without spaces (they go into an HTTP header). */
export function checkToken(token: string, where: string): string {
  const trimmed = token.trim();
  if (!/^[\x21-\x7e]{8,512}$/.test(trimmed)) {
    throw new VigilError('invalid_argument', `The hub token ${where} is not valid: expected 8–512 printable characters without spaces.`);
  }
  return trimmed;
}

/** Reads the token; `warn` is told when the file is readable by group or others. */
export function readSyncToken(file: string, warn?: (message: string) => void): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new VigilError(
      'invalid_settings',
      code === 'ENOENT'
        ? `Sync is on but there is no hub token in ${file}: pass --token TOKEN or set $VIGIL_SYNC_TOKEN, or write it there (vigil hub add-machine prints one)`
        : `Cannot read the hub token file ${file}: ${code ?? String(error)}`,
      { cause: error },
    );
  }
  if (process.platform !== 'win32' && warn) {
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) warn(`hub token file ${file} is readable by other users (mode ${mode.toString(8)}): chmod 600 it`);
  }
  return checkToken(text, `in ${file}`);
}

