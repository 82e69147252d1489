#!/usr/bin/env node
// `npm test`: builds first when dist/ is missing or older than src/ (the cloud-function examples and
// the Node 16/18 runtime checks load the CommonJS build), then runs the whole suite once. The
// time-zone-sensitive files (`*.tz.test.ts`) run in the same run under TZ=UTC and
// TZ=America/New_York (projects in vitest.config.ts), so the host's TZ can never leak into a
// deadline or a calendar day.
//
// Offline: nothing here downloads. Suites that need a real PostgreSQL, or the Node 16/18 runtimes
// (from .cache/runtimes or the npm cache; `node scripts/fetch-runtimes.mjs` fetches them once), are
// skipped without them and listed at the end; CI requires them (REQUIRE_PG=1, REQUIRE_RUNTIMES=1,
// REQUIRE_REDIS=1 for the Redis inventory's suites).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { buildIfStale } from './build-if-stale.mjs';

const extra = process.argv.slice(2);

// Suites append their names to these files when they skip (test/support/pg.ts, runtimes.ts).
// One file per run, so that test runs going on at the same time never mix their lists.
const SKIPS = {
  pg: { env: 'ORDERKIT_PG_SKIPS', file: `.cache/pg-skipped-${process.pid}.txt`, title: 'needing a real PostgreSQL were SKIPPED (set DATABASE_URL; CI sets REQUIRE_PG=1)' },
  runtimes: { env: 'ORDERKIT_RUNTIME_SKIPS', file: `.cache/runtime-skipped-${process.pid}.txt`, title: 'needing the Node 16/18 runtimes or cached packages were SKIPPED (run `node scripts/fetch-runtimes.mjs` once online; CI sets REQUIRE_RUNTIMES=1)' },
  redis: { env: 'ORDERKIT_REDIS_SKIPS', file: `.cache/redis-skipped-${process.pid}.txt`, title: 'needing a real Redis were SKIPPED (start redis-server on 127.0.0.1:6379 or set REDIS_URL; CI sets REQUIRE_REDIS=1)' },
};
mkdirSync('.cache', { recursive: true });
for (const s of Object.values(SKIPS)) {
  process.env[s.env] = s.file;
  rmSync(s.file, { force: true });
}

let status = buildIfStale();
if (status === 0) {
  const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...extra], { stdio: 'inherit', env: process.env });
  status = r.status ?? 1;
}
for (const s of Object.values(SKIPS)) {
  if (!existsSync(s.file)) continue;
  const names = [...new Set(readFileSync(s.file, 'utf8').split('\n').filter(Boolean))];
  console.log(`\n— ${names.length} suite(s) ${s.title} —`);
  for (const name of names) console.log(`  - ${name}`);
  rmSync(s.file, { force: true });
}
process.exit(status);
