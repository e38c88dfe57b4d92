// Every benchmark in one run (`npm run bench`); each prints its own figures.
import { spawnSync } from 'node:child_process';

const benches = [
  ['overhead.ts', '180', '3'],
  ['agent-memory.ts', '60'],
  ['sampler.ts'],
  ['storage.ts'],
  ['csv.ts'],
  ['top.ts'],
  ['influx.ts'],
  ['hub-ingest.ts'],
  ['hub-load.ts'],
  ['hub-fuzz.ts', '--count', '20000'],
  ['alert-latency.ts', '4'],
  ['alert-latency.ts', '--defaults', '3'],
  ['charts.ts'],
  ['soak.ts', '8'],
];
let failed = 0;
for (const [file, ...args] of benches) {
  console.log(`\n=== bench/${file} ${args.join(' ')}`.trimEnd());
  const run = spawnSync(process.execPath, ['--import', 'tsx', `bench/${file}`, ...args], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
