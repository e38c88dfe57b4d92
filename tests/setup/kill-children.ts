// Setup file of every vitest run (vitest.config.ts, vitest.timing.config.ts): no process a test
// file started outlives the file. A test's own afterEach/afterAll stops its processes cleanly;
// this catches what a failure or a timeout left behind (once, an agent went on sampling into a
// deleted folder for 18 minutes), and says so, so the leak gets fixed where it is.
import { afterAll } from 'vitest';
import { killAllChildren, killAllChildrenNow } from '../helpers/children.js';

afterAll(async () => {
  const killed = await killAllChildren();
  if (killed.length > 0) process.stderr.write(`[kill-children] killed ${killed.length} process(es) left running by this file: ${killed.join(' | ')}\n`);
});

process.once('exit', killAllChildrenNow);
