import type { AfterSale, Order } from '../order/index.js';
import { findRefund, holdsMoney, pendingRefundTotal, refundCount, succeededRefundTotal } from './ledger.js';

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
