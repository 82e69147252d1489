import type { InventoryPort, StockItem } from '../inventory/types.js';
import { isInventoryError } from '../inventory/errors.js';
import type { Effect, Order } from '../order/index.js';

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
  await inventory.reserve(request);
  try {
    return await create();
  } catch (error) {
    await inventory.release({ orderId: request.orderId, key: 'placement-failed', items: request.items }).catch(() => undefined);
    throw error;
  }
}

export { isInventoryError };
