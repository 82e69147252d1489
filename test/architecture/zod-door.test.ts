import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * zod is reached through src/zod.ts only: its `zod/mini` functions are bundled and tree-shaken into
 * dist/, while one `import { z } from 'zod'` anywhere pulls the classic API and every locale into
 * the chunk all entries share (about 440 kB more for a cloud function to compile on each cold
 * start; docs/benchmarks.md, "Cold start").
 */
const SRC = resolve(__dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the one door to zod', () => {
  it('no module but src/zod.ts imports a zod package at run time', () => {
    const offenders: string[] = [];
    for (const file of files(SRC)) {
      const rel = relative(SRC, file);
      if (rel === 'zod.ts') continue;
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      for (const st of source.statements) {
        if (!ts.isImportDeclaration(st) && !ts.isExportDeclaration(st)) continue;
        const spec = st.moduleSpecifier;
        if (spec === undefined || !ts.isStringLiteral(spec) || !/^zod(\/|$)/.test(spec.text)) continue;
        const typeOnly = ts.isImportDeclaration(st) ? st.importClause?.isTypeOnly === true : st.isTypeOnly;
        if (!typeOnly) offenders.push(`${rel}: ${st.getText(source)}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
