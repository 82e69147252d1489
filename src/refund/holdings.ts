import { allocate } from '../money/allocate.js';
import { shippedQuantities, type AfterSale, type Line, type Order } from '../order/index.js';

/**
 * Who holds what on an order: per line, the units and fen already claimed by after-sales, and
 * the money reserved against the payment. Every cap in after-sales reads these numbers, so they
 * are computed in one place.
 */

/**
 * An after-sale that still claims its units: anything but rejected, cancelled or exchanged.
 *
 * @example
 * order.afterSales.filter(holdsUnits)
 */
export function holdsUnits(afterSale: AfterSale): boolean {
  // A finished exchange gives its units back: the replacement stands where the originals stood.
  return afterSale.status !== 'rejected' && afterSale.status !== 'cancelled' && afterSale.status !== 'exchanged';
}

/** Units and fen of one line already claimed, and what is left of it. */
export interface LineHolding {
  line: Line;
  ordered: number;
  shipped: number;
  /** Units claimed by after-sales (open or refunded). */
  heldQuantity: number;
  /** Fen claimed for this line by those after-sales (shipping excluded). */
  heldAmount: number;
  /** Units held by return-and-refund after-sales. */
  returnHeld: number;
  /** Units held by refund-only after-sales. */
  refundOnlyHeld: number;
  /** ordered − held: what may still be requested. */
  refundable: number;
  /** What may still be sent back: shipped units not yet claimed by a return or a kept refund. */
  returnable: number;
}

/**
 * The per-line amounts of an after-sale. Stored on the after-sale since the per-line field was
 * added; older records are split over their items in proportion to the lines' payables.
 *
 * @example
 * afterSaleLineAmounts(order, order.afterSales[0]) // [{ lineId: 'L1', quantity: 2, amount: 6000 }]
 */
export function afterSaleLineAmounts(order: Order, afterSale: AfterSale): Array<{ lineId: string; quantity: number; amount: number }> {
  if (afterSale.lines) return afterSale.lines;
  const itemsAmount = afterSale.amount - afterSale.shippingAmount;
  const weights = afterSale.items.map((item) => {
    const line = order.lines.find((l) => l.id === item.lineId);
    return line ? Math.floor((line.payable * item.quantity) / line.quantity) : 0;
  });
  const safe = weights.every((w) => Number.isSafeInteger(w)) && Number.isSafeInteger(weights.reduce((x, w) => x + w, 0));
  const usable = safe && weights.some((w) => w > 0) ? weights : afterSale.items.map((i) => i.quantity);
  const parts = allocate(itemsAmount, usable);
  return afterSale.items.map((item, i) => ({ lineId: item.lineId, quantity: item.quantity, amount: parts[i]! }));
}


/** Units of one line put in a parcel so far (shippedQuantities' sum for that line). */
export function shippedOfLine(shipments: Order['shipments'], lineId: string): number {
  let n = 0;
  for (let i = 0; i < shipments.length; i++) {
    const items = shipments[i]!.items;
    for (let j = 0; j < items.length; j++) if (items[j]!.lineId === lineId) n += items[j]!.quantity;
  }
  return n;
}

/**
 * Holdings of every line, keyed by line id, in the order's line order.
 *
 * @example
 * const h = lineHoldings(order).get('L1');
 * h?.refundable // units of L1 the shopper may still ask to refund
 */
export function lineHoldings(order: Order, options: { excludeAfterSaleId?: string } = {}): Map<string, LineHolding> {
  // shippedQuantities' sums. A small order (lines × parcel items ≤ 64, the usual case) adds them
  // up per line instead: building and filling that map was a third of this function's time.
  const shipments = order.shipments;
  let parcelItems = 0;
  for (let i = 0; i < shipments.length; i++) parcelItems += shipments[i]!.items.length;
  const shipped = order.lines.length * parcelItems > 64 ? shippedQuantities(order) : undefined;
  const holdings = new Map<string, LineHolding>();
  for (const line of order.lines) {
    holdings.set(line.id, {
      line,
      ordered: line.quantity,
      shipped: Math.min(line.quantity, shipped === undefined ? shippedOfLine(shipments, line.id) : (shipped.get(line.id) ?? 0)),
      heldQuantity: 0,
      heldAmount: 0,
      returnHeld: 0,
      refundOnlyHeld: 0,
      refundable: 0,
      returnable: 0,
    });
  }
  for (const a of order.afterSales) {
    if (!holdsUnits(a) || a.id === options.excludeAfterSaleId) continue;
    for (const part of afterSaleLineAmounts(order, a)) {
      const h = holdings.get(part.lineId);
      if (!h) continue;
      h.heldQuantity += part.quantity;
      h.heldAmount += part.amount;
      if (a.kind !== 'refund_only') h.returnHeld += part.quantity;
      else h.refundOnlyHeld += part.quantity;
    }
  }
  for (const h of holdings.values()) {
    h.refundable = Math.max(0, h.ordered - h.heldQuantity);
    // A refund-only claim uses up never-shipped units first: a shopper cannot keep what never came.
    const keptShipped = Math.max(0, h.refundOnlyHeld - (h.ordered - h.shipped));
    h.returnable = Math.max(0, Math.min(h.refundable, h.shipped - h.returnHeld - keptShipped));
  }
  return holdings;
}

