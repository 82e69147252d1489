import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bestCoupons, compilePricingRules, priceCart, type Cart, type PricingRules, type Quote } from '../../src/pricing/index.js';
import { priceWithCoupons } from '../../src/pricing/engine.js';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import { refundQuote } from '../../src/refund/index.js';
import { definePolicy } from '../../src/order/policy.js';
import { OrderSchema, type Order } from '../../src/order/index.js';
import { stacksByTheRules } from './oracle.js';

/**
 * Money properties over shops the older arbitraries (arbitraries.ts) do not generate: 运费模板 by
 * weight with region rows and 包邮 by amount or units, count promotions (满 N 件减 X, N 件 M 折),
 * 满减送 rewards (free shipping, bonus points), per-step 满减 with caps, points with `maxPoints`
 * and 赠送积分, 1-fen goods, grouped and ungrouped stackable coupons, wallets with repeated
 * definitions. For every cart: the quote's identities (docs/pricing.md "The quote"), the points
 * caps, bestCoupons against a brute force over every subset of the wallet, priceCart with the
 * wallet as cart.coupons choosing the same set, placeOrder storing the same money, and a refund
 * of everything giving back exactly what was paid. Then 改价 (ADJUST_PRICE) sequences keep the
 * stored order consistent and fully refundable.
 */
