import fc from 'fast-check';
import type { Cart, CouponDefinition, PricingRules, Scope, WalletCoupon } from '../../src/pricing/index.js';

/**
 * Random shops for property tests: rules that are valid by construction (so that every case
 * prices), carts over a small SKU pool (so that scopes and 满减 thresholds actually hit), and
 * wallets pointing at the rules' coupon definitions.
 */

export const NOW = new Date('2025-06-18T04:00:00Z');
const SKUS = ['A', 'B', 'C', 'D', 'E'];
const CATEGORIES = ['tea', 'cup', 'snack'];

const windows = {
  active: { from: '2025-06-01T00:00:00Z', to: '2025-07-01T00:00:00Z' },
  expired: { from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' },
  future: { from: '2025-08-01T00:00:00Z', to: '2025-09-01T00:00:00Z' },
};
const windowArb = fc.constantFrom(windows.active, windows.active, windows.expired, windows.future);

const scopeArb: fc.Arbitrary<Scope | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.record({ kind: fc.constant('all' as const), excludeSkus: fc.option(fc.subarray(SKUS, { minLength: 1, maxLength: 2 }), { nil: undefined }) }, { requiredKeys: ['kind'] }),
  fc.record({ kind: fc.constant('category' as const), categories: fc.subarray(CATEGORIES, { minLength: 1 }) }),
  fc.record({ kind: fc.constant('skus' as const), skus: fc.subarray(SKUS, { minLength: 1 }) }),
);

const priceMapArb = fc.dictionary(fc.constantFrom(...SKUS), fc.integer({ min: 0, max: 60000 }), { minKeys: 1, maxKeys: 3 });

const memberArb = (i: number) =>
  fc.oneof(
    fc.record({ id: fc.constant(`m${i}`), kind: fc.constant('percent' as const), levels: fc.constantFrom('gold', 'silver', 'both').map((l) => (l === 'both' ? ['gold', 'silver'] : [l])), offBp: fc.integer({ min: 1, max: 5000 }), scope: scopeArb }),
    fc.record({ id: fc.constant(`m${i}`), kind: fc.constant('price' as const), levels: fc.constant(null).map(() => ['gold']), prices: priceMapArb }),
  );

const timedArb = (i: number) =>
  fc.oneof(
    fc.record({ id: fc.constant(`t${i}`), kind: fc.constant('percent' as const), window: windowArb, offBp: fc.integer({ min: 1, max: 9000 }), scope: scopeArb }),
    fc.record({ id: fc.constant(`t${i}`), kind: fc.constant('price' as const), window: windowArb, prices: priceMapArb }),
  );

const offUnder = (max: number) => fc.integer({ min: 1, max });

const fullReductionArb = (i: number) =>
  fc.oneof(
    fc.integer({ min: 1, max: 60000 }).chain((threshold) =>
      fc.record({ id: fc.constant(`f${i}`), kind: fc.constant('threshold' as const), threshold: fc.constant(threshold), off: offUnder(threshold), scope: scopeArb }),
    ),
    fc.uniqueArray(fc.integer({ min: 100, max: 60000 }), { minLength: 1, maxLength: 4 }).chain((ts) => {
      const sorted = [...ts].sort((a, b) => a - b);
      return fc.integer({ min: 1, max: 100 }).map((pct) => {
        const tiers: Array<{ threshold: number; off: number }> = [];
        for (const threshold of sorted) {
          const off = Math.max(1, Math.floor((threshold * pct) / 100));
          if (tiers.length === 0 || off > tiers[tiers.length - 1]!.off) tiers.push({ threshold, off });
        }
        return { id: `f${i}`, kind: 'tiered' as const, tiers: tiers.reverse() };
      });
    }),
    fc.integer({ min: 1, max: 30000 }).chain((step) =>
      fc.record(
        { id: fc.constant(`f${i}`), kind: fc.constant('per_step' as const), step: fc.constant(step), off: offUnder(step), cap: fc.option(fc.integer({ min: 1, max: 50000 }), { nil: undefined }), window: fc.option(windowArb, { nil: undefined }) },
        { requiredKeys: ['id', 'kind', 'step', 'off'] },
      ),
    ),
  );

const validityArb = fc.oneof(
  windowArb.map((w) => ({ kind: 'window' as const, ...w })),
  fc.integer({ min: 1, max: 30 }).map((days) => ({ kind: 'days_after_claim' as const, days })),
);

const stackingArb = fc.record(
  { stackable: fc.boolean(), exclusiveGroup: fc.constantFrom('shop', 'platform') },
  { requiredKeys: [] },
);