/**
 * Units of each line refunded (or being refunded) before they were shipped: the lifecycle must
 * not put these in a parcel. Counts refund-only claims beyond what has shipped.
 *
 * @example
 * unshippableQuantities(order).get('L1') // 2 → ship at most quantity − shipped − 2 units of L1
 */
export function unshippableQuantities(order: Order): Map<string, number> {
  const out = new Map<string, number>();
  for (const h of lineHoldings(order).values()) {
    const n = Math.min(h.refundOnlyHeld, h.ordered - h.shipped);
    if (n > 0) out.set(h.line.id, n);
  }
  return out;
}

/**
 * Freight already claimed by an after-sale (it is refunded once at most).
 *
 * @example
 * shippingHeld(order) > 0 // freight will not be quoted again
 */
export function shippingHeld(order: Order, options: { excludeAfterSaleId?: string } = {}): number {
  let sum = 0;
  for (const a of order.afterSales) if (holdsUnits(a) && a.id !== options.excludeAfterSaleId) sum += a.shippingAmount;
  return sum;
}

/**
 * Per line, the fen of the units open exchanges hold (undefined when there is none). An exchange
 * refunds nothing, but the shopper keeps goods for those units: their money is still outstanding,
 * never free for freight or a return shipping fee (docs/after-sales.md "Exchange").
 *
 * @example
 * exchangeHeld(order)?.get('L1') // 3000 while one ¥30.00 unit of L1 is being exchanged
 */
export function exchangeHeld(order: Order): Map<string, number> | undefined {
  let held: Map<string, number> | undefined;
  for (const a of order.afterSales) {
    if (a.kind !== 'exchange' || !holdsUnits(a)) continue;
    held ??= new Map();
    for (const part of afterSaleLineAmounts(order, a)) held.set(part.lineId, (held.get(part.lineId) ?? 0) + part.amount);
  }
  return held;
}

/**
 * Per line, the units of refund-only after-sales whose refund has started — a ledger entry, or
 * completed without one (units worth nothing) — leaving out `excludeAfterSaleId`. Such an
 * after-sale gave back its never-shipped units when its refund started (when `restockOnReturn`);
 * one still `requested` has given back nothing. The one rule both for what a refund-only approval
 * gives back and for what a close gives back (docs/inventory.md "Released once"): of a line's
 * unshipped units, `min(unshipped, started)` are no longer the order's to give back.
 *
 * @example
 * refundOnlyStartedUnits(order).get('L1') // 1 once a refund-only claim of 1 unit was approved
 */
export function refundOnlyStartedUnits(order: Order, excludeAfterSaleId?: string): Map<string, number> {
  const started = new Map<string, number>();
  for (const a of order.afterSales) {
    // Superseded ones count too: their units went back when their refund started.
    if (a.kind !== 'refund_only' || a.id === excludeAfterSaleId) continue;
    if (a.refundId === undefined && a.status !== 'refunded') continue;
    for (const item of a.items) started.set(item.lineId, (started.get(item.lineId) ?? 0) + item.quantity);
  }
  return started;
}

/**
 * What an order still holds of the warehouse's stock, per SKU: units not shipped, less the units
 * refund-only after-sales already gave back when their refund started (they release their
 * never-shipped units then, when `restockOnReturn`: `refundOnlyStartedUnits`). The one rule for
 * what a close releases, so a cancel after a refund-only approval never releases the same units
 * twice (docs/inventory.md).
 *
 * @example
 * stockStillHeld(order, policy) // [{ sku: 'TEA', quantity: 1 }] after 1 of 2 units was refunded before shipping
 */
export function stockStillHeld(order: Order, policy: { restockOnReturn: boolean }): Array<{ sku: string; quantity: number }> {
  const shipped = shippedQuantities(order);
  const released = policy.restockOnReturn ? refundOnlyStartedUnits(order) : new Map<string, number>();
  const out: Array<{ sku: string; quantity: number }> = [];
  for (const line of order.lines) {
    const unshipped = Math.max(0, line.quantity - (shipped.get(line.id) ?? 0));
    const left = unshipped - Math.min(unshipped, released.get(line.id) ?? 0);
    if (left <= 0) continue;
    const same = out.find((o) => o.sku === line.sku);
    if (same) same.quantity += left;
    else out.push({ sku: line.sku, quantity: left });
  }
  return out;
}
