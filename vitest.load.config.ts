import { defineConfig } from 'vitest/config';

/** `npx vitest run --config vitest.load.config.ts`: the heavy suites of test/load (CI runs them; `npm test` does not). */
export default defineConfig({
  test: {
    include: ['test/load/**/*.load.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
