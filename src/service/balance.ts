import { OrderkitError } from '../errors/orderkit-error.js';
import { placeWithCompensation } from '../balance/memory.js';
import { balanceErrors, isBalanceError, mayHaveCreated } from '../balance/errors.js';
import type { BalanceMovement, BalancePort } from '../balance/types.js';
import type { Actor, Effect, Order } from '../order/index.js';
import { STORAGE_ERROR_CODES } from '../storage/errors.js';
import type { OrderStore } from '../storage/port.js';

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

/** Refusals a store gives before it writes anything: the order was not created by this call. */
const REFUSED_BEFORE_WRITING: readonly string[] = [STORAGE_ERROR_CODES.orderExists, STORAGE_ERROR_CODES.invalidCommit, STORAGE_ERROR_CODES.idempotencyKeyReused];

/**
 * The store's create of an order paid partly from the balance, when the debit cannot share the
 * create's transaction (docs/payment-sources.md "Placing without one transaction"): a create that
 * fails without a refusal (a lost answer, a timeout after the write, an error thrown after the
 * commit) is found out before the debit may go back. The idempotency key's record is settled first
 * (a reservation left behind can still create the order), then the order is read by its id:
 *
 * - there, with this number and paid by this very debit: it was created, and that is the answer
 *   (the debit stays with it);
 * - not there, and the store's error does not say the write may still land: the error, and the
 *   debit goes back;
 * - anything else (the read failed too, or the error says the write may still land):
 *   BALANCE_PLACEMENT_UNKNOWN, and the debit stays with the order id;
 * - another order holds the id: the error.
 */
export async function createFindingOut(store: OrderStore, order: Order, debit: BalanceMovement, write: () => Promise<Order>, idempotencyKey?: string): Promise<Order> {
  try {
    return await write();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && REFUSED_BEFORE_WRITING.includes(code)) throw error;
    let found: Order | null;
    try {
      if (idempotencyKey !== undefined) await store.findIdempotency(idempotencyKey);
      found = await store.load(order.id);
    } catch {
      throw balanceErrors.placementUnknown(order.id, debit.key, error);
    }
    if (found === null) {
      if (mayHaveCreated(error)) throw balanceErrors.placementUnknown(order.id, debit.key, error);
      throw error;
    }
    const paid = balanceDebitOf(found);
    const same = paid !== null && found.number === order.number && paid.customerId === debit.customerId && paid.key === debit.key && paid.amount === debit.amount;
    if (same) return found;
    throw error;
  }
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
