import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { definePolicy } from '../../src/order/policy.js';
import { formatFen } from '../../src/money/index.js';
import { AFTER_SALE_STATUS_LABELS, type Actor, type Order } from '../../src/order/index.js';
import {
  AFTER_SALE_GUARD_LABELS,
  AFTER_SALE_TRANSITIONS,
  approveAfterSale,
  cancelAfterSale,
  refundQuote,
  requestAfterSale,
  type AfterSaleTransition,
  type RefundQuote,
} from '../../src/refund/index.js';
import { CUSTOMER, MERCHANT, paidOrder, promoOrder, shipped, T0 } from '../../test/refund/fixtures.js';

/**
 * Renders the generated parts of docs/after-sales.md from the code: the after-sale chart (from
 * AFTER_SALE_TRANSITIONS) and the worked examples (every number computed by refundQuote and the
 * reducers). Run by scripts/gen-diagrams.ts, or alone: `npx tsx scripts/diagrams/after-sales.ts`.
 */

export const DOC = 'docs/after-sales.md';
type Lang = 'en' | 'zh-CN';

function edgeLabel(t: AfterSaleTransition, lang: Lang): string {
  const guard = t.when ? AFTER_SALE_GUARD_LABELS[t.when][lang] : '';
  if (t.on === 'always') return lang === 'en' ? (guard ? `at once: ${guard}` : 'at once') : guard ? `自动：${guard}` : '自动';
  return guard ? `${t.on} [${guard}]` : t.on;
}

