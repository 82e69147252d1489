import type { AbnormalRefundHandling, CommandOf, EffectDraft, Order, Refund } from '../order/index.js';
import { runAfterSale, schemaCopies } from './engine.js';
import { restartRefund } from './engine.js';
import { notifyEffect } from './effects.js';
import { refundErrors } from './errors.js';
import { afterSaleOfRefund, findRefund, holdsMoney, pendingRefundTotal, refundedByTransaction, strayRoom, succeededRefundTotal } from './ledger.js';
import { sourceByTransaction } from './routes.js';
import { onAfterSale } from './review.js';
import { refundRetryable } from './supersede.js';
import type { AfterSaleContext, AfterSaleStepResult } from './types.js';
import { movedRefund, orderWithRefunds } from './copies.js';
import { isoTimestamp } from '../time/iso.js';
import { ok, fail } from '../errors/result.js';

function withRefund(order: Order, refund: Refund, schemaOnly = false): Order {
  const refunds = order.refunds.slice();
  for (let i = 0; i < refunds.length; i++) if (refunds[i]!.id === refund.id) refunds[i] = refund;
  return orderWithRefunds(order, refunds, schemaOnly);
}

function refundData(refund: Refund, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const data: Record<string, unknown> = { refundId: refund.id, amount: refund.amount, refundReason: refund.reason, ...extra };
  if (refund.afterSaleId !== undefined) data.afterSaleId = refund.afterSaleId;
  return data;
}

/**
 * True when every fen paid has come back (succeeded refunds = paid amount > 0): the lifecycle then
 * closes the order with `closeReason: 'fully_refunded'`.
 *
 * @example
 * isFullyRefunded(order) // true once every paid fen is refunded: the order closes
 */
export function isFullyRefunded(order: Order): boolean {
  return order.payment.paidAmount > 0 && succeededRefundTotal(order) === order.payment.paidAmount;
}

/**
 * What a failed refund may still take if its success is reported late: paid − succeeded − pending,
 * and on an order paid from several sources no more than its own source has left (a refund is
 * paid by its transaction: docs/after-sales.md "Σ refunds per transaction ≤ its total"); for a
 * stray payment's refund, what that transaction collected less what else came back from it.
 */
function lateSuccessRoom(order: Order, refund?: Refund): number {
  if (refund !== undefined && refund.reason === 'stray_payment') {
    const stray = order.payment.stray.find((s) => s.transactionId === refund.transactionId || s.refundId === refund.id);
    // A stray refund whose payment is not on record: nothing to weigh it against (as before).
    return stray === undefined ? refund.amount : strayRoom(order, stray, refund.id);
  }
  const room = order.payment.paidAmount - succeededRefundTotal(order) - pendingRefundTotal(order);
  const source = refund === undefined ? undefined : sourceByTransaction(order, refund.transactionId);
  if (source === undefined) return room;
  const left = source.amount - (refundedByTransaction(order).get(source.transactionId!) ?? 0);
  return left < room ? left : room;
}

/**
 * Whether a failed refund may still be reported successful (the money moved after all): a refund
 * of a stray payment while it fits beside what else came back from that transaction (that money
 * was never counted as paid), any other only while it fits beside what is refunded and pending.
 * REFUND_SUCCEEDED and the buttons both ask this.
 *
 * @example
 * lateSuccessFits(order, order.refunds[0]) // false once the freed amount went to another refund
 */
export function lateSuccessFits(order: Order, refund: Refund): boolean {
  if (refund.replacedBy !== undefined) return false;
  // An ABNORMAL entry still holds its money (`holdsMoney`): its success takes nothing new.
  return holdsMoney(refund) || refund.amount <= lateSuccessRoom(order, refund);
}

/**
 * REFUND_SUCCEEDED (a verified gateway result, or a query): the ledger entry succeeds and its
 * after-sale, if any, becomes `refunded`. Works for every entry — after-sales, merchant cancels,
 * late payments. A repeat of a result already recorded changes nothing (`data.duplicate`); an
 * amount that differs from the entry is `REFUND_AMOUNT_MISMATCH`.
 *
 * @example
 * refundSucceeded(order, { type: 'REFUND_SUCCEEDED', refundId: 'NR1', amount: 3000 }, { now, actor: { type: 'payment', gateway: 'wechatpay' }, policy })
 */
