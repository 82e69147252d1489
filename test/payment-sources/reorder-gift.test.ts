import { describe, expect, it } from 'vitest';
import { placeOrder } from '../../src/lifecycle/index.js';
import { priceCart, reorder, type CatalogItem } from '../../src/pricing/index.js';

/**
 * 再来一单 and a 满减送 gift (docs/payment-sources.md "Quick ordering"): the gift line of the past
 * order (`gift:<activity>`, list price 0) was the promotion's reward, not goods the shopper chose.
 * Before, it was bought again at the shelf price of its SKU (the cup still sold at ¥39.00), and the
 * promotion, still running, added a second cup as a gift.
 */
const NOW = new Date('2026-10-01T02:00:00Z');
const LATER = new Date('2026-11-25T02:00:00Z');
const rules = {
  fullReductions: [{ id: 'song', kind: 'reward' as const, minAmount: 6000, rewards: { gift: { sku: 'CUP', title: '赠品杯', quantity: 1 } } }],
};
const cart = { lines: [{ id: 'l1', sku: 'TEA-LJ', title: '明前龙井', listPrice: 6_400, quantity: 1 }] };

function pastOrder() {
  const priced = priceCart(cart, rules, { now: NOW });
  if (!priced.ok) throw priced.error;
  expect(priced.quote.lines.map((l) => l.id)).toEqual(['l1', 'gift:song']);
  const placed = placeOrder({ id: 'o1', number: 'N1', customerId: 'u1', quote: priced.quote }, { now: NOW });
  if (!placed.ok) throw placed.error;
  return placed.order;
}

describe('reorder leaves the past order\'s 满减送 gift out', () => {
  const shelf = new Map<string, CatalogItem>([
    ['TEA-LJ', { sku: 'TEA-LJ', title: '明前龙井', listPrice: 6_400 }],
    ['CUP', { sku: 'CUP', title: '玻璃杯', listPrice: 3_900 }],
  ]);

  it('while the promotion runs: the tea again, the cup as today\'s gift only, nothing paid for it', () => {
    const r = reorder({ order: pastOrder(), catalog: (sku) => shelf.get(sku), rules, now: LATER });
    if (!r.ok) throw r.error;
    expect(r.cart.lines.map((l) => l.sku)).toEqual(['TEA-LJ']);
    expect(r.quote.lines.map((l) => [l.id, l.payable])).toEqual([['r1', 6_400], ['gift:song', 0]]);
    expect(r.report.changes).toEqual([{ sku: 'TEA-LJ', kind: 'unchanged', quantity: 1, unitPrice: 6_400 }]);
    expect(r.report.now.goods).toBe(6_400);
  });

  it('once the promotion ended: the tea alone, no cup bought', () => {
    const r = reorder({ order: pastOrder(), catalog: (sku) => shelf.get(sku), rules: {}, now: LATER });
    if (!r.ok) throw r.error;
    expect(r.quote.lines.map((l) => l.sku)).toEqual(['TEA-LJ']);
    expect(r.quote.total).toBe(6_400);
  });
});
