import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeOrder } from '../../src/lifecycle/index.js';
import { bestCoupons, compilePricingRules, priceCart, type Cart, type PricingRules } from '../../src/pricing/index.js';

/**
 * 运费模板 (issue 20 item 1, docs/pricing.md "Freight templates"): worked examples against fen
 * amounts computed by hand, the bad-input codes, and properties of the fee formula.
 */

const now = new Date('2026-11-25T04:00:00Z');

const rules: PricingRules = {
  freight: {
    defaultFee: 1000,
    templates: [
      {
        // 按件: 首件 1 件 ¥8, 续件每 2 件 ¥3; 新疆/西藏 首件 ¥20, 续件每 1 件 ¥10; 满 ¥99 包邮 (偏远除外), 江浙沪满 3 件包邮.
        id: 'by-count',
        charge: 'count',
        rows: [
          { first: 1, firstFee: 800, additional: 2, additionalFee: 300 },
          { regions: ['新疆', '西藏'], first: 1, firstFee: 2000, additional: 1, additionalFee: 1000 },
        ],
        free: [
          { regions: ['浙江', '江苏', '上海', '广东'], minAmount: 9900 },
          { regions: ['浙江', '江苏', '上海'], minUnits: 3 },
        ],
      },
      {
        // 按重量: 首重 1000 g ¥10, 续重每 500 g ¥4; 满 ¥200 且满 2 件包邮.
        id: 'by-weight',
        charge: 'weight',
        rows: [{ first: 1000, firstFee: 1000, additional: 500, additionalFee: 400 }],
        free: [{ minAmount: 20000, minUnits: 2 }],
      },
      { id: 'by-volume', charge: 'volume', rows: [{ first: 5000, firstFee: 1200, additional: 1000, additionalFee: 100 }] },
    ],
  },
};

function quote(cart: Cart, r: PricingRules = rules) {
  const q = priceCart(cart, r, { now });
  if (!q.ok) throw q.error;
  return q.quote;
}

function error(cart: unknown, r: unknown = rules) {
  const q = priceCart(cart as Cart, r as PricingRules, { now });
  if (q.ok) throw new Error('expected an error');
  return q.error;
}

