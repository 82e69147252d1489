import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bestCoupons,
  definePricingRules,
  priceCart,
  type Cart,
  type CouponDefinition,
  type PricingRules,
  type WalletCoupon,
} from '../../src/pricing/index.js';
import { priceWithCoupons } from '../../src/pricing/engine.js';
import { NOW, cartArb, couponDefinitionArb, walletArb } from './arbitraries.js';
import { bruteForceBestCoupons, stacksByTheRules } from './oracle.js';

const now = NOW;
const active = { kind: 'window', from: '2025-06-01T00:00:00Z', to: '2025-07-01T00:00:00Z' } as const;

function cartOf(...prices: number[]): Cart {
  return { lines: prices.map((p, i) => ({ id: `l${i}`, sku: `S${i}`, title: `item ${i}`, category: i % 2 ? 'cup' : 'tea', listPrice: p, quantity: 1 })) };
}

function best(cart: Cart, wallet: WalletCoupon[], rules: PricingRules) {
  const r = bestCoupons(cart, wallet, definePricingRules(rules), { now });
  if (!r.ok) throw r.error;
  return r;
}

const coupon = (id: string, extra: Partial<CouponDefinition> & Pick<CouponDefinition, 'kind'>): CouponDefinition =>
  ({ id, validity: active, ...extra }) as CouponDefinition;
const w = (id: string, definitionId: string): WalletCoupon => ({ id, definitionId });