/** The chart as a mermaid state diagram plus a table of every row. */
export function renderAfterSaleChart(): string {
  const lines = ['```mermaid', 'stateDiagram-v2'];
  for (const t of AFTER_SALE_TRANSITIONS) {
    const from = t.from === null ? '[*]' : t.from;
    // Mermaid treats ':' as the label separator, so guards use words only.
    lines.push(`  ${from} --> ${t.to} : ${edgeLabel(t, 'en').replace(/:/g, ' -')}`);
  }
  for (const final of ['rejected', 'cancelled', 'refunded']) lines.push(`  ${final} --> [*]`);
  lines.push('```', '');
  lines.push('| from 从 | command 指令 | to 到 | when 条件 | actors 发起方 | effects 副作用 |', '|---|---|---|---|---|---|');
  for (const t of AFTER_SALE_TRANSITIONS) {
    const from = t.from === null ? '(new 新建)' : `\`${t.from}\` ${AFTER_SALE_STATUS_LABELS[t.from]['zh-CN']}`;
    const to = `\`${t.to}\` ${AFTER_SALE_STATUS_LABELS[t.to]['zh-CN']}`;
    const when = t.when ? `${AFTER_SALE_GUARD_LABELS[t.when].en} / ${AFTER_SALE_GUARD_LABELS[t.when]['zh-CN']}` : '';
    const on = t.on === 'always' ? '(at once 自动)' : `\`${t.on}\``;
    lines.push(`| ${from} | ${on} | ${to} | ${when} | ${(t.actors ?? []).join(', ')} | ${(t.effects ?? []).map((e) => `\`${e}\``).join(', ')} |`);
  }
  return lines.join('\n');
}

let lang0: Lang = 'en';
const fen = (n: number): string => (lang0 === 'en' ? `${formatFen(n)} (${n} fen)` : `${formatFen(n)}（${n} 分）`);

function quoteTable(quote: RefundQuote, lang: Lang): string {
  const head = lang === 'en' ? '| line | units | unit shares | amount | why |' : '| 商品行 | 件数 | 每件分摊 | 金额 | 说明 |';
  const rows = quote.lines.map(
    (l) => `| ${l.title} | ${l.quantity} / ${l.orderedQuantity} | ${l.unitShares.map((r) => `${r.units} × ${r.amount}`).join(' + ')}${l.adjustment ? ` ${l.adjustment > 0 ? '+' : '−'} ${Math.abs(l.adjustment)}` : ''} | ${l.amount} | ${l.reason[lang]} |`,
  );
  const freight = lang === 'en' ? `| freight | | | ${quote.shippingAmount} | ${quote.shipping.reason.en} |` : `| 运费 | | | ${quote.shippingAmount} | ${quote.shipping.reason['zh-CN']} |`;
  return [head, '|---|---|---|---|---|', ...rows, freight, lang === 'en' ? `| **total** | | | **${quote.amount}** | ${quote.reason.en} |` : `| **合计** | | | **${quote.amount}** | ${quote.reason['zh-CN']} |`].join('\n');
}

interface Run {
  order: Order;
  step(label: { en: string; 'zh-CN': string }, fn: (o: Order) => ReturnType<typeof requestAfterSale>, quoteOf?: (o: Order) => RefundQuote): void;
  out: Array<{ label: { en: string; 'zh-CN': string }; quote?: RefundQuote; amount: number; refunds: number }>;
}

function run(start: Order): Run {
  const r: Run = {
    order: start,
    out: [],
    step(label, fn, quoteOf) {
      const quote = quoteOf?.(r.order);
      const res = fn(r.order);
      if (!res.ok) throw res.error;
      r.order = res.order;
      const last = r.order.afterSales[r.order.afterSales.length - 1]!;
      r.out.push({ label, ...(quote ? { quote } : {}), amount: last.amount, refunds: r.order.refunds.reduce((s, x) => s + x.amount, 0) });
    },
  };
  return r;
}

const policy = definePolicy();
const ctx = (actor: Actor = CUSTOMER) => ({ now: T0, actor, policy });
const quoteFor = (items: Array<{ lineId: string; quantity: number }> | undefined, kind: 'refund_only' | 'return_and_refund' = 'refund_only') => (o: Order): RefundQuote => {
  const q = refundQuote(o, items ? { kind, items } : { kind }, { now: T0, policy });
  if (!q.ok) throw q.error;
  return q.quote;
};

/**
 * How each order-level discount was split over the lines, fen by fen: the exact share, its floor,
 * and the spare fen that went to the largest remainder. Read back from the stored allocations.
 */
function spreadSteps(order: Order, lang: Lang): string[] {
  const out: string[] = [];
  const base = new Map(order.lines.map((l) => [l.id, l.listPrice * l.quantity] as const));
  for (const source of ['full_reduction', 'coupon'] as const) {
    const parts = order.lines.map((l) => ({ line: l, amount: l.allocations.filter((a) => a.source === source).reduce((x, a) => x + a.amount, 0) }));
    const total = parts.reduce((x, p) => x + p.amount, 0);
    if (total === 0) continue;
    const weightSum = parts.reduce((x, p) => x + base.get(p.line.id)!, 0);
    const name = source === 'coupon' ? (lang === 'en' ? 'coupon' : '优惠券') : '满减';
    const terms = parts.map((p) => {
      const w = base.get(p.line.id)!;
      const exact = (total * w) / weightSum;
      const floor = Math.floor(exact);
      const extra = p.amount - floor;
      return `${p.line.title}: ${total} × ${w} / ${weightSum} = ${exact.toFixed(2)} → ${floor}${extra > 0 ? ` + ${extra} = ${p.amount}` : ''}`;
    });
    out.push(
      lang === 'en'
        ? `- ${name} ${total} over the lines' amounts before it (${terms.join('; ')}). The spare fen goes to the largest remainder.`
        : `- ${name} ${total} 分按各行此前金额分摊（${terms.join('；')}）。多出的 1 分给余数最大的一行。`,
    );
    for (const p of parts) base.set(p.line.id, base.get(p.line.id)! - p.amount);
  }
  return out;
}