const NOW = new Date('2025-06-18T04:00:00Z');
const SKUS = ['A', 'B', 'C'];
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const scope = fc.oneof(fc.constant(undefined), fc.record({ kind: fc.constant('skus' as const), skus: fc.subarray(SKUS, { minLength: 1 }) }), fc.record({ kind: fc.constant('all' as const), excludeSkus: fc.subarray(SKUS, { minLength: 1, maxLength: 1 }) }));
const fr = (i: number) => fc.oneof(
  fc.integer({ min: 1, max: 3000 }).chain((t) => fc.record({ id: fc.constant(`f${i}`), kind: fc.constant('threshold' as const), threshold: fc.constant(t), off: fc.integer({ min: 1, max: t }), scope })),
  fc.record({ id: fc.constant(`f${i}`), kind: fc.constant('count_off' as const), tiers: fc.integer({ min: 1, max: 4 }).map((m) => [{ minUnits: m, off: 7 }, { minUnits: m + 2, off: 1301 }]), scope }),
  fc.record({ id: fc.constant(`f${i}`), kind: fc.constant('count_percent' as const), tiers: fc.integer({ min: 1, max: 4 }).chain((m) => fc.integer({ min: 1, max: 9999 }).map((bp) => [{ minUnits: m, offBp: bp }])), scope }),
  fc.record({ id: fc.constant(`f${i}`), kind: fc.constant('reward' as const), minUnits: fc.integer({ min: 1, max: 4 }), rewards: fc.record({ freeShipping: fc.constant(true as const), bonusPoints: fc.integer({ min: 1, max: 50 }) }, { requiredKeys: [] }), scope }),
  fc.integer({ min: 1, max: 2000 }).chain((s) => fc.record({ id: fc.constant(`f${i}`), kind: fc.constant('per_step' as const), step: fc.constant(s), off: fc.integer({ min: 1, max: s }), cap: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: undefined }), scope }, { requiredKeys: ['id', 'kind', 'step', 'off'] })),
);
const coupon = (i: number) => fc.record({
  id: fc.constant(`c${i}`),
  kind: fc.constantFrom('fixed' as const, 'percent' as const),
  v: fc.integer({ min: 1, max: 3000 }), bp: fc.integer({ min: 1, max: 9999 }),
  scope, stackable: fc.constantFrom(true, true, true, false), g: fc.constantFrom(undefined, 'x', 'y'),
}).map(({ id, kind, v, bp, scope, stackable, g }) => ({
  id, ...(kind === 'fixed' ? { kind, off: v } : { kind, offBp: bp, cap: v }), ...(scope ? { scope } : {}),
  validity: { kind: 'window' as const, from: '2025-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, stackable, ...(g ? { exclusiveGroup: g } : {}),
}));
/** By weight: 首重 100 g ¥3, every started 70 g ¥1.11; 新疆 1 g ¥10 then ¥0.07 per started 3 g; 包邮 at ¥15, or 3 units in 上海. */
const TEMPLATES: NonNullable<PricingRules['freight']>['templates'] = [
  {
    id: 't',
    charge: 'weight',
    rows: [
      { first: 100, firstFee: 300, additional: 70, additionalFee: 111 },
      { regions: ['XJ'], first: 1, firstFee: 1000, additional: 3, additionalFee: 7 },
    ],
    free: [{ minAmount: 1500 }, { regions: ['SH'], minUnits: 3 }],
  },
];
const rulesArb: fc.Arbitrary<PricingRules> = fc.record({
  fullReductions: fc.tuple(fr(0), fr(1)).chain(([a, b]) => fc.subarray([a, b])),
  coupons: fc.tuple(coupon(0), coupon(1), coupon(2), coupon(3), coupon(4)),
  points: fc.record({ rate: fc.record({ points: fc.integer({ min: 1, max: 30 }), fen: fc.integer({ min: 1, max: 30 }) }), maxShareBp: fc.integer({ min: 1, max: 10000 }), maxPoints: fc.integer({ min: 30, max: 900 }), earn: fc.record({ points: fc.integer({ min: 1, max: 5 }), fen: fc.integer({ min: 1, max: 300 }) }) }, { requiredKeys: ['rate', 'maxShareBp'] }),
  freight: fc.oneof(
    fc.record({ defaultFee: fc.integer({ min: 0, max: 900 }), freeOver: fc.integer({ min: 1, max: 5000 }), base: fc.constantFrom('after_discounts' as const, 'before_discounts' as const) }, { requiredKeys: ['defaultFee'] }),
    fc.record({ defaultFee: fc.integer({ min: 0, max: 900 }), freeOver: fc.integer({ min: 1, max: 5000 }), defaultTemplate: fc.constant('t'), templates: fc.constant(TEMPLATES) }, { requiredKeys: ['defaultFee', 'templates'] }),
  ),
}, { requiredKeys: ['coupons'] });
const lineArb = (i: number) => fc.record({ id: fc.constant(`l${i}`), sku: fc.constantFrom(...SKUS), title: fc.constant('x'), listPrice: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2000 })), quantity: fc.integer({ min: 1, max: 4 }), weight: fc.integer({ min: 0, max: 300 }), fulfillment: fc.constantFrom('physical' as const, 'physical' as const, 'virtual' as const), freightTemplate: fc.constantFrom(undefined, 't') }, { requiredKeys: ['id', 'sku', 'title', 'listPrice', 'quantity'] })
  .map((l) => { const o: Record<string, unknown> = { ...l }; if (o.freightTemplate === undefined) delete o.freightTemplate; return o; });
const scen = rulesArb.chain((rules) => fc.record({
  rules: fc.constant(rules),
  lines: fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => lineArb(i)))),
  region: fc.constantFrom('XJ', 'SH', 'BJ'),
  bal: fc.integer({ min: 0, max: 2000 }),
  use: fc.oneof(fc.constant('max' as const), fc.integer({ min: 0, max: 2000 })),
  wallet: fc.array(fc.constantFrom('c0', 'c1', 'c2', 'c3', 'c4'), { maxLength: 8 }),
})).map(({ rules, lines, region, bal, use, wallet }) => {
  const hasTpl = rules.freight && 'templates' in rules.freight;
  const ls = lines.map((l) => { const c = { ...l }; if (!hasTpl) delete c.freightTemplate; return c; });
  const cart = { lines: ls, region, pointsBalance: bal, ...(rules.points ? { pointsToUse: use === 'max' ? use : Math.min(use, bal) } : {}), coupons: wallet.map((d, i) => ({ id: `w${i}`, definitionId: d })) } as unknown as Cart;
  return { rules, cart };
});

