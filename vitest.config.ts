import { defineConfig } from 'vitest/config';
import { scaledTimeout } from './tests/helpers/load.js';

/**
 * Tests that measure real time or real CPU (ground-truth accuracy, "DOWN email within 5 s",
 * kill -9 at a moment, a stress-ng worker near the top): they run afterwards, one file at a time,
 * on an otherwise idle machine (vitest.timing.config.ts), so the parallel run cannot skew them.
 */
export const TIMING_SENSITIVE = [
  'tests/core/metrics/accuracy.test.ts',
  'tests/core/metrics/processes.test.ts',
  'tests/agent/peers.test.ts',
  'tests/core/csv/kill.test.ts',
  'tests/agent/sample-wine.test.ts',
];

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/renderer/**', 'tests/e2e/**', 'node_modules/**', ...TIMING_SENSITIVE],
    globalSetup: ['tests/global-setup.ts'],
    setupFiles: ['tests/setup/kill-children.ts'],
    pool: 'forks',
    // Most files wait on real seconds (agents sampling, servers answering), not on the CPU.
    maxWorkers: 4,
    // Scaled by the load when the run starts (tests/helpers/load.ts): 30 s idle, up to 120 s.
    testTimeout: scaledTimeout(30_000),
    hookTimeout: scaledTimeout(30_000),
  },
});
