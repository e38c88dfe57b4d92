import { defineConfig } from 'vitest/config';
import { scaledTimeout } from './tests/helpers/load.js';
import { TIMING_SENSITIVE } from './vitest.config.js';

// The timing-sensitive tests, one file at a time (see vitest.config.ts).
export default defineConfig({
  test: {
    include: TIMING_SENSITIVE,
    globalSetup: ['tests/global-setup.ts'],
    setupFiles: ['tests/setup/kill-children.ts'],
    pool: 'forks',
    fileParallelism: false,
    // Scaled by the load when the run starts (tests/helpers/load.ts).
    testTimeout: scaledTimeout(60_000),
    hookTimeout: scaledTimeout(30_000),
  },
});
