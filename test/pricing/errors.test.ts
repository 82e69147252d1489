import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderkitError } from '../../src/errors/index.js';
import { bestCoupons, compilePricingRules, definePricingRules, priceCart, priceDelivery, type Cart, type PricingRules } from '../../src/pricing/index.js';

const now = new Date('2025-06-18T04:00:00Z');
const active = { from: '2025-06-01T00:00:00Z', to: '2025-07-01T00:00:00Z' };
const good: Cart = { lines: [{ id: 'l1', sku: 'TEA', title: '龙井', listPrice: 12800, quantity: 1 }] };

function fails(result: { ok: boolean; error?: unknown }, code: string, path?: Array<string | number>): OrderkitError {
  expect(result.ok).toBe(false);
  const error = result.error as OrderkitError;
  expect(error).toBeInstanceOf(OrderkitError);
  expect(error.code).toBe(code);
  if (path) expect(error.path).toEqual(path);
  expect(error.messages['zh-CN'].length).toBeGreaterThan(0);
  expect(error.messages.en.length).toBeGreaterThan(0);
  expect(error.messages['zh-CN']).not.toBe(error.messages.en);
  return error;
}

const priceLine = (patch: Record<string, unknown>) => priceCart({ lines: [{ ...good.lines[0]!, ...patch }] } as Cart, {}, { now });
const rulesError = (rules: unknown) => compilePricingRules(rules);

