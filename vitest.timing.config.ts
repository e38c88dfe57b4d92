import { defineConfig } from 'vitest/config';
import { TIMING_SENSITIVE } from './vitest.config.js';

// The timing-sensitive tests, one file at a time (see vitest.config.ts).
export default defineConfig({
  test: {
    include: TIMING_SENSITIVE,
    globalSetup: ['tests/global-setup.ts'],
    setupFiles: ['tests/setup/kill-children.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
