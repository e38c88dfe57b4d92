// SQLite failures → VigilError with a message a person can act on. Disk full and I/O errors are
// expected in the field (a full /var, a dying SD card, a network home directory); they must not
// take the agent down with a stack trace.
import Database from 'better-sqlite3';
import { VigilError } from '../../shared/errors.js';

type SqliteError = InstanceType<typeof Database.SqliteError>;

export function isSqliteError(error: unknown): error is SqliteError {
  return error instanceof Database.SqliteError;
}

/** `doing` completes "…while <doing>", e.g. "storing 3 samples". */
export function toVigilError(error: unknown, file: string, doing: string): unknown {
  if (error instanceof VigilError || !isSqliteError(error)) return error;
  const code = error.code;
  const where = file === ':memory:' ? 'the in-memory database' : `the Vigil database ${file}`;
  let message: string;
  if (code === 'SQLITE_FULL') {
    message = `The disk holding ${where} is full (or the database reached its size limit) while ${doing}; nothing of it was stored. Free some space.`;
  } else if (code.startsWith('SQLITE_IOERR')) {
    message = `I/O error (${code}) on ${where} while ${doing}; nothing of it was stored. Check the disk.`;
  } else if (code.startsWith('SQLITE_READONLY')) {
    message = `${capitalize(where)} is read-only (${code}) while ${doing}: check its permissions, or that it was not opened read-only.`;
  } else if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    message = `${capitalize(where)} is locked by another process (${code}) while ${doing}.`;
  } else if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    message = `${capitalize(where)} is damaged or not a Vigil database (${code}) while ${doing}. Move it aside to start afresh, or restore a backup.`;
  } else if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH')) {
    message = `Cannot open ${where} (${code}) while ${doing}: check that its folder exists and is writable.`;
  } else {
    return new VigilError('internal', `SQLite error ${code} on ${where} while ${doing}: ${error.message}`, { cause: error });
  }
  return new VigilError('io_error', message, { cause: error });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
