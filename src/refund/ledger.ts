import type { AfterSale, Order, Refund } from '../order/index.js';
import { isoTimestamp } from '../time/iso.js';
import { orderWithRefunds } from './copies.js';

/**
 * The refund ledger's arithmetic. Pending refunds hold their amount (the money may already be on
 * its way); failed ones free it again. Every cap in after-sales is written against these three
 * numbers, never against a recomputed promotion.
 */
/**
 * Fen refunded for good (succeeded entries; stray-payment refunds excluded).
 *
 * @example
 * succeededRefundTotal(order) === order.payment.paidAmount // everything came back
 */
export function succeededRefundTotal(order: Order): number {
  let sum = 0;
  for (const r of order.refunds) if (r.status === 'succeeded' && paysBackOrderMoney(order, r)) sum += r.amount;
  return sum;
}

/**
 * Whether an entry's money is on its way or held by the gateway: pending entries, and failed ones
 * WeChat reported ABNORMAL (the money left the merchant but could not reach the shopper, so it
 * cannot be refunded a second time; docs/after-sales.md "Refund states").
 *
 * @example
 * holdsMoney({ ...refund, status: 'failed', gatewayStatus: 'ABNORMAL' }) // true
 */
export function holdsMoney(refund: Refund): boolean {
  return refund.status === 'pending' || (refund.status === 'failed' && refund.gatewayStatus === 'ABNORMAL');
}

/**
 * Fen on their way back or held by the gateway (`holdsMoney`; stray-payment refunds excluded).
 *
 * @example
 * pendingRefundTotal(order) // held until REFUND_SUCCEEDED, or a REFUND_FAILED that frees it
 */
export function pendingRefundTotal(order: Order): number {
  let sum = 0;
  for (const r of order.refunds) if (holdsMoney(r) && paysBackOrderMoney(order, r)) sum += r.amount;
  return sum;
}

/**
 * Fen refunded or on their way back per payment transaction (succeeded entries and those that
 * `holdsMoney`), stray-payment refunds included: each transaction can give back at most what it
 * collected. The key is the entry's transaction id, else its `out_trade_no`.
 *
 * @example
 * refundedByTransaction(order).get(order.payment.transactionId!) // ≤ order.payment.paidAmount
 */
export function refundedByTransaction(order: Order): Map<string, number> {
  const sums = new Map<string, number>();
  for (const r of order.refunds) {
    if (r.status !== 'succeeded' && !holdsMoney(r)) continue;
    const key = r.transactionId ?? r.outTradeNo ?? order.payment.transactionId ?? order.number;
    sums.set(key, (sums.get(key) ?? 0) + r.amount);
  }
  return sums;
}

/**
 * A stray payment (a superseded attempt, a wrong amount) is money that never became
 * `payment.paidAmount`, so refunding it must not eat into what the order itself may refund. That
 * holds for its own refund (reason `stray_payment`) and for any other entry that returns money of
 * a stray transaction: a refund of it made in the merchant platform, which the reconciliation
 * records with reason `gateway` (`RECORD_GATEWAY_REFUND`).
 */
export function paysBackOrderMoney(order: Order, refund: Refund): boolean {
  if (refund.reason === 'stray_payment') return false;
  return !isStrayTransaction(order, refund.transactionId);
}

/** Whether `transactionId` is one of the order's stray payments (and not the payment that paid it). */
export function isStrayTransaction(order: Order, transactionId: string | undefined): boolean {
  if (transactionId === undefined || transactionId === order.payment.transactionId) return false;
  const stray = order.payment.stray;
  for (let i = 0; i < stray.length; i++) if (stray[i]!.transactionId === transactionId) return true;
  return false;
}

/**
 * Fen a stray payment may still give back: what it collected, less every entry of its transaction
 * that succeeded or holds money (its own refund, a refund made in the merchant platform), leaving
 * out `except` (the entry being retried or settled).
 *
 * @example
 * strayRoom(order, order.payment.stray[0]) // 0 once its refund is pending or paid
 */
export function strayRoom(order: Order, stray: { transactionId: string; amount: number }, except?: string): number {
  let taken = 0;
  for (const r of order.refunds) {
    if (r.id === except || r.transactionId !== stray.transactionId) continue;
    if (r.status === 'succeeded' || holdsMoney(r)) taken += r.amount;
  }
  return Math.max(0, stray.amount - taken);
}

/**
 * Refunds counted against WeChat Pay's per-payment limit (`policy.maxPartialRefunds`): every
 * ledger entry of the order's payment, whatever its status, because a failed entry keeps its id
 * and is retried under it.
 *
 * @example
 * refundCount(order) < policy.maxPartialRefunds // room for one more refund
 */