describe('bad carts', () => {
  it('rejects a negative or fractional price', () => {
    const e = fails(priceLine({ listPrice: -1 }), 'INVALID_CART', ['lines', 0, 'listPrice']);
    expect(e.messages['zh-CN']).toContain('非负整数');
    fails(priceLine({ listPrice: 19.9 }), 'INVALID_CART', ['lines', 0, 'listPrice']);
    fails(priceLine({ memberPrice: -5 }), 'INVALID_CART', ['lines', 0, 'memberPrice']);
  });

  it('rejects a zero or fractional quantity', () => {
    const e = fails(priceLine({ quantity: 0 }), 'INVALID_CART', ['lines', 0, 'quantity']);
    expect(e.messages.en).toContain('whole number');
    fails(priceLine({ quantity: 1.5 }), 'INVALID_CART', ['lines', 0, 'quantity']);
  });

  it('rejects an empty cart, duplicate line ids and a bad fulfillment', () => {
    fails(priceCart({ lines: [] }, {}, { now }), 'INVALID_CART', ['lines']);
    fails(priceCart({ lines: [good.lines[0]!, good.lines[0]!] }, {}, { now }), 'INVALID_CART', ['lines', 1, 'id']);
    fails(priceLine({ fulfillment: 'drone' }), 'INVALID_CART', ['lines', 0, 'fulfillment']);
    fails(priceCart(null as unknown as Cart, {}, { now }), 'INVALID_CART', []);
  });

  it('refuses a total beyond the safe-integer range instead of drifting', () => {
    fails(priceLine({ listPrice: Number.MAX_SAFE_INTEGER, quantity: 2 }), 'INVALID_AMOUNT');
  });

  it('refuses goods plus freight beyond the safe-integer range (each alone is safe)', () => {
    // Goods of MAX_SAFE_INTEGER − 10 fen and ¥1 of freight: the total would be MAX_SAFE_INTEGER + 90,
    // not a safe integer, and placeOrder would refuse the quote. The quote is refused instead.
    const big = { lines: [{ ...good.lines[0]!, listPrice: Number.MAX_SAFE_INTEGER - 10 }] };
    fails(priceCart(big, { freight: { defaultFee: 100 } }, { now }), 'INVALID_AMOUNT', ['freight']);
    fails(bestCoupons(big, [], { freight: { defaultFee: 100 } }, { now }), 'INVALID_AMOUNT', ['freight']);
    const templated: PricingRules = { freight: { defaultFee: 0, defaultTemplate: 't', templates: [{ id: 't', charge: 'count', rows: [{ first: 1, firstFee: 100, additional: 1, additionalFee: 0 }] }] } };
    fails(priceCart({ ...big, region: '北京' }, templated, { now }), 'INVALID_AMOUNT', ['freight']);
    // A local delivery fee replaces the freight: the same limit.
    const cheap = priceCart({ lines: [{ ...good.lines[0]!, listPrice: Number.MAX_SAFE_INTEGER - 10 }] }, {}, { now });
    if (!cheap.ok) throw cheap.error;
    const slot = { start: '2025-06-18T06:00:00Z', end: '2025-06-18T07:00:00Z' };
    fails(priceDelivery(cheap.quote, { mode: 'local', distance: 10, slot }, { local: { bands: [{ upTo: 100, fee: 100 }] } }, { now }), 'INVALID_AMOUNT', ['delivery', 'fee']);
    // Exactly at the limit it still prices.
    const r = priceCart({ lines: [{ ...good.lines[0]!, listPrice: Number.MAX_SAFE_INTEGER - 100 }] }, { freight: { defaultFee: 100 } }, { now });
    expect(r.ok && r.quote.total).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses 赠送积分 beyond the safe-integer range', () => {
    // 4 × 10¹⁵ fen paid at a million points a fen would earn 4 × 10²¹ points.
    const rules: PricingRules = { points: { rate: { points: 100, fen: 100 }, maxShareBp: 5000, earn: { points: 1_000_000, fen: 1 } } };
    fails(priceCart({ lines: [{ ...good.lines[0]!, listPrice: 4_000_000_000_000_000 }] }, rules, { now }), 'INVALID_AMOUNT', ['pointsEarned']);
  });

  it('rejects points the shopper does not have, or a shop without points', () => {
    const points = { rate: { points: 100, fen: 100 }, maxShareBp: 5000 };
    fails(priceCart({ ...good, pointsBalance: 100, pointsToUse: 500 }, { points }, { now }), 'POINTS_EXCEED_BALANCE', ['pointsToUse']);
    fails(priceCart({ ...good, pointsToUse: 500 }, {}, { now }), 'POINTS_NOT_ACCEPTED', ['pointsToUse']);
  });

  it('a cart without pointsBalance holds no points: a number of points is refused, as "max" uses none', () => {
    const points = { rate: { points: 100, fen: 100 }, maxShareBp: 5000 };
    fails(priceCart({ ...good, pointsToUse: 500 }, { points }, { now }), 'POINTS_EXCEED_BALANCE', ['pointsToUse']);
    const max = priceCart({ ...good, pointsToUse: 'max' }, { points }, { now });
    expect(max.ok && max.quote.pointsUsed).toBe(0);
    const none = priceCart({ ...good, pointsToUse: 0 }, { points }, { now });
    expect(none.ok && none.quote.pointsUsed).toBe(0);
  });

  it('rejects a coupon pointing at no definition, or missing its claim time', () => {
    const rules: PricingRules = { coupons: [{ id: 'week', kind: 'fixed', off: 500, validity: { kind: 'days_after_claim', days: 7 } }] };
    fails(priceCart({ ...good, coupons: [{ id: 'w1', definitionId: 'nope' }] }, rules, { now }), 'COUPON_UNKNOWN_DEFINITION', ['coupons', 0, 'definitionId']);
    fails(priceCart({ ...good, coupons: [{ id: 'w1', definitionId: 'week' }] }, rules, { now }), 'COUPON_CLAIM_TIME_MISSING', ['coupons', 0, 'claimedAt']);
    fails(priceCart({ ...good, coupons: [{ id: 'w1', definitionId: 'week', claimedAt: 'yesterday' }] }, rules, { now }), 'INVALID_CART', ['coupons', 0, 'claimedAt']);
    fails(bestCoupons(good, [{ id: 'w1', definitionId: 'nope' }], rules, { now }), 'COUPON_UNKNOWN_DEFINITION', ['wallet', 0, 'definitionId']);
    fails(bestCoupons(good, [{ id: 'w1', definitionId: 'week', claimedAt: '2025-06-01T00:00:00Z' }, { id: 'w1', definitionId: 'week', claimedAt: '2025-06-01T00:00:00Z' }], rules, { now }), 'INVALID_WALLET', [1, 'id']);
  });

  it('needs a real Date', () => {
    fails(priceCart(good, {}, { now: new Date('nonsense') }), 'INVALID_CONTEXT', ['now']);
    fails(priceCart(good, {}, {} as { now: Date }), 'INVALID_CONTEXT', ['now']);
  });
});

