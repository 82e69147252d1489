import type { Line } from '../order/index.js';
import type { Quote } from '../pricing/quote.js';
import { moneyView, type MoneyView, type ViewLocale } from './format.js';
import { ADJUSTMENT_SOURCE_LABELS } from './labels.js';
import { adjustmentView, freightFee } from './order-view.js';
import type { AdjustmentView, AllocationView } from './types.js';

export interface QuoteLineView {
  id: string;
  sku: string;
  title: string;
  image?: string;
  quantity: number;
  listPrice: MoneyView;
  unitPrice: MoneyView;
  subtotal: MoneyView;
  payable: MoneyView;
  allocations: AllocationView[];
}

/** 确认订单: the priced cart, every number explained. */
export interface QuoteView {
  lines: QuoteLineView[];
  adjustments: AdjustmentView[];
  itemsTotal: MoneyView;
  discountTotal: MoneyView;
  freight: MoneyView;
  /** Freight before waivers (the receipt's 运费 row). */
  freightFee: MoneyView;
  pointsUsed: number;
  pointsDeduction: MoneyView;
  total: MoneyView;
  savings: MoneyView;
  couponIds: string[];
  rejectedCoupons: Array<{ couponId: string; code: string; reason: string }>;
  /** A zero total needs no payment: the page submits without calling the gateway. */
  needsPayment: boolean;
}

function quoteLineView(l: Line, locale: ViewLocale): QuoteLineView {
  const v: QuoteLineView = {
    id: l.id,
    sku: l.sku,
    title: l.title,
    quantity: l.quantity,
    listPrice: moneyView(l.listPrice),
    unitPrice: moneyView(l.unitPrice),
    subtotal: moneyView(l.subtotal),
    payable: moneyView(l.payable),
    allocations: l.allocations.map((a) => ({
      source: a.source,
      sourceLabel: ADJUSTMENT_SOURCE_LABELS[a.source][locale],
      sourceId: a.sourceId,
      amount: moneyView(a.amount),
    })),
  };
  if (l.image !== undefined) v.image = l.image;
  return v;
}

/**
 * A priced cart (`priceCart()`'s quote) for the checkout page: lines with what each will cost,
 * each adjustment with its reason, and the total.
 *
 * @example
 * const q = priceCart(cart, rules, { now });
 * if (q.ok) quoteView(q.quote).adjustments.map((a) => `${a.reason} ${a.signedText}`)
 * // → ['满 ¥100 减 ¥10 -¥10.00', '满 ¥199 包邮 -¥8.00']
 */
export function quoteView(quote: Quote, locale: ViewLocale = 'zh-CN'): QuoteView {
  return {
    lines: quote.lines.map((l) => quoteLineView(l, locale)),
    adjustments: quote.adjustments.map((a) => adjustmentView(a, locale)),
    itemsTotal: moneyView(quote.itemsTotal),
    discountTotal: moneyView(quote.discountTotal),
    freight: moneyView(quote.freight),
    freightFee: moneyView(freightFee(quote)),
    pointsUsed: quote.pointsUsed,
    pointsDeduction: moneyView(quote.pointsDeduction),
    total: moneyView(quote.total),
    savings: moneyView(quote.savings),
    couponIds: quote.couponIds.slice(),
    rejectedCoupons: quote.rejectedCoupons.map((c) => ({ couponId: c.couponId, code: c.code, reason: c.reason[locale] })),
    needsPayment: quote.total > 0,
  };
}
