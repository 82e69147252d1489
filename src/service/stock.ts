import type { InventoryPort, StockItem } from '../inventory/types.js';
import { inventoryPlacementUnknown, inventoryUnavailable, isInventoryError } from '../inventory/errors.js';
import { OrderkitError } from '../errors/orderkit-error.js';
import { placeWithHold } from '../inventory/place-with-hold.js';
import type { Effect, Order } from '../order/index.js';
import type { PlacementTaking } from './finding-out.js';

/**
 * Where the service meets the inventory port (docs/inventory.md "How the service uses it"):
 * what an order holds is summed from its lines, and every `inventory.release` effect is applied
 * under its own id, so a repeat (the outbox delivering again after a crash) moves nothing.
 */

/** The order's units per SKU, in line order. */
export function stockItemsOf(order: Pick<Order, 'lines'>): StockItem[] {
  const out: StockItem[] = [];
  for (const line of order.lines) {
    const same = out.find((o) => o.sku === line.sku);
    if (same) same.quantity += line.quantity;
    else out.push({ sku: line.sku, quantity: line.quantity });
  }
  return out;
}

/** Returned goods restock per the SKU's setup; everything else that comes back is a release. */
const RETURN_REASONS = ['after_sale_return'];

/** Applies one `inventory.release` effect (idempotent by its id). */
export async function applyStockEffect(inventory: InventoryPort, effect: Extract<Effect, { type: 'inventory.release' }>): Promise<void> {
  const request = { orderId: effect.orderId, key: effect.id, items: effect.items };
  if (RETURN_REASONS.indexOf(effect.reason) >= 0) await inventory.restock(request);
  else await inventory.release(request);
}

/**
 * 换货 (docs/inventory.md "Exchanges"): before a transition that emits `inventory.take` (the
 * replacement of an exchange, at SHIP_EXCHANGE) is committed, its units are taken from stock under
 * the effect's key (`exchange:<afterSaleId>`), so a retried dispatch or a repeated delivery takes
 * them once. Answers the port's refusal (OUT_OF_STOCK, UNKNOWN_SKU, INVENTORY_UNAVAILABLE, …): the
 * caller then writes nothing. A port without `take` takes nothing (the effect still goes to the
 * outbox for a handler of the shop's own).
 */
export async function takeBeforeCommit(inventory: InventoryPort, order: Pick<Order, 'customerId'>, effects: readonly Effect[]): Promise<OrderkitError | null> {
  if (!inventory.take) return null;
  for (const effect of effects) {
    if (effect.type !== 'inventory.take') continue;
    try {
      await inventory.take({ orderId: effect.orderId, customerId: order.customerId, key: effect.key, items: effect.items });
    } catch (error) {
      if (error instanceof OrderkitError) return error;
      return inventoryUnavailable(error);
    }
  }
  return null;
}

/** Applies one `inventory.take` effect again (the outbox): a key already taken moves nothing. */
export async function applyTakeEffect(inventory: InventoryPort, customerId: string, effect: Extract<Effect, { type: 'inventory.take' }>): Promise<void> {
  if (!inventory.take) return;
  await inventory.take({ orderId: effect.orderId, customerId, key: effect.key, items: effect.items });
}

/**
 * After a commit: the stock its effects give back, at once. A failure here loses nothing: the
 * same effects wait in the outbox, and `drainOutbox` applies them (the service's own handler).
 */
export async function applyStockEffects(inventory: InventoryPort, effects: readonly Effect[]): Promise<void> {
  for (const effect of effects) {
    if (effect.type !== 'inventory.release') continue;
    try {
      await applyStockEffect(inventory, effect);
    } catch {
      // left to the outbox (see above)
    }
  }
}

/**
 * Holds the order's stock and creates it, both or neither: through the port's `placeWith` (one
 * transaction where store and inventory share a database), else reserve, create, and give back
 * when the create fails.
 */
export async function placeWithStock<T>(inventory: InventoryPort, request: { orderId: string; customerId: string; items: StockItem[] }, create: (transaction?: unknown) => Promise<T>): Promise<T> {
  if (inventory.placeWith) return inventory.placeWith(request, create);
  // A port of your own without placeWith: the give-back cannot forget the reservation, so a retry
  // of the same order id holds nothing more (docs/inventory.md, "Placing without one transaction").
  return placeWithHold(inventory, request, create, () => inventory.release({ orderId: request.orderId, key: 'placement-failed', items: request.items }).catch(() => undefined));
}

/**
 * Units held outside the create's transaction, for the finding out of ./finding-out.ts: the order
 * found under the id with this number is this placement's; nobody can tell:
 * INVENTORY_PLACEMENT_UNKNOWN, the units kept with the order id (docs/inventory.md "Placing without
 * one transaction").
 */
export function holdTaking(orderId: string): PlacementTaking {
  return { owns: () => true, unknown: (cause) => inventoryPlacementUnknown(orderId, cause) };
}

/** Who closes an order that paid for stock no longer there (a shop CANCEL, reason out_of_stock, refunded in full). */
export const STOCK_ACTOR = { type: 'merchant' as const, id: 'orderkit-inventory' };
/** The CANCEL reason text of that close. */
export const OUT_OF_STOCK_REASON = 'out_of_stock';

/**
 * 付款减库存: before a payment that moves an order out of `pending_payment` (to anything but
 * `closed`) is committed, its units of 'take_on_payment' SKUs are taken (idempotent by order, so a
 * retried commit takes them once). A payment is PAYMENT_SUCCEEDED or any other command that
 * collects money on the way out (`payment.paidAmount` goes up), such as 预售's PAY_DEPOSIT: before,
 * only PAYMENT_SUCCEEDED took stock and a presale deposit took none (an oversell).
 * Answers the refusal when there is no stock (or the 限购 is reached): the caller commits
 * the payment all the same (money that arrived is never dropped) and then closes the order with a
 * full refund. Any other failure (the inventory unreachable) is not a refusal: the payment stands.
 */
export async function takeAtPayment(
  inventory: InventoryPort,
  before: Pick<Order, 'id' | 'customerId' | 'lines' | 'status' | 'payment'>,
  after: Pick<Order, 'status' | 'payment'>,
  command: { type: string; transactionId?: unknown; outTradeNo?: unknown },
): Promise<{ refused: import('../errors/orderkit-error.js').OrderkitError } | null> {
  if (before.status !== 'pending_payment' || after.status === 'pending_payment' || after.status === 'closed') return null;
  if (command.type !== 'PAYMENT_SUCCEEDED' && !(after.payment.paidAmount > before.payment.paidAmount)) return null;
  const attempt = String(command.outTradeNo ?? command.transactionId ?? 'payment');
  try {
    await inventory.commit({ orderId: before.id, customerId: before.customerId, attempt, items: stockItemsOf(before) });
    return null;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (isInventoryError(error) && (code === 'OUT_OF_STOCK' || code === 'LIMIT_REACHED' || code === 'UNKNOWN_SKU')) return { refused: error };
    return null;
  }
}

export { isInventoryError };
