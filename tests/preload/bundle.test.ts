// The preload as Electron runs it in a sandboxed renderer: one script, evaluated with a
// polyfilled require() that knows 'electron' (and a few Node built-ins), without `module` or
// `exports`. A bundle that needs anything else fails to load there, and the page gets no bridge.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { buildPreload } from '../../scripts/build-electron.js';
import { BRIDGE_KEY } from '../../src/shared/app-ipc.js';
import { tempDir } from '../helpers/tmp.js';

describe('preload bundle', () => {
  it('is one script that requires only electron, and exposes the bridge under window.vigil', async () => {
    const file = await buildPreload(path.join(tempDir(), 'preload.cjs'));
    const source = fs.readFileSync(file, 'utf8');
    const required = [...source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(source).not.toMatch(/\bimport\s*\(|\bimport\s+[\w{*]|\bexport\s/);

    const exposed: Record<string, unknown> = {};
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
      ipcRenderer: { invoke: async () => ({ value: null }), on: () => undefined, removeListener: () => undefined },
    };
    // Evaluated like the sandbox does: no module, no exports, require('electron') only.
    vm.runInNewContext(source, {
      require: (name: string) => {
        if (name === 'electron') return electron;
        throw new Error(`module not found: ${name}`);
      },
    });
    expect(Object.keys(exposed)).toEqual([BRIDGE_KEY]);
    expect(Object.keys((exposed[BRIDGE_KEY] as { api: object }).api).sort()).toEqual(['cancelExport', 'day', 'days', 'exportCsv', 'host', 'latest', 'range', 'recent', 'series', 'top', 'traffic']);
  });
});
