// Builds dist/ before the suite, so the CLI tests run the shipped `bin/vigil.js` on the current
// sources rather than on whatever was built last — skipped when dist/ is already newer than every
// source file (the second vitest run of `npm test`, a developer re-running one file).
// Type errors do not stop the build (tsc still emits JavaScript) and do not fail here:
// `npm run typecheck`, which `npm test` runs first, is where they fail. Any other failure does.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const BUILT_MARKER = 'dist/agent/main.js';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function upToDate(): boolean {
  try {
    const built = fs.statSync(BUILT_MARKER).mtimeMs;
    return built > Math.max(newestMtime('src'), fs.statSync('package.json').mtimeMs);
  } catch {
    return false;
  }
}

export default function setup(): void {
  if (upToDate()) return;
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
  if (build.status === 0) {
    // tsc leaves unchanged outputs alone: mark the build as current.
    const now = new Date();
    fs.utimesSync(BUILT_MARKER, now, now);
    return;
  }
  const output = `${build.stdout}${build.stderr}`;
  const onlyTypeErrors = build.status === 2 && /error TS\d+/.test(output);
  if (!onlyTypeErrors) throw new Error(`build failed (exit ${build.status}):\n${output}`);
  process.stderr.write(`global setup: dist/ built with type errors (npm run typecheck reports them):\n${output.split('\n').slice(0, 10).join('\n')}\n`);
}