export function refundCount(order: Order): number {
  let n = 0;
  for (const r of order.refunds) if (paysBackOrderMoney(order, r)) n++;
  return n;
}

/**
 * The ledger entry with this id (`out_refund_no`), if any.
 *
 * @example
 * findRefund(order, 'NO123R1')?.status // 'pending' | 'succeeded' | 'failed'
 */
export function findRefund(order: Order, refundId: string): Refund | undefined {
  for (const r of order.refunds) if (r.id === refundId) return r;
  return undefined;
}

/**
 * The after-sale whose refund this entry is (its `refundId`), or undefined. An entry may name an
 * after-sale without being its refund: a **piece** of that after-sale's refund paid from another
 * transaction (a presale refund split over the deposit and the balance, docs/flows.md "Refund
 * split"). A piece counts toward its after-sale's money but settles, fails and is retried as an
 * entry of its own: it never moves the after-sale.
 *
 * @example
 * afterSaleOfRefund(order, order.refunds[0])?.id // 'N1-AS1' for an after-sale's own refund
 */
export function afterSaleOfRefund(order: Order, refund: Refund): AfterSale | undefined {
  if (refund.afterSaleId === undefined) return undefined;
  for (const a of order.afterSales) if (a.id === refund.afterSaleId) return a.refundId === refund.id ? a : undefined;
  return undefined;
}

/**
 * Fen refunded for good for one after-sale: its succeeded ledger entries (its own, one re-issued
 * for it, the pieces of a split refund) and the balance's share of each, `<id>B`, which names no
 * after-sale (docs/payment-sources.md "Refunds"). What a page shows beside an after-sale that a
 * merchant cancel closed after part of its refund was paid (docs/after-sales.md "Closing with
 * after-sales open").
 *
 * @example
 * refundedFor(order, order.afterSales[0].id) // 2000: the balance's share came back, WeChat Pay's failed
 */
export function refundedFor(order: Order, afterSaleId: string): number {
  let sum = 0;
  for (const r of order.refunds) {
    if (r.status !== 'succeeded' || r.reason === 'gateway') continue;
    const of = r.afterSaleId ?? (r.id.endsWith('B') ? findRefund(order, r.id.slice(0, -1))?.afterSaleId : undefined);
    if (of === afterSaleId) sum += r.amount;
  }
  return sum;
}

/**
 * Paid amount not yet refunded or held by a pending refund (failed entries free theirs).
 *
 * @example
 * refundableBalance(order) // what a merchant cancel would refund now
 */
export function refundableBalance(order: Order): number {
  return order.payment.paidAmount - succeededRefundTotal(order) - pendingRefundTotal(order);
}

/**
 * The next refund id (`out_refund_no`, ≤ 64 chars): the order number, `R`, and a sequence number.
 * Derived from the ledger, so it is deterministic and never reused within the order: ids already
 * taken by the ledger or by a stray payment's refund are skipped.
 *
 * @example
 * nextRefundId(order) // '202611251200004821937465R1' for an order with an empty ledger
 */
export function nextRefundId(order: Order): string {
  let n = order.refunds.length + 1;
  for (;;) {
    const id = `${order.number}R${n}`;
    let taken = false;
    for (const r of order.refunds) if (r.id === id) taken = true;
    for (const s of order.payment.stray) if (s.refundId === id) taken = true;
    if (!taken) return id;
    n++;
  }
}

export interface OpenRefundInput {
  amount: number;
  reason: Refund['reason'];
  afterSaleId?: string;
  transactionId?: string;
  outTradeNo?: string;
  now: Date;
}

/**
 * A new order with a pending ledger entry appended; returns the entry too. Pure. The entry (and so
 * its id) is stored in the same step that emits `payment.refund`, before any gateway call.
 *
 * @example
 * const { order: next, refund } = openRefund(order, { amount: 4800, reason: 'merchant_cancel', now });
 */
export function openRefund(order: Order, input: OpenRefundInput): { order: Order; refund: Refund } {
  const refund = newRefund(order, input);
  return { order: orderWithRefunds(order, order.refunds.concat(refund)), refund };
}

/**
 * The pending entry `openRefund` appends, without the order copy (for a reducer that writes it
 * into a copy of its own).
 *
 * @example
 * newRefund(order, { amount: 4800, reason: 'after_sale', afterSaleId: 'NO1-AS1', now }).id // 'NO1R1'
 */
export function newRefund(order: Order, input: OpenRefundInput): Refund {
  const at = isoTimestamp(input.now.getTime());
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
  return refund;
}
