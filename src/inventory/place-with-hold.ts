import { STORAGE_ERROR_CODES } from '../storage/errors.js';
import type { HoldRequest, InventoryPort } from './types.js';

/**
 * Reserve, then create, for an inventory that cannot share the store's transaction
 * (docs/inventory.md, "Placing without one transaction"). A reservation is keyed by the order id,
 * so when the create fails, what happens to the units depends on who took them:
 *
 * - the reserve was a replay (the order id already held its units: an earlier call took them):
 *   nothing is given back, whatever the create answers;
 * - the create was refused because an order with this id exists: nothing is given back either,
 *   the order that exists owns the hold;
 * - any other failure (the store unreachable, a taken order number): `abandon` gives the units back
 *   and forgets the reservation, so that the same order id can hold them again on a retry.
 *
 * The create's error is thrown in every case.
 */
export async function placeWithHold<T>(
  inventory: Pick<InventoryPort, 'reserve'>,
  request: HoldRequest,
  create: (transaction?: unknown) => Promise<T>,
  abandon: () => Promise<unknown>,
): Promise<T> {
  const held = await inventory.reserve(request);
  try {
    return await create();
  } catch (error) {
    if (!held.replayed && !existsWithThisId(error)) await abandon();
    throw error;
  }
}

/** ORDER_EXISTS for the id (by its code: a store of your own may throw its own error class), not for the number. */
function existsWithThisId(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, details } = error as { code?: unknown; details?: { field?: unknown } };
  return code === STORAGE_ERROR_CODES.orderExists && details?.field !== 'number';
}