describe('worked examples (fen, by hand)', () => {
  it('by count: 首件 + every started step of 续件', () => {
    // 4 units to 北京 (default row): 800 + ⌈(4 − 1) ÷ 2⌉ × 300 = 800 + 2 × 300 = 1400.
    const q = quote({ region: '北京', lines: [{ id: 'a', sku: 'A', title: 'A', listPrice: 1000, quantity: 4, freightTemplate: 'by-count' }] });
    expect(q.freight).toBe(1400);
    expect(q.total).toBe(4000 + 1400);
    // Same cart to 新疆: 2000 + 3 × 1000 = 5000.
    expect(quote({ region: '新疆', lines: [{ id: 'a', sku: 'A', title: 'A', listPrice: 1000, quantity: 4, freightTemplate: 'by-count' }] }).freight).toBe(5000);
    // Exactly the first unit: 800.
    expect(quote({ region: '北京', lines: [{ id: 'a', sku: 'A', title: 'A', listPrice: 1000, quantity: 1, freightTemplate: 'by-count' }] }).freight).toBe(800);
  });

  it('by weight: 首重 1 kg + every started 500 g', () => {
    // 3 × 450 g = 1350 g: 1000 + ⌈350 ÷ 500⌉ × 400 = 1400.
    const q = quote({ region: '北京', lines: [{ id: 'w', sku: 'W', title: 'W', listPrice: 3000, quantity: 3, weight: 450, freightTemplate: 'by-weight' }] });
    expect(q.freight).toBe(1400);
    // 2 × 1001 g = 2002 g: 1000 + ⌈1002 ÷ 500⌉ × 400 = 1000 + 3 × 400 = 2200.
    expect(quote({ region: '北京', lines: [{ id: 'w', sku: 'W', title: 'W', listPrice: 3000, quantity: 2, weight: 1001, freightTemplate: 'by-weight' }] }).freight).toBe(2200);
  });

  it('by volume', () => {
    // 2 × 3000 cm³ = 6000: 1200 + ⌈1000 ÷ 1000⌉ × 100 = 1300.
    expect(quote({ region: '北京', lines: [{ id: 'v', sku: 'V', title: 'V', listPrice: 500, quantity: 2, volume: 3000, freightTemplate: 'by-volume' }] }).freight).toBe(1300);
  });

  it('lines on different templates are charged per template and summed; lines under none pay the flat fee', () => {
    const q = quote({
      region: '北京',
      lines: [
        { id: 'a', sku: 'A', title: 'A', listPrice: 1000, quantity: 2, freightTemplate: 'by-count' }, // 800 + ⌈1/2⌉ × 300 = 1100
        { id: 'b', sku: 'B', title: 'B', listPrice: 1000, quantity: 1, freightTemplate: 'by-count' }, // same template: 3 units → 800 + 300 = 1100 for a + b
        { id: 'w', sku: 'W', title: 'W', listPrice: 3000, quantity: 1, weight: 800, freightTemplate: 'by-weight' }, // 1000
        { id: 'f', sku: 'F', title: 'F', listPrice: 100, quantity: 1 }, // flat 1000
        { id: 'e', sku: 'E', title: 'E', listPrice: 100, quantity: 1, fulfillment: 'virtual', freightTemplate: 'by-weight' }, // virtual: no freight
      ],
    });
    expect(q.freightDetail?.map((p) => [p.templateId, p.fee, p.free])).toEqual([
      ['by-count', 1100, false],
      [null, 1000, false],
      ['by-weight', 1000, false],
    ]);
    expect(q.freight).toBe(3100);
  });

  it('包邮 by amount (after discounts, before points), by units, or both; per region', () => {
    const line = (quantity: number, listPrice: number) => ({ id: 'a', sku: 'A', title: 'A', listPrice, quantity, freightTemplate: 'by-count' });
    // 浙江, ¥99 exactly: free (≥).
    expect(quote({ region: '浙江', lines: [line(1, 9900)] }).freight).toBe(0);
    // 北京 has no free condition: charged even at ¥99.
    expect(quote({ region: '北京', lines: [line(1, 9900)] }).freight).toBe(800);
    // 广东: amount only; 3 units of ¥10 are not enough. 上海: 3 units suffice.
    expect(quote({ region: '广东', lines: [line(3, 1000)] }).freight).toBe(1100);
    expect(quote({ region: '上海', lines: [line(3, 1000)] }).freight).toBe(0);
    // A 满减 that takes the goods below ¥99 costs free shipping (the amount is after discounts)…
    const withCut: PricingRules = { ...rules, fullReductions: [{ id: 'mj', kind: 'threshold', threshold: 9900, off: 100 }] };
    expect(quote({ region: '广东', lines: [line(1, 9900)] }, withCut).freight).toBe(800);
    // …but points do not (before points).
    const withPoints: PricingRules = { ...rules, points: { rate: { points: 100, fen: 100 }, maxShareBp: 5000 } };
    const q = quote({ region: '广东', lines: [line(1, 9900)], pointsBalance: 3000, pointsToUse: 'max' }, withPoints);
    expect(q).toMatchObject({ freight: 0, pointsDeduction: 3000, total: 6900 });
    // Both conditions must hold (by-weight: ¥200 and 2 units).
    const w = (quantity: number, listPrice: number) => ({ region: '北京', lines: [{ id: 'w', sku: 'W', title: 'W', listPrice, quantity, weight: 100, freightTemplate: 'by-weight' }] });
    expect(quote(w(1, 20000)).freight).toBe(1000);
    expect(quote(w(2, 5000)).freight).toBe(1000);
    expect(quote(w(2, 10000)).freight).toBe(0);
  });

  it('defaultTemplate prices lines that name none', () => {
    const r: PricingRules = { freight: { ...rules.freight!, defaultTemplate: 'by-count' } };
    expect(quote({ region: '北京', lines: [{ id: 'a', sku: 'A', title: 'A', listPrice: 1000, quantity: 5 }] }, r).freight).toBe(800 + 2 * 300);
  });
});

