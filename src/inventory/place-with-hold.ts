import { STORAGE_ERROR_CODES } from '../storage/errors.js';
import { doubtNoteOf, joinReplayed, mayHaveCreated, type DoubtNote } from '../storage/placement.js';
import { inventoryUnavailable } from './errors.js';
import type { HoldRequest, InventoryPort } from './types.js';

/**
 * Reserve, then create, for an inventory that cannot share the store's transaction
 * (docs/inventory.md, "Placing without one transaction"). A reservation is keyed by the order id,
 * so when the create fails, what happens to the units depends on who took them:
 *
 * - the create was refused because an order with this id exists: nothing is given back, the order
 *   that exists owns the hold;
 * - the reserve was a replay (another placement of the id took the units): with `join`, this
 *   placement first joins the reservation under a token of its own (`join` answers false when the
 *   reservation is gone, and the units are reserved again), and on failure calls `abandon(token)`;
 *   without `join`, nothing is given back, whatever the create answers;
 * - the create's error says the order may have been written (`mayHaveApplied: true`, as the cloud
 *   database's after a lost answer, or INVENTORY_PLACEMENT_UNKNOWN / BALANCE_PLACEMENT_UNKNOWN):
 *   nothing is given back, the order that may exist owns the hold (a retry of the order id finds
 *   or creates it on the same units); with `doubt`, this placement (its token, `null` for the one
 *   that reserved) is recorded as in doubt, so that `service.sweep` can give the units back once
 *   the order is known not to exist (docs/inventory.md "Placements left in doubt");
 * - any other failure (the store unreachable, a taken order number): `abandon(null)` gives the
 *   units back and forgets the reservation, so that the same order id can hold them again on a
 *   retry. A port with `join` gives them back only once the first placement (`null`) and every
 *   joined one have left, each counted once: a created order never leaves, so its units are never
 *   given back from under it.
 *
 * The create's error is thrown in every case.
 */
export async function placeWithHold<T>(
  inventory: Pick<InventoryPort, 'reserve'>,
  request: HoldRequest,
  create: (transaction?: unknown) => Promise<T>,
  abandon: (token: string | null) => Promise<unknown>,
  join?: (request: HoldRequest, token: string) => Promise<boolean>,
  doubt?: (token: string | null, note: DoubtNote) => Promise<unknown>,
): Promise<T> {
  const { result: held, token } = await joinReplayed(
    await inventory.reserve(request),
    join && ((t) => join(request, t)),
    () => inventory.reserve(request),
    () => inventoryUnavailable(`the reservation of ${request.orderId} kept changing`),
  );
  try {
    return await create();
  } catch (error) {
    // Given back under an order that may exist, the units could be sold twice (docs/inventory.md
    // "Placing without one transaction").
    if ((!held.replayed || token !== null) && !existsWithThisId(error)) {
      if (!mayHaveCreated(error)) await abandon(token);
      else if (doubt) await doubt(token, doubtNoteOf(error)).catch(() => undefined);
    }
    throw error;
  }
}


/** ORDER_EXISTS for the id (by its code: a store of your own may throw its own error class), not for the number. */
function existsWithThisId(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, details } = error as { code?: unknown; details?: { field?: unknown } };
  return code === STORAGE_ERROR_CODES.orderExists && details?.field !== 'number';
}
