import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeOrder } from '../../src/lifecycle/index.js';
import { bestCoupons, compilePricingRules, priceCart, type Cart, type PricingRules } from '../../src/pricing/index.js';

/**
 * Count-based promotions and 满减送 (issue 20 item 2, docs/pricing.md "Count-based promotions and
 * 满减送"): 满 N 件减 X, N 件 M 折 and rewards, in the 满减 stage, stacking with the other rules.
 */

const now = new Date('2026-11-25T04:00:00Z');

function quote(cart: Cart, rules: PricingRules) {
  const q = priceCart(cart, rules, { now });
  if (!q.ok) throw q.error;
  return q.quote;
}

const tea = (quantity: number, listPrice = 3000) => ({ id: 'tea', sku: 'TEA', title: '茶', category: 'tea', listPrice, quantity });
const cup = (quantity: number, listPrice = 1000) => ({ id: 'cup', sku: 'CUP', title: '杯', category: 'cup', listPrice, quantity });

describe('worked examples (fen, by hand)', () => {
  it('满 N 件减 X: the highest tier reached, split over the lines by payable', () => {
    const rules: PricingRules = { fullReductions: [{ id: 'n', kind: 'count_off', tiers: [{ minUnits: 2, off: 500 }, { minUnits: 4, off: 1500 }] }] };
    // 3 units: tier 2 → 500 off 7000, split CUP 1000 : TEA 6000 → 71.43 : 428.57 → 71 + 428 + 1 to TEA (.57) = 71 + 429.
    const q = quote({ lines: [tea(2), cup(1)] }, rules);
    expect(q.total).toBe(6500);
    expect(q.lines.map((l) => [l.id, l.payable])).toEqual([['tea', 5571], ['cup', 929]]);
    // 4 units: tier 4 → 1500.
    expect(quote({ lines: [tea(2), cup(2)] }, rules).total).toBe(8000 - 1500);
    // 1 unit: nothing.
    expect(quote({ lines: [tea(1)] }, rules).total).toBe(3000);
  });

  it('N 件 M 折: 3 件 8 折 over the lines in scope, rounded to the fen halves up', () => {
    const rules: PricingRules = { fullReductions: [{ id: 'z', kind: 'count_percent', tiers: [{ minUnits: 3, offBp: 2000 }], scope: { kind: 'category', categories: ['tea'] } }] };
    // 3 teas at ¥33.33: 9999 × 20 % = 1999.8 → 2000 off; the cup is out of scope.
    const q = quote({ lines: [tea(3, 3333), cup(5)] }, rules);
    expect(q.adjustments.find((a) => a.sourceId === 'z')?.amount).toBe(2000);
    expect(q.total).toBe(9999 - 2000 + 5000);
    // 2 teas + 5 cups: only 2 units in scope → no discount.
    expect(quote({ lines: [tea(2, 3333), cup(5)] }, rules).total).toBe(6666 + 5000);
  });

  it('满减送: free shipping, bonus points and a gift line with payable 0, that a return can send back', () => {
    const rules: PricingRules = {
      fullReductions: [{ id: 'song', kind: 'reward', minAmount: 10000, minUnits: 2, rewards: { freeShipping: true, bonusPoints: 200, gift: { sku: 'GIFT-CUP', title: '赠品杯', quantity: 1 } } }],
      freight: { defaultFee: 800 },
      points: { rate: { points: 100, fen: 100 }, maxShareBp: 5000, earn: { points: 1, fen: 100 } },
    };
    const q = quote({ lines: [tea(4)] }, rules);
    expect(q.freight).toBe(0);
    expect(q.adjustments.find((a) => a.id === 'freight:song')).toMatchObject({ source: 'freight', amount: 800 });
    expect(q.lines.at(-1)).toMatchObject({ id: 'gift:song', sku: 'GIFT-CUP', quantity: 1, payable: 0 });
    // 1 point per yuan of ¥120 + 200 bonus.
    expect(q).toMatchObject({ total: 12000, savings: 800, pointsEarned: 320, pointsEarn: { rate: { points: 1, fen: 100 }, bonus: 200 } });
    // Both conditions must hold: ¥120 but 1 unit → no reward.
    const one = quote({ lines: [tea(1, 12000)] }, rules);
    expect(one.freight).toBe(800);
    expect(one.lines).toHaveLength(1);
    const placed = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote: q }, { now });
    if (!placed.ok) throw placed.error;
    expect(placed.order.lines.map((l) => l.id)).toEqual(['tea', 'gift:song']);
    expect(placed.order.pricing.pointsEarn).toEqual({ rate: { points: 1, fen: 100 }, bonus: 200 });
  });
});

