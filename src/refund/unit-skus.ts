import type { AfterSale, Order } from '../order/index.js';

/**
 * Which SKU each unit of a line is (docs/after-sales.md "Exchange", docs/inventory.md
 * "Exchanges"). A line starts with every unit of its own SKU; a finished exchange (`exchanged`)
 * turns the units it sent back into its replacement's SKU. A return or an exchange records the
 * SKUs of the units it sends back in `afterSale.skus` when any of them is not the line's own SKU,
 * so the stock given back on RETURN_RECEIVED is the SKU the shopper actually held.
 */

export interface UnitSku {
  lineId: string;
  sku: string;
  quantity: number;
}

/** True when the after-sale sends goods back (a return or an exchange) and still claims them. */
function sendsBack(a: AfterSale): boolean {
  return (a.kind === 'return_and_refund' || a.kind === 'exchange') && a.status !== 'rejected' && a.status !== 'cancelled';
}

/**
 * The SKUs of the units an after-sale sends back: `afterSale.skus` when recorded, else the line's
 * SKU for each item (every order stored before version 5, and every after-sale of a line never
 * exchanged).
 *
 * @example
 * afterSaleSkus(order, order.afterSales[0]) // [{ lineId: 'T', sku: 'TEE-L', quantity: 1 }]
 */
export function afterSaleSkus(order: Order, afterSale: AfterSale): UnitSku[] {
  if (afterSale.skus !== undefined) return afterSale.skus;
  const out: UnitSku[] = [];
  for (const item of afterSale.items) {
    const line = order.lines.find((l) => l.id === item.lineId);
    if (line && item.quantity > 0) out.push({ lineId: item.lineId, sku: line.sku, quantity: item.quantity });
  }
  return out;
}

/**
 * Per line, the SKUs of the units the shopper may still send back, replacements first (the most
 * recent exchange first), the line's own SKU last: every unit of the line, less those a return or
 * an exchange already sends back, plus the replacements of finished exchanges.
 *
 * @example
 * heldUnitSkus(order).get('T') // [{ sku: 'TEE-M', quantity: 1 }, { sku: 'TEE-L', quantity: 1 }]
 */
export function heldUnitSkus(order: Order): Map<string, Array<{ sku: string; quantity: number }>> {
  const counts = new Map<string, Map<string, number>>();
  for (const line of order.lines) counts.set(line.id, new Map([[line.sku, line.quantity]]));
  for (const a of order.afterSales) {
    if (!sendsBack(a)) continue;
    for (const u of afterSaleSkus(order, a)) {
      const m = counts.get(u.lineId);
      if (m) m.set(u.sku, (m.get(u.sku) ?? 0) - u.quantity);
    }
    if (a.kind === 'exchange' && a.status === 'exchanged') {
      for (const r of a.exchange?.items ?? []) {
        const m = counts.get(r.lineId);
        if (!m) continue;
        // Re-inserted so that the latest replacement comes last in the map, first in the answer.
        const had = m.get(r.sku) ?? 0;
        m.delete(r.sku);
        m.set(r.sku, had + r.quantity);
      }
    }
  }
  const out = new Map<string, Array<{ sku: string; quantity: number }>>();
  for (const line of order.lines) {
    const m = counts.get(line.id)!;
    const list: Array<{ sku: string; quantity: number }> = [];
    for (const [sku, quantity] of m) if (sku !== line.sku && quantity > 0) list.unshift({ sku, quantity });
    const own = m.get(line.sku) ?? 0;
    if (own > 0) list.push({ sku: line.sku, quantity: own });
    out.set(line.id, list);
  }
  return out;
}

/**
 * The SKUs of the units a new return or exchange of `items` sends back, or undefined when every
 * one is the line's own SKU (nothing to record: `afterSaleSkus` answers the same). Units are taken
 * replacements first (`heldUnitSkus`); a shopper who holds both and sends back only some may in
 * fact send either, which the request does not say (docs/after-sales.md "Exchange").
 *
 * @example
 * sentBackSkus(order, [{ lineId: 'T', quantity: 1 }]) // [{ lineId: 'T', sku: 'TEE-M', quantity: 1 }] after an exchange L → M
 */
export function sentBackSkus(order: Order, items: ReadonlyArray<{ lineId: string; quantity: number }>): UnitSku[] | undefined {
  // The usual order has no finished exchange: every unit is its line's SKU.
  if (!order.afterSales.some((a) => a.kind === 'exchange' && a.status === 'exchanged')) return undefined;
  let held: Map<string, Array<{ sku: string; quantity: number }>> | undefined;
  const out: UnitSku[] = [];
  let mixed = false;
  for (const item of items) {
    const line = order.lines.find((l) => l.id === item.lineId);
    if (!line || item.quantity <= 0) continue;
    held ??= heldUnitSkus(order);
    let left = item.quantity;
    for (const h of held.get(item.lineId) ?? []) {
      if (left === 0) break;
      const n = Math.min(left, h.quantity);
      if (n <= 0) continue;
      out.push({ lineId: item.lineId, sku: h.sku, quantity: n });
      if (h.sku !== line.sku) mixed = true;
      left -= n;
    }
    // More than the shopper is known to hold (only for an order the caps let through): the line's SKU.
    if (left > 0) out.push({ lineId: item.lineId, sku: line.sku, quantity: left });
  }
  return mixed ? out : undefined;
}
