// Child process of entry.test.ts: runs the BUILT main entry (dist/main/index.js, as Electron
// would load it) in plain Node, with 'electron' resolved to the recording fake. Prints what the
// app did as one JSON line, then quits it the way the tray's Quit does.
import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createFakeElectron } from './helpers/fake-electron.js';

const [root, dataDir] = process.argv.slice(2) as [string, string];
const fake = createFakeElectron({ platform: 'linux', appPath: root });
// A packaged app: better-sqlite3 as installed (no development redirect).
fake.world.app.isPackaged = true;
fake.world.app.setPath('downloads', dataDir);
(globalThis as { __vigilElectronStub?: unknown }).__vigilElectronStub = { ...fake.api, ipcMain: { ...fake.api.ipcMain, on: () => undefined } };
const stub = pathToFileURL(path.join(root, 'tests/main/helpers/electron-module-stub.mjs')).href;
const hook = `export async function resolve(specifier, context, next) { return specifier === 'electron' ? { url: ${JSON.stringify(stub)}, shortCircuit: true } : next(specifier, context); }`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

// As in Electron: 'ready' comes only once the entry module has finished evaluating (an entry that
// awaited 'ready' at its top level would never get it: this import would not resolve).
const before = { privileged: 0, lockAsked: false };
await import(pathToFileURL(path.join(root, 'dist/main/index.js')).href);
before.privileged = fake.world.privilegedSchemes.length;
before.lockAsked = fake.world.app.paths.has('userData');
fake.world.app.makeReady();
type Handle = { stopped: Promise<void>; windows: { open(page: string): unknown } };
const deadline = Date.now() + 20_000;
while (!(globalThis as { __vigilApp?: Handle }).__vigilApp && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
const app = (globalThis as { __vigilApp?: Handle }).__vigilApp;
if (!app) throw new Error(`the entry did not start the app: ${JSON.stringify(fake.world.errorBoxes)}`);
app.windows.open('chart');
const report = {
  beforeReady: before,
  userData: fake.world.app.paths.get('userData'),
  trayIcon: fake.world.trays[0]?.image.path,
  menu: fake.world.trays[0]?.menu?.labels(),
  window: fake.world.windows[0]?.options.webPreferences,
  loaded: fake.world.windows[0]?.loads,
  handlers: [...fake.world.handlers.keys()].sort(),
};
fake.world.app.quit();
await app.stopped;
process.stdout.write(`${JSON.stringify({ ...report, quitted: fake.world.app.quitted })}\n`);
