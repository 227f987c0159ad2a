import { defineConfig } from 'vitest/config';

// Browser tests: each file starts the real `synerise-auth serve` on a free port with a fresh data
// directory and drives Debian's chromium through playwright-core. They run one file at a time so
// two chromium instances and two servers do not compete for the machine's two cores.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
