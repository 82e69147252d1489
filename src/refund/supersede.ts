import type { AfterSale, Order, Refund } from '../order/index.js';
import { FINAL_AFTER_SALE_STATUSES } from './after-sale-states.js';
import { findRefund, holdsMoney } from './ledger.js';

/**
 * Closing an order with after-sales still open (docs/after-sales.md "Closing with after-sales
 * open"). When one ledger entry refunds everything still refundable (a merchant cancel), an open
 * after-sale has nothing left to ask for: the money it wanted is in that refund. Left open, it
 * would stay `requested` or `refunding` on a closed order for ever, and one whose refund had
 * failed would hold its amount a second time (committed > paid, every retry refused).
 *
 * So every open after-sale whose refund holds no money becomes `cancelled` in the same step, its
 * failed ledger entry (if any) staying failed: that money is part of the full refund now. An
 * after-sale whose refund is pending keeps it (the money may already be on its way; the full
 * refund takes only the rest) and still settles with REFUND_SUCCEEDED, or is retried after a
 * REFUND_FAILED; so does one whose refund failed ABNORMAL (its money is held, not part of the full
 * refund), which is retried through the abnormal-refund request.
 */

/**
 * The after-sale is open and its refund, if it has one, holds no money: not pending, and not an
 * ABNORMAL failure (that money left the merchant and is still held by WeChat Pay, so the full
 * refund cannot take it; only the abnormal-refund retry of that entry can bring it to the shopper).
 */
function supersedable(order: Order, afterSale: AfterSale): boolean {
  if (FINAL_AFTER_SALE_STATUSES.indexOf(afterSale.status) >= 0) return false;
  if (afterSale.refundId === undefined) return true;
  const refund = findRefund(order, afterSale.refundId);
  return refund === undefined || !holdsMoney(refund);
}

/**
 * The order with every supersedable after-sale cancelled, and their ids. Pure: returns the input
 * order when there is none.
 *
 * @example
 * const { order: next, superseded } = supersedeOpenAfterSales(order, now);
 * // then refund refundableBalance(next) in full
 */
export function supersedeOpenAfterSales(order: Order, now: Date): { order: Order; superseded: string[] } {
  const superseded: string[] = [];
  const at = now.toISOString();
  const afterSales = order.afterSales.map((a) => {
    if (!supersedable(order, a)) return a;
    superseded.push(a.id);
    return { ...a, status: 'cancelled' as const, updatedAt: at };
  });
  return superseded.length === 0 ? { order, superseded } : { order: { ...order, afterSales }, superseded };
}

/**
 * Whether a failed refund may be sent again: one of an after-sale only while that after-sale is
 * still `refunding` (a superseded one is closed; its money went out with the full refund); a piece
 * of an after-sale's split refund while that after-sale is `refunding` or `refunded`.
 * RETRY_REFUND and its button both ask this.
 *
 * @example
 * order.refunds.some((r) => r.status === 'failed' && refundRetryable(order, r))
 */
export function refundRetryable(order: Order, refund: Refund): boolean {
  if (refund.afterSaleId === undefined) return true;
  const afterSale = order.afterSales.find((a) => a.id === refund.afterSaleId);
  // A piece of a split refund (docs/flows.md "Refund split") is owed while its after-sale was paid
  // or is being paid; a cancelled (superseded) one's money went back with the full refund.
  if (afterSale !== undefined && afterSale.refundId !== refund.id) return afterSale.status === 'refunding' || afterSale.status === 'refunded';
  return afterSale === undefined || FINAL_AFTER_SALE_STATUSES.indexOf(afterSale.status) < 0;
}