describe('no address yet', () => {
  it('the quote says freight is pending, and placeOrder refuses it with FREIGHT_PENDING', () => {
    const q = quote({ lines: [{ id: 'a', sku: 'A', title: 'A', listPrice: 1000, quantity: 2, freightTemplate: 'by-count' }] });
    expect(q).toMatchObject({ freightPending: true, freight: 0, total: 2000 });
    const placed = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote: q }, { now });
    expect(placed.ok ? 'ok' : placed.error.code).toBe('FREIGHT_PENDING');
    // The flat rule alone never waits for an address (defaultFee applies).
    expect(quote({ lines: [{ id: 'f', sku: 'F', title: 'F', listPrice: 1000, quantity: 1 }] }, { freight: { defaultFee: 600 } })).not.toHaveProperty('freightPending');
  });
});

describe('bad input: typed errors with code and path', () => {
  const t = (extra: object) => ({ freight: { defaultFee: 0, templates: [{ id: 't', charge: 'count', rows: [{ first: 1, firstFee: 800, additional: 1, additionalFee: 100 }], ...extra }] } });
  const cases: Array<[string, unknown, string, Array<string | number>]> = [
    ['overlapping regions', t({ rows: [{ first: 1, firstFee: 1, additional: 1, additionalFee: 1 }, { regions: ['浙江', '上海'], first: 1, firstFee: 1, additional: 1, additionalFee: 1 }, { regions: ['上海'], first: 1, firstFee: 1, additional: 1, additionalFee: 1 }] }), 'RULE_FREIGHT_REGION_OVERLAP', ['freight', 'templates', 0, 'rows', 2, 'regions', 0]],
    ['two default rows', t({ rows: [{ first: 1, firstFee: 1, additional: 1, additionalFee: 1 }, { first: 1, firstFee: 2, additional: 1, additionalFee: 1 }] }), 'RULE_FREIGHT_REGION_OVERLAP', ['freight', 'templates', 0, 'rows', 1]],
    ['missing regions (no default row)', t({ rows: [{ regions: ['浙江'], first: 1, firstFee: 1, additional: 1, additionalFee: 1 }] }), 'RULE_FREIGHT_MISSING_REGIONS', ['freight', 'templates', 0, 'rows']],
    ['negative fee', t({ rows: [{ first: 1, firstFee: -1, additional: 1, additionalFee: 1 }] }), 'INVALID_RULES', ['freight', 'templates', 0, 'rows', 0, 'firstFee']],
    ['a step of 0 units', t({ rows: [{ first: 1, firstFee: 1, additional: 0, additionalFee: 1 }] }), 'INVALID_RULES', ['freight', 'templates', 0, 'rows', 0, 'additional']],
    ['an empty 包邮 condition', t({ free: [{ regions: ['浙江'] }] }), 'RULE_FREIGHT_FREE_EMPTY', ['freight', 'templates', 0, 'free', 0]],
    ['an unknown default template', { freight: { defaultFee: 0, defaultTemplate: 'nope' } }, 'RULE_UNKNOWN_FREIGHT_TEMPLATE', ['freight', 'defaultTemplate']],
  ];
  for (const [name, bad, code, path] of cases) {
    it(name, () => {
      const r = compilePricingRules(bad);
      if (r.ok) throw new Error('expected an error');
      expect(r.error.code).toBe(code);
      expect(r.error.path).toEqual(path);
      expect(r.error.messages['zh-CN'].length).toBeGreaterThan(0);
      expect(r.error.messages.en.length).toBeGreaterThan(0);
    });
  }

  it('a line naming a template that does not exist is FREIGHT_TEMPLATE_UNKNOWN at its path', () => {
    const e = error({ region: '北京', lines: [{ id: 'a', sku: 'A', title: 'A', listPrice: 1, quantity: 1 }, { id: 'b', sku: 'B', title: 'B', listPrice: 1, quantity: 1, freightTemplate: 'gone' }] });
    expect(e.code).toBe('FREIGHT_TEMPLATE_UNKNOWN');
    expect(e.path).toEqual(['lines', 1, 'freightTemplate']);
  });

  it('a negative or fractional weight is INVALID_CART', () => {
    const e = error({ region: '北京', lines: [{ id: 'a', sku: 'A', title: 'A', listPrice: 1, quantity: 1, weight: 1.5, freightTemplate: 'by-weight' }] });
    expect(e.code).toBe('INVALID_CART');
    expect(e.path).toEqual(['lines', 0, 'weight']);
  });
});

