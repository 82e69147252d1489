import { defineConfig } from 'vitest/config';

/**
 * `npm run test:load`: the heavy race tests under test/load (thousands of buyers, long runs on the
 * real servers), the two long browser walks (console, /insights) and the stored fixtures of every
 * version through every read path (test/storage/stored-orders-paths.test.ts). `npm test` leaves them out to
 * stay within its time budget; CI runs them after it (`.ci/run`), with the servers required.
 */
export default defineConfig({
  test: {
    include: ['test/load/**/*.load.test.ts', 'test/express/console.browser.test.ts', 'test/express/insights.browser.test.ts', 'test/storage/stored-orders-paths.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.tmp/**', '**/.cache/**'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
    passWithNoTests: true,
  },
});
