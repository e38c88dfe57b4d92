// Child-process entry: reads and validates a settings file through conf, prints the complete
// settings (or a VigilError) as one JSON line. See readSettingsIsolated in settings.ts.
import { VigilError } from '../shared/errors.js';
import { openSettingsFile } from './settings.js';

const file = process.argv[2];
try {
  if (!file) throw new VigilError('invalid_argument', 'settings-reader: missing file argument');
  const store = await openSettingsFile(file);
  process.stdout.write(`${JSON.stringify({ ok: true, path: store.path, settings: store.get(), unknownKeys: store.unknownKeys() })}\n`);
} catch (error) {
  const vigilError = error instanceof VigilError ? error : new VigilError('io_error', String(error));
  process.stdout.write(`${JSON.stringify({ ok: false, code: vigilError.code, message: vigilError.message })}\n`);
}
