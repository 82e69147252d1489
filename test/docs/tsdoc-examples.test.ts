import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every TSDoc `@example` in src/ type-checks. Each example becomes a module of its own that sees:
 * the runtime names and types of every public entry (`wx-orderkit`, `wx-orderkit/advanced`, … as
 * built in dist/, imported by name), the exports of the source file it documents (for helpers that
 * are not public), and a few values every example may take as given (`order`, `policy`, `now`, …:
 * GIVEN below). Anything else an example uses, it declares itself. Checked strictly, in one program.
 */
const root = resolve(__dirname, '..', '..');
const SRC = join(root, 'src');
const VIRTUAL = join(root, '.cache', 'tsdoc-examples');

/** Values an example may use without declaring them: the usual suspects of an order's life. */
const GIVEN = `
import type { Actor, AfterSale, AfterSaleContext, Cart, Command, Draft, Effect, EffectHandlers, Lifecycle, Order, OrderEvent, OrderService, OrderStore, Policy, PricingRules, Quote, Refund, Step, TransitionContext, WalletCoupon } from 'wx-orderkit';
import type { WechatPayConfig, WechatPayKeyRing } from 'wx-orderkit/wechatpay';
declare global {
  // The shop's own data and settings.
  const orders: Order[];
  const cart: Cart;
  const wallet: WalletCoupon[];
  const rules: PricingRules;
  const text: string;
  const rawBody: string;
  const headers: Record<string, string>;
  const mchid: string;
  const appid: string;
  const subMchId: string;
  const envId: string;
  const apiV3Key: string;
  const serialNo: string;
  const privateKey: string;
  const publicKeyPem: string;
  const platformPublicKeyPem: string;
  const openid: string;
  const orderId: string;
  const billDate: string;
  const notifyUrl: string;
  const connectionString: string;
  const afterSaleCtx: AfterSaleContext;
  const keys: WechatPayKeyRing;
  const config: WechatPayConfig;
  const quote: Quote;
  const paidOrder: Order;
  const completedOrder: Order;
  const events: OrderEvent[];
  const effect: Effect;
  const handlers: EffectHandlers;
  const draft: Draft;
  const step: Step;
  const from: string;
  const to: string;
  const day: string;
  const bytes: Buffer;
  const knownPems: string[];
  const tradeBill: string;
  const fundFlowBill: string;
  const prepayId: string;
  const token: string;
  const encodingAESKey: string;
  const body: string;
  // The outside world an example talks to (WeChat's SDK, an HTTP framework, a PostgreSQL pool):
  // not orderkit's API, so not checked here.
  const cloud: any;
  const req: any;
  const res: any;
  const pool: any;
  const pg: any;
  const send: (request: unknown) => Promise<any>;
  const payClient: any;
  const log: { error(...args: unknown[]): void };
  // What a fragment takes from the code around it (a request, a previous step's result).
  const input: any;
  const where: any;
  const v: any;
  const item: any;
  const n: any;
  const notice: any;
  const push: any;
  const e: any;
  const r: any;
  const trade: any;
  const report: any;
  const result: any;
  const decrypted: any;
  const message: any;
  const download: any;
  const myPayClient: any;
  const refusal: any;
  const opts: any;
  const error: any;
  const retry: () => void;
  const reloadAndRetry: () => unknown;
  const order: Order;
  const next: Order;
  const policy: Policy;
  const now: Date;
  const ctx: TransitionContext;
  const actor: Actor;
  const merchant: Actor;
  const customer: Actor;
  const shopper: Actor;
  const system: Actor;
  const afterSale: AfterSale;
  const refund: Refund;
  const command: Command;
  const service: OrderService;
  const store: OrderStore;
  const lifecycle: Lifecycle;
}
export {};
`;

/**
 * Examples written before this check that do not compile yet, by file and first line: each is to be
 * rewritten (declaring what it uses) and removed from the list; a new example is never added.
 */
const PENDING = new Set<string>(JSON.parse(readFileSync(join(__dirname, 'tsdoc-examples.pending.json'), 'utf8')) as string[]);
const keyOf = (ex: Example): string => `${relative(root, ex.file).replace(/\\/g, '/')}: ${ex.code.split('\n')[0]!.trim()}`;

interface Example {
  file: string;
  line: number;
  code: string;
}

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []));

export function extractExamples(file: string, text: string): Example[] {
  const out: Example[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*@example\b/.test(lines[i]!)) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      if (/^\s*\*\/\s*$/.test(l) || /^\s*\*\s*@\w+/.test(l)) break;
      body.push(l.replace(/^\s*\* ?/, ''));
    }
    const code = body.join('\n').replace(/^```\w*\n?|```\s*$/gm, '').trim();
    if (code) out.push({ file, line: i + 1, code });
    i = j - 1;
  }
  return out;
}

