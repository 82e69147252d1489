import type { AfterSale, Order, Refund } from '../order/index.js';
import { findRefund, holdsMoney, paysBackOrderMoney, pendingRefundTotal, refundCount, refundedByTransaction, succeededRefundTotal } from './ledger.js';
import { sourceByTransaction } from './routes.js';

export interface CapOptions {
  /** Count requests not yet approved as holding their money too (used when quoting a new one). */
  includeRequested?: boolean;
  /** Leave this after-sale out (it is the one being approved or refunded). */
  excludeAfterSaleId?: string;
}

function liveRefundOf(order: Order, afterSale: AfterSale): boolean {
  if (afterSale.refundId === undefined) return false;
  const refund = findRefund(order, afterSale.refundId);
  // The after-sale's amount is counted through its ledger entry while that entry holds money.
  return refund !== undefined && (refund.status !== 'failed' || holdsMoney(refund));
}

/**
 * Money that is spoken for: refunds pending or succeeded, plus approved after-sales whose refund
 * is not (or no longer) in the ledger — an approved return awaiting its parcel, a refund that
 * failed and waits for a retry. Approval checks against this, so two requests that together
 * exceed what is left can never both be approved.
 *
 * @example
 * order.payment.paidAmount - committedAmount(order) // what a new approval may still take
 */
export function committedAmount(order: Order, options: CapOptions = {}): number {
  return committedExcept(order, options.excludeAfterSaleId, options.includeRequested === true);
}

/**
 * `committedAmount` with its options as arguments: the reducers ask on every approval and
 * request, and an options object per call showed in the after-sale path's allocation profile.
 */
export function committedExcept(order: Order, excludeAfterSaleId: string | undefined, includeRequested: boolean): number {
  let sum = succeededRefundTotal(order) + pendingRefundTotal(order);
  for (const a of order.afterSales) {
    if (a.id === excludeAfterSaleId) continue;
    if (a.status === 'rejected' || a.status === 'cancelled' || a.status === 'refunded' || a.status === 'exchanged') continue;
    if (a.status === 'requested' && !includeRequested) continue;
    if (liveRefundOf(order, a)) continue;
    // What a retry of its own entry would take: its amount (the after-sale's, but for a split
    // refund only its own piece; the other pieces are entries of their own, docs/flows.md).
    const own = a.refundId === undefined ? undefined : findRefund(order, a.refundId);
    sum += own === undefined ? a.amount : own.amount;
  }
  return sum;
}

/**
 * Fen of the payment not yet refunded, pending or reserved.
 *
 * @example
 * availableToRefund(order, { includeRequested: true }) // cap for a new request
 */
export function availableToRefund(order: Order, options: CapOptions = {}): number {
  return availableExcept(order, options.excludeAfterSaleId, options.includeRequested === true);
}

/** `availableToRefund` with its options as arguments (see `committedExcept`). */
export function availableExcept(order: Order, excludeAfterSaleId: string | undefined, includeRequested: boolean): number {
  return Math.max(0, order.payment.paidAmount - committedExcept(order, excludeAfterSaleId, includeRequested));
}

/**
 * What `amount` of after-sale `afterSaleId` (its amount when it is approved or its return is
 * received, its ledger entry's when that is retried) may take of the payment: all of it while it
 * fits beside everything else; when refunds recorded from WeChat's bill (`RECORD_GATEWAY_REFUND`,
 * reason `gateway`: made in the merchant platform) took the difference, what is left, possibly 0;
 * otherwise -1 (`REFUND_EXCEEDS_PAID`). docs/after-sales.md "Refunds the ledger did not know".
 *
 * @example
 * amountThatFits(order, order.afterSales[0].id, order.afterSales[0].amount) // 0 once everything was refunded in the merchant platform
 */
export function amountThatFits(order: Order, afterSaleId: string, amount: number): number {
  const available = availableExcept(order, afterSaleId, false);
  if (amount <= available) return amount;
  let outside = 0;
  for (const r of order.refunds) if (r.reason === 'gateway' && r.status === 'succeeded' && paysBackOrderMoney(order, r)) outside += r.amount;
  return amount - available <= outside ? available : -1;
}

/**
 * What the retry of after-sale `afterSaleId`'s failed ledger entry may send: `amountThatFits` for
 * its amount and, on an order paid from several sources, no more than its own source has left (it
 * goes out again there) when refunds made in the merchant platform on that transaction took the
 * rest: the refund made by hand is taken to have paid it, never paid a second time from another
 * source. -1 when it does not fit for another reason.
 *
 * @example
 * retryThatFits(order, order.afterSales[0].id, order.refunds[0]) // 0: refunded by hand in full
 */
export function retryThatFits(order: Order, afterSaleId: string, refund: Refund): number {
  const fits = amountThatFits(order, afterSaleId, refund.amount);
  const source = sourceByTransaction(order, refund.transactionId);
  if (fits <= 0 || source === undefined) return fits;
  const own = source.amount - (refundedByTransaction(order).get(source.transactionId!) ?? 0);
  if (own >= fits) return fits;
  return order.refunds.some((r) => r.reason === 'gateway' && r.transactionId === source.transactionId) ? Math.max(0, own) : -1;
}

/**
 * Ledger entries a new request would need before it is refunded: the entries already made plus
 * one for every open after-sale that has none yet. Checked against `policy.maxPartialRefunds`.
 *
 * @example
 * plannedRefundCount(order) + 1 <= policy.maxPartialRefunds // may one more request come in?
 */
export function plannedRefundCount(order: Order, options: CapOptions = { includeRequested: true }): number {
  return plannedRefundsExcept(order, options.excludeAfterSaleId, options.includeRequested === true);
}

/** `plannedRefundCount` with its options as arguments (see `committedExcept`). */
export function plannedRefundsExcept(order: Order, excludeAfterSaleId: string | undefined, includeRequested: boolean): number {
  let n = refundCount(order);
  for (const a of order.afterSales) {
    if (a.id === excludeAfterSaleId) continue;
    if (a.status === 'rejected' || a.status === 'cancelled' || a.status === 'refunded' || a.status === 'exchanged') continue;
    if (a.status === 'requested' && !includeRequested) continue;
    // An after-sale worth nothing (a free gift) or an exchange (no money moves) never needs a ledger entry.
    if (a.refundId === undefined && a.amount > 0 && a.kind !== 'exchange') n++;
  }
  return n;
}
