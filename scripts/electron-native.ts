// better-sqlite3 for Electron's ABI, for `npm start` (a development run of the tray app).
//
// node_modules/better-sqlite3 is compiled for the system Node (the CLI, the agent, the tests), and
// a native module loads only in the runtime it was built for. Rebuilding it in place for Electron
// (`electron-builder install-app-deps`, the usual advice) would break every Node use of the same
// checkout. So this builds a second copy, for Electron, into .electron-native/, and the app loads
// that one in development (src/main/dev-native.ts). Packaged apps need none of this:
// electron-builder rebuilds the packaged copy for Electron (npmRebuild in electron-builder.yml).
//   npx tsx scripts/electron-native.ts        (part of `npm start`; needs internet the first time:
//                                              Electron's headers, or a prebuilt binary)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** Where the Electron build of the addon lives for this Electron version, OS and CPU. */
export function electronAddonPath(electronVersion: string, platform = process.platform, arch = process.arch): string {
  return path.join(root, '.electron-native', `electron-${electronVersion}-${platform}-${arch}`, 'better_sqlite3.node');
}

export async function ensureElectronAddon(): Promise<string> {
  const electronVersion = (require('electron/package.json') as { version: string }).version;
  const target = electronAddonPath(electronVersion);
  if (fs.existsSync(target)) return target;
  const sqliteDir = path.dirname(require.resolve('better-sqlite3/package.json'));
  const sqliteVersion = (require('better-sqlite3/package.json') as { version: string }).version;
  const work = path.join(root, '.electron-native', 'work');
  fs.rmSync(work, { recursive: true, force: true });
  const copy = path.join(work, 'node_modules', 'better-sqlite3');
  fs.cpSync(sqliteDir, copy, { recursive: true, filter: (source) => !source.startsWith(path.join(sqliteDir, 'build')) });
  fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'vigil-electron-native', private: true, dependencies: { 'better-sqlite3': sqliteVersion } }));
  // A nodedir in the npm config (set on machines without internet, for the system Node's
  // headers) would make node-gyp build against the wrong headers: Electron's are needed here.
  delete process.env.npm_config_nodedir;
  delete process.env.NPM_CONFIG_NODEDIR;
  const { rebuild } = await import('@electron/rebuild');
  process.stdout.write(`electron-native: building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion}…\n`);
  await rebuild({ buildPath: work, electronVersion, force: true, onlyModules: ['better-sqlite3'] });
  const built = path.join(copy, 'build', 'Release', 'better_sqlite3.node');
  if (!fs.existsSync(built)) throw new Error(`electron-native: the rebuild produced no ${built}`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(built, target);
  fs.rmSync(work, { recursive: true, force: true });
  return target;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = await ensureElectronAddon();
  process.stdout.write(`electron-native: ${path.relative(root, target)}\n`);
}
