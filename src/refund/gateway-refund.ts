import type { CommandOf, EffectDraft, Order, Refund } from '../order/index.js';
import { notifyEffect } from './effects.js';
import { refundErrors } from './errors.js';
import { findRefund, holdsMoney } from './ledger.js';
import { sourceByTransaction } from './routes.js';
import type { AfterSaleContext, AfterSaleStepResult } from './types.js';
import { ok, fail } from '../errors/result.js';

/** One transaction an order collected money under, and how much (`recordGatewayRefund`'s `paidBy`). */
export interface PaidTransaction {
  transactionId: string;
  /** Its `out_trade_no`, stored on the recorded entry. */
  outTradeNo?: string;
  /** Fen it collected. */
  amount: number;
}

/**
 * RECORD_GATEWAY_REFUND: a refund WeChat Pay made that the ledger does not know (a refund made in
 * the merchant platform, or by another system), found in the daily bill. It becomes a succeeded
 * ledger entry under its own `out_refund_no` (reason `gateway`), so the ledger again says what
 * the money did (docs/wechat.md "Daily reconciliation").
 *
 * - An id the ledger already has as succeeded with the same amount: an accepted no-op (the same
 *   day reconciled twice). Any other known id is `REFUND_ALREADY_IN_LEDGER`: its result is
 *   REFUND_SUCCEEDED's to record.
 * - The transaction must be the order's payment or one of its stray payments
 *   (`UNKNOWN_TRANSACTION`), and the refunds of that transaction, with this one, must stay within
 *   what it collected (`REFUND_EXCEEDS_PAID`): such a bill is flagged, never recorded.
 * - An order paid in several transactions of its own (a flow's parts, such as the presale's
 *   deposit and balance) passes `paidBy`: each transaction with what it collected. The transaction
 *   must then be one of them (or a stray payment), and the cap is that transaction's own amount,
 *   never the order's whole `paidAmount`.
 *
 * @example
 * recordGatewayRefund(order, { type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-1', amount: 500 }, afterSaleCtx)
 */
export function recordGatewayRefund(
  order: Order,
  command: CommandOf<'RECORD_GATEWAY_REFUND'>,
  ctx: AfterSaleContext,
  paidBy?: readonly PaidTransaction[],
): AfterSaleStepResult {
  const known = findRefund(order, command.refundId);
  if (known) {
    if (known.status === 'succeeded' && known.amount === command.amount) return ok({ order, effects: [], data: { refundId: known.id, duplicate: true } });
    return fail(refundErrors.refundAlreadyInLedger(known.id, known.status));
  }
  const transactionId = command.transactionId ?? order.payment.transactionId;
  const stray = transactionId === undefined ? undefined : order.payment.stray.find((s) => s.transactionId === transactionId);
  const part = paidBy === undefined || transactionId === undefined ? undefined : paidBy.find((p) => p.transactionId === transactionId);
  const isPayment = transactionId !== undefined && (paidBy === undefined ? transactionId === order.payment.transactionId : part !== undefined);
  if (transactionId === undefined || (!isPayment && stray === undefined)) {
    return fail(refundErrors.unknownTransaction(transactionId ?? ''));
  }
  let collected: number;
  let taken = 0;
  if (part !== undefined) {
    // One of several transactions of the order: it gives back at most what it collected itself.
    collected = part.amount;
    for (const r of order.refunds) {
      const key = r.transactionId ?? r.outTradeNo ?? order.payment.transactionId;
      if (key === transactionId && (r.status === 'succeeded' || holdsMoney(r))) taken += r.amount;
    }
  } else {
    // An order paid from several sources (balance + WeChat Pay): the payment's transaction is the
    // WeChat Pay part, which collected its own share only; the balance's money never went through it.
    const source = isPayment ? sourceByTransaction(order, transactionId) : undefined;
    collected = isPayment ? (source !== undefined ? source.amount : order.payment.paidAmount) : stray!.amount;
    for (const r of order.refunds) {
      const ofThis = isPayment ? r.reason !== 'stray_payment' && (r.transactionId === undefined || r.transactionId === transactionId) : r.transactionId === transactionId;
      if (ofThis && (r.status === 'succeeded' || holdsMoney(r))) taken += r.amount;
    }
  }
  if (taken + command.amount > collected) return fail(refundErrors.refundExceedsPaid(command.amount, Math.max(0, collected - taken)));
  const at = ctx.now.toISOString();
  const entry: Refund = {
    id: command.refundId,
    reason: 'gateway',
    amount: command.amount,
    status: 'succeeded',
    transactionId,
    createdAt: at,
    updatedAt: command.succeededAt ?? at,
    attempts: 1,
  };
  const outTradeNo = command.outTradeNo ?? (part !== undefined ? part.outTradeNo : isPayment ? order.payment.outTradeNo : stray!.outTradeNo);
  if (outTradeNo !== undefined) entry.outTradeNo = outTradeNo;
  if (command.gatewayRefundId !== undefined) entry.gatewayRefundId = command.gatewayRefundId;
  const next: Order = { ...order, refunds: [...order.refunds, entry] };
  const effects: EffectDraft[] = [notifyEffect('merchant', 'gateway_refund_recorded', order, { refundId: entry.id, amount: entry.amount, transactionId })];
  return ok({ order: next, effects, data: { refundId: entry.id, amount: entry.amount, transactionId, refundReason: 'gateway' } });
}
