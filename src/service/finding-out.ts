import type { OrderkitError } from '../errors/orderkit-error.js';
import type { Order } from '../order/index.js';
import { STORAGE_ERROR_CODES } from '../storage/errors.js';
import { mayHaveCreated, noteDoubt } from '../storage/placement.js';
import type { OrderStore } from '../storage/port.js';

/** Refusals a store gives before it writes anything: the order was not created by this call. */
const REFUSED_BEFORE_WRITING: readonly string[] = [STORAGE_ERROR_CODES.orderExists, STORAGE_ERROR_CODES.invalidCommit, STORAGE_ERROR_CODES.idempotencyKeyReused];

/** What a placement took before its create (a debit, held units), as the finding out needs it. */
export interface PlacementTaking {
  /** Whether the order found under the id (with this number) is the one this placement took it for. */
  owns(found: Order): boolean;
  /** The typed error when nobody can tell whether the order exists: what was taken stays with the order id. */
  unknown(cause: unknown): OrderkitError;
}

/**
 * The store's create of an order for which something was taken outside its transaction (a debit
 * of the balance, units of an inventory that cannot share it; docs/inventory.md and
 * docs/payment-sources.md, "Placing without one transaction"): a create that fails without a
 * refusal (a lost answer, a timeout after the write, an error thrown after the commit) is found out
 * before what was taken may go back. The idempotency key's record is settled first (a reservation
 * left behind can still create the order), then the order is read by its id:
 *
 * - there, with this number and owned by what was taken: it was created, and that is the answer
 *   (what was taken stays with it);
 * - not there, and the store's error does not say the write may still land: the error, and what
 *   was taken goes back;
 * - anything else (the read failed too, or the error says the write may still land): the taking's
 *   `unknown` error (BALANCE_PLACEMENT_UNKNOWN, INVENTORY_PLACEMENT_UNKNOWN), and what was taken
 *   stays with the order id, noted with the time then (`now()`) and the key so that `service.sweep` can give it back
 *   once the order is known not to exist (docs/inventory.md "Placements left in doubt");
 * - another order holds the id: the error.
 */
export async function createFindingOut(store: OrderStore, order: Order, taking: PlacementTaking, write: () => Promise<Order>, idempotencyKey: string | undefined, now: () => Date): Promise<Order> {
  // The unknown answer carries (beside it) when it was given, after the create and the look-up
  // ended, and the key: the sweep's grace period counts from then.
  const unknown = (cause: unknown) => noteDoubt(taking.unknown(cause), { at: now(), ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) });
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
      throw unknown(error);
    }
    if (found === null) {
      if (mayHaveCreated(error)) throw unknown(error);
      throw error;
    }
    if (found.number === order.number && taking.owns(found)) return found;
    throw error;
  }
}
