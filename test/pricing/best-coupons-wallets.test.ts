import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bestCoupons, definePricingRules } from '../../src/pricing/index.js';
import { runPricing } from '../../src/pricing/engine.js';
import { goodsPayable } from '../../src/pricing/points-freight.js';
import { selectCoupons, selectCouponsByTarget } from '../../src/pricing/select-coupons.js';
import { NOW } from './arbitraries.js';
import { bruteForceBestCoupons } from './oracle.js';
import { walletCase, WALLET_KINDS, type WalletKind } from './wallets.js';

/**
 * Issue 18: bestCoupons on random wallets, adversarial ones included (k stackable coupons on one
 * cheap SKU, clamped coupons on overlapping scopes whose order matters, exclusive groups, a
 * free-shipping step), against the brute-force oracle (every subset priced from scratch) up to 12
 * coupons. Both searches are held to it: the default (branch-and-bound, then the search over
 * states) and the search over states alone.
 */
const caseArb = fc.record({
  kind: fc.constantFrom(...WALLET_KINDS),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  size: fc.integer({ min: 6, max: 12 }),
});

describe('bestCoupons on random and adversarial wallets, against brute force', () => {
  it('finds the brute-force best (savings and ids), with either search', () => {
    fc.assert(
      fc.property(caseArb, ({ kind, seed, size }) => {
        const c = walletCase(kind, seed, size);
        const rules = definePricingRules(c.rules);
        const oracle = bruteForceBestCoupons(c.cart, c.wallet, rules, NOW);
        const r = bestCoupons(c.cart, c.wallet, rules, { now: NOW });
        if (!r.ok) throw r.error;
        expect(r.optimal).toBe(true);
        expect({ savings: r.savings, ids: r.couponIds }).toEqual({ savings: oracle.savings, ids: oracle.ids });

        // The search over states alone (branch-and-bound budget 0), through the same pipeline.
        const f = rules.compiled.freight;
        const freeOver = f !== null && f.base === 'after_discounts' ? f.freeOver : null;
        const states = runPricing(c.cart, rules.compiled, NOW.getTime(), c.wallet, ['wallet'], (state, _rules, candidates, fee) =>
          selectCoupons(candidates, state.payables, { fee, base: goodsPayable(state), freeOver }, 0, false),
        );
        expect(states.choice === null || states.choice.optimal).toBe(true);
        expect({ savings: states.choice?.savings ?? 0, ids: states.quote.couponIds }).toEqual({ savings: oracle.savings, ids: oracle.ids });
      }),
      { numRuns: 40 },
    );
  });

  it('the search for the fewest coupons reaching the bound, where it applies, finds the brute-force best', () => {
    let applied = 0;
    fc.assert(
      fc.property(
        fc.record({ kind: fc.constantFrom<WalletKind>('cheap-sku', 'order-matters', 'mixed'), seed: fc.integer({ min: 0, max: 1_000_000 }), size: fc.integer({ min: 6, max: 12 }) }),
        ({ kind, seed, size }) => {
          const c = walletCase(kind, seed, size);
          const rules = definePricingRules(c.rules);
          const f = rules.compiled.freight;
          const freeOver = f !== null && f.base === 'after_discounts' ? f.freeOver : null;
          let byTarget: ReturnType<typeof selectCouponsByTarget> = null;
          const run = runPricing(c.cart, rules.compiled, NOW.getTime(), c.wallet, ['wallet'], (state, _rules, candidates, fee) => {
            byTarget = selectCouponsByTarget(candidates, state.payables, { fee, base: goodsPayable(state), freeOver });
            return byTarget ?? selectCoupons(candidates, state.payables, { fee, base: goodsPayable(state), freeOver }, 0, false);
          });
          if (byTarget === null) return;
          applied++;
          const oracle = bruteForceBestCoupons(c.cart, c.wallet, rules, NOW);
          expect({ savings: run.choice?.savings ?? 0, ids: run.quote.couponIds }).toEqual({ savings: oracle.savings, ids: oracle.ids });
        },
      ),
      { numRuns: 40 },
    );
    // Not vacuous: on these kinds the stage applies to many wallets.
    expect(applied).toBeGreaterThan(5);
  });

  it('the adversarial kinds do make the search work: a cheap SKU covered many times over', () => {
    // Not a timing: the wallet really is adversarial (the cheap line's coupons together are worth
    // more than it costs, so many subsets tie), and the answer still equals brute force.
    const c = walletCase('cheap-sku', 7, 12);
    const cheap = c.cart.lines[0]!;
    const onCheap = (c.rules.coupons ?? []).filter((d) => d.scope?.kind === 'skus' && d.scope.skus[0] === cheap.sku);
    const worth = onCheap.reduce((s, d) => s + (d.kind === 'fixed' ? d.off : 0), 0);
    expect(worth).toBeGreaterThan(cheap.listPrice * cheap.quantity);
    const rules = definePricingRules(c.rules);
    const r = bestCoupons(c.cart, c.wallet, rules, { now: NOW });
    const oracle = bruteForceBestCoupons(c.cart, c.wallet, rules, NOW);
    expect(r.ok && { savings: r.savings, ids: r.couponIds }).toEqual({ savings: oracle.savings, ids: oracle.ids });
  });
});
