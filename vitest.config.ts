import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { cacheDir } from './scripts/stack/paths.js';

// Tests talk to real servers started by `npm run stack -- up`; they are slower than unit tests and
// share those servers, so files run in parallel but each gets generous time. Most of a file's time is
// spent waiting on those servers (runs, pods, timeouts), so three files at a time even on 2 cores (measured: CPU stays below saturation); vitest's
// default there would be one.
export default defineConfig({
  // Outside the checkout, so a fresh clone still knows how long each file took last time: vitest starts the
  // slowest files first, and a long file started last would otherwise stretch the run by its whole length.
  cacheDir: join(cacheDir, 'vitest'),
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
