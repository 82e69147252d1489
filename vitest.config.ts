import { defineConfig } from 'vitest/config';

const include = ['test/**/*.test.ts', 'examples/**/*.test.{ts,js}'];
const exclude = ['**/node_modules/**', '**/dist/**', '**/.tmp/**', '**/.cache/**', 'test/load/**'];
/** Files whose results must not depend on the host's time zone: they run under two other zones. */
const TZ_FILES = ['test/**/*.tz.test.ts'];

/**
 * One vitest run for `npm test`: the time-zone files run in two projects of their own, under
 * TZ=UTC and TZ=America/New_York (test/support/tz-setup.ts checks the zone really took), instead
 * of two more vitest processes after the main run. Two workers: vitest's default on two cores is
 * one, which leaves a core idle while the PostgreSQL suites wait on the server.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'main', include, exclude: [...exclude, ...TZ_FILES] } },
      ...['UTC', 'America/New_York'].map((tz) => ({
        extends: true as const,
        test: { name: `TZ=${tz}`, include: TZ_FILES, exclude, env: { TZ: tz }, setupFiles: ['test/support/tz-setup.ts'] },
      })),
    ],
  },
});
