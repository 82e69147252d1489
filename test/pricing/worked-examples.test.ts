import { describe, expect, it } from 'vitest';
import { definePricingRules, priceCart, type Cart, type PricingRules, type Quote } from '../../src/pricing/index.js';

/**
 * Worked examples from rules real shops run. Every fen is computed by hand in the comments
 * (largest remainder: floor shares first, the leftover fen to the biggest remainders, ties to the
 * line that sorts first by sku, then id).
 */

const now = new Date('2025-06-18T12:00:00+08:00');
const allYear = { kind: 'window', from: '2025-01-01T00:00:00+08:00', to: '2026-01-01T00:00:00+08:00' } as const;

function quote(cart: Cart, rules: PricingRules): Quote {
  const r = priceCart(cart, definePricingRules(rules), { now });
  if (!r.ok) throw r.error;
  return r.quote;
}

function line(id: string, sku: string, listPrice: number, quantity: number, extra: Partial<Cart['lines'][number]> = {}) {
  return { id, sku, title: `${sku} item`, listPrice, quantity, ...extra };
}

function alloc(q: Quote, lineId: string) {
  return q.lines.find((l) => l.id === lineId)!.allocations;
}

describe('满 99 减 10 plus a ¥5 coupon', () => {
  const rules: PricingRules = {
    fullReductions: [{ id: 'mj-99-10', kind: 'threshold', threshold: 9900, off: 1000 }],
    coupons: [{ id: 'shop-5', title: '店铺券', kind: 'fixed', off: 500, validity: allYear }],
  };
  const cart: Cart = {
    lines: [line('l2', 'SKU-B', 4500, 1), line('l1', 'SKU-A', 6000, 1)],
    coupons: [{ id: 'w-5', definitionId: 'shop-5' }],
  };

  it('splits both discounts by payable, to the fen', () => {
    const q = quote(cart, rules);
    // 满减 1000 over 6000 : 4500 → 571.43 / 428.57 → 571 + 428 = 999, the last fen to B (.57 > .43).
    expect(alloc(q, 'l1')).toEqual([
      { source: 'full_reduction', sourceId: 'mj-99-10', amount: 571 },
      // coupon 500 over 5429 : 4071 → 285.74 / 214.26 → 285 + 214, the last fen to A.
      { source: 'coupon', sourceId: 'w-5', amount: 286 },
    ]);
    expect(alloc(q, 'l2')).toEqual([
      { source: 'full_reduction', sourceId: 'mj-99-10', amount: 429 },
      { source: 'coupon', sourceId: 'w-5', amount: 214 },
    ]);
    expect(q.lines.map((l) => [l.id, l.payable])).toEqual([
      ['l2', 3857],
      ['l1', 5143],
    ]);
    expect(q).toMatchObject({ itemsTotal: 10500, discountTotal: 1500, freight: 0, total: 9000, savings: 1500, couponIds: ['w-5'] });
    expect(q.adjustments.map((a) => [a.id, a.amount, a.lineIds, a.reason['zh-CN']])).toEqual([
      ['full_reduction:mj-99-10', 1000, ['l1', 'l2'], '满 ¥99 减 ¥10'],
      ['coupon:w-5', 500, ['l1', 'l2'], '优惠券「店铺券」：立减 ¥5'],
    ]);
    expect(q.adjustments[0]!.reason.en).toBe('Spend ¥99, save ¥10');
  });

  it('misses the 满减 below ¥99 and still takes the coupon', () => {
    const q = quote({ ...cart, lines: [line('l1', 'SKU-A', 9899, 1)] }, rules);
    expect(q.adjustments.map((a) => a.id)).toEqual(['coupon:w-5']);
    expect(q.total).toBe(9399);
  });
});

describe('a percent coupon with a cap (8 折，最多减 ¥20)', () => {
  const rules: PricingRules = {
    coupons: [{ id: 'p80', kind: 'percent', offBp: 2000, cap: 2000, validity: allYear }],
  };
  const use = { coupons: [{ id: 'w-p', definitionId: 'p80' }] };

  it('takes the full 20 % under the cap, rounding halves up', () => {
    // 20 % of 1999 = 399.8 → 400 (the shopper's favour); 1999 − 400 = 1599.
    const q = quote({ lines: [line('l1', 'TEA', 1999, 1)], ...use }, rules);
    expect(q.adjustments[0]).toMatchObject({ amount: 400, reason: { 'zh-CN': '优惠券：8 折，最多减 ¥20', en: 'Coupon: 20% off, up to ¥20' } });
    expect(q.total).toBe(1599);
  });

  it('stops at the cap and splits it', () => {
    // 20 % of 22760 = 4552 > cap → 2000, over 15000 : 7760 → 1318.10 / 681.90 → 1318 + 681, the last fen to CUP.
    const q = quote({ lines: [line('l1', 'TEA', 15000, 1), line('l2', 'CUP', 3880, 2)], ...use }, rules);
    expect(alloc(q, 'l1')).toEqual([{ source: 'coupon', sourceId: 'w-p', amount: 1318 }]);
    expect(alloc(q, 'l2')).toEqual([{ source: 'coupon', sourceId: 'w-p', amount: 682 }]);
    expect(q.lines.map((l) => l.payable)).toEqual([13682, 7078]);
    expect(q.total).toBe(20760);
  });
});

