import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fail, ok, orderkitError, type Result } from '../../src/index.js';

const SRC = resolve(__dirname, '..', '..', 'src');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));

/** Code lines (not comments) that spell the failure shape by hand instead of calling `fail()`. */
function handWritten(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l))
    .filter((l) => /\{\s*ok:\s*false,\s*error\b/.test(l) || /\{\s*ok:\s*false;\s*error:\s*OrderkitError\s*\}/.test(l) || /^\s*ok:\s*false,\s*$/.test(l));
}

describe('one result type (src/errors/result.ts)', () => {
  it('ok() puts the value fields beside ok: true; fail() is { ok: false, error }', () => {
    const error = orderkitError('X', { 'zh-CN': '错', en: 'wrong' });
    expect(ok({ order: 1, effects: [] })).toEqual({ ok: true, order: 1, effects: [] });
    expect(ok()).toEqual({ ok: true });
    expect(fail(error)).toEqual({ ok: false, error });
    const r: Result<{ n: number }> = Math.random() > 2 ? fail(error) : ok({ n: 2 });
    expect(r.ok && r.n).toBe(2);
  });

  it('no file of src/ writes the failure shape by hand', () => {
    const found: string[] = [];
    for (const f of files(SRC)) {
      if (f.endsWith(join('errors', 'result.ts'))) continue;
      for (const line of handWritten(readFileSync(f, 'utf8'))) found.push(`${relative(SRC, f)}: ${line.trim()}`);
    }
    expect(found).toEqual([]);
  });

  it('the scan can fail: a hand-written failure is found, a comment is not', () => {
    const sample = "  /** returns `{ ok: false, error }` */\n  if (x) return { ok: false, error: e };\n  type F = { ok: false; error: OrderkitError };\n  return {\n    ok: false,\n";
    expect(handWritten(sample)).toHaveLength(3);
  });
});
