import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ORDER_STATUS_LABELS, type OrderStatus } from '../../src/order/index.js';
import { ACTION_EFFECTS, COMMAND_ACTORS, defaultLifecycle, type Candidate } from '../../src/lifecycle/index.js';
import { AFTER_SALE_COMMAND_TYPES } from '../../src/refund/index.js';

/**
 * Renders the generated parts of docs/lifecycle.md from `orderMachine` (compiled exactly as
 * `transition()` runs it) and the permission table: the status table, the mermaid chart and the
 * command reference. Run by scripts/gen-diagrams.ts, or alone: `npx tsx scripts/diagrams/lifecycle.ts`.
 */

export const DOC = 'docs/lifecycle.md';
const chart = defaultLifecycle.chart;
const AFTER_SALE_COMMANDS = new Set<string>([...AFTER_SALE_COMMAND_TYPES, 'RETRY_REFUND']);

/** Edits and stray payments that keep the status: in the tables, not in the picture (every status would loop). */
const SIDE_COMMANDS = new Set(['ADD_REMARK', 'CHANGE_ADDRESS', 'RECORD_STRAY_PAYMENT']);

const label = (status: string) => ORDER_STATUS_LABELS[status as OrderStatus] ?? { 'zh-CN': status, en: status };
const code = (s: string) => `\`${s}\``;

function guardText(c: Candidate): string {
  return c.guardName === undefined ? '' : ` [${c.guardName}]`;
}

/** The effects one candidate may emit, with notify templates spelled out. */
function effectsOf(c: Candidate): string[] {
  const out: string[] = [];
  for (const a of [...c.actions, ...c.entry]) {
    if (a.name === 'notify') {
      const p = a.params as { to?: string; template?: string } | undefined;
      out.push(`notify(${p?.to ?? 'customer'}: ${p?.template ?? 'order_updated'})`);
      continue;
    }
    for (const e of ACTION_EFFECTS[a.name] ?? []) if (out.indexOf(e) < 0) out.push(e);
  }
  return out;
}

function closeReasonOf(c: Candidate): string | undefined {
  const close = c.actions.find((a) => a.name === 'close');
  return (close?.params as { reason?: string } | undefined)?.reason;
}

/** Statuses with their labels and the commands each one accepts. */
export function renderStatusTable(): string {
  const rows = ['| status | 中文 | English | accepts 可接受的指令 |', '|---|---|---|---|'];
  for (const status of chart.statuses) {
    const types = Object.keys(chart.table[status]!);
    const own = types.filter((t) => !AFTER_SALE_COMMANDS.has(t)).map(code);
    const afterSales = types.filter((t) => AFTER_SALE_COMMANDS.has(t));
    const accepts = [...own, ...(afterSales.length === AFTER_SALE_COMMANDS.size ? ['after-sale commands 售后指令'] : afterSales.map(code))];
    rows.push(`| ${code(status)} | ${label(status)['zh-CN']} | ${label(status).en} | ${accepts.join(', ')} |`);
  }
  return rows.join('\n');
}

/** The chart as a mermaid state diagram; after-sale commands that keep the status are left out (see the table). */
export function renderMermaid(): string {
  const lines = ['```mermaid', 'stateDiagram-v2'];
  for (const status of chart.statuses) lines.push(`  state "${label(status)['zh-CN']} ${status}" as ${status}`);
  lines.push(`  [*] --> ${chart.initial} : placeOrder`);
  for (const status of chart.statuses) {
    for (const [type, candidates] of Object.entries(chart.table[status]!)) {
      for (const c of candidates) {
        if (c.noop) continue;
        if (c.target === undefined && (AFTER_SALE_COMMANDS.has(type) || SIDE_COMMANDS.has(type))) continue;
        const reason = closeReasonOf(c);
        lines.push(`  ${status} --> ${c.target ?? status} : ${type}${guardText(c)}${reason ? ` (${reason})` : ''}`);
      }
    }
  }
  lines.push('  completed --> [*]', '  closed --> [*]', '```');
  return lines.join('\n');
}

/** Every command: who may send it, what it does in each status, and the effects it may emit. */
export function renderCommandTable(): string {
  const rows = ['| command 指令 | actors 发起方 | status → status [guard] | effects 副作用 |', '|---|---|---|---|'];
  for (const type of chart.commandTypes) {
    const moves: string[] = [];
    const effects: string[] = [];
    for (const status of chart.statuses) {
      for (const c of chart.table[status]![type] ?? []) {
        const to = c.noop ? 'no-op 无变化' : c.target ?? status;
        const reason = closeReasonOf(c);
        moves.push(`${status} → ${to}${guardText(c)}${reason ? ` (${reason})` : ''}`);
        for (const e of effectsOf(c)) if (effects.indexOf(e) < 0) effects.push(e);
      }
    }
    const actors = (COMMAND_ACTORS as Record<string, readonly string[]>)[type] ?? [];
    rows.push(`| ${code(type)} | ${actors.join(', ')} | ${moves.join('<br>')} | ${effects.map(code).join(', ') || '—'} |`);
  }
  const edits = (Object.keys(COMMAND_ACTORS) as string[]).filter((t) => chart.commandTypes.indexOf(t) < 0);
  if (edits.length > 0) {
    rows.push('', `Not in the chart yet (refused with \`INVALID_TRANSITION\`; see the order-edits issue) / 尚未接入状态机：${edits.map(code).join(', ')}.`);
  }
  return rows.join('\n');
}

/** Replaces the text between `<!-- generated:NAME:start -->` and `<!-- generated:NAME:end -->`. */
export function replaceSection(doc: string, name: string, content: string): string {
  const start = `<!-- generated:${name}:start -->`;
  const end = `<!-- generated:${name}:end -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${name}: markers not found in ${DOC}`);
  return `${doc.slice(0, i + start.length)}\n${content}\n${doc.slice(j)}`;
}

/** The doc with every generated lifecycle section brought up to date. */
export function renderLifecycleDoc(doc: string): string {
  let out = replaceSection(doc, 'lifecycle-statuses', renderStatusTable());
  out = replaceSection(out, 'lifecycle-chart', renderMermaid());
  out = replaceSection(out, 'lifecycle-commands', renderCommandTable());
  return out;
}

/** Rewrites the generated sections of docs/lifecycle.md; returns the files it changed. */
export default function lifecycleDiagrams(options: string | { root?: string } = {}): string[] {
  const root = typeof options === 'string' ? options : options.root ?? process.cwd();
  const file = resolve(root, DOC);
  const before = readFileSync(file, 'utf8');
  const after = renderLifecycleDoc(before);
  if (after === before) return [];
  writeFileSync(file, after);
  return [DOC];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const changed = lifecycleDiagrams();
  console.log(changed.length > 0 ? `updated ${changed.join(', ')}` : `${DOC} is up to date`);
}