/** Public entries and their names, from the committed API report (api/*.api.md, checked against the build). */
function publicNames(): Array<{ spec: string; names: string[] }> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const out: Array<{ spec: string; names: string[] }> = [];
  for (const [sub, t] of Object.entries(pkg.exports)) {
    if (typeof t !== 'object') continue;
    const report = readFileSync(join(root, 'api', `${sub === '.' ? 'index' : sub.slice(2)}.api.md`), 'utf8');
    const names = [...report.matchAll(/^- `([^`]+)`/gm)].map((m) => m[1]!);
    out.push({ spec: sub === '.' ? 'wx-orderkit' : `wx-orderkit/${sub.slice(2)}`, names });
  }
  return out;
}

function moduleFor(example: Example, entries: Array<{ spec: string; names: string[] }>): string {
  const used = new Set(example.code.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const declared = new Set<string>();
  for (const m of example.code.matchAll(/\b(?:const|let|var|function|class|type|interface)\s+([A-Za-z_$][\w$]*)/g)) declared.add(m[1]!);
  for (const m of example.code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}/g)) for (const n of m[1]!.split(',')) declared.add(n.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!);
  const taken = new Set<string>();
  const imports: string[] = [];
  for (const e of entries) {
    const names = e.names.filter((n) => used.has(n) && !declared.has(n) && !taken.has(n));
    for (const n of names) taken.add(n);
    if (names.length) imports.push(`import { ${names.join(', ')} } from '${e.spec}';`);
  }
  // Helpers of the documented file that are not public.
  const ownFile = ts.createSourceFile(example.file, readFileSync(example.file, 'utf8'), ts.ScriptTarget.Latest, true);
  const local: string[] = [];
  for (const st of ownFile.statements) {
    const exported = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    const names: string[] = [];
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) names.push(d.name.getText());
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isInterfaceDeclaration(st)) && st.name) names.push(st.name.text);
    for (const n of names) if (used.has(n) && !declared.has(n) && !taken.has(n)) { taken.add(n); local.push(n); }
  }
  if (local.length) imports.push(`import { ${local.join(', ')} } from '${relative(VIRTUAL, example.file).replace(/\\/g, '/').replace(/\.ts$/, '.js')}';`);
  if (used.has('z') && !declared.has('z')) imports.push("import { z } from 'zod';");
  // The example's own imports and declarations stay at the top; the rest runs inside an async function, so that
  // `await` and `return` read as they would in the caller's code.
  const lines = example.code.split('\n');
  const own: string[] = [];
  const body: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^(import|declare|export)\s/.test(lines[i]!)) {
      let j = i;
      while (!/;\s*$/.test(lines[j]!) && j < lines.length - 1) j++;
      own.push(...lines.slice(i, j + 1));
      i = j;
    } else body.push(lines[i]!);
  }
  return `${imports.join('\n')}\n${own.join('\n')}\nexport async function example(): Promise<any> {\n${body.join('\n')}\n}\n`;
}

describe('TSDoc @example blocks', () => {
  const examples = files(SRC).flatMap((f) => extractExamples(f, readFileSync(f, 'utf8')));

  it('are found', () => {
    expect(examples.length).toBeGreaterThan(100);
    expect(PENDING.size).toBeLessThan(examples.length / 3);
  });

  it('each type-checks against the public API (and its own file), strictly', { timeout: 240_000 }, () => {
    const entries = publicNames();
    const virtual = new Map<string, string>();
    virtual.set(join(VIRTUAL, 'given.d.ts'), GIVEN);
    const where = new Map<string, Example>();
    examples.forEach((ex, i) => {
      const name = join(VIRTUAL, `ex${i}.ts`);
      virtual.set(name, moduleFor(ex, entries));
      where.set(name, ex);
    });
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: ['node'],
      noUnusedLocals: false,
      allowUnreachableCode: true,
    };
    const host = ts.createCompilerHost(options);
    const read = host.readFile.bind(host);
    const exists = host.fileExists.bind(host);
    host.readFile = (f) => virtual.get(f) ?? read(f);
    host.fileExists = (f) => virtual.has(f) || exists(f);
    const getSource = host.getSourceFile.bind(host);
    host.getSourceFile = (f, lang) => (virtual.has(f) ? ts.createSourceFile(f, virtual.get(f)!, lang) : getSource(f, lang));
    const program = ts.createProgram([...virtual.keys()], options, host);
    const problems: string[] = [];
    const failing = new Set<string>();
    // Only the examples are checked (not the sources and declarations they import): that is what
    // keeps this test to a few seconds.
    const diagnostics = [...virtual.keys()].flatMap((f) => {
      const sf = program.getSourceFile(f)!;
      return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    });
    for (const d of diagnostics) {
      const ex = d.file ? where.get(d.file.fileName) : undefined;
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!ex) {
        problems.push(`${d.file?.fileName ?? '(program)'}: ${text}`);
        continue;
      }
      failing.add(keyOf(ex));
      if (!PENDING.has(keyOf(ex))) problems.push(`${relative(root, ex.file)}:${ex.line}: ${text}`);
    }
    expect(problems).toEqual([]);
    // The examples not fixed yet: the list only shrinks. One that now compiles leaves the list.
    const fixed = [...PENDING].filter((k) => !failing.has(k));
    expect(fixed, 'these examples compile now: remove them from test/docs/tsdoc-examples.pending.json').toEqual([]);
  });
});
