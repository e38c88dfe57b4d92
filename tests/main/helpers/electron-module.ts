// Loads a library that imports 'electron' itself (electron-store) against a stand-in module, in
// plain Node: a module resolve hook maps 'electron' to electron-module-stub.mjs, which forwards
// to whatever object the test installs. No Electron binary is involved.
import { register } from 'node:module';
import type { ElectronStoreClass } from '../../../src/main/settings-store.js';

let hooked = false;

export async function loadElectronStore(electron: Record<string, unknown>): Promise<ElectronStoreClass> {
  (globalThis as { __vigilElectronStub?: unknown }).__vigilElectronStub = electron;
  if (!hooked) {
    const stub = new URL('./electron-module-stub.mjs', import.meta.url).href;
    const hook = `export async function resolve(specifier, context, next) { return specifier === 'electron' ? { url: ${JSON.stringify(stub)}, shortCircuit: true } : next(specifier, context); }`;
    register(`data:text/javascript,${encodeURIComponent(hook)}`);
    hooked = true;
  }
  return (await import('electron-store')).default;
}
