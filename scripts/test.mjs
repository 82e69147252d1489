#!/usr/bin/env node
// `npm test`: builds first when dist/ is missing or older than src/ (the cloud-function examples and
// the Node 16/18 runtime checks load the CommonJS build), runs the whole suite once, then the
// time-zone-sensitive files (`*.tz.test.ts`) again under other host zones, so that the host's TZ
// can never leak into a deadline or a calendar day.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function buildIfStale() {
  const stale = !existsSync('dist/index.cjs') || statSync('dist/index.cjs').mtimeMs < newestMtime('src');
  if (!stale) return 0;
  console.log('— dist/ is missing or older than src/: building first (npm run build) —');
  return spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1;
}

const vitest = ['node_modules/vitest/vitest.mjs', 'run'];
const extra = process.argv.slice(2);

function run(args, env = {}) {
  const r = spawnSync(process.execPath, [...vitest, ...args], { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

// Suites that need a real PostgreSQL append their names here when DATABASE_URL is unset
// (test/support/pg.ts); the list is printed at the very end so that a skip is never silent.
// One file per run, so that test runs going on at the same time never mix their lists.
const PG_SKIPS = `.cache/pg-skipped-${process.pid}.txt`;
process.env.ORDERKIT_PG_SKIPS = PG_SKIPS;
rmSync(PG_SKIPS, { force: true });

let status = buildIfStale();
if (status === 0) status = run(extra);
if (status === 0 && extra.length === 0) {
  for (const tz of ['UTC', 'America/New_York']) {
    console.log(`\n— time-zone tests again with TZ=${tz} —`);
    status = run(['--passWithNoTests', 'tz.test'], { TZ: tz });
    if (status !== 0) break;
  }
}
if (existsSync(PG_SKIPS)) {
  const names = [...new Set(readFileSync(PG_SKIPS, 'utf8').split('\n').filter(Boolean))];
  console.log(`\n— ${names.length} suite(s) needing a real PostgreSQL were SKIPPED (set DATABASE_URL; CI sets REQUIRE_PG=1) —`);
  for (const name of names) console.log(`  - ${name}`);
  rmSync(PG_SKIPS, { force: true });
}
process.exit(status);
