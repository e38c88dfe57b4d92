// Development runs only (`npm start`, i.e. `electron .`): makes better-sqlite3 load the copy built
// for Electron's ABI by scripts/electron-native.ts (.electron-native/electron-<v>-<os>-<cpu>/),
// because node_modules/better-sqlite3 is built for the system Node, which the CLI and the tests
// use from the same checkout. better-sqlite3 finds its addon with require('bindings')(name) the
// first time a database opens; that one require is answered with the Electron build instead.
// A packaged app never calls this: electron-builder rebuilt its own copy for Electron.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

type ModuleLoad = (request: string, parent: { filename?: string | null } | null | undefined, isMain: boolean) => unknown;

export function electronAddonPath(appRoot: string, versions: { electron?: string }, platform: NodeJS.Platform = process.platform, arch: string = process.arch): string | null {
  if (!versions.electron) return null;
  return path.join(appRoot, '.electron-native', `electron-${versions.electron}-${platform}-${arch}`, 'better_sqlite3.node');
}

/** Redirects better-sqlite3's addon to `addon`; returns a function that undoes it. */
export function redirectSqliteAddon(addon: string): () => void {
  if (!fs.existsSync(addon)) throw new Error(`No better-sqlite3 build for Electron at ${addon}: run \`npx tsx scripts/electron-native.ts\` (npm start does)`);
  const require = createRequire(import.meta.url);
  const Module = require('node:module') as { _load: ModuleLoad };
  const original = Module._load;
  const sqliteDir = `${path.sep}better-sqlite3${path.sep}`;
  Module._load = function load(this: unknown, request, parent, isMain) {
    if (request === 'bindings' && parent?.filename?.includes(sqliteDir)) return () => require(addon);
    return original.call(this, request, parent, isMain);
  };
  return () => {
    Module._load = original;
  };
}
