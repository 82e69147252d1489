import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The import graph of src/, read with the TypeScript compiler's own pre-processor (type-only
 * imports and re-exports included): no cycles, and no arrow from a lower layer to a higher one
 * (docs/architecture.md). The pure core (money, order, pricing, refund, lifecycle) does no I/O, so
 * it must not reach into the service, the stores, the adapters or WeChat.
 */
const SRC = resolve(__dirname, '..', '..', 'src');

/** Higher numbers may import lower ones, never the reverse. Equal ranks may not import each other either unless the same directory. */
const RANK: Record<string, number> = {
  'zod.ts': -1,
  errors: 0,
  time: 0.5,
  money: 1,
  order: 2,
  pricing: 3,
  refund: 3,
  lifecycle: 4,
  view: 5,
  storage: 5,
  inventory: 5.5,
  balance: 5.5,
  tracking: 5.5,
  service: 6,
  analytics: 7,
  wechat: 7,
  adapters: 8,
  testing: 9,
  xstate: 9,
  flows: 9,
  'index.ts': 10,
  'advanced.ts': 10,
};

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const out: string[] = [];
  for (const ref of info.importedFiles) {
    if (!ref.fileName.startsWith('.')) continue;
    out.push(resolve(dirname(file), ref.fileName.replace(/\.js$/, '.ts')));
  }
  return out;
}

const all = files(SRC);
const graph = new Map(all.map((f) => [f, imports(f)] as const));
const layerOf = (file: string): string => relative(SRC, file).split(/[\\/]/)[0]!;

describe('src/ import graph', () => {
  it('every relative import resolves to a file of src/', () => {
    const missing: string[] = [];
    for (const [from, tos] of graph) for (const to of tos) if (!graph.has(to)) missing.push(`${relative(SRC, from)} → ${relative(SRC, to)}`);
    expect(missing).toEqual([]);
    expect(graph.size).toBeGreaterThan(100);
  });

  it('has no arrow from a lower layer to a higher one', () => {
    const upward: string[] = [];
    for (const [from, tos] of graph) {
      const a = layerOf(from);
      for (const to of tos) {
        const b = layerOf(to);
        if (a === b) continue;
        const ra = RANK[a];
        const rb = RANK[b];
        if (ra === undefined || rb === undefined) upward.push(`unranked: ${a} or ${b}`);
        else if (rb >= ra) upward.push(`${relative(SRC, from)} → ${relative(SRC, to)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no import cycle (type-only imports count)', () => {
    const state = new Map<string, 0 | 1 | 2>();
    const cycles: string[] = [];
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 1);
      stack.push(f);
      for (const to of graph.get(f) ?? []) {
        const s = state.get(to) ?? 0;
        if (s === 1) cycles.push(stack.slice(stack.indexOf(to)).concat(to).map((x) => relative(SRC, x)).join(' → '));
        else if (s === 0 && graph.has(to)) visit(to);
      }
      stack.pop();
      state.set(f, 2);
    };
    for (const f of all) if ((state.get(f) ?? 0) === 0) visit(f);
    expect(cycles).toEqual([]);
  });

  it('the checks can fail: a made-up upward arrow and cycle are found', () => {
    const a = join(SRC, 'order', 'x.ts');
    const b = join(SRC, 'service', 'y.ts');
    expect(RANK[layerOf(b)]! >= RANK[layerOf(a)]!).toBe(true);
    const info = ts.preProcessFile("import type { A } from './a.js';\nexport { B } from '../b.js';", true, true);
    expect(info.importedFiles.map((r) => r.fileName)).toEqual(['./a.js', '../b.js']);
  });
});

describe('comments cite docs/ of this repository', () => {
  /** A comment's citation of a file outside this repository: the design file, or a path of the machine. */
  const OUTSIDE = /DESIGN\.md|\/work\/shared|\bshared\/DESIGN/;
  const ROOT = join(SRC, '..');
  const scanned = (): string[] => {
    const out = [...all];
    for (const dir of ['examples', 'scripts', 'bench', 'test']) {
      const walk = (d: string): void => {
        for (const name of readdirSync(d)) {
          if (name === 'node_modules' || name.startsWith('.')) continue;
          const p = join(d, name);
          if (statSync(p).isDirectory()) walk(p);
          else if (/\.(ts|js|mjs|cjs|wxml|wxs)$/.test(name)) out.push(p);
        }
      };
      walk(join(ROOT, dir));
    }
    return out.filter((f) => f !== __filename);
  };

  it('no file of src/, examples/, scripts/, bench/ or test/ cites DESIGN.md or a path outside the repository, and every docs/*.md a comment names exists', () => {
    const outside: string[] = [];
    const missing: string[] = [];
    for (const f of scanned()) {
      const text = readFileSync(f, 'utf8');
      if (OUTSIDE.test(text)) outside.push(relative(ROOT, f));
      if (!f.startsWith(SRC)) continue;
      for (const m of text.matchAll(/docs\/([\w-]+\.md)/g)) {
        try {
          statSync(join(ROOT, 'docs', m[1]!));
        } catch {
          missing.push(`${relative(SRC, f)}: docs/${m[1]}`);
        }
      }
    }
    expect(outside).toEqual([]);
    expect(missing).toEqual([]);
  });

  it('the check can fail: a comment citing the design file is found', () => {
    expect(OUTSIDE.test('// the rule (DESIGN.md §4)')).toBe(true);
    expect(OUTSIDE.test('// see docs/lifecycle.md')).toBe(false);
  });
});
