#!/usr/bin/env -S node --no-opt --no-maglev --no-sparkplug --max-semi-space-size=1
// Launcher for the `vigil` command (compiled TypeScript lives in dist/; `npm run build` makes it).
// The V8 flags keep the long-running agent small: no optimizing compilers (TurboFan, Maglev,
// Sparkplug), which a sampler doing microseconds of work per second never benefits from, and a
// 1 MB young generation stops V8 from holding on to memory between ticks (docs/performance.md).
// Not --lite-mode: on Node 22 it also turns WebAssembly off, and then the first ES import of
// node:http (nodemailer's, for one) loads undici's WebAssembly parser and kills the process; not
// --no-expose-wasm either: Node 24 refuses it. These four flags mean the same on Node 22 and 24.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/agent/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('vigil: not built yet; run `npm run build` first\n');
  process.exit(70);
}
await import(entry.href);
