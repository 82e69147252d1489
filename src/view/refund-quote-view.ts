import type { RefundQuote } from '../refund/quote.js';
import { moneyView, type MoneyView, type ViewLocale } from './format.js';
import { AFTER_SALE_KIND_LABELS } from './labels.js';

/** 申请售后: the exact refund for the shopper's choice, shown before they submit. */
export interface RefundQuoteView {
  kind: RefundQuote['kind'];
  kindLabel: string;
  /** What this request refunds: goods plus shipping. */
  amount: MoneyView;
  itemsAmount: MoneyView;
  shippingAmount: MoneyView;
  /** Why shipping is (not) refunded, per the shop's policy. */
  shippingReason: string;
  lines: Array<{ lineId: string; title: string; quantity: number; amount: MoneyView; reason: string }>;
  paid: MoneyView;
  /** What was still refundable before this request. */
  available: MoneyView;
  /** The whole sum in one sentence. */
  note: string;
}

/**
 * A `refundQuote()` result for the after-sale page.
 *
 * @example
 * const r = refundQuote(order, { kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }] }, { now, policy });
 * if (r.ok) refundQuoteView(r.quote).amount.text // → '¥59.90'
 */
export function refundQuoteView(quote: RefundQuote, locale: ViewLocale = 'zh-CN'): RefundQuoteView {
  return {
    kind: quote.kind,
    kindLabel: AFTER_SALE_KIND_LABELS[quote.kind][locale],
    amount: moneyView(quote.amount),
    itemsAmount: moneyView(quote.itemsAmount),
    shippingAmount: moneyView(quote.shippingAmount),
    shippingReason: quote.shipping.reason[locale],
    lines: quote.lines.map((l) => ({ lineId: l.lineId, title: l.title, quantity: l.quantity, amount: moneyView(l.amount), reason: l.reason[locale] })),
    paid: moneyView(quote.paidAmount),
    available: moneyView(quote.available),
    note: quote.reason[locale],
  };
}
