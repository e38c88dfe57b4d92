// Child process for robustness.test.ts: appends batches of samples to a store forever, printing
// "committed <n> <last ts>" after each commit, until it is killed (SIGKILL, mid-batch).
//   node --import tsx tests/core/storage/crash-writer.ts FILE BATCH_SIZE
import { openSampleStore } from '../../../src/core/storage/sample-store.js';
import { randomSamples } from '../../helpers/random.js';

const [file, size] = process.argv.slice(2);
const batch = Number(size);
const store = openSampleStore(file!);
let next = (store.lastTimestamp() ?? Date.UTC(2026, 10, 22) - 1000) + 1000;
for (let n = 0; ; n++) {
  const samples = randomSamples(next, batch, 1000, n + next);
  store.insertSamples(samples);
  next += batch * 1000;
  process.stdout.write(`committed ${n} ${next - 1000}\n`);
}