describe('stacking, in the documented order', () => {
  it('count promotions run in the 满减 stage in list order; coupons see the payable after them; points after coupons', () => {
    const rules: PricingRules = {
      memberPrices: [{ id: 'gold', kind: 'percent', levels: ['gold'], offBp: 1000 }],
      fullReductions: [
        { id: 'mj', kind: 'threshold', threshold: 10000, off: 1000 },
        { id: 'n', kind: 'count_off', tiers: [{ minUnits: 4, off: 600 }] },
      ],
      coupons: [{ id: 'c', kind: 'threshold', threshold: 9000, off: 500, validity: { kind: 'days_after_claim', days: 30 } }],
      points: { rate: { points: 100, fen: 100 }, maxShareBp: 1000 },
      freight: { defaultFee: 800, freeOver: 8000 },
    };
    const cart: Cart = { lines: [tea(4)], member: { level: 'gold' }, pointsBalance: 10_000, pointsToUse: 'max', coupons: [{ id: 'w', definitionId: 'c', claimedAt: '2026-11-20T00:00:00Z' }] };
    // 12000 → member 9 折 10800 → 满 100 减 10: 9800 → 满 4 件减 6: 9200 → coupon 满 90 减 5: 8700
    // → free shipping (8700 ≥ 8000, before points) → points: floor(8700 × 10 %) = 870 → 8 blocks = 800 → 7900.
    // (With freeOver 9000 the coupon would cost the ¥8 free shipping for ¥5 off and not be used.)
    const q = quote(cart, rules);
    expect(q.adjustments.map((a) => [a.id, a.amount])).toEqual([
      ['member_price:gold', 1200],
      ['full_reduction:mj', 1000],
      ['full_reduction:n', 600],
      ['coupon:w', 500],
      ['points:points', 800],
      ['freight:free_shipping', 800],
    ]);
    expect(q).toMatchObject({ freight: 0, total: 7900 });
  });

  it('bestCoupons and priceCart agree on carts with count promotions (property)', () => {
    const rules: PricingRules = {
      fullReductions: [
        { id: 'n', kind: 'count_off', tiers: [{ minUnits: 2, off: 300 }, { minUnits: 5, off: 900 }] },
        { id: 'z', kind: 'count_percent', tiers: [{ minUnits: 3, offBp: 500 }], scope: { kind: 'category', categories: ['tea'] } },
        { id: 's', kind: 'reward', minUnits: 6, rewards: { freeShipping: true } },
      ],
      coupons: [
        { id: 'a', kind: 'fixed', off: 300, validity: { kind: 'days_after_claim', days: 30 }, stackable: true },
        { id: 'b', kind: 'percent', offBp: 1000, cap: 2000, validity: { kind: 'days_after_claim', days: 30 } },
        { id: 'c', kind: 'threshold', threshold: 5000, off: 800, validity: { kind: 'days_after_claim', days: 30 }, stackable: true },
      ],
      freight: { defaultFee: 800, freeOver: 8000 },
    };
    const compiled = compilePricingRules(rules);
    if (!compiled.ok) throw compiled.error;
    const wallet = ['a', 'b', 'c'].map((d, i) => ({ id: `w${i}`, definitionId: d, claimedAt: '2026-11-20T00:00:00Z' }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 5000 }), (teas, cups, price) => {
        const lines = [tea(teas, price), ...(cups > 0 ? [cup(cups)] : [])];
        const best = bestCoupons({ lines }, wallet, compiled.rules, { now });
        if (!best.ok) throw best.error;
        const q = quote({ lines, coupons: wallet.filter((w) => best.couponIds.includes(w.id)) }, rules);
        expect(best.quote.total).toBe(q.total);
        expect(q.total).toBe(q.lines.reduce((s, l) => s + l.payable, 0) + q.freight);
        const units = teas + cups;
        if (units >= 6) expect(q.freight).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});

describe('bad input', () => {
  const cases: Array<[string, unknown, string, Array<string | number>]> = [
    ['tiers out of order', { fullReductions: [{ id: 'n', kind: 'count_off', tiers: [{ minUnits: 4, off: 900 }, { minUnits: 2, off: 300 }] }] }, 'RULE_TIERS_OUT_OF_ORDER', ['fullReductions', 0, 'tiers', 1, 'minUnits']],
    ['a higher tier saving less', { fullReductions: [{ id: 'z', kind: 'count_percent', tiers: [{ minUnits: 2, offBp: 1000 }, { minUnits: 3, offBp: 500 }] }] }, 'RULE_TIERS_NOT_INCREASING', ['fullReductions', 0, 'tiers', 1, 'offBp']],
    ['a reward without a condition', { fullReductions: [{ id: 's', kind: 'reward', rewards: { bonusPoints: 10 } }] }, 'RULE_REWARD_NO_CONDITION', ['fullReductions', 0]],
    ['maxPoints below one block', { points: { rate: { points: 100, fen: 100 }, maxShareBp: 5000, maxPoints: 50 } }, 'RULE_POINTS_CAP_BELOW_BLOCK', ['points', 'maxPoints']],
    ['zero units', { fullReductions: [{ id: 'n', kind: 'count_off', tiers: [{ minUnits: 0, off: 100 }] }] }, 'INVALID_RULES', ['fullReductions', 0, 'tiers', 0, 'minUnits']],
  ];
  for (const [name, bad, code, path] of cases) {
    it(name, () => {
      const r = compilePricingRules(bad);
      if (r.ok) throw new Error('expected an error');
      expect(r.error.code).toBe(code);
      expect(r.error.path).toEqual(path);
      expect(r.error.messages['zh-CN'].length).toBeGreaterThan(0);
    });
  }

  it('a cart line taking a gift line id is GIFT_LINE_ID_TAKEN', () => {
    const r = priceCart({ lines: [{ id: 'gift:s', sku: 'X', title: 'x', listPrice: 100, quantity: 2 }] }, { fullReductions: [{ id: 's', kind: 'reward', minUnits: 1, rewards: { gift: { sku: 'G', title: 'g', quantity: 1 } } }] }, { now });
    expect(r.ok ? 'ok' : r.error.code).toBe('GIFT_LINE_ID_TAKEN');
  });
});