describe('每满 100 减 15 over ¥350', () => {
  const perStep = { id: 'mm-100-15', kind: 'per_step', step: 10000, off: 1500 } as const;
  const cart: Cart = { lines: [line('l1', 'A', 12000, 2), line('l2', 'B', 11000, 1)] };

  it('takes ¥15 three times', () => {
    // floor(35000 / 10000) = 3 → 4500, over 24000 : 11000 → 3085.71 / 1414.29 → 3085 + 1414, the last fen to A.
    const q = quote(cart, { fullReductions: [perStep] });
    expect(q.adjustments[0]).toMatchObject({ amount: 4500, reason: { 'zh-CN': '每满 ¥100 减 ¥15（3 次）' } });
    expect(alloc(q, 'l1')).toEqual([{ source: 'full_reduction', sourceId: 'mm-100-15', amount: 3086 }]);
    expect(alloc(q, 'l2')).toEqual([{ source: 'full_reduction', sourceId: 'mm-100-15', amount: 1414 }]);
    expect(q.total).toBe(30500);
  });

  it('stops at the cap (最多减 ¥40)', () => {
    const q = quote(cart, { fullReductions: [{ ...perStep, cap: 4000 }] });
    expect(q.adjustments[0]).toMatchObject({ amount: 4000, reason: { 'zh-CN': '每满 ¥100 减 ¥15（3 次），最多减 ¥40', en: '¥15 off every ¥100 (×3), up to ¥40' } });
    expect(q.total).toBe(31000);
  });

  it('a tiered 满减 takes the highest tier reached', () => {
    const q = quote(cart, {
      fullReductions: [{ id: 'tiers', kind: 'tiered', tiers: [{ threshold: 40000, off: 6000 }, { threshold: 10000, off: 1000 }, { threshold: 30000, off: 4000 }] }],
    });
    expect(q.adjustments[0]).toMatchObject({ amount: 4000, reason: { 'zh-CN': '满 ¥300 减 ¥40' } });
  });
});

describe('freight crossing the free-shipping threshold after discounts', () => {
  const freight = { defaultFee: 800, byRegion: { 新疆: 2000 }, freeOver: 9900 };
  const fr = [{ id: 'mj-100-10', kind: 'threshold', threshold: 10000, off: 1000 }] as const;
  const cart: Cart = { lines: [line('l1', 'A', 10500, 1)] };

  it('charges freight when 满减 takes the goods below ¥99 (base: after discounts, before points)', () => {
    // 10500 ≥ 9900 before the 满减, but 10500 − 1000 = 9500 < 9900 after it: ¥8 freight.
    const q = quote(cart, { fullReductions: [...fr], freight });
    expect(q).toMatchObject({ itemsTotal: 10500, discountTotal: 1000, freight: 800, total: 10300, savings: 1000 });
    expect(q.adjustments.some((a) => a.source === 'freight')).toBe(false);
  });

  it('ships free when the goods stay at ¥99 or more after discounts', () => {
    const q = quote({ lines: [line('l1', 'A', 10900, 1)] }, { fullReductions: [...fr], freight });
    // 10900 − 1000 = 9900 ≥ 9900: free; savings count the waived ¥8.
    expect(q).toMatchObject({ freight: 0, total: 9900, savings: 1800 });
    expect(q.adjustments.at(-1)).toMatchObject({ source: 'freight', amount: 800, lineIds: [], reason: { 'zh-CN': '满 ¥99 包邮' } });
  });

  it('points do not move the threshold: the base is before points', () => {
    const q = quote(
      { lines: [line('l1', 'A', 10900, 1)], pointsBalance: 5000, pointsToUse: 5000 },
      { fullReductions: [...fr], freight, points: { rate: { points: 100, fen: 100 }, maxShareBp: 5000 } },
    );
    // 9900 after 满减 → free shipping; then 5000 points = ¥50 (cap 4950 → 49 blocks = ¥49).
    expect(q).toMatchObject({ freight: 0, pointsUsed: 4900, pointsDeduction: 4900, total: 5000 });
  });

  it('uses the region fee, and a before_discounts base when the shop says so', () => {
    expect(quote({ ...cart, region: '新疆' }, { fullReductions: [...fr], freight }).freight).toBe(2000);
    const q = quote(cart, { fullReductions: [...fr], freight: { ...freight, base: 'before_discounts' } });
    expect(q).toMatchObject({ freight: 0, total: 9500 });
  });

  it('ships virtual-only carts free', () => {
    expect(quote({ lines: [line('l1', 'CARD', 5000, 1, { fulfillment: 'virtual' })] }, { freight }).freight).toBe(0);
  });
});

