import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeOrder } from '../../src/lifecycle/index.js';
import { priceCart, reorder, type CatalogItem } from '../../src/pricing/index.js';
import { NOW, at, line, quoteOf } from '../lifecycle/fixtures.js';

/** 再来一单 (docs/pricing.md "Order again"): the past order's goods, priced now, with what changed. */

const past = (() => {
  const placed = placeOrder({ id: 'o1', number: 'N1', customerId: 'u1', quote: quoteOf([line('a', 2, 1000), line('b', 1, 500), line('c', 3, 200)]) }, { now: NOW });
  if (!placed.ok) throw placed.error;
  return placed.order;
})();

const rules = { fullReductions: [{ id: 'fr', kind: 'threshold' as const, threshold: 3000, off: 500 }] };

describe('reorder', () => {
  it('reports a new price, a cut quantity and the SKUs gone; prices the rest now', () => {
    const shelf = new Map<string, CatalogItem>([
      ['SKU-a', { sku: 'SKU-a', title: 'Item a', listPrice: 1200 }],
      ['SKU-b', { sku: 'SKU-b', title: 'Item b', listPrice: 500, available: 0 }],
      ['SKU-c', { sku: 'SKU-c', title: 'Item c', listPrice: 200, available: 2 }],
    ]);
    const r = reorder({ order: past, catalog: (sku) => shelf.get(sku), rules, now: at(86_400_000) });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.report.changes).toEqual([
      { sku: 'SKU-a', kind: 'price_changed', quantity: 2, was: 1000, now: 1200 },
      { sku: 'SKU-b', kind: 'gone', quantity: 1, reason: 'sold_out' },
      { sku: 'SKU-c', kind: 'quantity_reduced', was: 3, now: 2 },
    ]);
    expect(r.cart.lines.map((l) => [l.sku, l.quantity, l.listPrice])).toEqual([
      ['SKU-a', 2, 1200],
      ['SKU-c', 2, 200],
    ]);
    expect(r.report.then).toEqual({ goods: 3100, total: 3100 });
    expect(r.report.now.goods).toBe(2800);
    expect(r.report.same).toBe(false);
  });

  it('nothing left to buy is NOTHING_TO_REORDER, in both languages', () => {
    const r = reorder({ order: past, catalog: () => undefined, rules, now: NOW });
    expect(r.ok ? 'ok' : [r.error.code, r.error.messages['zh-CN'].length > 0, r.error.messages.en.length > 0]).toEqual(['NOTHING_TO_REORDER', true, true]);
  });

  it('property: the cart holds exactly the SKUs still sold, never more than before or than left, and its quote is priceCart’s of today', () => {
    const item = fc.record({
      gone: fc.constantFrom('no', 'no', 'no', 'not_sold', 'off_sale', 'sold_out'),
      price: fc.integer({ min: 0, max: 5000 }),
      available: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(item, { minLength: 3, maxLength: 3 }), (items) => {
        const shelf = new Map<string, CatalogItem>();
        ['a', 'b', 'c'].forEach((id, i) => {
          const it = items[i]!;
          if (it.gone === 'not_sold') return;
          shelf.set(`SKU-${id}`, { sku: `SKU-${id}`, title: `Item ${id}`, listPrice: it.price, ...(it.gone === 'off_sale' ? { onSale: false } : {}), ...(it.gone === 'sold_out' ? { available: 0 } : it.available !== undefined ? { available: it.available } : {}) });
        });
        const r = reorder({ order: past, catalog: (sku) => shelf.get(sku), rules, now: NOW });
        const sold = ['a', 'b', 'c'].filter((_, i) => items[i]!.gone === 'no');
        if (sold.length === 0) {
          expect(r.ok ? 'ok' : r.error.code).toBe('NOTHING_TO_REORDER');
          return;
        }
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.cart.lines.map((l) => l.sku)).toEqual(sold.map((id) => `SKU-${id}`));
        for (const l of r.cart.lines) {
          const before = past.lines.find((x) => x.sku === l.sku)!.quantity;
          const left = shelf.get(l.sku)!.available;
          expect(l.quantity).toBe(Math.min(before, left ?? before));
          expect(l.listPrice).toBe(shelf.get(l.sku)!.listPrice);
        }
        const direct = priceCart(r.cart, rules, { now: NOW });
        expect(direct.ok && direct.quote.total).toBe(r.quote.total);
        expect(r.report.now.total).toBe(r.quote.total);
        // Every SKU of the past order is reported, and "same" means nothing changed at all.
        for (const l of past.lines) expect(r.report.changes.some((c) => c.sku === l.sku)).toBe(true);
        expect(r.report.same).toBe(r.report.changes.every((c) => c.kind === 'unchanged'));
      }),
      { numRuns: 100 },
    );
  });
});