/** The worked examples in one language, every number produced by the code. */
export function renderWorkedExamples(lang: Lang): string {
  lang0 = lang;
  const en = lang === 'en';
  const out: string[] = [];

  // 1. 满减 + coupon, refunded in three parts.
  const promo = promoOrder();
  out.push(en ? '#### 1. Partial refunds after 满减 and a coupon' : '#### 1. 满减加优惠券之后的部分退款', '');
  out.push(
    en
      ? `Placed: ${promo.lines.map((l) => `${l.title} ${l.quantity} × ${formatFen(l.listPrice)}`).join(', ')}; 满减 ¥10 and a ¥5 coupon, freight ${formatFen(promo.pricing.freight)}. The pricing step spread both discounts over the lines (largest remainder, by payable) and stored the result:`
      : `下单：${promo.lines.map((l) => `${l.title} ${l.quantity} × ${formatFen(l.listPrice)}`).join('，')}；满 150 减 10、5 元优惠券，运费 ${formatFen(promo.pricing.freight)}。定价时两项优惠按各行应付金额用最大余数法分摊到各行并保存：`,
    '',
  );
  out.push(en ? '| line | list | 满减 | coupon | payable |' : '| 商品行 | 原价 | 满减 | 优惠券 | 实付 |', '|---|---|---|---|---|');
  for (const l of promo.lines) {
    const by = (s: string) => l.allocations.filter((a) => a.source === s).reduce((x, a) => x + a.amount, 0);
    out.push(`| ${l.title} | ${l.listPrice * l.quantity} | −${by('full_reduction')} | −${by('coupon')} | ${l.payable} |`);
  }
  out.push(`| ${en ? 'freight' : '运费'} | | | | ${promo.pricing.freight} |`, `| **${en ? 'paid' : '实付合计'}** | | | | **${promo.payment.paidAmount}** |`, '');
  out.push(...spreadSteps(promo, lang), '');
  const r1 = run(promo);
  const req = (items?: Array<{ lineId: string; quantity: number }>) => (o: Order) =>
    requestAfterSale(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: '不想要了', ...(items ? { items } : {}) }, ctx());
  r1.step({ en: 'Refund 2 of the 3 T-shirts', 'zh-CN': '退 3 件 T 恤中的 2 件' }, req([{ lineId: 'L1', quantity: 2 }]), quoteFor([{ lineId: 'L1', quantity: 2 }]));
  r1.step({ en: 'Refund the last T-shirt', 'zh-CN': '退最后 1 件 T 恤' }, req([{ lineId: 'L1', quantity: 1 }]), quoteFor([{ lineId: 'L1', quantity: 1 }]));
  r1.step({ en: 'Refund the rest (the mug)', 'zh-CN': '退其余全部（马克杯）' }, req(), quoteFor(undefined));
  for (const s of r1.out) {
    out.push(`**${s.label[lang]}** — ${en ? 'refund' : '退款'} ${fen(s.amount)}${en ? ', ' : '，'}${en ? 'in the refund ledger so far' : '退款台账累计'} ${fen(s.refunds)}`, '', quoteTable(s.quote!, lang), '');
  }
  out.push(
    en
      ? `Sum of the three refunds: ${r1.out.map((s) => s.amount).join(' + ')} = ${r1.out.reduce((s, x) => s + x.amount, 0)} fen = everything paid. Nothing was recomputed from the promotions: the 满减 threshold no longer being met after the first refund does not matter, because each line keeps the discount it was given at placement.`
      : `三次退款合计 ${r1.out.map((s) => s.amount).join(' + ')} = ${r1.out.reduce((s, x) => s + x.amount, 0)} 分，正好等于实付。退款时没有重算任何优惠：第一次退款后虽已不满 150 元，但每行保留的是下单时分摊给它的优惠，所以不会多退或少退。`,
    '',
  );

  // 2. A withdrawn request and the fen it leaves behind.
  out.push(en ? '#### 2. A withdrawn request, and the fen that evens out' : '#### 2. 撤销申请后的 1 分尾差', '');
  const odd = paidOrder({ lines: [{ id: 'A', title: 'Socks', listPrice: 500, quantity: 3, allocations: [{ source: 'coupon', sourceId: 'CP', amount: 500 }] }] });
  const reviewed = definePolicy({ autoApproveRefundBeforeShipment: false });
  const rctx = (actor: Actor = CUSTOMER) => ({ now: T0, actor, policy: reviewed });
  const r2 = run(shipped(odd));
  const one = (o: Order) => requestAfterSale(o, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: 'r', items: [{ lineId: 'A', quantity: 1 }] }, rctx());
  const q1 = (o: Order) => {
    const q = refundQuote(o, { kind: 'refund_only', items: [{ lineId: 'A', quantity: 1 }] }, { now: T0, policy: reviewed });
    if (!q.ok) throw q.error;
    return q.quote;
  };
  r2.step({ en: 'Request A: 1 pair', 'zh-CN': '申请 A：1 双' }, one, q1);
  r2.step({ en: 'Request B: 1 pair', 'zh-CN': '申请 B：1 双' }, one, q1);
  const withdrawn = cancelAfterSale(r2.order, { type: 'CANCEL_AFTER_SALE', afterSaleId: r2.order.afterSales[0]!.id }, rctx());
  if (!withdrawn.ok) throw withdrawn.error;
  r2.order = withdrawn.order;
  r2.step({ en: 'A is withdrawn; request C: 1 pair', 'zh-CN': '撤销 A 后申请 C：1 双' }, one, q1);
  r2.step({ en: 'Request D: the last pair', 'zh-CN': '申请 D：最后 1 双' }, one, q1);
  const shares = refundQuote(odd, { kind: 'refund_only' }, { now: T0, policy });
  const allShares = shares.ok ? shares.quote.lines[0]!.unitShares.flatMap((r) => new Array<number>(r.units).fill(r.amount)) : [];
  out.push(
    en
      ? `Socks: 3 pairs, shipped, payable ${fen(odd.lines[0]!.payable)}; the unit shares are ${allShares.join(', ')} fen. The shop reviews every request.`
      : `袜子 3 双，已发货，实付 ${fen(odd.lines[0]!.payable)}，每双分摊 ${allShares.join('、')} 分；每个申请都由商家审核。`,
    '',
  );
  for (const s of r2.out) out.push(`**${s.label[lang]}** — ${fen(s.amount)}`, '', quoteTable(s.quote!, lang), '');
  const kept = r2.order.afterSales.filter((a) => a.status !== 'cancelled').map((a) => a.amount);
  out.push(
    en
      ? `Requests still standing: ${kept.join(' + ')} = ${kept.reduce((a, b) => a + b, 0)} fen = the line's payable. C took one fen more than its unit's share because the withdrawn A had held the bigger 334-fen share.`
      : `仍有效的申请：${kept.join(' + ')} = ${kept.reduce((a, b) => a + b, 0)} 分，正好是该行实付。被撤销的 A 曾占用 334 分的那一份，所以 C 多退 1 分把差额补齐。`,
    '',
  );

  // 3. A return after shipment: the freight stays.
  out.push(en ? '#### 3. Return after shipment (freight per policy)' : '#### 3. 发货后退货退款（运费按店铺规则）', '');
  const ret = shipped(paidOrder({ lines: [{ id: 'A', title: 'Shoes', listPrice: 29900, quantity: 1 }], freight: 1200 }));
  const r3 = run(ret);
  r3.step({ en: 'Return the shoes', 'zh-CN': '退回鞋子' }, (o) => requestAfterSale(o, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', reason: '尺码不合适' }, ctx()), quoteFor(undefined, 'return_and_refund'));
  const approved = approveAfterSale(r3.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: r3.order.afterSales[0]!.id }, ctx(MERCHANT));
  if (!approved.ok) throw approved.error;
  for (const s of r3.out) out.push(`**${s.label[lang]}** — ${fen(s.amount)}`, '', quoteTable(s.quote!, lang), '');
  out.push(
    en
      ? `With the default \`refundShipping: 'before_shipment'\` the ${fen(1200)} freight is not refunded once the parcel has left; with \`'always'\` it would be, and with \`'never'\` never. After approval the after-sale waits in \`${approved.order.afterSales[0]!.status}\` for the parcel.`
      : `默认 \`refundShipping: 'before_shipment'\` 下，包裹发出后运费 ${fen(1200)} 不退；设为 \`'always'\` 则退，\`'never'\` 则始终不退。同意后售后单处于 \`${approved.order.afterSales[0]!.status}\`（${AFTER_SALE_STATUS_LABELS[approved.order.afterSales[0]!.status]['zh-CN']}），等待买家寄回。`,
    '',
  );
  return out.join('\n').trimEnd();
}

