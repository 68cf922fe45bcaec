// The fuzz suite (test/fuzz/fuzz.test.ts): its own run in .ci/run, after the unit tests, so it has
// both cores; each target runs in worker threads of its own.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/fuzz/**/*.test.ts'],
    testTimeout: 600_000,
    pool: 'forks',
    maxConcurrency: 2,
  },
});
