// Paths of the recorded and hand-made /proc + /sys fixture roots (tests/fixtures/proc/README.md).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OsApi } from '../../../src/core/metrics/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.resolve(here, '../../fixtures/proc');
export const VM = path.join(FIXTURES, 'debian12-vm');
export const VM_LATER = path.join(FIXTURES, 'debian12-vm+1s');
export const SERVER = path.join(FIXTURES, 'server-handmade');

export function fixtureText(root: string, file: string): string {
  return fs.readFileSync(path.join(root, file), 'utf8');
}

/** A copy of a fixture root in a temp dir (symlinks kept), for tests that change files. */
export function copyFixture(root: string): string {
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-proc-'));
  fs.cpSync(root, dest, { recursive: true, verbatimSymlinks: true });
  return dest;
}

type Interfaces = ReturnType<OsApi['networkInterfaces']>;

/** A fake os module describing a fixed machine. */
export function fakeOs(overrides: Partial<{ [K in keyof OsApi]: OsApi[K] }> & { interfaces?: Interfaces } = {}): OsApi {
  const interfaces = overrides.interfaces ?? {};
  return {
    cpus: () => [],
    totalmem: () => 0,
    freemem: () => 0,
    loadavg: () => [0, 0, 0],
    hostname: () => 'fixture-host',
    networkInterfaces: () => interfaces,
    userInfo: (() => ({ username: 'alice', uid: 1000, gid: 1000, shell: '/bin/bash', homedir: '/home/alice' })) as OsApi['userInfo'],
    arch: () => 'x64',
    release: () => 'os-release-from-node',
    uptime: () => 1000,
    ...overrides,
  };
}
