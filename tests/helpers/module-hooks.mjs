// Preloaded into a real `vigil` process (NODE_OPTIONS=--import <this file>) by tests that check
// what it loads: every module it resolves, ES import or require(), is appended to the file named
// by $VIGIL_MODULE_LOG, and the packages named in $VIGIL_REFUSE_MODULES (comma-separated) cannot
// be resolved at all, as if they were not installed.
import fs from 'node:fs';
import { registerHooks } from 'node:module';

const log = process.env.VIGIL_MODULE_LOG;
const refused = new Set((process.env.VIGIL_REFUSE_MODULES ?? '').split(',').filter(Boolean));

registerHooks({
  resolve(specifier, context, nextResolve) {
    const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
    if (refused.has(name)) {
      const error = new Error(`Cannot find package '${specifier}' (refused by tests/helpers/module-hooks.mjs)`);
      error.code = 'ERR_MODULE_NOT_FOUND';
      throw error;
    }
    const resolved = nextResolve(specifier, context);
    if (log) fs.appendFileSync(log, `${resolved.url}\n`);
    return resolved;
  },
});
