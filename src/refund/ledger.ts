import type { Order, Refund } from '../order/index.js';

/**
 * The refund ledger's arithmetic. Pending refunds hold their amount (the money may already be on
 * its way); failed ones free it again. Every cap in after-sales is written against these three
 * numbers, never against a recomputed promotion.
 */
export function succeededRefundTotal(order: Order): number {
  let sum = 0;
  for (const r of order.refunds) if (r.status === 'succeeded') sum += r.amount;
  return sum;
}

export function pendingRefundTotal(order: Order): number {
  let sum = 0;
  for (const r of order.refunds) if (r.status === 'pending') sum += r.amount;
  return sum;
}

/** Paid amount not yet refunded or held by a pending refund. */
export function refundableBalance(order: Order): number {
  return order.payment.paidAmount - succeededRefundTotal(order) - pendingRefundTotal(order);
}

/**
 * The next refund id (`out_refund_no`, ≤ 64 chars): the order number, `R`, and a sequence number.
 * Derived from the ledger, so it is deterministic and never reused within the order.
 */
export function nextRefundId(order: Order): string {
  return `${order.number}R${order.refunds.length + 1}`;
}

export interface OpenRefundInput {
  amount: number;
  reason: Refund['reason'];
  afterSaleId?: string;
  transactionId?: string;
  outTradeNo?: string;
  now: Date;
}

/** A new order with a pending ledger entry appended; returns the entry too. Pure. */
export function openRefund(order: Order, input: OpenRefundInput): { order: Order; refund: Refund } {
  const at = input.now.toISOString();
  const refund: Refund = {
    id: nextRefundId(order),
    reason: input.reason,
    amount: input.amount,
    status: 'pending',
    createdAt: at,
    updatedAt: at,
    attempts: 1,
  };
  if (input.afterSaleId !== undefined) refund.afterSaleId = input.afterSaleId;
  const transactionId = input.transactionId ?? order.payment.transactionId;
  if (transactionId !== undefined) refund.transactionId = transactionId;
  const outTradeNo = input.outTradeNo ?? order.payment.outTradeNo;
  if (outTradeNo !== undefined) refund.outTradeNo = outTradeNo;
  return { order: { ...order, refunds: [...order.refunds, refund] }, refund };
}
