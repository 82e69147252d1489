import type { Line } from '../order/index.js';
import { moneyView, type ViewLocale } from './format.js';
import { ADJUSTMENT_SOURCE_LABELS } from './labels.js';
import type { LineMoneyView } from './types.js';

/**
 * The money of one line, every discount named: shared by the checkout (a quote's lines) and the
 * order detail (an order's lines), which store lines in the same shape.
 *
 * @example
 * lineMoneyView(order.lines[0], 'zh-CN').payable.text // → '¥98.00'
 */
export function lineMoneyView(l: Line, locale: ViewLocale): LineMoneyView {
  const v: LineMoneyView = {
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
