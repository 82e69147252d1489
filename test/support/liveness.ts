import type { CheckerOrder } from '../../src/testing/index.js';

/**
 * The open liveness finding of docs/lifecycle.md "Checking a lifecycle exhaustively": partially
 * shipped, and every unit not shipped is taken by a refund-only after-sale that is refunding or
 * refunded, so nothing is left to ship and the order can never leave partially_shipped. The
 * checker tests accept exactly this case as a can-terminate report.
 */
export function partiallyShippedForEver(order: CheckerOrder): boolean {
  if (order.status !== 'partially_shipped') return false;
  return order.lines.every((l) => {
    const shipped = order.shipments.reduce((s, p) => s + p.items.filter((i) => i.lineId === l.id).reduce((x, i) => x + i.quantity, 0), 0);
    const refunded = order.afterSales
      .filter((a) => a.kind === 'refund_only' && (a.status === 'refunding' || a.status === 'refunded'))
      .reduce((s, a) => s + a.items.filter((i) => i.lineId === l.id).reduce((x, i) => x + i.quantity, 0), 0);
    return shipped + refunded >= l.quantity;
  });
}
