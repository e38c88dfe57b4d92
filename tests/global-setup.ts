// Builds dist/ once before the suite, so the CLI tests run the shipped `bin/vigil.js` on the
// current sources rather than on whatever was built last. Type errors do not stop the build (tsc
// still emits JavaScript) and do not fail here: `npm run typecheck`, which `npm test` runs first,
// is where they fail. Any other build failure does.
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
  if (build.status === 0) return;
  const output = `${build.stdout}${build.stderr}`;
  const onlyTypeErrors = build.status === 2 && /error TS\d+/.test(output);
  if (!onlyTypeErrors) throw new Error(`build failed (exit ${build.status}):\n${output}`);
  process.stderr.write(`global setup: dist/ built with type errors (npm run typecheck reports them):\n${output.split('\n').slice(0, 10).join('\n')}\n`);
}