export const couponDefinitionArb = (i: number): fc.Arbitrary<CouponDefinition> =>
  fc
    .tuple(
      fc.oneof(
        fc.record({ kind: fc.constant('fixed' as const), off: fc.integer({ min: 1, max: 20000 }) }),
        fc.record(
          { kind: fc.constant('percent' as const), offBp: fc.integer({ min: 1, max: 9000 }), cap: fc.integer({ min: 1, max: 20000 }), threshold: fc.integer({ min: 1, max: 50000 }) },
          { requiredKeys: ['kind', 'offBp'] },
        ),
        fc.integer({ min: 1, max: 50000 }).chain((threshold) => fc.record({ kind: fc.constant('threshold' as const), threshold: fc.constant(threshold), off: offUnder(threshold) })),
      ),
      scopeArb,
      validityArb,
      stackingArb,
    )
    .map(([kind, scope, validity, stacking]) => ({ id: `c${i}`, ...kind, ...(scope ? { scope } : {}), validity, ...stacking }) as CouponDefinition);

function indexed<T>(make: (i: number) => fc.Arbitrary<T>, max: number): fc.Arbitrary<T[]> {
  return fc.integer({ min: 0, max }).chain((n) => (n === 0 ? fc.constant([]) : fc.tuple(...Array.from({ length: n }, (_, i) => make(i)))));
}

export const rulesArb: fc.Arbitrary<PricingRules> = fc.record(
  {
    memberPrices: indexed(memberArb, 2),
    timedDiscounts: indexed(timedArb, 2),
    fullReductions: indexed(fullReductionArb, 2),
    coupons: indexed(couponDefinitionArb, 6),
    points: fc.record(
      { rate: fc.record({ points: fc.integer({ min: 1, max: 200 }), fen: fc.integer({ min: 1, max: 200 }) }), maxShareBp: fc.integer({ min: 1, max: 10000 }), minPoints: fc.integer({ min: 0, max: 500 }) },
      { requiredKeys: ['rate', 'maxShareBp'] },
    ),
    freight: fc.record(
      {
        defaultFee: fc.integer({ min: 0, max: 2000 }),
        byRegion: fc.record({ XJ: fc.integer({ min: 0, max: 3000 }) }),
        freeOver: fc.integer({ min: 1, max: 80000 }),
        base: fc.constantFrom('after_discounts' as const, 'before_discounts' as const),
      },
      { requiredKeys: ['defaultFee'] },
    ),
  },
  { requiredKeys: [] },
);

const lineArb = (i: number) =>
  fc.record(
    {
      id: fc.constant(`l${i}`),
      sku: fc.constantFrom(...SKUS),
      title: fc.constant(`item ${i}`),
      category: fc.constantFrom(...CATEGORIES),
      fulfillment: fc.constantFrom('physical' as const, 'virtual' as const),
      listPrice: fc.oneof(fc.integer({ min: 0, max: 50000 }), fc.integer({ min: 0, max: 500 })),
      quantity: fc.integer({ min: 1, max: 5 }),
      memberPrice: fc.integer({ min: 0, max: 50000 }),
    },
    { requiredKeys: ['id', 'sku', 'title', 'listPrice', 'quantity'] },
  );

/** A wallet over the given definitions: ids w0, w1, …, claimed recently or long ago. */
export function walletArb(definitionIds: readonly string[], max = 6): fc.Arbitrary<WalletCoupon[]> {
  if (definitionIds.length === 0) return fc.constant([]);
  return indexed(
    (i) =>
      fc.record({
        id: fc.constant(`w${i}`),
        definitionId: fc.constantFrom(...definitionIds),
        claimedAt: fc.constantFrom('2025-06-10T00:00:00Z', '2025-06-18T03:00:00Z', '2025-01-01T00:00:00Z'),
      }),
    max,
  );
}

export const cartArb = (rules: PricingRules, maxLines = 8): fc.Arbitrary<Cart> =>
  fc
    .tuple(
      indexed(lineArb, maxLines).filter((ls) => ls.length > 0),
      fc.record(
        {
          member: fc.record({ level: fc.constantFrom('gold', 'silver') }),
          region: fc.constantFrom('XJ', 'SH'),
          pointsBalance: fc.integer({ min: 0, max: 20000 }),
        },
        { requiredKeys: [] },
      ),
      fc.oneof(fc.constant<'max' | number>('max'), fc.integer({ min: 0, max: 20000 })),
      walletArb((rules.coupons ?? []).map((c) => c.id)),
    )
    .map(([lines, extra, use, coupons]) => {
      const cart: Cart = { lines, ...extra, coupons };
      if (rules.points) {
        cart.pointsToUse = use === 'max' ? use : Math.min(use, extra.pointsBalance ?? 0);
      }
      return cart;
    });

export const scenarioArb = rulesArb.chain((rules) => cartArb(rules).map((cart) => ({ rules, cart })));
