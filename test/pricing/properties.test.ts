import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdjustmentSchema, LineSchema } from '../../src/order/index.js';
import { compilePricingRules, priceCart, type Cart, type PricingRules, type Quote } from '../../src/pricing/index.js';
import { NOW, scenarioArb } from './arbitraries.js';

function price(cart: Cart, rules: PricingRules): Quote {
  const compiled = compilePricingRules(rules);
  if (!compiled.ok) throw compiled.error;
  const r = priceCart(cart, compiled.rules, { now: NOW });
  if (!r.ok) throw r.error;
  return r.quote;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const pointsOf = (l: Quote['lines'][number]) => sum(l.allocations.filter((a) => a.source === 'points').map((a) => a.amount));

const RUNS = { numRuns: 400 };

describe('pricing properties', () => {
  it('Σ line payables + freight = total, and (before points) Σ payables + freight − points = total', () => {
    fc.assert(
      fc.property(scenarioArb, ({ cart, rules }) => {
        const q = price(cart, rules);
        expect(sum(q.lines.map((l) => l.payable)) + q.freight).toBe(q.total);
        // The form: payables taken before the points deduction.
        const beforePoints = sum(q.lines.map((l) => l.payable + pointsOf(l)));
        expect(beforePoints + q.freight - q.pointsDeduction).toBe(q.total);
        expect(sum(q.lines.map(pointsOf))).toBe(q.pointsDeduction);
        expect(q.total).toBeGreaterThanOrEqual(0);
      }),
      RUNS,
    );
  });

  it('every allocation is a positive safe integer, no payable is negative, every line adds up', () => {
    fc.assert(
      fc.property(scenarioArb, ({ cart, rules }) => {
        const q = price(cart, rules);
        for (const l of q.lines) {
          for (const a of l.allocations) {
            expect(Number.isSafeInteger(a.amount)).toBe(true);
            expect(a.amount).toBeGreaterThan(0);
          }
          expect(l.payable).toBeGreaterThanOrEqual(0);
          expect(l.subtotal).toBe(l.unitPrice * l.quantity);
          expect(l.payable).toBe(l.listPrice * l.quantity - sum(l.allocations.map((a) => a.amount)));
          // Per-unit rules are exactly the gap between list and unit price.
          const perUnit = sum(l.allocations.filter((a) => a.source === 'member_price' || a.source === 'timed_discount').map((a) => a.amount));
          expect(perUnit).toBe((l.listPrice - l.unitPrice) * l.quantity);
          expect(LineSchema.safeParse(l).success).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('every adjustment is explained by the allocations it names, and the totals agree', () => {
    fc.assert(
      fc.property(scenarioArb, ({ cart, rules }) => {
        const q = price(cart, rules);
        let discounts = 0;
        let waived = 0;
        for (const adj of q.adjustments) {
          expect(AdjustmentSchema.safeParse(adj).success).toBe(true);
          expect(adj.amount).toBeGreaterThan(0);
          expect(adj.reason['zh-CN'].length).toBeGreaterThan(0);
          expect(adj.reason.en.length).toBeGreaterThan(0);
          if (adj.source === 'freight') {
            waived += adj.amount;
            continue;
          }
          discounts += adj.amount;
          const carried = q.lines.flatMap((l) =>
            l.allocations.filter((a) => a.source === adj.source && a.sourceId === adj.sourceId).map((a) => ({ line: l.id, amount: a.amount })),
          );
          expect(sum(carried.map((c) => c.amount))).toBe(adj.amount);
          expect([...adj.lineIds].sort()).toEqual(carried.map((c) => c.line).sort());
        }
        expect(discounts).toBe(q.discountTotal);
        expect(q.itemsTotal - q.discountTotal).toBe(sum(q.lines.map((l) => l.payable)));
        expect(q.savings).toBe(q.discountTotal + waived);
        expect(q.couponIds).toEqual(q.adjustments.filter((a) => a.source === 'coupon').map((a) => a.sourceId));
      }),
      RUNS,
    );
  });

  it('the points deduction never exceeds its capped share of the goods', () => {
    fc.assert(
      fc.property(scenarioArb, ({ cart, rules }) => {
        const q = price(cart, rules);
        if (!rules.points) {
          expect(q.pointsUsed).toBe(0);
          return;
        }
        const goodsBeforePoints = sum(q.lines.map((l) => l.payable + pointsOf(l)));
        expect(q.pointsDeduction * 10000).toBeLessThanOrEqual(goodsBeforePoints * rules.points.maxShareBp);
        expect(q.pointsUsed % rules.points.rate.points).toBe(0);
        expect(q.pointsDeduction).toBe((q.pointsUsed / rules.points.rate.points) * rules.points.rate.fen);
        if (q.pointsUsed > 0) expect(q.pointsUsed).toBeGreaterThanOrEqual(rules.points.minPoints ?? 0);
        const balance = cart.pointsBalance ?? 0;
        expect(q.pointsUsed).toBeLessThanOrEqual(balance);
      }),
      RUNS,
    );
  });

  it('a quote does not depend on the order of the lines or of the coupons', () => {
    const shuffledScenario = scenarioArb.chain((s) =>
      fc
        .tuple(
          fc.shuffledSubarray(s.cart.lines, { minLength: s.cart.lines.length, maxLength: s.cart.lines.length }),
          fc.shuffledSubarray(s.cart.coupons ?? [], { minLength: (s.cart.coupons ?? []).length, maxLength: (s.cart.coupons ?? []).length }),
        )
        .map(([lines, coupons]) => ({ ...s, shuffled: { ...s.cart, lines, coupons } })),
    );
    fc.assert(
      fc.property(shuffledScenario, ({ cart, rules, shuffled }) => {
        const a = price(cart, rules);
        const b = price(shuffled, rules);
        const byId = (q: Quote) => Object.fromEntries(q.lines.map((l) => [l.id, l]));
        expect(byId(b)).toEqual(byId(a));
        expect({ ...b, lines: [] }).toEqual({ ...a, lines: [] });
        // Lines come back in the order they were given.
        expect(b.lines.map((l) => l.id)).toEqual(shuffled.lines.map((l) => l.id));
      }),
      RUNS,
    );
  });

  it('is deterministic and does not touch its input', () => {
    fc.assert(
      fc.property(scenarioArb, ({ cart, rules }) => {
        const before = JSON.stringify({ cart, rules });
        const a = priceCart(cart, rules, { now: NOW });
        const b = priceCart(cart, rules, { now: NOW });
        expect(a).toEqual(b);
        expect(a.ok).toBe(true);
        expect(JSON.stringify({ cart, rules })).toBe(before);
      }),
      { numRuns: 150 },
    );
  });

  it('raw rules and compiled rules price the same', () => {
    fc.assert(
      fc.property(scenarioArb, ({ cart, rules }) => {
        expect(priceCart(cart, rules, { now: NOW })).toEqual({ ok: true, quote: price(cart, rules) });
      }),
      { numRuns: 150 },
    );
  });
});
