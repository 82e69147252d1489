import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * xstate is an optional peer: the lifecycle never runs it, so loading `wx-orderkit` (CommonJS or
 * ESM, from dist as users get it) must not load it; `wx-orderkit/xstate` does.
 */
const root = join(__dirname, '..', '..');

function run(code: string, type: 'cjs' | 'esm'): string {
  const args = type === 'esm' ? ['--input-type=module', '-e', code] : ['-e', code];
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();
}

describe('xstate stays out of the root entry (dist)', () => {
  it('has a build to test', () => {
    for (const f of ['index.cjs', 'index.js', 'xstate.cjs', 'xstate.js']) {
      if (!existsSync(join(root, 'dist', f))) throw new Error(`dist/${f} is missing: run \`npm run build\``);
    }
  });

  it('require("wx-orderkit") loads no xstate module; require("wx-orderkit/xstate") does', () => {
    const probe = (entry: string) =>
      run(`require(${JSON.stringify(entry)}); console.log(Object.keys(require.cache).filter((k) => /[\\\\/]node_modules[\\\\/]xstate[\\\\/]/.test(k)).length)`, 'cjs');
    expect(Number(probe('./dist/index.cjs'))).toBe(0);
    expect(Number(probe('./dist/xstate.cjs'))).toBeGreaterThan(0);
  });

  it('the ESM root entry does not import xstate (checked through the loader’s resolve hook)', () => {
    const code = `
      import { register } from 'node:module';
      const hook = 'data:text/javascript,' + encodeURIComponent("export async function resolve(s, c, next) { if (s === 'xstate' || s.startsWith('xstate/')) console.log('XSTATE'); return next(s, c); }");
      register(hook);
      await import('./dist/index.js');
      console.log('done');`;
    expect(run(code, 'esm').split('\n')).toEqual(['done']);
    const withXstate = code.replace('./dist/index.js', './dist/xstate.js');
    expect(run(withXstate, 'esm').split('\n')).toContain('XSTATE');
  });

  it('the xstate subpath builds a machine with the lifecycle’s statuses', () => {
    const out = run(
      `const ok = require('./dist/index.cjs'); const { toXstateMachine } = require('./dist/xstate.cjs');
       const m = toXstateMachine(ok.defaultLifecycle);
       console.log(Object.keys(m.root.states).join(','));`,
      'cjs',
    );
    expect(out).toBe('pending_payment,paid,partially_shipped,shipped,delivered,completed,closed');
  });
});
