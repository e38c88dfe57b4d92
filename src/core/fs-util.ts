// Small filesystem helpers the core shares.
import fs from 'node:fs';
import path from 'node:path';
import { VigilError } from '../shared/errors.js';

/**
 * mkdir -p that always ends. Node 20's `mkdirSync(dir, { recursive: true })` spins forever on
 * pseudo filesystems that answer ENOENT for a mkdir whose parent exists (e.g. under /proc), so a
 * mistyped --data-dir would hang the agent instead of failing. We walk up to the nearest existing
 * ancestor and create the missing folders one by one, letting the first error surface.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let current = path.resolve(dir);
  while (!fs.existsSync(current)) {
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing.reverse()) {
    try {
      fs.mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * Runs `write` into FILE.partial and renames it to FILE when everything was written, so a failed
 * or cancelled write never leaves a half file under the name asked for (CSV exports from the CLI
 * and the app, `vigil chart` images). `what` names the operation in the error ("Export", "Chart").
 */
export async function writeFileAtomically<T>(file: string, write: (output: NodeJS.WritableStream) => Promise<T>, what = 'Export'): Promise<T> {
  const partial = `${file}.partial`;
  const output = fs.createWriteStream(partial, { flags: 'w' });
  // A stream error (the open's EACCES, a write's ENOSPC) is kept here, so the first and true cause
  // is reported, not a later symptom such as the rename's ENOENT for a file never created.
  let streamError: Error | null = null;
  output.on('error', (error) => (streamError ??= error));
  try {
    // The file is opened before anything is written: an unwritable place fails at once.
    await new Promise<void>((resolve, reject) => {
      output.once('open', () => resolve());
      output.once('error', reject);
    });
    const result = await write(output);
    await new Promise<void>((resolve, reject) => {
      if (streamError) return reject(streamError);
      output.once('error', reject);
      output.end(() => resolve());
    });
    if (streamError) throw streamError;
    fs.renameSync(partial, file);
    return result;
  } catch (error) {
    output.destroy();
    try {
      fs.rmSync(partial, { force: true });
    } catch {
      // Nothing was created there: nothing to remove (and the first failure is what matters).
    }
    if (error instanceof VigilError) throw error;
    const cause = streamError ?? error;
    throw new VigilError('io_error', `${what} to ${file} failed (${(cause as NodeJS.ErrnoException).code ?? String(cause)}); nothing was written`, { cause });
  }
}