export function refundSucceeded(order: Order, command: CommandOf<'REFUND_SUCCEEDED'>, ctx: AfterSaleContext): AfterSaleStepResult {
  const refund = findRefund(order, command.refundId);
  if (!refund) return fail(refundErrors.unknownRefund(command.refundId));
  if (command.amount !== undefined && command.amount !== refund.amount) {
    return fail(refundErrors.refundAmountMismatch(refund.id, refund.amount, command.amount));
  }
  if (refund.status === 'succeeded') return ok({ order, effects: [], data: refundData(refund, { duplicate: true }) });
  // A CLOSED entry re-issued under a new id is never paid: the new id is the one that pays.
  if (refund.replacedBy !== undefined) return fail(refundErrors.refundSuperseded(refund.id, refund.replacedBy));
  if (refund.status === 'failed' && !lateSuccessFits(order, refund)) {
    return fail(refundErrors.refundExceedsPaid(refund.amount, Math.max(0, lateSuccessRoom(order, refund))));
  }
  const done = movedRefund(refund, 'succeeded', command.succeededAt ?? isoTimestamp(ctx.now.getTime()), false, false);
  if (command.gatewayRefundId !== undefined) done.gatewayRefundId = command.gatewayRefundId;
  const order1 = withRefund(order, done, schemaCopies(ctx));
  const afterSale = afterSaleOfRefund(order1, done);
  if (!afterSale) {
    const effects: EffectDraft[] = [notifyEffect('customer', 'refund_succeeded', order1, { refundId: done.id, amount: done.amount, reason: done.reason })];
    return ok({ order: order1, effects, data: refundData(done) });
  }
  // order1 is this call's own copy: the after-sale's move may write into it.
  const moved = runAfterSale({ order: order1, afterSale, effects: [], path: [afterSale.status], owned: true }, 'REFUND_SUCCEEDED', ctx);
  if (!moved.ok) return moved;
  // refundData(done, { afterSaleStatus }) without its spread (this is every refund result's path).
  const data: Record<string, unknown> = { refundId: done.id, amount: done.amount, refundReason: done.reason, afterSaleStatus: moved.step.afterSale.status };
  if (done.afterSaleId !== undefined) data.afterSaleId = done.afterSaleId;
  return { ok: true, order: moved.step.order, effects: moved.step.effects, data };
}

/**
 * REFUND_FAILED: the ledger entry fails and frees its amount; its after-sale stays `refunding`
 * and the merchant is told. Retry with APPROVE_AFTER_SALE on the after-sale (or `retryRefund`
 * for entries without one): the same refund id, the same amount. A repeated failure report
 * changes nothing; a failure after success is `REFUND_ALREADY_SUCCEEDED`. An entry paid back to
 * the stored balance (a credit, never sent to WeChat Pay) cannot fail: `BALANCE_REFUND_CANNOT_FAIL`.
 *
 * @example
 * refundFailed(order, { type: 'REFUND_FAILED', refundId: 'NR1', reason: 'NOTENOUGH' }, afterSaleCtx)
 */
export function refundFailed(order: Order, command: CommandOf<'REFUND_FAILED'>, ctx: AfterSaleContext): AfterSaleStepResult {
  const refund = findRefund(order, command.refundId);
  if (!refund) return fail(refundErrors.unknownRefund(command.refundId));
  // A refund to the stored balance is a credit (idempotent by its key), never sent to WeChat Pay:
  // it cannot fail there. Freeing its amount on a wrong report would let a later refund credit
  // the same money again while this credit is applied (docs/payment-sources.md "Refunds").
  if (sourceByTransaction(order, refund.transactionId)?.kind === 'balance') return fail(refundErrors.balanceRefundCannotFail(refund.id));
  if (refund.status === 'succeeded') return fail(refundErrors.refundAlreadySucceeded(refund.id));
  if (refund.status === 'failed') {
    // CLOSED is final and gives the money back to the merchant. Reported for an entry that failed
    // otherwise (ABNORMAL: money held; or no status), it is news, not a repeat: kept as a duplicate,
    // the entry would go on holding money WeChat has returned (or be re-sent under a number WeChat
    // closed), and the shopper would never be paid.
    if (command.gatewayStatus !== 'CLOSED' || refund.gatewayStatus === 'CLOSED') return ok({ order, effects: [], data: refundData(refund, { duplicate: true }) });
    const closed: Refund = { ...refund, gatewayStatus: 'CLOSED', failureReason: command.reason, updatedAt: ctx.now.toISOString() };
    if (command.gatewayRefundId !== undefined) closed.gatewayRefundId = command.gatewayRefundId;
    const effects: EffectDraft[] = [notifyEffect('merchant', 'refund_failed', order, failedData(closed, command.reason))];
    return ok({ order: withRefund(order, closed), effects, data: refundData(closed, failedData(closed, command.reason)) });
  }
  const failed: Refund = { ...refund, status: 'failed', failureReason: command.reason, updatedAt: ctx.now.toISOString() };
  if (command.gatewayStatus !== undefined) failed.gatewayStatus = command.gatewayStatus;
  if (command.gatewayRefundId !== undefined) failed.gatewayRefundId = command.gatewayRefundId;
  const afterSale = afterSaleOfRefund(order, refund);
  if (!afterSale) {
    const effects: EffectDraft[] = [notifyEffect('merchant', 'refund_failed', order, failedData(failed, command.reason))];
    return ok({ order: withRefund(order, failed), effects, data: refundData(failed, failedData(failed, command.reason)) });
  }
  // The chart's guard reads the entry as it was (pending), so move the after-sale first.
  const moved = runAfterSale({ order, afterSale, effects: [], path: [afterSale.status] }, 'REFUND_FAILED', ctx);
  if (!moved.ok) return moved;
  return ok({ order: withRefund(moved.step.order, failed), effects: moved.step.effects, data: refundData(failed, failedData(failed, command.reason)) });
}

