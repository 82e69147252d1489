import type { OrderkitError } from '../errors/orderkit-error.js';
import type { Actor, Command, CommandOf, Order } from '../order/index.js';

/**
 * Refusals of a verified PAYMENT_SUCCEEDED after which the money is real but cannot pay the order
 * (DESIGN.md §4): the service records such a payment with RECORD_STRAY_PAYMENT (a full refund of
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
  if (STRAY_PAYMENT_REFUSALS.indexOf(refusal.code) < 0) return undefined;
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
