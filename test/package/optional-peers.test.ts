import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `wx-orderkit/testing` needs fast-check, an optional peer dependency. In a project without it the
 * entry must still load, and the contract's model-based test must fail with a typed
 * MISSING_PEER_DEPENDENCY naming the package (not MODULE_NOT_FOUND at import). This lays out a
 * project in a temporary folder outside the repository: the built package copied into
 * node_modules/wx-orderkit, its dependencies linked beside it, and fast-check only when asked.
 */
const root = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> };
let dir: string;

function project(name: string, withFastCheck: boolean): string {
  const where = join(dir, name);
  const modules = join(where, 'node_modules');
  mkdirSync(join(modules, 'wx-orderkit'), { recursive: true });
  copyFileSync(join(root, 'package.json'), join(modules, 'wx-orderkit', 'package.json'));
  cpSync(join(root, 'dist'), join(modules, 'wx-orderkit', 'dist'), { recursive: true });
  const linked = [...Object.keys(pkg.dependencies ?? {}), ...(withFastCheck ? ['fast-check', 'pure-rand'] : [])];
  for (const dep of linked) {
    const target = join(root, 'node_modules', dep);
    if (!existsSync(target)) continue;
    mkdirSync(join(modules, dep, '..'), { recursive: true });
    symlinkSync(target, join(modules, dep), 'dir');
  }
  copyFileSync(join(__dirname, 'peer-script.cjs'), join(where, 'peer-script.cjs'));
  return where;
}

function run(where: string, mode: 'cjs' | 'esm'): Record<string, any> {
  const r = spawnSync(process.execPath, ['peer-script.cjs', mode], { cwd: where, encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).not.toMatch(/MODULE_NOT_FOUND/);
  return JSON.parse(r.stdout.trim()) as Record<string, any>;
}

beforeAll(() => {
  for (const f of ['testing.cjs', 'testing.js', 'index.cjs', 'index.js']) {
    if (!existsSync(join(root, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run build\` (npm test builds when dist is stale)`);
  }
  dir = mkdtempSync(join(tmpdir(), 'wx-orderkit-peers-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('optional peer dependencies', () => {
  it('package.json declares fast-check, pg, PGlite and ioredis as optional peers', () => {
    for (const name of ['fast-check', 'pg', '@electric-sql/pglite', 'ioredis']) {
      expect(pkg.peerDependencies?.[name]).toBeTruthy();
      expect(pkg.peerDependenciesMeta?.[name]?.optional).toBe(true);
    }
  });

  it('the package ships its LICENSE (MIT, orderkit contributors)', () => {
    const text = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(text).toMatch(/^MIT License/);
    expect(text).toMatch(/Copyright \(c\) \d{4} orderkit contributors/);
    expect((pkg as { license?: string }).license).toBe('MIT');
  });

  describe.each(['cjs', 'esm'] as const)('wx-orderkit/testing (%s)', (mode) => {
    it('without fast-check: loads, and the model-based test names the missing package', () => {
      const out = run(project(`no-fc-${mode}`, false), mode);
      expect(out.crashed).toBeUndefined();
      expect(out.imported).toBe(true);
      expect(out.tests).toBeGreaterThan(5);
      expect(out.model).toMatchObject({
        name: 'OrderkitError',
        code: 'MISSING_PEER_DEPENDENCY',
        details: { package: 'fast-check', subpath: 'wx-orderkit/testing' },
      });
      expect(out.model.message).toContain('npm install --save-dev fast-check');
      expect(out.model.zh).toContain('fast-check');
    });

    it('with fast-check: the model-based test runs and passes', () => {
      const out = run(project(`fc-${mode}`, true), mode);
      expect(out.crashed).toBeUndefined();
      expect(out.model).toBe('passed');
    });
  });

  describe.each(['cjs', 'esm'] as const)('wx-orderkit/redis without ioredis (%s)', (mode) => {
    it('loads, and connectRedis names the missing package', () => {
      const where = project(`no-redis-${mode}`, false);
      copyFileSync(join(__dirname, 'peer-redis-script.cjs'), join(where, 'peer-redis-script.cjs'));
      const r = spawnSync(process.execPath, ['peer-redis-script.cjs', mode], { cwd: where, encoding: 'utf8', timeout: 60_000 });
      const out = JSON.parse(r.stdout.trim()) as Record<string, any>;
      expect(out.crashed).toBeUndefined();
      expect(out.imported).toBe(true);
      expect(out.connect).toMatchObject({ code: 'MISSING_PEER_DEPENDENCY', package: 'ioredis' });
      expect(out.connect.message).toContain('npm install ioredis');
      expect(out.connect.zh).toContain('ioredis');
    });
  });
});