describe('money properties with templates, count promotions and rewards', () => {
  it('quote identities, points caps, bestCoupons = brute force, placeOrder and a full refund agree on every fen', () => {
    fc.assert(fc.property(scen, ({ rules, cart }) => {
      const c = compilePricingRules(rules);
      if (!c.ok) throw c.error;
      const r = priceCart(cart, c.rules, { now: NOW });
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      const q = r.quote;
      expect(sum(q.lines.map((l) => l.payable)) + q.freight).toBe(q.total);
      for (const l of q.lines) {
        expect(l.payable).toBeGreaterThanOrEqual(0);
        expect(l.payable).toBe(l.listPrice * l.quantity - sum(l.allocations.map((a) => a.amount)));
      }
      let disc = 0; let waived = 0;
      for (const a of q.adjustments) {
        if (a.source === 'freight') { waived += a.amount; continue; }
        disc += a.amount;
        const carried = q.lines.flatMap((l) => l.allocations.filter((x) => x.source === a.source && x.sourceId === a.sourceId).map((x) => x.amount));
        expect(sum(carried)).toBe(a.amount);
      }
      expect(disc).toBe(q.discountTotal);
      expect(q.savings).toBe(q.discountTotal + waived);
      const pts = sum(q.lines.flatMap((l) => l.allocations.filter((a) => a.source === 'points').map((a) => a.amount)));
      expect(pts).toBe(q.pointsDeduction);
      if (rules.points) {
        expect(q.pointsUsed).toBeLessThanOrEqual(cart.pointsBalance!);
        if (rules.points.maxPoints !== undefined) expect(q.pointsUsed).toBeLessThanOrEqual(rules.points.maxPoints);
        const goods = sum(q.lines.map((l) => l.payable)) + q.pointsDeduction;
        expect(q.pointsDeduction * 10000).toBeLessThanOrEqual(goods * rules.points.maxShareBp);
      }
      // bestCoupons vs brute force
      const wallet = cart.coupons ?? [];
      const b = bestCoupons(cart, wallet, c.rules, { now: NOW });
      if (!b.ok) throw new Error(JSON.stringify(b.error));
      const tpl = !!(rules.freight && ((rules.freight as any).defaultTemplate || cart.lines.some((l: any) => l.freightTemplate)));
      const cost = (qq: Quote) => sum(qq.lines.map((l) => l.payable)) + qq.pointsDeduction + (tpl ? 0 : qq.freight);
      const base = cost(priceWithCoupons(cart, c.rules.compiled, NOW.getTime(), []));
      const defs = new Map((rules.coupons ?? []).map((d) => [d.id, d]));
      let best = 0; let bestIds: string[] = [];
      for (let mask = 1; mask < 1 << wallet.length; mask++) {
        const sub = wallet.filter((_, i) => (mask & (1 << i)) !== 0);
        if (!stacksByTheRules(sub.map((w) => defs.get(w.definitionId)!))) continue;
        const qq = priceWithCoupons(cart, c.rules.compiled, NOW.getTime(), sub);
        if (qq.rejectedCoupons.length > 0) continue;
        const sv = base - cost(qq);
        const ids = sub.map((w) => w.id).sort();
        if (sv > best || (sv === best && ids.length < bestIds.length)) { best = sv; bestIds = ids; }
      }
      expect(base - cost(b.quote)).toBe(best);
      expect(b.savings).toBe(best);
      expect(b.couponIds.length).toBe(bestIds.length);
      // priceCart with the wallet as cart.coupons picks the same
      expect(q.couponIds).toEqual(b.couponIds);
      if (q.freightPending) return;
      const placed = placeOrder({ id: 'o1', number: '20250618120000123456', customerId: 'u1', quote: q }, { now: NOW });
      if (!placed.ok) throw new Error(JSON.stringify(placed.error));
      let order = placed.order;
      expect(order.pricing.total).toBe(q.total);
      if (order.status === 'pending_payment') {
        const p = transition(order, { type: 'PAYMENT_SUCCEEDED', amount: q.total, transactionId: 'wx1' }, { now: NOW, actor: { type: 'payment', gateway: 'wechatpay' } });
        if (!p.ok) throw new Error(JSON.stringify(p.error));
        order = p.order;
      }
      if (q.total === 0) return;
      const rq = refundQuote(order, { kind: 'refund_only' }, { now: NOW, policy: definePolicy() });
      if (!rq.ok) throw new Error(JSON.stringify(rq.error));
      expect(rq.quote.amount).toBe(q.total);
      for (const l of rq.quote.lines) expect(l.amount).toBe(q.lines.find((x) => x.id === l.lineId)!.payable);
    }), { numRuns: 800 });
  });
});

