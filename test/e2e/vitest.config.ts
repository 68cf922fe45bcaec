// The e2e suite: real kernels in QEMU. One QEMU at a time (2 shared cores), files in sequence.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    // beforeAll builds the image and disks (first run: downloads, ~2 min; warm: seconds).
    hookTimeout: 900_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    sequence: { concurrent: false },
  },
});
