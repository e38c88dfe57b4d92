// The built main entry (dist/main/index.js, compiled by tsc as `npm start` and the installers
// ship it) starts the app: run in Node against the fake Electron (entry.script.ts), so a broken
// import, path or module format in the build shows here rather than on a user's machine.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { ensureBuiltApp } from './helpers/built-app.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the built main entry', () => {
  beforeAll(() => ensureBuiltApp(), 240_000);

  it('starts the app: userData, tray, menu, a sandboxed window with the bundled preload, every IPC channel; quits cleanly', () => {
    const dataDir = tempDir('vigil-entry-');
    const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'tests/main/entry.script.ts'), root, dataDir], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, VIGIL_DATA_DIR: dataDir, XDG_CONFIG_HOME: path.join(dataDir, 'xdg'), VIGIL_E2E_HOOK: '1' },
      timeout: 60_000,
    });
    const report = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
    // Before 'ready' (during the entry's evaluation): userData set, app:// registered.
    expect(report.beforeReady).toEqual({ privileged: 1, lockAsked: true });
    expect(report.userData).toBe(dataDir);
    expect(report.trayIcon).toBe(path.join(root, 'assets/tray/tray.png'));
    expect(report.menu).toContain('Open daily chart');
    expect(report.window).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, preload: path.join(root, 'dist/preload/preload.cjs') });
    expect(fs.existsSync((report.window as { preload: string }).preload)).toBe(true);
    expect(report.loaded).toEqual(['app://vigil/index.html']);
    expect(report.handlers).toEqual(expect.arrayContaining(['vigil:api:day', 'vigil:api:exportCsv', 'vigil:app:updateSettings']));
    expect(report.quitted).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'agent.lock'))).toBe(false);
  }, 90_000);
});
