import { defineConfig } from 'vitest/config';

// Tests talk to real servers started by `npm run stack -- up`; they are slower than unit tests and
// share those servers, so files run in parallel but each gets generous time. Most of a file's time is
// spent waiting on those servers (runs, pods, timeouts), so three files at a time even on 2 cores (measured: CPU stays below saturation); vitest's
// default there would be one.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 3,
    reporters: ['default'],
  },
});
