import type { OrderkitError } from '../../errors/orderkit-error.js';
import type { Actor, Command, CommandOf, EffectDraft, Order, StrayPayment } from '../../order/index.js';
import { openRefund } from '../../refund/ledger.js';
import { editErrors } from '../edit-errors.js';
import { NO_MATCH } from '../errors.js';
import { defineGuard, note, type Draft, type Step } from '../step.js';
import { findAttempt } from './payment.js';

/**
 * Stray payments: verified money that cannot pay the order — an attempt superseded by 改价, an
 * amount that differs from its attempt, a second transaction for a paid order, any payment for a
 * closed order. It is never dropped: it is kept in `order.payment.stray`, refunded in full under a
 * ledger entry of its own (reason `stray_payment`, so REFUND_SUCCEEDED / REFUND_FAILED settle it
 * like any refund, but it never counts as money the order was paid), and the merchant is told.
 * The status does not move. One transaction is recorded once; repeats are accepted no-ops.
 *
 * This is the one mechanism for such money. `transition()` applies it by itself to a payment for
 * a closed order (what else could that payment mean?). For an open or paid order it refuses the
 * payment with a typed error (AMOUNT_MISMATCH, PAYMENT_ATTEMPT_CLOSED, ALREADY_PAID, …), and the
 * service turns a refused verified payment into RECORD_STRAY_PAYMENT.
 */

type Paying = CommandOf<'PAYMENT_SUCCEEDED'>;
type RecordingStray = CommandOf<'RECORD_STRAY_PAYMENT'>;

function isRecorded(order: Order, transactionId: string): boolean {
  const stray = order.payment.stray;
  for (let i = 0; i < stray.length; i++) if (stray[i]!.transactionId === transactionId) return true;
  return false;
}

function checkMoney(command: { amount: unknown; transactionId: unknown; outTradeNo?: unknown }): OrderkitError | undefined {
  const { amount, transactionId, outTradeNo } = command;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
    return editErrors.invalidStrayPayment(['amount'], '金额必须是正整数（分）', 'amount must be a positive integer number of fen');
  }
  if (typeof transactionId !== 'string' || transactionId.length === 0 || transactionId.length > 64) {
    return editErrors.invalidStrayPayment(['transactionId'], '缺少交易号', 'transactionId is required');
  }
  if (outTradeNo !== undefined && (typeof outTradeNo !== 'string' || outTradeNo.length === 0 || outTradeNo.length > 32)) {
    return editErrors.invalidStrayPayment(['outTradeNo'], '商户单号应为 1 到 32 个字符', 'outTradeNo must be 1 to 32 characters');
  }
  return undefined;
}

/** The same transaction was recorded as stray already: accepted, nothing changes. */
export const isRecordedStrayPayment = defineGuard(
  (step: Step<Paying | RecordingStray>) => (isRecorded(step.order, step.command.transactionId) ? undefined : NO_MATCH),
  () => false,
);

/** RECORD_STRAY_PAYMENT for money that really cannot pay the order (else PAYMENT_NOT_STRAY). */
export const strayPaymentAcceptable = defineGuard(
  (step: Step<RecordingStray>) => {
    const command = step.command;
    const bad = checkMoney(command);
    if (bad !== undefined) return bad;
    const order = step.order;
    if (order.payment.transactionId === command.transactionId) return editErrors.notStrayPayment(command.transactionId);
    if (order.status === 'pending_payment') {
      const attempt = findAttempt(order, command.outTradeNo);
      if (attempt !== undefined && attempt.status === 'open' && attempt.amount === command.amount) return editErrors.notStrayPayment(command.transactionId);
    }
    return undefined;
  },
  // Never a button: only a verified gateway notification (or a reconciling system) sends it.
  () => false,
);

/** Any payment for a closed order other than the one that paid it (a repeat of that is a no-op). */
export const isPaymentAfterClose = defineGuard(
  (step: Step<Paying>) => {
    if (step.order.payment.transactionId === step.command.transactionId) return NO_MATCH;
    return checkMoney(step.command);
  },
  // Some payment could always be recorded (what allowedActions promises for payload commands).
  () => true,
);

/** Why a payment is stray, when the command does not say. */
function strayReason(order: Order, command: Paying | RecordingStray): string {
  if (command.type === 'RECORD_STRAY_PAYMENT' && command.reason !== undefined && command.reason.length > 0) return command.reason;
  if (order.status === 'closed') return 'order_closed';
  if (order.payment.transactionId !== undefined || order.status !== 'pending_payment') return 'already_paid';
  const attempt = findAttempt(order, command.outTradeNo);
  if (attempt === undefined) return 'unknown_attempt';
  if (attempt.status !== 'open') return 'attempt_superseded';
  return 'amount_mismatch';
}

