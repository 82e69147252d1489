import type { Quote } from '../pricing/quote.js';
import { moneyView, type MoneyView, type ViewLocale } from './format.js';
import { lineMoneyView } from './line-view.js';
import { adjustmentView, freightFee } from './order-view.js';
import type { AdjustmentView, LineMoneyView } from './types.js';

/** A quote line as the checkout shows it. */
export type QuoteLineView = LineMoneyView;

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
    lines: quote.lines.map((l) => lineMoneyView(l, locale)),
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
