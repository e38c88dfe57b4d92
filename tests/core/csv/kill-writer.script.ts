// Run by kill.test.ts, which kills it with SIGKILL at a random moment:
//   node --import tsx tests/core/csv/kill-writer.script.ts <telemetry-dir> <start-ts>
// Appends a sample every 100 ms of simulated time, as fast as it can, forever; every 3000 rows a
// new interface appears, so the day file is rewritten (widened) again and again, bigger each time.
import { DailyCsvWriter } from '../../../src/core/csv/daily-writer.js';
import { makeSample, type IfaceSpec } from './helpers.js';

const [dir, startText] = process.argv.slice(2);
const start = Number(startText);
const writer = new DailyCsvWriter({ dir: dir! });
const ifaces: IfaceSpec[] = [{ name: 'eth0', rx: 0, tx: 0 }];
for (let i = 0; ; i++) {
  if (i > 0 && i % 3000 === 0) ifaces.push({ name: `if${i / 3000}`, rx: 0, tx: 0 });
  writer.append(makeSample(start + i * 100, { i, ifaces: ifaces.map((f) => ({ ...f, rx: i * 8, tx: i * 16 })) }));
  if (i === 0) process.stdout.write('ready\n');
}
