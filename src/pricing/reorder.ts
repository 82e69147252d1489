import { orderkitError } from '../errors/orderkit-error.js';
import { fail, ok, type Result } from '../errors/result.js';
import type { Order } from '../order/index.js';
import type { Cart, CartLine } from './cart-schema.js';
import type { PricingRuleSet } from './compile-rules.js';
import { isGiftLine } from './full-reduction.js';
import { priceCart } from './price-cart.js';
import type { Quote } from './quote.js';
import type { PricingRules } from './rule-schemas.js';

/**
 * 再来一单 (docs/pricing.md "Order again"): a past order's goods placed again, priced NOW. Nothing
 * of the old order's money is reused — not its prices, discounts, coupons or points — only which
 * SKUs and how many (a 满减送 gift line is left out: it was the promotion's reward, not a purchase).
 * The report says, SKU by SKU, what changed since: a new shelf price, a new
 * title, a quantity cut to what is left, or the SKU gone (no longer sold, or none left).
 */

/** What the shop sells now, as the reorder needs it. `undefined` from the lookup: the SKU is gone. */
export interface CatalogItem {
  sku: string;
  title: string;
  listPrice: number;
  category?: string;
  image?: string;
  fulfillment?: 'physical' | 'virtual';
  memberPrice?: number;
  freightTemplate?: string;
  weight?: number;
  volume?: number;
  /** Units that may be bought now (stock); absent: no limit known. 0: sold out. */
  available?: number;
  /** False: still listed but not for sale (下架). Default true. */
  onSale?: boolean;
}

export type ReorderChange =
  | { sku: string; kind: 'unchanged'; quantity: number; unitPrice: number }
  | { sku: string; kind: 'price_changed'; quantity: number; was: number; now: number }
  | { sku: string; kind: 'title_changed'; quantity: number; was: string; now: string }
  | { sku: string; kind: 'quantity_reduced'; was: number; now: number }
  | { sku: string; kind: 'gone'; quantity: number; reason: 'not_sold' | 'off_sale' | 'sold_out' };

export interface ReorderReport {
  /** One entry per SKU of the past order (several when both its price and title changed), in line order. */
  changes: ReorderChange[];
  /** What the past order's goods cost then (Σ line payable, freight left out) and what the same goods cost now. */
  then: { goods: number; total: number };
  now: { goods: number; total: number };
  /** True when nothing but the date differs: same SKUs, quantities, shelf prices and titles. */
  same: boolean;
}

export interface ReorderInput {
  /** The past order (the caller checked it belongs to the shopper). */
  order: Pick<Order, 'lines' | 'pricing' | 'customerId'>;
  /** What the shop sells now, by SKU. */
  catalog: (sku: string) => CatalogItem | undefined;
  rules: PricingRules | PricingRuleSet;
  /** Cart fields of today (member level, region, coupons, points); the lines come from the order. */
  cart?: Omit<Cart, 'lines'>;
  now: Date;
}

/** Cart lines for the goods of `order` that are still sold, with the report of what changed. */
export function reorderLines(order: Pick<Order, 'lines'>, catalog: (sku: string) => CatalogItem | undefined): { lines: CartLine[]; changes: ReorderChange[] } {
  // Quantities per SKU, in the order of first appearance (a SKU split over lines is bought once).
  const wanted = new Map<string, { quantity: number; unitPrice: number; title: string; listPrice: number }>();
  for (const l of order.lines) {
    // A 满减送 gift was the promotion's, not the shopper's choice: it is not bought again.
    if (isGiftLine(l)) continue;
    const w = wanted.get(l.sku);
    if (w) w.quantity += l.quantity;
    else wanted.set(l.sku, { quantity: l.quantity, unitPrice: l.unitPrice, title: l.title, listPrice: l.listPrice });
  }
  const lines: CartLine[] = [];
  const changes: ReorderChange[] = [];
  for (const [sku, w] of wanted) {
    const item = catalog(sku);
    if (item === undefined) {
      changes.push({ sku, kind: 'gone', quantity: w.quantity, reason: 'not_sold' });
      continue;
    }
    if (item.onSale === false) {
      changes.push({ sku, kind: 'gone', quantity: w.quantity, reason: 'off_sale' });
      continue;
    }
    const left = item.available;
    if (left !== undefined && left <= 0) {
      changes.push({ sku, kind: 'gone', quantity: w.quantity, reason: 'sold_out' });
      continue;
    }
    const quantity = left !== undefined && left < w.quantity ? left : w.quantity;
    if (quantity < w.quantity) changes.push({ sku, kind: 'quantity_reduced', was: w.quantity, now: quantity });
    let changed = false;
    if (item.listPrice !== w.listPrice) {
      changes.push({ sku, kind: 'price_changed', quantity, was: w.listPrice, now: item.listPrice });
      changed = true;
    }
    if (item.title !== w.title) {
      changes.push({ sku, kind: 'title_changed', quantity, was: w.title, now: item.title });
      changed = true;
    }
    if (!changed && quantity === w.quantity) changes.push({ sku, kind: 'unchanged', quantity, unitPrice: item.listPrice });
    const line: CartLine = { id: `r${lines.length + 1}`, sku, title: item.title, listPrice: item.listPrice, quantity };
    if (item.category !== undefined) line.category = item.category;
    if (item.image !== undefined) line.image = item.image;
    if (item.fulfillment !== undefined) line.fulfillment = item.fulfillment;
    if (item.memberPrice !== undefined) line.memberPrice = item.memberPrice;
    if (item.freightTemplate !== undefined) line.freightTemplate = item.freightTemplate;
    if (item.weight !== undefined) line.weight = item.weight;
    if (item.volume !== undefined) line.volume = item.volume;
    lines.push(line);
  }
  return { lines, changes };
}

/**
 * 再来一单: the past order's goods, re-priced now with today's rules, and the report of what
 * changed or is gone. `NOTHING_TO_REORDER` when none of its goods is sold any more; pricing's own
 * typed errors pass through.
 *
 * @example
 * const shelf = new Map<string, CatalogItem>([['TEA', { sku: 'TEA', title: '龙井', listPrice: 13800 }]]);
 * const again = reorder({ order, catalog: (sku) => shelf.get(sku), rules, now: new Date() });
 * if (again.ok) again.report.changes // [{ sku: 'TEA', kind: 'price_changed', was: 12800, now: 13800, quantity: 1 }]
 */
export function reorder(input: ReorderInput): Result<{ cart: Cart; quote: Quote; report: ReorderReport }> {
  const { lines, changes } = reorderLines(input.order, input.catalog);
  if (lines.length === 0) {
    return fail(
      orderkitError(
        'NOTHING_TO_REORDER',
        { 'zh-CN': '原订单中的商品均已下架或售罄，无法再来一单', en: 'none of the goods of that order is for sale any more; nothing to order again' },
        { path: ['order', 'lines'], details: { gone: changes.map((c) => c.sku) } },
      ),
    );
  }
  const cart: Cart = { ...(input.cart ?? {}), lines };
  const priced = priceCart(cart, input.rules, { now: input.now });
  if (!priced.ok) return priced;
  const quote = priced.quote;
  let thenGoods = 0;
  for (const l of input.order.lines) thenGoods += l.payable;
  let nowGoods = 0;
  for (const l of quote.lines) nowGoods += l.payable;
  const same = changes.every((c) => c.kind === 'unchanged');
  return ok({ cart, quote, report: { changes, then: { goods: thenGoods, total: input.order.pricing.total }, now: { goods: nowGoods, total: quote.total }, same } });
}
