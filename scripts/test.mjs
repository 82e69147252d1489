#!/usr/bin/env node
// `npm test`: the whole suite once, then the time-zone-sensitive files (`*.tz.test.ts`) again
// under other host zones, so that the host's TZ can never leak into a deadline or a calendar day.
import { spawnSync } from 'node:child_process';

const vitest = ['node_modules/vitest/vitest.mjs', 'run'];
const extra = process.argv.slice(2);

function run(args, env = {}) {
  const r = spawnSync(process.execPath, [...vitest, ...args], { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

let status = run(extra);
if (status === 0 && extra.length === 0) {
  for (const tz of ['UTC', 'America/New_York']) {
    console.log(`\n— time-zone tests again with TZ=${tz} —`);
    status = run(['--passWithNoTests', 'tz.test'], { TZ: tz });
    if (status !== 0) break;
  }
}
process.exit(status);
