import type { LineQuantity, Order, Shipment } from './order-schema.js';

/**
 * Units per line, summed over groups of line quantities (parcels, after-sales).
 *
 * @example
 * quantitiesByLine([[{ lineId: 'L1', quantity: 1 }], [{ lineId: 'L1', quantity: 2 }]]).get('L1') // 3
 */
export function quantitiesByLine(groups: ReadonlyArray<ReadonlyArray<LineQuantity>>): Map<string, number> {
  const m = new Map<string, number>();
  for (const items of groups) for (const it of items) m.set(it.lineId, (m.get(it.lineId) ?? 0) + it.quantity);
  return m;
}

/**
 * Units of each line put in a parcel so far: the one definition the lifecycle, the refund module,
 * the views and the WeChat shipping upload use. `shipments` defaults to the order's.
 *
 * @example
 * shippedQuantities(order).get('L1') // 2 once a parcel held 2 units of L1
 */
export function shippedQuantities(order: Pick<Order, 'shipments'>, shipments: readonly Shipment[] = order.shipments): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < shipments.length; i++) {
    const items = shipments[i]!.items;
    for (let j = 0; j < items.length; j++) m.set(items[j]!.lineId, (m.get(items[j]!.lineId) ?? 0) + items[j]!.quantity);
  }
  return m;
}
