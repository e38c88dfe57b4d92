#!/usr/bin/env node
// Launcher for the `vigil` command (compiled TypeScript lives in dist/; `npm run build` makes it).
//
// The long-running agent runs with AGENT_V8_FLAGS (src/core/service/spec.ts): no optimizing
// compilers (TurboFan, Maglev, Sparkplug), which a sampler doing microseconds of work per second
// never benefits from, and a 1 MB young generation that stops V8 from holding on to memory
// between ticks (docs/performance.md). The services and `npm run agent` pass them to node
// themselves; `vigil agent` typed by hand gets them here, by replacing this process with one
// that has them (process.execve: same pid, no second process). Every other command (export,
// chart, hub, status…) does a burst of work and exits, and runs with V8's compilers: with the
// agent's flags `vigil export` of a day used ~3× the CPU (bench/csv.ts). Where process.execve
// does not exist (Windows), a hand-started agent runs without the flags.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/agent/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('vigil: not built yet; run `npm run build` first\n');
  process.exit(70);
}
if (process.argv[2] === 'agent' && typeof process.execve === 'function') {
  const { AGENT_V8_FLAGS } = await import(new URL('../dist/core/service/spec.js', import.meta.url).href);
  const has = (flag) => process.execArgv.some((given) => given.split('=')[0] === flag.split('=')[0]);
  if (!AGENT_V8_FLAGS.every(has)) {
    process.execve(process.execPath, [process.execPath, ...process.execArgv, ...AGENT_V8_FLAGS.filter((flag) => !has(flag)), ...process.argv.slice(1)], process.env);
  }
}
await import(entry.href);
