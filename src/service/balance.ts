import { OrderkitError } from '../errors/orderkit-error.js';
import { placeWithCompensation } from '../balance/memory.js';
import { balanceErrors, isBalanceError } from '../balance/errors.js';
import type { BalanceMovement, BalancePort } from '../balance/types.js';
import type { Actor, Effect, Order } from '../order/index.js';
import type { PlacementTaking } from './finding-out.js';

/**
 * Where the service meets the balance port (docs/payment-sources.md "How the service uses it"):
 * the balance part of a new order is debited with its creation (both or neither), and every
 * `balance.credit` effect is applied under its own key, then its ledger entry (if any) is marked
 * succeeded. A credit that fails here loses nothing: the same effect waits in the outbox, which
 * the service's own handler drains.
 */

/** The gateway name of a refund paid back to the balance. */
export const BALANCE_GATEWAY = 'balance';
export const BALANCE_ACTOR: Actor = { type: 'payment', gateway: BALANCE_GATEWAY };

/** The debit a new order needs, or null when it pays nothing from the balance. */
export function balanceDebitOf(order: Order): BalanceMovement | null {
  const b = order.payment.sources?.find((s) => s.kind === 'balance');
  if (b === undefined || b.amount <= 0) return null;
  return { customerId: order.customerId, orderId: order.id, key: b.outTradeNo, amount: b.amount };
}

/** Placing an order that pays from the balance without a balance port configured. */
export function noBalancePort(): OrderkitError {
  return new OrderkitError({
    code: 'BALANCE_NOT_CONFIGURED',
    message: { 'zh-CN': '本店未开通余额支付，未扣款', en: 'this shop takes no balance payments (no balance port is configured); nothing was debited' },
    path: ['payWith', 'balance'],
  });
}

/**
 * Debits and creates, both or neither: through the port's `placeWith` (in `transaction` when the
 * caller already holds one, e.g. the inventory's), else debit, create, and credit back on failure.
 */
export function placeWithBalance<T>(balance: BalancePort, debit: BalanceMovement, create: (transaction?: unknown) => Promise<T>, transaction?: unknown): Promise<T> {
  if (balance.placeWith) return balance.placeWith(debit, create, transaction);
  return placeWithCompensation(balance, debit, create);
}

/**
 * A debit made outside the create's transaction, for the finding out of ./finding-out.ts: the order
 * found is this placement's when this very debit pays it; nobody can tell:
 * BALANCE_PLACEMENT_UNKNOWN, the debit kept with the order id (docs/payment-sources.md).
 */
export function debitTaking(debit: BalanceMovement): PlacementTaking {
  return {
    owns(found) {
      const paid = balanceDebitOf(found);
      return paid !== null && paid.customerId === debit.customerId && paid.key === debit.key && paid.amount === debit.amount;
    },
    unknown: (cause) => balanceErrors.placementUnknown(debit.orderId, debit.key, cause),
  };
}

/** Applies one `balance.credit` effect (idempotent by its key). */
export async function applyBalanceCredit(balance: BalancePort, effect: Extract<Effect, { type: 'balance.credit' }>): Promise<void> {
  await balance.credit({ customerId: effect.customerId, orderId: effect.orderId, key: effect.key, amount: effect.amount });
}

/** The credits among a commit's effects. */
export function balanceCredits(effects: readonly Effect[]): Array<Extract<Effect, { type: 'balance.credit' }>> {
  return effects.filter((e): e is Extract<Effect, { type: 'balance.credit' }> => e.type === 'balance.credit');
}

export { isBalanceError };
