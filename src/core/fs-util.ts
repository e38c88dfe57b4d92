// Small filesystem helpers the core shares.
import fs from 'node:fs';
import path from 'node:path';

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
