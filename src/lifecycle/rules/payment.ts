import type { OrderkitError } from '../../errors/orderkit-error.js';
import type { CommandOf, Order, PaymentAttempt } from '../../order/index.js';
import { lifecycleErrors, NO_MATCH } from '../errors.js';
import { defineGuard, note, noteAll, type Draft, type Step } from '../step.js';
import { notify } from './closing.js';
import { scheduleAutoConfirm, shipVirtualGoods } from './shipping.js';
import { capturedBalance, paidSources, undoBalance } from './sources.js';

/**
 * Payment rules: the money collected must be exactly what the attempt asked for; a repeated
 * notification of the transaction that already paid is a no-op; a different payment for a paid
 * order is refused (ALREADY_PAID) rather than silently recorded.
 */

type Paying = CommandOf<'PAYMENT_SUCCEEDED'>;

/** The attempt a payment names (by `outTradeNo`), or the order's current one. */
export function findAttempt(order: Order, outTradeNo: string | undefined): PaymentAttempt | undefined {
  const attempts = order.payment.attempts;
  if (outTradeNo === undefined) return attempts[attempts.length - 1];
  for (let i = 0; i < attempts.length; i++) if (attempts[i]!.outTradeNo === outTradeNo) return attempts[i];
  return undefined;
}

function checkPayment(order: Order, command: Paying, allowClosedAttempt: boolean): OrderkitError | undefined {
  const attempt = findAttempt(order, command.outTradeNo);
  if (attempt === undefined) return lifecycleErrors.unknownAttempt(command.outTradeNo ?? order.number);
  if (attempt.status === 'closed' && !allowClosedAttempt) return lifecycleErrors.attemptClosed(attempt.outTradeNo);
  if (command.amount !== attempt.amount) return lifecycleErrors.amountMismatch(attempt.amount, command.amount);
  return undefined;
}

const isPaid = (order: Order): boolean => order.payment.transactionId !== undefined;

/** Pays an unpaid physical order. */
export const paysPhysicalOrder = defineGuard(
  (step: Step<Paying>) => checkPayment(step.order, step.command, false) ?? (step.order.fulfillment === 'virtual' ? NO_MATCH : undefined),
  (probe) => probe.order.fulfillment !== 'virtual',
);

/** Pays an unpaid order of virtual goods (which then ship at once). */
export const paysVirtualOrder = defineGuard(
  (step: Step<Paying>) => checkPayment(step.order, step.command, false) ?? (step.order.fulfillment === 'virtual' ? undefined : NO_MATCH),
  (probe) => probe.order.fulfillment === 'virtual',
);

/** The same transaction again (gateways repeat notifications): accepted, nothing changes. */
export const isDuplicatePayment = defineGuard(
  (step: Step<Paying>) => {
    const paidBy = step.order.payment.transactionId;
    if (paidBy === undefined) return NO_MATCH;
    return paidBy === step.command.transactionId ? undefined : lifecycleErrors.alreadyPaid(paidBy);
  },
  () => false,
);

/** A payment for a closed order that was never paid: the payment-timeout race. */
export const isLatePayment = defineGuard(
  (step: Step<Paying>) => (isPaid(step.order) ? NO_MATCH : checkPayment(step.order, step.command, true)),
  (probe) => !isPaid(probe.order) && probe.order.payment.attempts.length > 0,
);

/** Records the payment on the order and marks its attempt paid. */
export function recordPayment(draft: Draft, step: Step<Paying>): void {
  const command = step.command;
  const order = draft.order;
  const attempt = findAttempt(order, command.outTradeNo)!;
  const paidAt = command.paidAt ?? step.ctx.at;
  const attempts = order.payment.attempts.slice();
  attempts[attempts.indexOf(attempt)] = { outTradeNo: attempt.outTradeNo, amount: attempt.amount, status: 'paid', createdAt: attempt.createdAt };
  const actor = step.ctx.actor;
  // Several sources: paid when they cover the total; the balance collected at placement counts too.
  const sources = paidSources(order, command.transactionId, attempt.outTradeNo, paidAt);
  const balance = capturedBalance(order);
  // Written out rather than spread: see clone.ts.
  order.payment = {
    attempts,
    paidAmount: command.amount,
    paidAt,
    transactionId: command.transactionId,
    outTradeNo: attempt.outTradeNo,
    // Only a verified gateway notification may pay (permissions); its name says where the money is.
    gateway: actor.type === 'payment' ? actor.gateway : (order.payment.gateway ?? 'unknown'),
    stray: order.payment.stray,
  };
  if (sources !== undefined) {
    order.payment.sources = sources;
    order.payment.paidAmount = command.amount + balance;
  }
  order.paidAt = paidAt;
  noteAll(draft, { amount: command.amount, transactionId: command.transactionId, outTradeNo: attempt.outTradeNo });
}

/** A zero-total order needs no payment: paid at placement with nothing collected. */
export function recordFreeOrder(draft: Draft, step: Step): void {
  const sources = draft.order.payment.sources;
  draft.order.payment = { attempts: draft.order.payment.attempts, paidAmount: 0, paidAt: step.ctx.at, stray: draft.order.payment.stray };
  if (sources !== undefined) draft.order.payment.sources = sources;
  draft.order.paidAt = step.ctx.at;
  note(draft, 'amount', 0);
}

/** Closes every open attempt with the gateway (`payment.close`), so it cannot be paid any more. */
export function closePayment(draft: Draft, step?: Step): void {
  const order = draft.order;
  const attempts = order.payment.attempts;
  let changed: PaymentAttempt[] | undefined;
  for (let i = 0; i < attempts.length; i++) {
    const attempt = attempts[i]!;
    if (attempt.status !== 'open') continue;
    if (changed === undefined) changed = attempts.slice();
    changed[i] = { outTradeNo: attempt.outTradeNo, amount: attempt.amount, status: 'closed', createdAt: attempt.createdAt };
    draft.effects.push({ type: 'payment.close', outTradeNo: attempt.outTradeNo });
  }
  if (changed !== undefined) order.payment = { ...order.payment, attempts: changed };
  undoBalance(draft, step?.ctx.at ?? draft.order.updatedAt);
}

const PAID_NOTICE = { to: 'customer', template: 'order_paid', include: ['payment'] } as const;
const PAID_VIRTUAL_NOTICE = { to: 'customer', template: 'order_paid', include: ['payment', 'shipment'] } as const;
const TO_SHIP_NOTICE = { to: 'merchant', template: 'order_to_ship', include: ['payment'] } as const;

/**
 * The order becomes paid, however it got there (a payment, 改价 to 0, a free order at placement):
 * virtual goods ship at once and their auto-confirm is scheduled, the shopper is told, and for
 * goods to ship the merchant too. The one place for "what happens on payment"; the chart rows and
 * `placeOrder` run it after recording the money.
 */
export function becomePaid(draft: Draft, step: Step): void {
  if (draft.order.fulfillment === 'virtual') {
    shipVirtualGoods(draft, step);
    scheduleAutoConfirm(draft, step);
    notify(draft, step, PAID_VIRTUAL_NOTICE);
  } else {
    notify(draft, step, PAID_NOTICE);
    notify(draft, step, TO_SHIP_NOTICE);
  }
}
