import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteSkip, REQUIRE_RUNTIMES, requireRuntime, skipWithoutRuntimes } from '../support/runtimes.js';

/**
 * The cloud functions as they are deployed with 上传并部署：所有文件: `npm run functions:prepare`'s
 * own code (scripts/prepare-functions.mjs) packs this package and installs the tarball into a copy
 * of each function folder, from the npm cache only; then each function's `main` runs under the
 * real Node 16 with the wx-orderkit of its own node_modules, against the cloud database stand-in
 * (through a stub of wx-server-sdk: the real one talks to Tencent's servers).
 *
 * `npm test` runs this only when Node 16 and the package's dependencies are in the npm cache, and
 * otherwise skips it with a line saying why; `.ci/run` (REQUIRE_RUNTIMES=1) requires it.
 */
const root = resolve(__dirname, '../..');
const SUITE = 'test/cloud-deploy: the packed package in each cloud function under Node 16';
const skipRuntime = await skipWithoutRuntimes(SUITE, [16]);

interface Prepare {
  prepareFunctions(o: { out: string; sdk: string; offline: boolean; build: boolean; packDir: string }): { tarball: string; dirs: string[] };
  functionNames(): string[];
}

let work = '';
let prepared: { tarball: string; dirs: string[] } | null = null;
let notCached: string | null = null;

beforeAll(async () => {
  if (skipRuntime) return;
  for (const f of ['index.cjs', 'wechatpay.cjs', 'wx-cloud.cjs']) {
    if (!existsSync(join(root, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run build\` (npm test builds when dist is stale)`);
  }
  work = mkdtempSync(join(tmpdir(), 'wx-orderkit-functions-'));
  const prepare = (await import(pathToFileURL(join(root, 'scripts/prepare-functions.mjs')).href)) as Prepare;
  try {
    prepared = prepare.prepareFunctions({ out: join(work, 'cloudfunctions'), sdk: join(__dirname, 'wx-server-sdk-stub'), offline: true, build: false, packDir: join(work, 'pack') });
  } catch (error) {
    const text = `${error instanceof Error ? error.message : String(error)}`;
    // npm says ENOTCACHED when --offline meets a package the cache does not hold.
    if (!/ENOTCACHED|only-if-cached/.test(text) || REQUIRE_RUNTIMES) throw error;
    notCached = `the package's dependencies are not all in the npm cache (npm install --offline failed)`;
    noteSkip(SUITE, notCached);
  }
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(skipRuntime)('the cloud functions, prepared from the packed tarball', () => {
  it('every function folder gets wx-orderkit from the tarball, its package.json untouched', (ctx) => {
    if (notCached) ctx.skip(notCached);
    const names = readdirSync(join(root, 'examples/cloud-functions/cloudfunctions')).sort();
    expect(names).toEqual(['order', 'payCallback', 'sweeper']);
    expect(prepared!.tarball).toMatch(/wx-orderkit-\d+\.\d+\.\d+\.tgz$/);
    for (const name of names) {
      const dir = join(work, 'cloudfunctions', name);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      expect(pkg.dependencies['wx-orderkit']).toBe('^0.1.0');
      expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(readFileSync(join(root, 'examples/cloud-functions/cloudfunctions', name, 'package.json'), 'utf8'));
      const installed = JSON.parse(readFileSync(join(dir, 'node_modules/wx-orderkit/package.json'), 'utf8')) as { name: string };
      expect(installed.name).toBe('wx-orderkit');
      // What the tarball holds, nothing from the repository's working tree.
      expect(existsSync(join(dir, 'node_modules/wx-orderkit/dist/index.cjs'))).toBe(true);
      expect(existsSync(join(dir, 'node_modules/wx-orderkit/LICENSE'))).toBe(true);
      expect(existsSync(join(dir, 'node_modules/wx-orderkit/src'))).toBe(false);
      expect(existsSync(join(dir, 'node_modules/wx-server-sdk/index.js'))).toBe(true);
    }
  });

  it('order, payCallback and sweeper run their main under Node 16: place, pay, call back, sweep', async (ctx) => {
    if (notCached) ctx.skip(notCached);
    const node16 = await requireRuntime(16);
    // The driver runs from the work folder: inside this repository `wx-orderkit` would resolve to
    // the repository itself (a package may import its own name), not to what the functions hold.
    copyFileSync(join(__dirname, 'driver.cjs'), join(work, 'driver.cjs'));
    const r = spawnSync(node16, [join(work, 'driver.cjs'), join(work, 'cloudfunctions')], { encoding: 'utf8', timeout: 120_000, cwd: work });
    if (r.status !== 0) throw new Error(`the functions failed under ${node16}: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, any>;
    expect(out.node).toMatch(/^v16\./);
    // Each function loads the wx-orderkit installed in its own folder.
    expect(out.resolved).toEqual({ order: 'node_modules/wx-orderkit/dist/index.cjs', payCallback: 'node_modules/wx-orderkit/dist/index.cjs', sweeper: 'node_modules/wx-orderkit/dist/index.cjs' });
    expect(out.inits).toBe(3);
    expect(out.placed).toMatchObject({ ok: true, status: 'pending_payment' });
    expect(out.sameOrderAgain).toBe(true);
    expect(out.payment).toBe(true);
    expect(out.totalFee).toBeGreaterThan(0);
    expect(out.callback).toEqual({ errcode: 0, errmsg: 'OK' });
    expect(out.repeated).toEqual(out.callback);
    expect(out.forged).toBe(true);
    expect(out.got).toMatchObject({ ok: true, status: 'paid' });
    expect(out.stored).toEqual({ status: 'paid', version: 2 });
    expect(out.subscribeMessages).toEqual(['TPL-PAID']);
  });
});
