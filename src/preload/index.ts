// The preload of every app window. It runs sandboxed, with context isolation: the only thing it
// does is expose the bridge (bridge.ts) as `window.vigil`. Bundled into one CommonJS file
// (scripts/build-electron.mjs), because a sandboxed preload can require() nothing but 'electron'.
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_KEY } from '../shared/app-ipc.js';
import { createBridge } from './bridge.js';

contextBridge.exposeInMainWorld(BRIDGE_KEY, createBridge(ipcRenderer));
