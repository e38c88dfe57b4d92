// `npm start` loads better-sqlite3's addon from .electron-native/ (built for Electron) instead of
// node_modules (built for the system Node). Checked in a child process (the redirect is global),
// with a copy of the Node build standing in for the Electron one.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronAddonPath, redirectSqliteAddon } from '../../src/main/dev-native.js';
import { tempDir } from '../helpers/tmp.js';

const require = createRequire(import.meta.url);

describe('development: better-sqlite3 for Electron', () => {
  it('the Electron build is looked up per Electron version, OS and CPU; none outside Electron', () => {
    expect(electronAddonPath('/repo', { electron: '41.7.1' }, 'linux', 'x64')).toBe(path.join('/repo', '.electron-native', 'electron-41.7.1-linux-x64', 'better_sqlite3.node'));
    expect(electronAddonPath('/repo', {})).toBeNull();
    expect(() => redirectSqliteAddon('/nowhere/better_sqlite3.node')).toThrow(/scripts\/electron-native\.ts/);
  });

  it('a database opened after the redirect uses the redirected addon', () => {
    const original = path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
    const copy = path.join(tempDir(), 'electron-build', 'better_sqlite3.node');
    fs.mkdirSync(path.dirname(copy));
    fs.copyFileSync(original, copy);
    const script = `
      import { redirectSqliteAddon } from ${JSON.stringify(path.resolve('src/main/dev-native.ts'))};
      import { createRequire } from 'node:module';
      redirectSqliteAddon(${JSON.stringify(copy)});
      const require = createRequire(import.meta.url);
      const Database = require('better-sqlite3');
      const db = new Database(':memory:');
      db.exec('create table t (x)');
      const loaded = Object.keys(require.cache).filter((key) => key.endsWith('.node'));
      console.log(JSON.stringify(loaded));
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: path.resolve('.') });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual([copy]);
  });
});
