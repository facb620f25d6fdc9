import { defineConfig } from 'vitest/config';

// Unit tests are pure and run in parallel. Integration and end-to-end tests talk to the real
// PostgreSQL and Redis (each file makes its own database and queue names), so files run one
// at a time to stay inside this 2-core machine.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000, // generous: a busy 2-core machine slows the end-to-end files; a hang still fails
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
