#!/usr/bin/env -S node --lite-mode --no-expose-wasm --max-semi-space-size=1
// Launcher for the `vigil` command (compiled TypeScript lives in dist/; `npm run build` makes it).
// The V8 flags keep the long-running agent small: lite mode skips the optimizing compilers that
// a sampler doing microseconds of work per second never benefits from, and a 1 MB young
// generation stops V8 from holding on to memory between ticks. See README, "Overhead".
import { existsSync } from 'node:fs';

const entry = new URL('../dist/agent/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('vigil: not built yet; run `npm run build` first\n');
  process.exit(70);
}
await import(entry.href);
