import { defineConfig } from 'vitest/config';

const include = ['test/**/*.test.ts', 'examples/**/*.test.{ts,js}'];
const exclude = ['**/node_modules/**', '**/dist/**', '**/.tmp/**', '**/.cache/**', 'test/load/**'];
/** Files whose results must not depend on the host's time zone: they run under two other zones. */
const TZ_FILES = ['test/**/*.tz.test.ts'];
/**
 * Long runs `npm run test:load` makes instead (CI too), so that `npm test` keeps within its 4
 * minutes on a 2-core machine: the Chromium walks of the console and the /insights dashboard;
 * every stored fixture of every schema version through every read path of every store; the
 * slowest SQL analytics parity suites, each a seeded shop compared between memory and SQL; the
 * full access matrix of the Express example; group commit's suite, the upgrade of migration 003
 * and the 16-worker hot-order race on the real servers. `npm test` still
 * checks each area (test/storage/stored-orders.test.ts, test/analytics/insights-sql.test.ts,
 * test/express/auth.test.ts, test/storage/pglite.contract.test.ts and the others).
 */
export const LONG_FILES = [
  'test/express/console.browser.test.ts',
  'test/express/insights.browser.test.ts',
  'test/express/insights-source.test.ts',
  'test/storage/stored-orders-paths.test.ts',
  'test/express/authz-matrix.test.ts',
  'test/storage/group-commit.test.ts',
  'test/storage/outbox-lease-upgrade.test.ts',
  'test/race/hot-order.race.test.ts',
  'test/analytics/summarize-sql.test.ts',
  'test/analytics/rollups.test.ts',
  'test/analytics/drill-new-customers-sql.test.ts',
  'test/analytics/customer-chains.test.ts',
  'test/analytics/lifecycle-parity.test.ts',
  'test/analytics/anonymized-customers.test.ts',
];

/**
 * One vitest run for `npm test`: the time-zone files run in two projects of their own, under
 * TZ=UTC and TZ=America/New_York (test/support/tz-setup.ts checks the zone really took), instead
 * of two more vitest processes after the main run. Two workers: vitest's default on two cores is
 * one, which leaves a core idle while the PostgreSQL suites wait on the server.
 *
 * The main project runs without isolation: a worker imports the library once for all the files it
 * runs, instead of once per file (importing was about 150 s of the run's CPU on these 2 cores, 55 s
 * without isolation). Test files therefore share module state: none may patch a module or a global
 * without putting it back (vi.mock is not used here).
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'main', include, exclude: [...exclude, ...TZ_FILES, ...LONG_FILES], isolate: false } },
      ...['UTC', 'America/New_York'].map((tz) => ({
        extends: true as const,
        test: { name: `TZ=${tz}`, include: TZ_FILES, exclude, env: { TZ: tz }, setupFiles: ['test/support/tz-setup.ts'] },
      })),
    ],
  },
});
