import type { Quote } from '../../src/pricing/index.js';

/** The shape the document shows: every number of the quote, compactly. */
export function summarize(q: Quote) {
  return {
    lines: q.lines.map((l) => ({
      id: l.id,
      listPrice: l.listPrice,
      unitPrice: l.unitPrice,
      quantity: l.quantity,
      subtotal: l.subtotal,
      allocations: Object.fromEntries(l.allocations.map((a) => [`${a.source}:${a.sourceId}`, a.amount])),
      payable: l.payable,
    })),
    adjustments: q.adjustments.map((a) => ({ id: a.id, amount: a.amount, lineIds: a.lineIds, reason: a.reason })),
    itemsTotal: q.itemsTotal,
    discountTotal: q.discountTotal,
    freight: q.freight,
    pointsUsed: q.pointsUsed,
    pointsDeduction: q.pointsDeduction,
    total: q.total,
    savings: q.savings,
    couponIds: q.couponIds,
    rejectedCoupons: q.rejectedCoupons,
  };
}
