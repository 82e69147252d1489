import { allocate } from '../money/allocate.js';
import type { Order } from '../order/index.js';
import { holdsUnits } from './holdings.js';
import { cumulativeShare } from './unit-shares.js';

/**
 * Freight split over the lines (docs/after-sales.md "Freight per line"), for shops whose policy
 * refunds freight with each line (`policy.refundShippingBy: 'line'`) instead of with the last unit.
 *
 * - The order's freight is spread over its physical lines by their stored payables, largest
 *   remainder (`allocate`), in the order's line order; lines worth nothing (a free gift) and virtual
 *   lines get none. When every physical line is worth nothing the split goes by units; an order
 *   with no physical line spreads it over all lines by units. Σ shares = freight, always.
 * - A line's share is spread over its units like its payable (`cumulativeShare`): a request for
 *   units of the line carries the freight of exactly those units.
 * - A request's freight is the freight of every unit claimed after it, minus the freight already
 *   claimed (`shippingHeld`), never below 0 and never above what is left: so Σ freight refunded
 *   never exceeds the order's freight, and once every unit is claimed it is exactly the freight.
 *   Units held by an exchange carry no freight (no money moves); a freight-only refund counts as
 *   freight already claimed.
 */

/**
 * Each line's share of the order's freight (line order), Σ = `order.pricing.freight`.
 *
 * @example
 * freightShares(order) // [{ lineId: 'L1', freight: 667 }, { lineId: 'L2', freight: 333 }] for ¥10 over payables 2:1
 */
export function freightShares(order: Pick<Order, 'lines' | 'pricing'>): Array<{ lineId: string; freight: number }> {
  const freight = order.pricing.freight;
  const lines = order.lines;
  if (freight === 0 || lines.length === 0) return lines.map((l) => ({ lineId: l.id, freight: 0 }));
  const physical = lines.map((l) => l.fulfillment !== 'virtual');
  let weights = lines.map((l, i) => (physical[i] ? l.payable : 0));
  if (weights.every((w) => w === 0)) weights = lines.map((l, i) => (physical[i] ? l.quantity : 0));
  if (weights.every((w) => w === 0)) weights = lines.map((l) => l.quantity);
  const parts = allocate(freight, weights);
  return lines.map((l, i) => ({ lineId: l.id, freight: parts[i]! }));
}

/** Units of each line claimed by after-sales that move money (every holding one but exchanges). */
function claimedUnits(order: Order): Map<string, number> {
  const units = new Map<string, number>();
  for (const a of order.afterSales) {
    if (!holdsUnits(a) || a.kind === 'exchange') continue;
    for (const item of a.items) units.set(item.lineId, (units.get(item.lineId) ?? 0) + item.quantity);
  }
  return units;
}

/**
 * The freight a request for `items` carries when freight is refunded per line: the freight of the
 * units claimed after it (`freightShares`, spread over each line's units) minus the freight already
 * claimed by after-sales (`held`), clamped to [0, freight − held].
 *
 * @example
 * lineFreightRefund(order, [{ lineId: 'L1', quantity: 1 }], 0) // 334: one unit of a 3-unit line holding ¥10.00 of freight
 */
export function lineFreightRefund(order: Order, items: ReadonlyArray<{ lineId: string; quantity: number }>, held: number): number {
  const claimed = claimedUnits(order);
  for (const item of items) claimed.set(item.lineId, (claimed.get(item.lineId) ?? 0) + item.quantity);
  let target = 0;
  for (const share of freightShares(order)) {
    const line = order.lines.find((l) => l.id === share.lineId)!;
    const units = Math.min(line.quantity, claimed.get(line.id) ?? 0);
    target += cumulativeShare({ payable: share.freight, quantity: line.quantity }, units);
  }
  const left = Math.max(0, order.pricing.freight - held);
  return Math.min(left, Math.max(0, target - held));
}
