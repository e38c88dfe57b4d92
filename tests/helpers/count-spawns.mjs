// Preloaded into a real `vigil` process (NODE_OPTIONS=--import <this file>) by tests that check it
// spawns no process: every child process it starts is appended to the file named by
// $VIGIL_SPAWN_LOG, one line each (time, API, command). It patches node:child_process before
// anything else loads, the CommonJS exports (what systeminformation's require() gets) and the ES
// module's named exports alike; every API ends in ChildProcess.prototype.spawn or spawnSync.
import fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';

const log = process.env.VIGIL_SPAWN_LOG;
const childProcess = createRequire(import.meta.url)('node:child_process');

function record(api, command) {
  if (log) fs.appendFileSync(log, `${new Date().toISOString()} ${api} ${String(command)}\n`);
}

const prototype = childProcess.ChildProcess.prototype;
const spawn = prototype.spawn;
prototype.spawn = function (options) {
  record('spawn', options?.file ?? options?.args?.join(' '));
  return spawn.call(this, options);
};
for (const api of ['spawnSync', 'execSync', 'execFileSync']) {
  const original = childProcess[api];
  childProcess[api] = function (command, ...rest) {
    record(api, command);
    return original.call(this, command, ...rest);
  };
}
syncBuiltinESMExports();
