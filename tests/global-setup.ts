// Builds dist/ once before the suite, so the CLI tests run the shipped `bin/vigil.js` on the
// current sources rather than on whatever was built last.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
