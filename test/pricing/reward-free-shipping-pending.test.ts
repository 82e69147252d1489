import { describe, expect, it } from 'vitest';
import { placeOrder } from '../../src/index.js';
import { priceCart, type PricingRules } from '../../src/pricing/index.js';

const now = new Date('2026-11-25T04:00:00Z');
const rules: PricingRules = {
  fullReductions: [{ id: 'song', kind: 'reward', minAmount: 5000, rewards: { freeShipping: true } }],
  freight: {
    defaultFee: 1000,
    templates: [{ id: 'by-count', charge: 'count', rows: [{ first: 1, firstFee: 800, additional: 1, additionalFee: 300 }] }],
  },
};
const lines = [{ id: 'a', sku: 'A', title: '袜子', listPrice: 3000, quantity: 2, freightTemplate: 'by-count' }];

describe('满减送 free shipping before an address is known', () => {
  it('the whole freight is waived, so it is not pending and the order can be placed', () => {
    const r = priceCart({ lines }, rules, { now });
    if (!r.ok) throw r.error;
    expect(r.quote.freight).toBe(0);
    expect(r.quote.freightPending).toBeUndefined();
    const placed = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote: r.quote }, { now });
    expect(placed.ok).toBe(true);
    // With the region the quote is the same money.
    const there = priceCart({ lines, region: '新疆' }, rules, { now });
    if (!there.ok) throw there.error;
    expect([there.quote.freight, there.quote.total]).toEqual([0, r.quote.total]);
  });

  it('below the 满送 threshold the freight still waits for the address', () => {
    const r = priceCart({ lines: [{ ...lines[0]!, quantity: 1 }] }, rules, { now });
    if (!r.ok) throw r.error;
    expect(r.quote.freightPending).toBe(true);
  });
});
