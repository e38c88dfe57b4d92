// Who this machine is to the hub and its peers: a random id created once per data dir (kept in
// <data-dir>/machine-id, so a renamed host stays the same machine) and a display name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface MachineIdentity {
  id: string;
  name: string;
}

const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function machineIdentity(dataDir: string, configuredName?: string | null): MachineIdentity {
  const file = path.join(dataDir, 'machine-id');
  let id: string | null = null;
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    if (ID_PATTERN.test(text)) id = text;
  } catch {
    // First start: created below.
  }
  if (!id) {
    // Web Crypto's global: loads crypto only the one time an id is created, not on every start.
    id = globalThis.crypto.randomUUID();
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${id}\n`);
    fs.renameSync(temporary, file);
  }
  return { id, name: configuredName?.trim() || os.hostname() };
}