/** Replaces the text between `<!-- generated:NAME:start -->` and `<!-- generated:NAME:end -->`. */
export function replaceSection(doc: string, name: string, content: string): string {
  const start = `<!-- generated:${name}:start -->`;
  const end = `<!-- generated:${name}:end -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${name}: markers not found`);
  return `${doc.slice(0, i + start.length)}\n${content}\n${doc.slice(j)}`;
}

/** The doc with every generated section brought up to date. */
export function renderAfterSalesDoc(doc: string): string {
  let out = replaceSection(doc, 'after-sale-chart', renderAfterSaleChart());
  out = replaceSection(out, 'after-sale-examples-en', renderWorkedExamples('en'));
  out = replaceSection(out, 'after-sale-examples-zh', renderWorkedExamples('zh-CN'));
  return out;
}

/** Rewrites the generated sections of docs/after-sales.md; returns the files it changed. */
export default function afterSalesDiagrams(options: string | { root?: string } = {}): string[] {
  const root = typeof options === 'string' ? options : options.root ?? process.cwd();
  const file = resolve(root, DOC);
  const before = readFileSync(file, 'utf8');
  const after = renderAfterSalesDoc(before);
  if (after === before) return [];
  writeFileSync(file, after);
  return [DOC];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const changed = afterSalesDiagrams();
  console.log(changed.length > 0 ? `updated ${changed.join(', ')}` : `${DOC} is up to date`);
}