const MERCHANT = { type: 'merchant' as const, id: 'm' };
function check(o: Order) {
  expect(sum(o.lines.map((l) => l.payable)) + o.pricing.freight).toBe(o.pricing.total);
  expect(o.pricing.itemsTotal - o.pricing.discountTotal).toBe(sum(o.lines.map((l) => l.payable)));
  for (const l of o.lines) {
    expect(l.payable).toBeGreaterThanOrEqual(0);
    expect(l.payable).toBe(l.listPrice * l.quantity - sum(l.allocations.map((a) => a.amount)));
  }
  for (const a of o.pricing.adjustments) {
    if (a.source === 'freight') continue;
    const carried = o.lines.flatMap((l) => l.allocations.filter((x) => x.source === a.source && x.sourceId === a.sourceId).map((x) => x.amount));
    expect(sum(carried)).toBe(a.amount);
  }
  expect(OrderSchema.safeParse(o).success).toBe(true);
}
describe('改价 (ADJUST_PRICE)', () => {
 it('keeps Σ payable + freight = total, every allocation explained, and a full refund equal to the new total', () => {
  const lineArb = (i: number) => fc.record({ id: fc.constant(`l${i}`), sku: fc.constantFrom('A', 'B'), title: fc.constant('x'), listPrice: fc.integer({ min: 0, max: 500 }), quantity: fc.integer({ min: 1, max: 3 }) });
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => lineArb(i)))),
    fc.integer({ min: 0, max: 900 }), fc.integer({ min: 0, max: 500 }), fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 4 }),
    fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }),
    (lines, fee, off, totals, maxInc, pts) => {
      const rules = { fullReductions: off > 0 ? [{ id: 'f', kind: 'threshold' as const, threshold: off, off }] : [], freight: { defaultFee: fee }, points: { rate: { points: 1, fen: 1 }, maxShareBp: 10000 } };
      const r = priceCart({ lines, pointsBalance: pts, pointsToUse: pts }, rules, { now: NOW });
      if (!r.ok) throw r.error;
      const placed = placeOrder({ id: 'o1', number: '20250618120000123456', customerId: 'u1', quote: r.quote }, { now: NOW });
      if (!placed.ok) throw placed.error;
      let o = placed.order;
      const policy = definePolicy({ maxPriceIncrease: maxInc });
      for (const t of totals) {
        if (o.status !== 'pending_payment') break;
        const x = transition(o, { type: 'ADJUST_PRICE', newTotal: t, reason: 'r' }, { now: NOW, actor: MERCHANT, policy });
        if (!x.ok) {
          // Refusals are typed: an increase beyond the cap, or the same total.
          expect(['PRICE_INCREASE_NOT_ALLOWED', 'PRICE_UNCHANGED']).toContain(x.error.code);
          continue;
        }
        o = x.order;
        check(o);
        expect(o.pricing.total).toBe(t);
      }
      if (o.status === 'pending_payment') {
        const p = transition(o, { type: 'PAYMENT_SUCCEEDED', amount: o.pricing.total, transactionId: 'w' }, { now: NOW, actor: { type: 'payment', gateway: 'wechatpay' }, policy });
        if (!p.ok) throw p.error;
        o = p.order;
      }
      if (o.pricing.total === 0) return;
      const rq = refundQuote(o, { kind: 'refund_only' }, { now: NOW, policy });
      if (!rq.ok) throw rq.error;
      expect(rq.quote.amount).toBe(o.pricing.total);
    }), { numRuns: 300 });
});
});