describe('bad rules', () => {
  const catalogue = { skus: ['TEA', 'CUP'], categories: ['tea'] };

  it('names an unknown SKU or category in a scope when a catalogue is given', () => {
    fails(
      rulesError({ catalogue, coupons: [{ id: 'c', kind: 'fixed', off: 100, validity: { kind: 'window', ...active }, scope: { kind: 'skus', skus: ['TEA', 'TAE'] } }] }),
      'RULE_UNKNOWN_SKU',
      ['coupons', 0, 'scope', 'skus', 1],
    );
    fails(rulesError({ catalogue, fullReductions: [{ id: 'f', kind: 'threshold', threshold: 100, off: 10, scope: { kind: 'category', categories: ['teas'] } }] }), 'RULE_UNKNOWN_CATEGORY', [
      'fullReductions', 0, 'scope', 'categories', 0,
    ]);
    fails(rulesError({ catalogue, timedDiscounts: [{ id: 't', kind: 'price', window: active, prices: { MUG: 100 } }] }), 'RULE_UNKNOWN_SKU', ['timedDiscounts', 0, 'prices', 'MUG']);
    // Without a catalogue, an unknown SKU cannot be told from a real one: the rule just never matches.
    expect(rulesError({ coupons: [{ id: 'c', kind: 'fixed', off: 100, validity: { kind: 'window', ...active }, scope: { kind: 'skus', skus: ['TAE'] } }] }).ok).toBe(true);
  });

  it('rejects overlapping and non-increasing tiers', () => {
    const tiered = (tiers: Array<{ threshold: number; off: number }>) => rulesError({ fullReductions: [{ id: 'f', kind: 'tiered', tiers }] });
    fails(tiered([{ threshold: 10000, off: 1000 }, { threshold: 10000, off: 1500 }]), 'RULE_TIERS_OVERLAP', ['fullReductions', 0, 'tiers', 1, 'threshold']);
    fails(tiered([{ threshold: 20000, off: 1000 }, { threshold: 10000, off: 1500 }]), 'RULE_TIERS_NOT_INCREASING', ['fullReductions', 0, 'tiers', 0, 'off']);
  });

  it('rejects an inverted window', () => {
    const inverted = { from: '2025-07-01T00:00:00Z', to: '2025-06-01T00:00:00Z' };
    const e = fails(rulesError({ timedDiscounts: [{ id: 't', kind: 'percent', offBp: 1000, window: inverted }] }), 'RULE_WINDOW_INVERTED', ['timedDiscounts', 0, 'window']);
    expect(e.messages['zh-CN']).toContain('结束');
    fails(rulesError({ coupons: [{ id: 'c', kind: 'fixed', off: 100, validity: { kind: 'window', ...inverted } }] }), 'RULE_WINDOW_INVERTED', ['coupons', 0, 'validity']);
  });

  it('an expired coupon is not bad data: the quote rejects it as 已过期', () => {
    const rules: PricingRules = { coupons: [{ id: 'c', kind: 'fixed', off: 100, validity: { kind: 'window', from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z' } }] };
    const r = priceCart({ ...good, coupons: [{ id: 'w', definitionId: 'c' }] }, rules, { now });
    expect(r.ok && r.quote.rejectedCoupons).toEqual([{ couponId: 'w', code: 'COUPON_EXPIRED', reason: { 'zh-CN': '已过期', en: 'Expired' } }]);
  });

  it('rejects an amount off above its threshold, duplicate ids, bad rates and misspelt fields', () => {
    fails(rulesError({ fullReductions: [{ id: 'f', kind: 'threshold', threshold: 1000, off: 9900 }] }), 'RULE_OFF_EXCEEDS_THRESHOLD', ['fullReductions', 0, 'off']);
    fails(rulesError({ fullReductions: [{ id: 'f', kind: 'per_step', step: 1000, off: 1500 }] }), 'RULE_OFF_EXCEEDS_THRESHOLD', ['fullReductions', 0, 'off']);
    fails(
      rulesError({ fullReductions: [{ id: 'f', kind: 'threshold', threshold: 1000, off: 10 }, { id: 'f', kind: 'threshold', threshold: 2000, off: 10 }] }),
      'RULE_DUPLICATE_ID',
      ['fullReductions', 1, 'id'],
    );
    fails(rulesError({ memberPrices: [{ id: 'm', kind: 'percent', levels: ['gold'], offBp: 0 }] }), 'INVALID_RULES', ['memberPrices', 0, 'offBp']);
    fails(rulesError({ memberPrices: [{ id: 'm', kind: 'price', levels: ['gold'], prices: { TEA: -1 } }] }), 'INVALID_RULES', ['memberPrices', 0, 'prices', 'TEA']);
    fails(rulesError({ fullReductions: [{ id: 'f', kind: 'threshold', threshhold: 1000, off: 10 }] }), 'INVALID_RULES');
    fails(rulesError({ freight: { defaultFee: 8.5 } }), 'INVALID_RULES', ['freight', 'defaultFee']);
  });

  it('reports every problem at once, and definePricingRules throws the same error', () => {
    const rules = {
      fullReductions: [
        { id: 'f', kind: 'threshold', threshold: 1000, off: 9900 },
        { id: 'g', kind: 'threshold', threshold: 1000, off: 100, window: { from: '2025-07-01T00:00:00Z', to: '2025-06-01T00:00:00Z' } },
      ],
    } as PricingRules;
    const e = fails(rulesError(rules), 'RULE_OFF_EXCEEDS_THRESHOLD');
    expect(e.issues.map((i) => i.code).sort()).toEqual(['RULE_OFF_EXCEEDS_THRESHOLD', 'RULE_WINDOW_INVERTED']);
    expect(() => definePricingRules(rules)).toThrow(OrderkitError);
    // priceCart reports it too, and never returns a partial quote.
    const r = priceCart(good, rules, { now });
    expect(r).toEqual({ ok: false, error: expect.any(OrderkitError) });
  });
});

describe('never throws', () => {
  it('answers any input with a quote or an OrderkitError', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (cart, rules, wallet) => {
        for (const r of [priceCart(cart as Cart, rules as PricingRules, { now }), bestCoupons(cart as Cart, wallet as [], rules as PricingRules, { now })]) {
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.error).toBeInstanceOf(OrderkitError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