describe('a points cap (最多抵扣 50 %)', () => {
  const points = { rate: { points: 100, fen: 100 }, maxShareBp: 5000, minPoints: 500 } as const;

  it('uses whole blocks up to the capped share', () => {
    // cap = floor(3033 × 50 %) = 1516 fen → 15 blocks of 100 points = 1500 points = ¥15.
    const q = quote({ lines: [line('l1', 'A', 2022, 1), line('l2', 'B', 1011, 1)], pointsBalance: 100000, pointsToUse: 'max' }, { points });
    expect(q).toMatchObject({ pointsUsed: 1500, pointsDeduction: 1500, total: 1533 });
    // 1500 over 2022 : 1011 → exactly 1000 + 500.
    expect(alloc(q, 'l1')).toEqual([{ source: 'points', sourceId: 'points', amount: 1000 }]);
    expect(alloc(q, 'l2')).toEqual([{ source: 'points', sourceId: 'points', amount: 500 }]);
    expect(q.adjustments[0]!.reason).toEqual({ 'zh-CN': '积分抵扣：1500 积分抵 ¥15', en: 'Points: 1500 points for ¥15' });
    // The identity: Σ payables (before points) + freight − points = total.
    expect(2022 + 1011 + q.freight - q.pointsDeduction).toBe(q.total);
  });

  it('uses only what was asked, and nothing below minPoints', () => {
    const asked = quote({ lines: [line('l1', 'A', 3033, 1)], pointsBalance: 100000, pointsToUse: 750 }, { points });
    expect(asked).toMatchObject({ pointsUsed: 700, pointsDeduction: 700, total: 2333 });
    const few = quote({ lines: [line('l1', 'A', 3033, 1)], pointsBalance: 100000, pointsToUse: 450 }, { points });
    expect(few).toMatchObject({ pointsUsed: 0, pointsDeduction: 0, total: 3033 });
  });
});

describe('member price, then the timed discount, per unit', () => {
  const rules: PricingRules = {
    memberPrices: [{ id: 'gold-95', kind: 'percent', levels: ['gold'], offBp: 500 }],
    timedDiscounts: [
      { id: '618', kind: 'percent', offBp: 1500, window: { from: '2025-06-01T00:00:00+08:00', to: '2025-06-19T00:00:00+08:00' } },
      { id: 'old', kind: 'percent', offBp: 5000, window: { from: '2024-06-01T00:00:00+08:00', to: '2024-06-19T00:00:00+08:00' } },
    ],
  };

  it('sets the unit price and records each saving × quantity', () => {
    // member: 5 % of 1999 = 99.95 → 100 → 1899; 618: 15 % of 1899 = 284.85 → 285 → 1614 (the 2024 sale is over).
    const q = quote({ lines: [line('l1', 'TEA', 1999, 3)], member: { level: 'gold' } }, rules);
    expect(q.lines[0]).toMatchObject({ listPrice: 1999, unitPrice: 1614, quantity: 3, subtotal: 4842, payable: 4842 });
    expect(q.lines[0]!.allocations).toEqual([
      { source: 'member_price', sourceId: 'gold-95', amount: 300 },
      { source: 'timed_discount', sourceId: '618', amount: 855 },
    ]);
    expect(q.adjustments.map((a) => [a.id, a.amount, a.reason['zh-CN']])).toEqual([
      ['member_price:gold-95', 300, '会员价（gold）'],
      ['timed_discount:618', 855, '限时折扣 8.5 折'],
    ]);
    expect(q).toMatchObject({ itemsTotal: 5997, discountTotal: 1155, total: 4842 });
  });

  it('takes the lower of the line’s own member price and the rules', () => {
    const q = quote({ lines: [line('l1', 'TEA', 1999, 1, { memberPrice: 1800 })], member: { level: 'gold' } }, { memberPrices: rules.memberPrices });
    expect(q.lines[0]).toMatchObject({ unitPrice: 1800, allocations: [{ source: 'member_price', sourceId: '@line', amount: 199 }] });
    const notMember = quote({ lines: [line('l1', 'TEA', 1999, 1, { memberPrice: 1800 })] }, {});
    expect(notMember.lines[0]!.unitPrice).toBe(1999);
  });
});

describe('zero totals', () => {
  it('a free order is a valid quote', () => {
    const q = quote(
      { lines: [line('l1', 'GIFT', 0, 1), line('l2', 'A', 500, 1)], coupons: [{ id: 'w', definitionId: 'big' }] },
      { coupons: [{ id: 'big', kind: 'fixed', off: 10000, validity: allYear }] },
    );
    // A ¥100 coupon on ¥5 of goods takes ¥5, never more.
    expect(q).toMatchObject({ total: 0, discountTotal: 500, couponIds: ['w'] });
    expect(q.adjustments[0]!.amount).toBe(500);
    expect(q.lines.map((l) => l.payable)).toEqual([0, 0]);
  });
});
