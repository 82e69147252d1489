import type { Order } from './order-schema.js';

/**
 * Shallow copies with every key written out. V8 gives an object made by spread (`{ ...order }`) a
 * map of its own, so each property added to it later builds a new map: measured at about 1 µs
 * per added key, more than the rest of a transition. Objects built from one literal share their
 * maps, and adding the optional keys in a fixed order reuses the same transitions.
 *
 * Only the fields of the Order schema are carried over (as `OrderSchema` itself strips unknown
 * keys); keep a shop's own data in `metadata`. (Here in `order/` so that after-sales, a layer below the
 * lifecycle, copy orders the same way.)
 */
export function cloneOrder(o: Order): Order {
  const c: Order = {
    id: o.id,
    number: o.number,
    version: o.version,
    status: o.status,
    customerId: o.customerId,
    currency: o.currency,
    fulfillment: o.fulfillment,
    lines: o.lines,
    merchantNotes: o.merchantNotes,
    pricing: o.pricing,
    payment: o.payment,
    shipments: o.shipments,
    afterSales: o.afterSales,
    refunds: o.refunds,
    deadlines: o.deadlines,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
  if (o.closeReason !== undefined) c.closeReason = o.closeReason;
  if (o.address !== undefined) c.address = o.address;
  if (o.buyerRemark !== undefined) c.buyerRemark = o.buyerRemark;
  if (o.paidAt !== undefined) c.paidAt = o.paidAt;
  if (o.shippedAt !== undefined) c.shippedAt = o.shippedAt;
  if (o.deliveredAt !== undefined) c.deliveredAt = o.deliveredAt;
  if (o.completedAt !== undefined) c.completedAt = o.completedAt;
  if (o.closedAt !== undefined) c.closedAt = o.closedAt;
  if (o.metadata !== undefined) c.metadata = o.metadata;
  if (o.points !== undefined) c.points = o.points;
  if (o.channel !== undefined) c.channel = o.channel;
  if (o.deletedByCustomerAt !== undefined) c.deletedByCustomerAt = o.deletedByCustomerAt;
  if (o.delivery !== undefined) c.delivery = o.delivery;
  return c;
}


/**
 * A new list: `list` with `item` at the end. Short lists are written as literals: `slice()` gives
 * an array with no spare room, so the `push` after it grows the backing store (to 17 slots for an
 * empty list) and copies it, the largest single cost of appending a refund entry
 * (docs/benchmarks.md, "After-sale path, fourth pass").
 *
 * @example
 * appended([], refund) // [refund]
 */
export function appended<T>(list: readonly T[], item: T): T[] {
  switch (list.length) {
    case 0:
      return [item];
    case 1:
      return [list[0]!, item];
    case 2:
      return [list[0]!, list[1]!, item];
    case 3:
      return [list[0]!, list[1]!, list[2]!, item];
    default: {
      const out = list.slice();
      out.push(item);
      return out;
    }
  }
}
