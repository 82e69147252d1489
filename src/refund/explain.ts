import type { LocalizedText } from '../errors/orderkit-error.js';
import { formatFen } from '../money/format.js';
import type { DiscountSource, Line } from '../order/index.js';
import type { UnitShareRun } from './unit-shares.js';

/** How refund quotes put their numbers into words, in both languages. */

const SOURCE_LABELS: Readonly<Record<DiscountSource, LocalizedText>> = {
  member_price: { 'zh-CN': '会员价', en: 'member price' },
  timed_discount: { 'zh-CN': '限时折扣', en: 'timed discount' },
  full_reduction: { 'zh-CN': '满减', en: 'spend-and-save (满减)' },
  coupon: { 'zh-CN': '优惠券', en: 'coupon' },
  points: { 'zh-CN': '积分抵扣', en: 'points' },
  price_adjustment: { 'zh-CN': '改价', en: 'price adjustment' },
};

const fen = (n: number): string => formatFen(n);

function discounts(line: Line): LocalizedText {
  const bySource = new Map<DiscountSource, number>();
  for (const a of line.allocations) bySource.set(a.source, (bySource.get(a.source) ?? 0) + a.amount);
  const zh: string[] = [];
  const en: string[] = [];
  for (const [source, amount] of bySource) {
    if (amount === 0) continue;
    const sign = amount > 0 ? '−' : '+';
    zh.push(`${SOURCE_LABELS[source]['zh-CN']} ${sign}${fen(Math.abs(amount))}`);
    en.push(`${SOURCE_LABELS[source].en} ${sign}${fen(Math.abs(amount))}`);
  }
  return { 'zh-CN': zh.join('，'), en: en.join(', ') };
}

function runs(shares: UnitShareRun[]): string {
  return shares.map((r) => (r.units === 1 ? fen(r.amount) : `${r.units} × ${fen(r.amount)}`)).join(' + ');
}

export function explainLine(
  line: Line,
  quantity: number,
  heldBefore: number,
  shares: UnitShareRun[],
  adjustment: number,
  amount: number,
): LocalizedText {
  const listTotal = line.listPrice * line.quantity;
  const d = discounts(line);
  const first = heldBefore + 1;
  const last = heldBefore + quantity;
  const unitsZh = first === last ? `第 ${first} 件` : `第 ${first}–${last} 件`;
  const unitsEn = first === last ? `unit ${first}` : `units ${first}–${last}`;
  const adjZh = adjustment === 0 ? '' : `，${adjustment > 0 ? '加' : '减'} ${fen(Math.abs(adjustment))} 以抵消此前已撤销申请的尾差`;
  const adjEn = adjustment === 0 ? '' : `, ${adjustment > 0 ? 'plus' : 'minus'} ${fen(Math.abs(adjustment))} to even out earlier claims that were withdrawn`;
  const plain = shares.length === 1 && shares[0]!.units === 1 && adjustment === 0;
  const sumZh = plain ? fen(amount) : `${runs(shares)}${adjZh} = ${fen(amount)}`;
  const sumEn = plain ? fen(amount) : `${runs(shares)}${adjEn} = ${fen(amount)}`;
  const lastZh = last === line.quantity && line.quantity > 1 ? '（最后几件取余数，整行合计恰好等于实付）' : '';
  const lastEn = last === line.quantity && line.quantity > 1 ? ' (the last units take the remainder, so the line adds up to exactly its payable)' : '';
  return {
    'zh-CN':
      `${line.title}：原价 ${fen(listTotal)}${d['zh-CN'] ? `，${d['zh-CN']}` : ''}，实付 ${fen(line.payable)}，` +
      `按 ${line.quantity} 件均摊；退${unitsZh}（共 ${line.quantity} 件）= ${sumZh}${lastZh}`,
    en:
      `${line.title}: list ${fen(listTotal)}${d.en ? `, ${d.en}` : ''}, payable ${fen(line.payable)} ` +
      `spread over ${line.quantity} unit(s); refunding ${unitsEn} of ${line.quantity} = ${sumEn}${lastEn}`,
  };
}

export type ShippingDecision = 'included' | 'no_freight' | 'already_refunded' | 'not_requested' | 'policy_never' | 'already_shipped' | 'partial' | 'per_line';

export function explainShipping(decision: ShippingDecision, freight: number): LocalizedText {
  switch (decision) {
    case 'included':
      return { 'zh-CN': `退运费 ${fen(freight)}`, en: `freight of ${fen(freight)} refunded` };
    case 'no_freight':
      return { 'zh-CN': '订单没有运费', en: 'the order had no freight' };
    case 'already_refunded':
      return { 'zh-CN': '运费已在之前的售后中退还（运费最多退一次）', en: 'freight was already refunded by an earlier after-sale (it is refunded once at most)' };
    case 'not_requested':
      return { 'zh-CN': '本次申请不含运费', en: 'freight was not asked for' };
    case 'policy_never':
      return { 'zh-CN': '店铺规则：运费不退', en: 'shop policy: freight is never refunded' };
    case 'already_shipped':
      return { 'zh-CN': '店铺规则：商品发出后运费不退', en: 'shop policy: freight is not refunded once goods have shipped' };
    case 'partial':
      return { 'zh-CN': '运费随最后一次退款（全部商品退完时）一并退还', en: 'freight comes back with the refund that takes the last unit' };
    case 'per_line':
      return { 'zh-CN': `运费按商品行分摊，本次退这些件数的运费 ${fen(freight)}`, en: `freight is split over the lines: ${fen(freight)} for these units` };
  }
}