function failedData(failed: Refund, reason: string): Record<string, unknown> {
  const data: Record<string, unknown> = { refundId: failed.id, amount: failed.amount, reason, failureReason: reason };
  if (failed.gatewayStatus !== undefined) data.gatewayStatus = failed.gatewayStatus;
  return data;
}

/**
 * Retries a failed refund under its own id and amount: for an after-sale's refund this is
 * APPROVE_AFTER_SALE again; for a merchant-cancel or late-payment refund it re-opens the entry
 * directly. Not a command of its own yet — the lifecycle may wire it to one.
 *
 * @example
 * retryRefund(order, { refundId: 'NR1' }, { now, actor: merchant, policy })
 */
export function retryRefund(order: Order, input: { refundId: string; abnormalHandling?: AbnormalRefundHandling }, ctx: AfterSaleContext): AfterSaleStepResult {
  const refund = findRefund(order, input.refundId);
  if (!refund) return fail(refundErrors.unknownRefund(input.refundId));
  if (refund.replacedBy !== undefined) return fail(refundErrors.refundSuperseded(refund.id, refund.replacedBy));
  const afterSale = afterSaleOfRefund(order, refund);
  if (afterSale !== undefined && refund.afterSaleId !== undefined) {
    if (refund.status !== 'failed') return fail(refundErrors.refundNotFailed(refund.id, refund.status));
    if (!refundRetryable(order, refund)) {
      return fail(refundErrors.invalidAfterSaleTransition(afterSale.id, afterSale.status, 'RETRY_REFUND', {
          'zh-CN': '售后单已关闭，其款项已随整单退款退回',
          en: 'the after-sale is closed; its money went back with the full refund of the order',
        }));
    }
    return onAfterSale(order, refund.afterSaleId, 'APPROVE_AFTER_SALE', input.abnormalHandling === undefined ? ctx : { ...ctx, abnormalHandling: input.abnormalHandling });
  }
  if (refund.afterSaleId !== undefined && !refundRetryable(order, refund)) {
    // A piece of a split refund whose after-sale was superseded: its money went back with the full refund.
    return fail(refundErrors.invalidAfterSaleTransition(refund.afterSaleId, 'cancelled', 'RETRY_REFUND', {
      'zh-CN': '售后单已关闭，其款项已随整单退款退回',
      en: 'the after-sale is closed; its money went back with the full refund of the order',
    }));
  }
  const restarted = restartRefund(order, refund.id, input.abnormalHandling === undefined ? ctx : { ...ctx, abnormalHandling: input.abnormalHandling });
  if (!restarted.ok) return restarted;
  const now = findRefund(restarted.order, restarted.refundId)!;
  const extra: Record<string, unknown> = { retried: true };
  if (now.replaces !== undefined) extra.replaces = now.replaces;
  if (now.abnormalHandling !== undefined && now.id === refund.id) extra.abnormalHandling = now.abnormalHandling;
  return ok({ order: restarted.order, effects: restarted.effects, data: refundData(now, extra) });
}
