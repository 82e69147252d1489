#!/usr/bin/env node
// `npm run api:report`: writes api/<entry>.api.md, one file per public entry of package.json
// "exports", from the BUILT package (dist/*.d.ts and dist/*.cjs; run `npm run build` first). Each
// file lists, sorted, every runtime name (what `require()` returns) and every exported type, with
// its kind and a printed signature from the TypeScript compiler. The files are committed: a public
// change shows in review, and `npm run api:report -- --check` (run by test/package/api-report.test.ts)
// fails while the committed report differs from the build (docs/architecture.md "Public entries").
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const check = process.argv.includes('--check');
const MAX_SIGNATURE = 240;

/** `{ '.': 'index', './postgres': 'postgres', … }` from package.json "exports". */
export function entries() {
  const out = [];
  for (const [sub, target] of Object.entries(pkg.exports)) {
    if (typeof target !== 'object') continue;
    const cjs = target.require.default;
    const dts = target.import.types;
    const name = sub === '.' ? 'index' : sub.slice(2);
    out.push({ sub: sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`, name, cjs: join(root, cjs), dts: join(root, dts) });
  }
  return out;
}

/** One line per name: long signatures are cut, with a hash of the whole text so that any change still shows. */
function clip(text) {
  const one = text.replace(/\s+/g, ' ').replace(/import\("[^"]*"\)\./g, '').trim();
  if (one.length <= MAX_SIGNATURE) return one;
  return `${one.slice(0, MAX_SIGNATURE)}… (sha1 ${createHash('sha1').update(one).digest('hex').slice(0, 10)})`;
}

function kindOf(symbol) {
  const f = symbol.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Variable) return 'const';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  return 'other';
}

export function report(entry, program) {
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry.dts);
  const moduleSymbol = checker.getSymbolAtLocation(file);
  const runtime = new Set(Object.keys(require(entry.cjs)));
  const printer = ts.createPrinter({ removeComments: true });
  const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;
  const values = [];
  const types = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const name = exported.getName();
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const kind = kindOf(symbol);
    const decl = symbol.declarations?.[0];
    if (symbol.flags & ts.SymbolFlags.Value) {
      const type = checker.getTypeOfSymbolAtLocation(symbol, decl ?? file);
      let sig = checker.typeToString(type, undefined, flags);
      if (kind === 'class') sig = `new ${checker.signatureToString(type.getConstructSignatures()[0] ?? checker.getSignaturesOfType(type, ts.SignatureKind.Construct)[0])}`;
      values.push({ name, kind, sig: clip(sig), runtime: runtime.has(name) });
    }
    if (symbol.flags & (ts.SymbolFlags.Type & ~ts.SymbolFlags.Class & ~ts.SymbolFlags.Enum)) {
      const text = decl ? printer.printNode(ts.EmitHint.Unspecified, decl, decl.getSourceFile()).replace(/^export\s+(declare\s+)?/, '') : name;
      types.push({ name, kind, sig: clip(text) });
    }
  }
  const missing = [...runtime].filter((n) => !values.some((v) => v.name === n));
  const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  values.sort(byName);
  types.sort(byName);
  const lines = [
    `# API report: \`${entry.sub}\``,
    '',
    '<!-- Written by `npm run api:report` from the build; do not edit by hand. A public change updates this file in the same commit (docs/architecture.md "Public entries"). -->',
    '',
    `Runtime names: ${runtime.size}. Types: ${types.length}.`,
    '',
    '## Runtime names',
    '',
    ...values.filter((v) => v.runtime).map((v) => `- \`${v.name}\` (${v.kind}): \`${v.sig.replace(/`/g, "'")}\``),
    ...missing.map((n) => `- \`${n}\` (no declaration)`),
    '',
    '## Types',
    '',
    ...types.map((t) => `- \`${t.name}\` (${t.kind}): \`${t.sig.replace(/`/g, "'")}\``),
    '',
  ];
  return lines.join('\n');
}

export function buildReports() {
  const list = entries();
  for (const e of list) if (!existsSync(e.dts) || !existsSync(e.cjs)) throw new Error(`${e.dts} is missing: run \`npm run build\` first`);
  const program = ts.createProgram(list.map((e) => e.dts), { strict: true, skipLibCheck: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022 });
  return list.map((e) => ({ file: join(root, 'api', `${e.name}.api.md`), text: report(e, program) }));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const reports = buildReports();
  const changed = [];
  for (const r of reports) {
    const old = existsSync(r.file) ? readFileSync(r.file, 'utf8') : null;
    if (old !== r.text) changed.push(r.file.slice(root.length + 1));
    if (!check) {
      mkdirSync(dirname(r.file), { recursive: true });
      writeFileSync(r.file, r.text);
    }
  }
  if (check && changed.length) {
    console.error(`public API changed: run npm run api:report and commit (${changed.join(', ')})`);
    process.exit(1);
  }
  console.log(check ? `API report up to date (${reports.length} entries)` : `wrote ${reports.length} API reports${changed.length ? `; changed: ${changed.join(', ')}` : ''}`);
}
