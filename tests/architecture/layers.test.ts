// The layer rules are enforced by lint; this proves the rules fire (a rule that never fires is
// worth nothing) and that the real tree obeys them.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImportMessages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    ['src/core/x.ts', "import { app } from 'electron';"],
    ['src/agent/x.ts', "import { app } from 'electron';"],
    ['src/hub/x.ts', "import { app } from 'electron';"],
    ['src/shared/x.ts', "import { app } from 'electron';"],
    ['src/core/x.ts', "export const load = () => import('electron');"],
    ['src/hub/x.ts', "const { app } = require('electron'); app.quit();"],
    ['src/agent/x.ts', "export const load = () => import('electron/main');"],
    ['src/shared/x.ts', "import fs from 'node:fs';"],
    ['src/shared/x.ts', "import { Engine } from '../core/engine.js';"],
    ['src/core/x.ts', "import { main } from '../agent/cli.js';"],
    ['src/core/x.ts', "import { x } from '../main/tray.js';"],
    ['src/renderer/x.ts', "import { Engine } from '../core/engine.js';"],
    ['src/renderer/x.ts', "import fs from 'node:fs';"],
    ['src/preload/x.ts', "import { Engine } from '../core/engine.js';"],
    ['src/main/x.ts', "import { runAgent } from '../agent/commands/agent.js';"],
    ['src/main/x.ts', "import { createBridge } from '../preload/bridge.js';"],
  ])('%s refuses %s', async (file, code) => {
    expect(await restrictedImportMessages(file, `${code}\nexport {};\n`)).not.toEqual([]);
  });

  it.each([
    ['src/core/x.ts', "import { parseDay } from '../shared/dates.js';"],
    ['src/agent/x.ts', "import { Engine } from '../core/engine.js';"],
    ['src/renderer/x.ts', "import { parseDay } from '../shared/dates.js';"],
    ['src/main/x.ts', "import { app } from 'electron';"],
    ['src/core/x.ts', "export const load = () => import('electron-store-like');"],
    ['src/main/x.ts', "import { Runtime } from '../core/runtime.js';"],
    ['src/preload/x.ts', "import { contextBridge } from 'electron';"],
  ])('%s allows %s', async (file, code) => {
    expect(await restrictedImportMessages(file, `${code}\nexport {};\n`)).toEqual([]);
  });

  it('the source tree obeys them', async () => {
    const results = await eslint.lintFiles(['src']);
    const violations = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => `${r.filePath}:${m.line} ${m.message}`));
    expect(violations).toEqual([]);
  });
});
