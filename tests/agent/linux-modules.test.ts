// The Linux agent stays as small as before the Windows and macOS readers: it never loads koffi,
// systeminformation or another OS's reader files. Checked on what a real agent process resolves
// while it samples (tests/helpers/module-hooks.mjs records every module it loads).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvLines, finished, startVigil, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const MODULE_HOOKS = path.resolve('tests/helpers/module-hooks.mjs');

describe.skipIf(process.platform !== 'linux')('the Linux agent', () => {
  it('loads neither koffi nor systeminformation nor any Windows or macOS reader while it samples', async () => {
    const dataDir = tempDir();
    const moduleLog = path.join(tempDir(), 'modules.log');
    const agent = startVigil(['agent', '--data-dir', dataDir, '--interval', '1'], { NODE_OPTIONS: `--import ${MODULE_HOOKS}`, VIGIL_MODULE_LOG: moduleLog });
    try {
      await waitFor(() => csvLines(dataDir).reduce((n, file) => n + file.rows.length, 0) >= 2, 'two CSV rows', 30_000);
    } finally {
      agent.kill('SIGTERM');
    }
    const result = await finished(agent);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('sources":"linux /proc"');
    const loaded = fs.readFileSync(moduleLog, 'utf8').trim().split('\n');
    // What it does load: its own sampler and the Linux readers, and SQLite.
    for (const needed of [/\/dist\/core\/sampler\.js$/, /\/dist\/core\/metrics\/network\.js$/, /\/node_modules\/better-sqlite3\//]) {
      expect(loaded).toContainEqual(expect.stringMatching(needed));
    }
    const foreign = loaded.filter((url) => /\/node_modules\/(koffi|@koromix|systeminformation)\/|\/dist\/core\/metrics\/[a-z]+-(win32|darwin)\.js$/.test(url));
    expect(foreign).toEqual([]);
  });
});
