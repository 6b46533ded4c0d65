import { defineConfig } from 'vitest/config';

// Tests talk to real servers started by `npm run stack -- up`; they are slower than unit tests and
// share those servers, so files run in parallel but each gets generous time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
