import { defineConfig } from 'vitest/config';
import { LONG_FILES } from './vitest.config.js';

/**
 * `npm run test:load`: the heavy race tests under test/load (thousands of buyers, long runs on the
 * real servers) and the long files `npm test` leaves out to stay within its time budget
 * (LONG_FILES in vitest.config.ts); CI runs them after it (`.ci/run`), with the servers required.
 */
export default defineConfig({
  test: {
    include: ['test/load/**/*.load.test.ts', ...LONG_FILES],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.tmp/**', '**/.cache/**'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
    passWithNoTests: true,
  },
});