/** Keeps the payment in `payment.stray`, opens its refund in the ledger and emits `payment.refund`. */
export function recordStrayPayment(draft: Draft, step: Step<Paying | RecordingStray>): void {
  const command = step.command;
  const order = draft.order;
  const outTradeNo = command.outTradeNo ?? findAttempt(step.order, undefined)?.outTradeNo ?? order.number;
  const opened = openRefund(order, { amount: command.amount, reason: 'stray_payment', transactionId: command.transactionId, outTradeNo, now: step.ctx.now });
  const refund = opened.refund;
  const reason = strayReason(step.order, command);
  const entry: StrayPayment = {
    transactionId: command.transactionId,
    outTradeNo,
    amount: command.amount,
    paidAt: command.paidAt ?? step.ctx.at,
    recordedAt: step.ctx.at,
    reason,
    refundId: refund.id,
  };
  order.refunds = opened.order.refunds;
  order.payment = { ...order.payment, stray: order.payment.stray.concat(entry) };
  const effect: EffectDraft = {
    type: 'payment.refund',
    refundId: refund.id,
    outTradeNo,
    transactionId: command.transactionId,
    amount: command.amount,
    // WeChat's refund API wants the total of the payment being refunded: this transaction's.
    total: command.amount,
    reason: 'stray_payment',
  };
  draft.effects.push(effect);
  note(draft, 'amount', command.amount);
  note(draft, 'transactionId', command.transactionId);
  note(draft, 'outTradeNo', outTradeNo);
  note(draft, 'stray', true);
  note(draft, 'strayReason', reason);
  note(draft, 'refundId', refund.id);
  note(draft, 'refundAmount', command.amount);
}

/**
 * Refusals of a verified PAYMENT_SUCCEEDED after which the money is real but cannot pay the order
 * (docs/lifecycle.md "Edits and payment attempts"): the service records such a payment with RECORD_STRAY_PAYMENT (a full refund of
 * that transaction) instead of answering with an error that would drop it. INVALID_TRANSITION
 * covers statuses that take no payment at all (an order 改价'd to 0, an extension's own status).
 *
 * @example
 * STRAY_PAYMENT_REFUSALS.includes('AMOUNT_MISMATCH') // true
 */
export const STRAY_PAYMENT_REFUSALS: readonly string[] = Object.freeze([
  'AMOUNT_MISMATCH',
  'ALREADY_PAID',
  'PAYMENT_ATTEMPT_CLOSED',
  'UNKNOWN_PAYMENT_ATTEMPT',
  'INVALID_TRANSITION',
]);

/**
 * The RECORD_STRAY_PAYMENT that stands for a refused payment, or undefined when the refusal is not
 * about money (a forbidden actor, a bad context) or the sender is not a verified gateway.
 *
 * @example
 * const stray = strayPaymentFor(order, command, actor, refusal);
 * if (stray) lifecycle.transition(order, stray, ctx);
 */
export function strayPaymentFor(order: Order, command: Command, actor: Actor, refusal: OrderkitError): CommandOf<'RECORD_STRAY_PAYMENT'> | undefined {
  if (command.type !== 'PAYMENT_SUCCEEDED' || actor.type !== 'payment') return undefined;
  if (!isStrayPaymentRefusal(refusal.code)) return undefined;
  const attempts = order.payment.attempts;
  const outTradeNo = command.outTradeNo ?? (attempts.length > 0 ? attempts[attempts.length - 1]!.outTradeNo : order.number);
  const stray: CommandOf<'RECORD_STRAY_PAYMENT'> = {
    type: 'RECORD_STRAY_PAYMENT',
    amount: command.amount,
    transactionId: command.transactionId,
    outTradeNo,
  };
  if (command.paidAt !== undefined) stray.paidAt = command.paidAt;
  // No reason: the lifecycle names it from the order (attempt_superseded, amount_mismatch, …).
  return stray;
}

/**
 * True when a refused PAYMENT_SUCCEEDED with this error code stands for real money that cannot pay
 * the order (see `STRAY_PAYMENT_REFUSALS`).
 *
 * @example
 * isStrayPaymentRefusal('AMOUNT_MISMATCH') // true
 */
export function isStrayPaymentRefusal(code: string): boolean {
  return STRAY_PAYMENT_REFUSALS.indexOf(code) >= 0;
}