describe('properties', () => {
  const arbRow = fc.record({ first: fc.integer({ min: 1, max: 5000 }), firstFee: fc.integer({ min: 0, max: 5000 }), additional: fc.integer({ min: 1, max: 2000 }), additionalFee: fc.integer({ min: 0, max: 3000 }) });

  it('the fee is the formula, never falls when the measure grows, and lines under one template are charged once', () => {
    fc.assert(
      fc.property(arbRow, fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 20 }), weight: fc.integer({ min: 0, max: 3000 }) }), { minLength: 1, maxLength: 5 }), (row, specs) => {
        const r: PricingRules = { freight: { defaultFee: 0, templates: [{ id: 't', charge: 'weight', rows: [row] }] } };
        const cart = (extra: number): Cart => ({ region: 'x', lines: specs.map((s, i) => ({ id: `l${i}`, sku: `S${i}`, title: 'x', listPrice: 100, quantity: s.quantity + (i === 0 ? extra : 0), weight: s.weight, freightTemplate: 't' })) });
        const measure = specs.reduce((sum, s) => sum + s.quantity * s.weight, 0);
        const expected = measure <= row.first ? row.firstFee : row.firstFee + Math.ceil((measure - row.first) / row.additional) * row.additionalFee;
        const q = quote(cart(0), r);
        expect(q.freight).toBe(expected);
        expect(quote(cart(1), r).freight).toBeGreaterThanOrEqual(q.freight);
        expect(q.total).toBe(q.lines.reduce((s, l) => s + l.payable, 0) + q.freight);
        expect(q.savings).toBe(q.itemsTotal + q.freight - q.total);
      }),
      { numRuns: 200 },
    );
  });

  it('包邮 by amount: free exactly when the template goods reach minAmount; bestCoupons quotes what priceCart quotes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30_000 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 20_000 }), (price, quantity, minAmount) => {
        const r: PricingRules = {
          freight: { defaultFee: 0, templates: [{ id: 't', charge: 'count', rows: [{ first: 1, firstFee: 800, additional: 1, additionalFee: 200 }], free: [{ minAmount }] }] },
          coupons: [{ id: 'c5', kind: 'fixed', off: 500, validity: { kind: 'days_after_claim', days: 30 } }],
        };
        const cart: Cart = { region: '浙江', lines: [{ id: 'a', sku: 'A', title: 'A', listPrice: price, quantity, freightTemplate: 't' }] };
        const q = quote(cart, r);
        const fee = 800 + (quantity - 1) * 200;
        expect(q.freight).toBe(price * quantity >= minAmount ? 0 : fee);
        const wallet = [{ id: 'w', definitionId: 'c5', claimedAt: '2026-11-20T00:00:00Z' }];
        const best = bestCoupons(cart, wallet, r, { now });
        if (!best.ok) throw best.error;
        const same = quote({ ...cart, coupons: wallet.filter((w) => best.couponIds.includes(w.id)) }, r);
        expect(best.quote.total).toBe(same.total);
      }),
      { numRuns: 200 },
    );
  });
});
