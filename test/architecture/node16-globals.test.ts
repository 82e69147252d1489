import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Cloud functions run Node 16 to 22, and everything runs on Node 16 (docs/wechat.md), which lacks
 * some globals and methods that newer Node has. The library's code (src/) and the cloud functions
 * (examples/cloud-functions) must not call them: such a call fails only at run time, on the oldest
 * runtime, often on a path that the tests on the host's Node 20 take without noticing. Found in the
 * syntax tree, so comments and strings do not count.
 */
const ROOT = resolve(__dirname, '..', '..');
const DIRS = ['src', 'examples/cloud-functions'];
/** Global functions missing on Node 16. */
const GLOBALS = new Set(['structuredClone', 'fetch']);
/** Methods missing on Node 16 (arrays, Object, Map). */
const METHODS = new Set(['findLast', 'findLastIndex', 'toSorted', 'toReversed', 'toSpliced', 'groupBy', 'fromAsync', 'hasOwn']);

function files(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    if (name === 'node_modules') return [];
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js|cjs|mjs)$/.test(p) ? [p] : [];
  });
}

/** Calls of a missing global (not a local function of the same name) or method in `text`, as `file:line name`. */
function offenders(file: string, text = readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const declared = new Set<string>();
  const found: string[] = [];
  const visitDeclarations = (node: ts.Node): void => {
    if ((ts.isFunctionDeclaration(node) || ts.isVariableDeclaration(node) || ts.isParameter(node)) && node.name && ts.isIdentifier(node.name)) declared.add(node.name.text);
    ts.forEachChild(node, visitDeclarations);
  };
  visitDeclarations(source);
  const at = (node: ts.Node) => `${relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isIdentifier(callee) && GLOBALS.has(callee.text) && !declared.has(callee.text)) found.push(`${at(node)} ${callee.text}`);
      if (ts.isPropertyAccessExpression(callee) && METHODS.has(callee.name.text)) found.push(`${at(node)} ${callee.name.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('Node 16 compatibility of the shipped code', () => {
  it('src/ and examples/cloud-functions/ call nothing that Node 16 lacks', () => {
    const all = DIRS.flatMap((d) => files(join(ROOT, d))).flatMap((f) => offenders(f));
    expect(all).toEqual([]);
  });

  it('the check finds such a call, and not a local function of the same name (it can fail)', () => {
    const text = 'const a = [1];\nexport const b = a.findLast((x) => x > 0);\nexport const c = structuredClone(a);\n';
    expect(offenders(join(ROOT, 'probe.ts'), text)).toEqual(['probe.ts:2 findLast', 'probe.ts:3 structuredClone']);
    expect(offenders(join(ROOT, 'probe.ts'), 'function fetch() { return 1; }\nexport const d = fetch();\n')).toEqual([]);
  });
});
