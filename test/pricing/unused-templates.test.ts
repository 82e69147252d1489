import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bestCoupons, compilePricingRules, priceCart, type Cart, type PricingRules } from '../../src/pricing/index.js';
import { NOW, scenarioArb } from './arbitraries.js';

/**
 * docs/pricing.md "Freight templates": lines that name no 运费模板 (and no `defaultTemplate`) pay
 * "the flat fee of 'Freight and the free-shipping threshold'". So a shop that adds a template for
 * some other goods must not change the price of a cart that uses none: same freight, same 包邮
 * base (every good's payable, virtual goods included), same coupon choice. Before the fix, any
 * template in the rules sent every cart through the template planner, whose flat part counted the
 * physical lines only and whose coupon search ignored the free-shipping step.
 */
const unused = [{ id: 'unused', charge: 'count' as const, rows: [{ first: 1, firstFee: 1, additional: 1, additionalFee: 1 }] }];
const withTemplate = (rules: PricingRules): PricingRules => (rules.freight ? { ...rules, freight: { ...rules.freight, templates: unused } } : rules);

function compiled(rules: PricingRules) {
  const c = compilePricingRules(rules);
  if (!c.ok) throw c.error;
  return c.rules;
}

describe('a template no line uses changes nothing', () => {
  it('minimal case: a virtual good counts toward freeOver with or without an unused template', () => {
    const cart: Cart = {
      region: '北京',
      lines: [
        { id: 'p', sku: 'P', title: '茶', listPrice: 500, quantity: 1 },
        { id: 'v', sku: 'V', title: '会员卡', listPrice: 600, quantity: 1, fulfillment: 'virtual' },
      ],
    };
    const flat: PricingRules = { freight: { defaultFee: 800, freeOver: 1000 } };
    const a = priceCart(cart, flat, { now: NOW });
    const b = priceCart(cart, withTemplate(flat), { now: NOW });
    expect(a.ok && a.quote.total).toBe(1100); // ¥11 of goods ≥ ¥10: free shipping
    expect(b.ok && b.quote.total).toBe(1100);
  });

  it('minimal case: bestCoupons keeps free shipping with or without an unused template', () => {
    const rules: PricingRules = {
      freight: { defaultFee: 800, freeOver: 1000 },
      coupons: [{ id: 'c', kind: 'fixed', off: 100, validity: { kind: 'window', from: '2025-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } }],
    };
    const cart: Cart = { region: '北京', lines: [{ id: 'p', sku: 'P', title: '茶', listPrice: 1000, quantity: 1 }] };
    const wallet = [{ id: 'w', definitionId: 'c' }];
    for (const r of [rules, withTemplate(rules)]) {
      const best = bestCoupons(cart, wallet, r, { now: NOW });
      if (!best.ok) throw best.error;
      // ¥1 off would cost ¥8 of freight: not used.
      expect(best.couponIds).toEqual([]);
      expect(best.quote.total).toBe(1000);
    }
  });

  it('property: priceCart and bestCoupons give the same quote', () => {
    fc.assert(
      fc.property(scenarioArb, ({ cart, rules }) => {
        const plain = compiled(rules);
        const templated = compiled(withTemplate(rules));
        const a = priceCart(cart, plain, { now: NOW });
        const b = priceCart(cart, templated, { now: NOW });
        expect(b).toEqual(a);
        const wallet = cart.coupons ?? [];
        const x = bestCoupons({ ...cart, coupons: [] }, wallet, plain, { now: NOW });
        const y = bestCoupons({ ...cart, coupons: [] }, wallet, templated, { now: NOW });
        expect(y).toEqual(x);
      }),
      { numRuns: 300 },
    );
  });
});
