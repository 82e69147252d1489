import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixture } from '../../bench/cold-start/fixture.js';
import { requireRuntime, skipWithoutRuntimes } from '../support/runtimes.js';

/**
 * The child scripts of `npm run bench -- cold-start` (bench/cold-start/), under the host Node and
 * the real Node 16: the figures in docs/benchmarks.md are only honest if the first call really
 * completes, reports every phase, and if the code-cache experiment really uses its cache on the
 * binary that recorded it and falls back (and says so) on any other or on a damaged cache. No
 * timing is asserted here.
 */
const root = resolve(__dirname, '../..');
const dist = join(root, 'dist');
const coldStart = join(root, 'bench', 'cold-start');
const PHASES = ['require root', 'require wechatpay', 'require wx-cloud', 'stand-in and store', 'priceCart', 'place', 'verify notification', 'dispatch'];

let dir = '';
let fixture = '';
beforeAll(() => {
  for (const f of ['index.cjs', 'wechatpay.cjs', 'wx-cloud.cjs']) {
    if (!existsSync(join(dist, f))) throw new Error(`dist/${f} is missing: run \`npm run build\` (npm test builds when dist is stale)`);
  }
  dir = mkdtempSync(join(tmpdir(), 'orderkit-cold-test-'));
  fixture = makeFixture(dir);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The dist files the three entries load (what the code cache covers). */
function loadedFiles(entries: string[] = ['index.cjs', 'wechatpay.cjs', 'wx-cloud.cjs']): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(join(dist, file), 'utf8').matchAll(/require\(["']\.\/([^"']+)["']\)/g)) visit(m[1]!);
  };
  for (const e of entries) visit(e);
  return [...seen].sort();
}

function firstCall(bin: string, cache?: { dir: string; mode: 'record' | 'use' }) {
  const args = cache ? ['-r', join(coldStart, 'code-cache.cjs')] : [];
  const env = { ...process.env, NODE_OPTIONS: '', ...(cache ? { COLD_START_DIST: dist, COLD_START_CODE_CACHE: cache.dir, COLD_START_CODE_CACHE_MODE: cache.mode } : {}) };
  const r = spawnSync(bin, [...args, join(coldStart, 'first-call.cjs'), dist, fixture], { encoding: 'utf8', env, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${bin} exited with ${r.status}: ${r.stderr}`);
  const phases = /cold-start-phases (\{.*\})/.exec(r.stderr);
  const used = /cold-start-code-cache used=(\d+) rejected=(\d+)/.exec(r.stderr);
  return {
    stdout: r.stdout.trim(),
    phases: phases ? (JSON.parse(phases[1]!) as Record<string, number>) : null,
    cache: used ? { used: Number(used[1]), rejected: Number(used[2]) } : null,
  };
}

const skip = await skipWithoutRuntimes('test/runtimes: the cold-start bench scripts under Node 16', [16]);

describe.skipIf(skip)('the cold-start bench scripts', () => {
  it('first-call.cjs pays the order and reports the CPU time of every phase, on the host Node and Node 16', async () => {
    for (const bin of [process.execPath, await requireRuntime(16)]) {
      const out = firstCall(bin);
      expect(out.stdout).toBe('paid 9900 204');
      expect(Object.keys(out.phases ?? {})).toEqual(['script', ...PHASES]);
      for (const p of PHASES) expect(Number.isInteger(out.phases![p]) && out.phases![p]! >= 0).toBe(true);
      expect(out.cache).toBeNull();
    }
  });

  it('first-call.cjs runs a function bundled by bench/cold-start/bundle.mjs from that one file (no dist/ file), on the host Node and Node 16', async () => {
    const { bundleFunction } = (await import(pathToFileURL(join(coldStart, 'bundle.mjs')).href)) as { bundleFunction(outfile?: string): Promise<Uint8Array> };
    const bundle = join(dir, 'bundled-function.cjs');
    await bundleFunction(bundle);
    // A dist directory that does not exist: the run fails if anything is still required from dist/.
    const noDist = join(dir, 'no-dist');
    for (const bin of [process.execPath, await requireRuntime(16)]) {
      const r = spawnSync(bin, [join(coldStart, 'first-call.cjs'), noDist, fixture, bundle], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('paid 9900 204');
      const phases = JSON.parse(/cold-start-phases (\{.*\})/.exec(r.stderr)![1]!) as Record<string, number>;
      expect(Object.keys(phases)).toEqual(['script', ...PHASES]);
    }
  });

  it('compile-only.cjs compiles exactly the files the three entries load', () => {
    const r = spawnSync(process.execPath, [join(coldStart, 'compile-only.cjs'), dist], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(Number(r.stdout.trim())).toBe(loadedFiles().length);
  });

  it('the code cache is used by the binary that recorded it, and rejected (with the same result) by Node 16 and when damaged', async () => {
    const cacheDir = join(dir, 'cache-host');
    // The first call also loads wx-orderkit/testing: it takes the cloud database's stand-in from
    // there in place of wx-server-sdk's database, so the cache covers that file too.
    const files = loadedFiles(['index.cjs', 'wechatpay.cjs', 'wx-cloud.cjs', 'testing.cjs']);
    expect(firstCall(process.execPath, { dir: cacheDir, mode: 'record' }).stdout).toBe('paid 9900 204');
    expect(readdirSync(cacheDir).sort()).toEqual(files.map((f) => `${f}.v8`));

    const same = firstCall(process.execPath, { dir: cacheDir, mode: 'use' });
    expect(same.stdout).toBe('paid 9900 204');
    expect(same.cache).toEqual({ used: files.length, rejected: 0 });

    // Another V8 (Node 16) refuses every file of a Node 20 cache, compiles normally, and says so.
    const other = firstCall(await requireRuntime(16), { dir: cacheDir, mode: 'use' });
    expect(other.stdout).toBe('paid 9900 204');
    expect(other.cache).toEqual({ used: 0, rejected: files.length });

    // A damaged cache file is refused too.
    const victim = join(cacheDir, 'index.cjs.v8');
    const bytes = readFileSync(victim);
    bytes.fill(7, 0, 64);
    writeFileSync(victim, bytes);
    const damaged = firstCall(process.execPath, { dir: cacheDir, mode: 'use' });
    expect(damaged.stdout).toBe('paid 9900 204');
    expect(damaged.cache).toEqual({ used: files.length - 1, rejected: 1 });
  });
});
