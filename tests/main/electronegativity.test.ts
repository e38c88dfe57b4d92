// Electronegativity over the app's sources in every `npm test` (see scripts/electronegativity.ts
// for what fails the scan and why one network-only check is left out).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blocking, electronVersion, scan, stageAppSources } from '../../scripts/electronegativity.js';
import { tempDir } from '../helpers/tmp.js';

describe('electronegativity', () => {
  const staged = stageAppSources();
  afterAll(() => fs.rmSync(staged, { recursive: true, force: true }));

  // CPU-bound (it parses every file): on a loaded 2-core machine it takes more than the default.
  it('finds nothing blocking in src/main, src/preload and src/renderer, and parses every file', { timeout: 120_000 }, async () => {
    const { findings, errors } = await scan(staged, electronVersion());
    expect(errors).toEqual([]);
    expect(blocking(findings)).toEqual([]);
    // It did look at the window the app creates (the flags it checks are at that call).
    expect(fs.readFileSync(path.join(staged, 'src/main/windows/windows.ts'), 'utf8')).toMatch(/new BrowserWindow\(\{/);
  });

  it('would catch a weakened window, and the hardening it sees in the app (the scan is not blind to our code)', async () => {
    const dir = tempDir('vigil-electronegativity-canary-');
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'canary', devDependencies: { electron: electronVersion() } }));
    const windows = fs.readFileSync(path.join(staged, 'src/main/windows/windows.ts'), 'utf8');
    const weakened = windows.replace('contextIsolation: true,', 'contextIsolation: false,').replace('sandbox: true,', 'sandbox: false,');
    expect(weakened).not.toBe(windows);
    fs.writeFileSync(path.join(dir, 'windows.ts'), weakened);
    const { findings } = await scan(dir, electronVersion());
    expect(blocking(findings).map((f) => `${f.id} ${f.severity}`).sort()).toEqual([
      'CONTEXT_ISOLATION_JS_CHECK HIGH',
      // Alone, the window file lacks what the rest of src/main and src/renderer provide (the
      // CSP, the navigation limits, the permission handler): the scan of the app sees those.
      'CSP_GLOBAL_CHECK MEDIUM',
      'LIMIT_NAVIGATION_GLOBAL_CHECK HIGH',
      'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK MEDIUM',
      'SANDBOX_JS_CHECK MEDIUM',
    ]);
  });
});