describe('bestCoupons, by example', () => {
  it('uses one coupon per order by default: the one that saves most', () => {
    const rules = { coupons: [coupon('five', { kind: 'fixed', off: 500 }), coupon('mj', { kind: 'threshold', threshold: 9900, off: 1500 })] };
    const r = best(cartOf(6000, 4500), [w('a', 'five'), w('b', 'mj')], rules);
    expect(r).toMatchObject({ couponIds: ['b'], savings: 1500, optimal: true });
    expect(r.rejected).toEqual([{ couponId: 'a', code: 'COUPON_NOT_STACKABLE', reason: { 'zh-CN': '不可与已选优惠券叠加使用', en: 'Cannot be combined with the chosen coupon(s)' } }]);
    expect(r.explanation).toEqual({ 'zh-CN': '使用 1 张优惠券，共省 ¥15', en: 'Using 1 coupon saves ¥15' });
    expect(r.quote.total).toBe(9000);
  });

  it('stacks stackable coupons, one per exclusive group', () => {
    const rules = {
      coupons: [
        coupon('shop-5', { kind: 'fixed', off: 500, stackable: true, exclusiveGroup: 'shop' }),
        coupon('shop-8', { kind: 'fixed', off: 800, stackable: true, exclusiveGroup: 'shop' }),
        coupon('plat-10', { kind: 'threshold', threshold: 5000, off: 1000, stackable: true, exclusiveGroup: 'platform' }),
        coupon('free-3', { kind: 'fixed', off: 300, stackable: true }),
        coupon('solo-20', { kind: 'fixed', off: 2000 }),
      ],
    };
    const wallet = [w('w1', 'shop-5'), w('w2', 'shop-8'), w('w3', 'plat-10'), w('w4', 'free-3'), w('w5', 'solo-20')];
    const r = best(cartOf(6000, 4500), wallet, rules);
    // 800 + 1000 + 300 = 2100 beats the lone 2000.
    expect(r.couponIds).toEqual(['w2', 'w3', 'w4']);
    expect(r.savings).toBe(2100);
    expect(r.chosen.map((c) => [c.couponId, c.amount])).toEqual([['w2', 800], ['w3', 1000], ['w4', 300]]);
    expect(Object.fromEntries(r.rejected.map((x) => [x.couponId, x.code]))).toEqual({ w1: 'COUPON_NOT_STACKABLE', w5: 'COUPON_NOT_STACKABLE' });
  });

  it('breaks ties by fewer coupons, then by the lower wallet id', () => {
    const rules = {
      coupons: [coupon('ten', { kind: 'fixed', off: 1000 }), coupon('five', { kind: 'fixed', off: 500, stackable: true })],
    };
    // ten (alone, not stackable) = 1000 = five + five (stacked): one coupon wins.
    expect(best(cartOf(9000), [w('b', 'five'), w('c', 'five'), w('z', 'ten')], rules).couponIds).toEqual(['z']);
    // Two equal coupons: the lower id.
    const solo = { coupons: [coupon('five', { kind: 'fixed', off: 500 })] };
    expect(best(cartOf(9000), [w('q', 'five'), w('p', 'five')], solo).couponIds).toEqual(['p']);
  });

  it('does not use a coupon that would cost more in lost free shipping than it saves', () => {
    const rules: PricingRules = {
      coupons: [coupon('five', { kind: 'fixed', off: 500 })],
      freight: { defaultFee: 800, freeOver: 9900 },
    };
    // 10000 − 500 = 9500 < 9900: the ¥5 coupon would bring ¥8 freight back.
    const r = best(cartOf(10000), [w('a', 'five')], rules);
    expect(r).toMatchObject({ couponIds: [], savings: 0 });
    expect(r.rejected[0]).toMatchObject({ couponId: 'a', code: 'COUPON_NO_EXTRA_SAVING' });
    expect(r.quote).toMatchObject({ total: 10000, freight: 0 });
    expect(r.explanation['zh-CN']).toBe('没有能让本单更便宜的优惠券');
    // … but a coupon big enough to pay for the freight is used.
    const big = best(cartOf(10000), [w('a', 'five'), w('b', 'twenty')], { ...rules, coupons: [...rules.coupons!, coupon('twenty', { kind: 'fixed', off: 2000 })] });
    expect(big).toMatchObject({ couponIds: ['b'], savings: 1200 });
    expect(big.quote).toMatchObject({ total: 8800, freight: 800 });
  });

  it('explains the coupons it cannot use', () => {
    const rules: PricingRules = {
      coupons: [
        coupon('mj99', { kind: 'threshold', threshold: 9900, off: 1000 }),
        coupon('cups', { kind: 'fixed', off: 500, scope: { kind: 'category', categories: ['cup'] } }),
        coupon('old', { kind: 'fixed', off: 500, validity: { kind: 'window', from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' } }),
        coupon('later', { kind: 'fixed', off: 500, validity: { kind: 'window', from: '2025-07-01T00:00:00Z', to: '2025-08-01T00:00:00Z' } }),
        coupon('week', { kind: 'fixed', off: 500, validity: { kind: 'days_after_claim', days: 7 } }),
      ],
    };
    const wallet = [w('a', 'mj99'), w('b', 'cups'), w('c', 'old'), w('d', 'later'), { id: 'e', definitionId: 'week', claimedAt: '2025-06-01T00:00:00Z' }];
    const r = best(cartOf(9000), wallet, rules);
    expect(r.couponIds).toEqual([]);
    expect(r.rejected).toEqual([
      { couponId: 'a', code: 'COUPON_BELOW_THRESHOLD', reason: { 'zh-CN': '未满 ¥99，还差 ¥9', en: 'Spend ¥99 to use it (¥9 to go)' } },
      { couponId: 'b', code: 'COUPON_NOT_APPLICABLE', reason: { 'zh-CN': '不适用于该商品', en: 'Not valid for the items in this cart' } },
      { couponId: 'c', code: 'COUPON_EXPIRED', reason: { 'zh-CN': '已过期', en: 'Expired' } },
      { couponId: 'd', code: 'COUPON_NOT_STARTED', reason: { 'zh-CN': '未到使用时间', en: 'Not valid yet' } },
      { couponId: 'e', code: 'COUPON_EXPIRED', reason: { 'zh-CN': '已过期', en: 'Expired' } },
    ]);
  });

  it('priceCart keeps the best valid combination of the coupons it is given', () => {
    const rules = definePricingRules({ coupons: [coupon('five', { kind: 'fixed', off: 500 }), coupon('ten', { kind: 'fixed', off: 1000 })] });
    const r = priceCart({ ...cartOf(9000), coupons: [w('a', 'five'), w('b', 'ten')] }, rules, { now });
    expect(r.ok && r.quote.couponIds).toEqual(['b']);
    expect(r.ok && r.quote.rejectedCoupons.map((x) => [x.couponId, x.code])).toEqual([['a', 'COUPON_NOT_STACKABLE']]);
  });
});

/** Shops whose wallets are mostly usable and stackable, so that the search has something to do. */
const stackyRulesArb = fc
  .integer({ min: 2, max: 7 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => couponDefinitionArb(i))))
  .chain((defs) =>
    fc.record({
      coupons: fc.constant(defs.map((d, i) => ({ ...d, validity: i % 3 === 2 ? d.validity : active, stackable: i % 4 === 3 ? d.stackable : true }) as CouponDefinition)),
      freight: fc.option(fc.record({ defaultFee: fc.integer({ min: 0, max: 1500 }), freeOver: fc.integer({ min: 1000, max: 60000 }) }), { nil: undefined }),
      points: fc.option(fc.constant({ rate: { points: 100, fen: 100 }, maxShareBp: 3000 }), { nil: undefined }),
    }),
  )
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as PricingRules);

const walletCaseArb = stackyRulesArb.chain((rules) =>
  fc.record({
    rules: fc.constant(rules),
    cart: cartArb(rules, 5).map((c) => ({ ...c, coupons: undefined })),
    wallet: walletArb(rules.coupons!.map((c) => c.id), 8),
  }),
);

describe('bestCoupons against a brute-force oracle', () => {
  it('finds exactly the brute-force best combination (savings and ids), optimal and within the rules', () => {
    fc.assert(
      fc.property(walletCaseArb, ({ rules, cart, wallet }) => {
        const compiled = definePricingRules(rules);
        const r = bestCoupons(cart, wallet, compiled, { now });
        if (!r.ok) throw r.error;
        const oracle = bruteForceBestCoupons(cart, wallet, compiled, now);
        expect(r.optimal).toBe(true);
        expect(r.savings).toBe(oracle.savings);
        expect(r.couponIds).toEqual(oracle.ids);
        // Never worse than any single usable coupon.
        oracle.singles.forEach((s) => expect(r.savings).toBeGreaterThanOrEqual(s));
        // Never breaks the stacking rules.
        const defs = new Map(rules.coupons!.map((d) => [d.id, d]));
        const byId = new Map(wallet.map((x) => [x.id, x]));
        expect(stacksByTheRules(r.couponIds.map((id) => defs.get(byId.get(id)!.definitionId)!))).toBe(true);
        // The quote is the cart priced with exactly those coupons, and every other coupon is explained.
        const exact = priceWithCoupons(cart, compiled.compiled, now.getTime(), r.couponIds.map((id) => byId.get(id)!));
        expect({ ...r.quote, rejectedCoupons: [] }).toEqual(exact);
        expect([...r.couponIds, ...r.rejected.map((x) => x.couponId)].sort()).toEqual(wallet.map((x) => x.id).sort());
        const before = r.quote.total + r.quote.pointsDeduction + r.savings;
        const none = priceWithCoupons(cart, compiled.compiled, now.getTime(), []);
        expect(before).toBe(none.total + none.pointsDeduction);
      }),
      { numRuns: 250 },
    );
  });

  it('is deterministic and ignores the order of the wallet', () => {
    fc.assert(
      fc.property(
        walletCaseArb.chain((c) => fc.shuffledSubarray(c.wallet, { minLength: c.wallet.length, maxLength: c.wallet.length }).map((shuffled) => ({ ...c, shuffled }))),
        ({ rules, cart, wallet, shuffled }) => {
          const a = bestCoupons(cart, wallet, rules, { now });
          expect(bestCoupons(cart, wallet, rules, { now })).toEqual(a);
          const b = bestCoupons(cart, shuffled, rules, { now });
          expect(b.ok && b.couponIds).toEqual(a.ok && a.couponIds);
          expect(b.ok && b.quote).toEqual(a.ok && a.quote);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('agrees with the oracle on a 12-coupon wallet with groups, clamping and a freight step', () => {
    const defs: CouponDefinition[] = [
      coupon('s1', { kind: 'fixed', off: 1200, stackable: true, exclusiveGroup: 'shop' }),
      coupon('s2', { kind: 'percent', offBp: 1500, cap: 2500, stackable: true, exclusiveGroup: 'shop' }),
      coupon('p1', { kind: 'threshold', threshold: 15000, off: 3000, stackable: true, exclusiveGroup: 'platform' }),
      coupon('p2', { kind: 'fixed', off: 2000, stackable: true, exclusiveGroup: 'platform', scope: { kind: 'category', categories: ['cup'] } }),
      coupon('x1', { kind: 'fixed', off: 900, stackable: true, scope: { kind: 'skus', skus: ['S1'] } }),
      coupon('x2', { kind: 'fixed', off: 600, stackable: true }),
      coupon('solo', { kind: 'threshold', threshold: 20000, off: 5500 }),
    ];
    const wallet = ['s1', 's1', 's2', 'p1', 'p2', 'p2', 'x1', 'x1', 'x2', 'solo', 'solo', 's2'].map((d, i) => w(`w${String(i).padStart(2, '0')}`, d));
    const rules = definePricingRules({ coupons: defs, freight: { defaultFee: 1000, freeOver: 12000 } });
    const cart = cartOf(9000, 1500, 6000, 3000);
    const r = bestCoupons(cart, wallet, rules, { now });
    if (!r.ok) throw r.error;
    const oracle = bruteForceBestCoupons(cart, wallet, rules, now);
    expect({ savings: r.savings, ids: r.couponIds }).toEqual({ savings: oracle.savings, ids: oracle.ids });
    expect(r.couponIds.length).toBeGreaterThan(1);
  });
});
