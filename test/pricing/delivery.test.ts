import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeOrder } from '../../src/lifecycle/index.js';
import { localDeliveryFee, priceCart, priceDelivery, type DeliveryRules, type Quote } from '../../src/pricing/index.js';

/**
 * Delivery modes in pricing (issue 21 item 3, docs/delivery.md): the local fee by distance band or
 * zone, free delivery at `freeOver`, store pickup at no fee, and the bad input of the issue (a
 * distance beyond every band, an unknown store or zone, a slot in the past) as typed errors with
 * nothing priced and nothing placed.
 */

const now = new Date('2026-11-25T04:00:00Z');
const HOUR = 3_600_000;
const slotAt = (fromNowMs: number, lengthMs = HOUR) => ({
  start: new Date(now.getTime() + fromNowMs).toISOString(),
  end: new Date(now.getTime() + fromNowMs + lengthMs).toISOString(),
});

const rules: DeliveryRules = {
  local: {
    bands: [
      { upTo: 3000, fee: 500 },
      { upTo: 5000, fee: 800 },
      { upTo: 8000, fee: 1200 },
    ],
    zones: [
      { id: 'xuhui', name: '徐汇', fee: 600 },
      { id: 'pudong', name: '浦东', fee: 1000 },
    ],
    freeOver: 9900,
    leadMinutes: 30,
  },
  pickup: { stores: [{ id: 'store-1', name: '徐汇店', address: '漕溪北路 1 号' }] },
};

function cartQuote(unit: number, quantity = 1): Quote {
  const r = priceCart({ lines: [{ id: 'l1', sku: 'TEA', title: '龙井', listPrice: unit, quantity }] }, { freight: { defaultFee: 800 } }, { now });
  if (!r.ok) throw r.error;
  return r.quote;
}

describe('worked examples', () => {
  it('local by distance: 2.5 km is the first band (¥5.00), 5 km the second (¥8.00), replacing the express freight', () => {
    const q = cartQuote(4000);
    expect(q.freight).toBe(800);
    const near = priceDelivery(q, { mode: 'local', distance: 2500, slot: slotAt(HOUR) }, rules, { now });
    if (!near.ok) throw near.error;
    expect([near.quote.freight, near.quote.total]).toEqual([500, 4500]);
    expect(near.quote.delivery).toEqual({ mode: 'local', distance: 2500, fee: 500, slot: slotAt(HOUR) });
    const edge = priceDelivery(q, { mode: 'local', distance: 5000, slot: slotAt(HOUR) }, rules, { now });
    expect(edge.ok && edge.quote.freight).toBe(800);
  });

  it('local by zone, free over ¥99.00 (with an adjustment saying so), pickup at no fee', () => {
    const q = cartQuote(5000, 2);
    const zone = priceDelivery(q, { mode: 'local', zone: 'pudong', slot: slotAt(2 * HOUR) }, rules, { now });
    if (!zone.ok) throw zone.error;
    expect([zone.quote.freight, zone.quote.total, zone.quote.savings]).toEqual([0, 10000, 1000]);
    expect(zone.quote.adjustments.map((a) => [a.sourceId, a.amount])).toEqual([['free_local_delivery', 1000]]);
    const pickup = priceDelivery(q, { mode: 'pickup', storeId: 'store-1' }, rules, { now });
    if (!pickup.ok) throw pickup.error;
    expect([pickup.quote.freight, pickup.quote.total]).toEqual([0, 10000]);
    expect(pickup.quote.delivery).toEqual({ mode: 'pickup', store: { id: 'store-1', name: '徐汇店', address: '漕溪北路 1 号' } });
    const express = priceDelivery(q, { mode: 'express' }, rules, { now });
    expect(express.ok && [express.quote.freight, express.quote.delivery]).toEqual([800, { mode: 'express' }]);
  });
});

describe('bad input: a typed error with code, path and both languages, nothing priced or placed', () => {
  const q = cartQuote(4000);
  const cases: Array<[string, Parameters<typeof priceDelivery>[1], DeliveryRules, string, Array<string | number>]> = [
    ['a distance beyond every band', { mode: 'local', distance: 8001, slot: slotAt(HOUR) }, rules, 'DELIVERY_OUT_OF_RANGE', ['delivery', 'distance']],
    ['an unknown zone', { mode: 'local', zone: 'minhang', slot: slotAt(HOUR) }, rules, 'DELIVERY_ZONE_UNKNOWN', ['delivery', 'zone']],
    ['a pickup store that does not exist', { mode: 'pickup', storeId: 'store-9' }, rules, 'PICKUP_STORE_UNKNOWN', ['delivery', 'storeId']],
    ['a slot in the past', { mode: 'local', distance: 100, slot: slotAt(-HOUR) }, rules, 'DELIVERY_SLOT_PAST', ['delivery', 'slot', 'start']],
    ['a slot inside the lead time', { mode: 'local', distance: 100, slot: slotAt(10 * 60_000) }, rules, 'DELIVERY_SLOT_PAST', ['delivery', 'slot', 'start']],
    ['a pickup slot in the past', { mode: 'pickup', storeId: 'store-1', slot: slotAt(-1) }, rules, 'DELIVERY_SLOT_PAST', ['delivery', 'slot', 'start']],
    ['a slot ending before it starts', { mode: 'local', distance: 100, slot: { start: slotAt(HOUR).end, end: slotAt(HOUR).start } }, rules, 'DELIVERY_SLOT_INVALID', ['delivery', 'slot', 'end']],
    ['a slot too far ahead', { mode: 'local', distance: 100, slot: slotAt(8 * 24 * HOUR) }, rules, 'DELIVERY_SLOT_INVALID', ['delivery', 'slot', 'start']],
    ['distance and zone both', { mode: 'local', distance: 100, zone: 'xuhui', slot: slotAt(HOUR) }, rules, 'INVALID_DELIVERY', ['delivery', 'distance']],
    ['a local delivery without a slot', { mode: 'local', distance: 100 } as never, rules, 'INVALID_DELIVERY', ['delivery', 'slot']],
    ['a mode the shop does not offer', { mode: 'pickup', storeId: 'store-1' }, { local: rules.local! }, 'DELIVERY_MODE_UNAVAILABLE', ['delivery', 'mode']],
    ['bands out of order', { mode: 'local', distance: 100, slot: slotAt(HOUR) }, { local: { bands: [{ upTo: 5000, fee: 1 }, { upTo: 3000, fee: 2 }] } }, 'INVALID_DELIVERY_RULES', ['deliveryRules', 'local', 'bands', 1, 'upTo']],
  ];
  it.each(cases)('%s', (_name, choice, shop, code, path) => {
    const r = priceDelivery(q, choice, shop, { now });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(code);
    expect(r.error.path).toEqual(path);
    expect(r.error.messages['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
    expect(r.error.messages.en).toMatch(/[a-z]/);
    // The same choice through placeOrder: refused the same way, no order.
    const placed = placeOrder({ id: 'o1', number: 'N1', customerId: 'u1', cart: { lines: [{ id: 'l1', sku: 'TEA', title: '龙井', listPrice: 4000, quantity: 1 }] }, rules: {}, delivery: choice, deliveryRules: shop, pickupCode: '123456' }, { now });
    expect(!placed.ok && placed.error.code).toBe(code);
  });

  it('a pickup order needs its code, a local one its address; a quote with a separate choice is refused', () => {
    const pickup = priceDelivery(q, { mode: 'pickup', storeId: 'store-1' }, rules, { now });
    if (!pickup.ok) throw pickup.error;
    const noCode = placeOrder({ id: 'o1', number: 'N1', customerId: 'u1', quote: pickup.quote }, { now });
    expect(!noCode.ok && [noCode.error.code, noCode.error.path]).toEqual(['INVALID_ORDER_INPUT', ['pickupCode']]);
    const local = priceDelivery(q, { mode: 'local', distance: 100, slot: slotAt(HOUR) }, rules, { now });
    if (!local.ok) throw local.error;
    const noAddress = placeOrder({ id: 'o1', number: 'N1', customerId: 'u1', quote: local.quote }, { now });
    expect(!noAddress.ok && [noAddress.error.code, noAddress.error.path]).toEqual(['INVALID_ORDER_INPUT', ['address']]);
    const both = placeOrder({ id: 'o1', number: 'N1', customerId: 'u1', quote: q, delivery: { mode: 'express' } } as never, { now });
    expect(!both.ok && both.error.path).toEqual(['delivery']);
  });
});

const bandsArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 50_000 }), { minLength: 1, maxLength: 6 })
  .chain((uptos) => fc.tuple(fc.constant([...uptos].sort((a, b) => a - b)), fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: uptos.length, maxLength: uptos.length })))
  .map(([uptos, fees]) => uptos.map((upTo, i) => ({ upTo, fee: fees[i]! })));

describe('properties of the fee rules', () => {
  it('the fee of a distance is the fee of the nearest band at or above it; beyond the last band is DELIVERY_OUT_OF_RANGE', () => {
    fc.assert(
      fc.property(bandsArb, fc.integer({ min: 0, max: 60_000 }), (bands, distance) => {
        const r = localDeliveryFee({ bands }, { distance });
        const band = bands.filter((b) => b.upTo >= distance).sort((a, b) => a.upTo - b.upTo)[0];
        if (band === undefined) {
          expect(!r.ok && r.error.code).toBe('DELIVERY_OUT_OF_RANGE');
          expect(!r.ok && r.error.details).toMatchObject({ maxDistance: Math.max(...bands.map((b) => b.upTo)) });
        } else expect(r.ok && r.fee).toBe(band.fee);
      }),
    );
  });

  it('with ascending band fees, a farther delivery never costs less', () => {
    fc.assert(
      fc.property(bandsArb, fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 0, max: 50_000 }), (raw, a, b) => {
        const fees = raw.map((x) => x.fee).sort((x, y) => x - y);
        const bands = raw.map((x, i) => ({ upTo: x.upTo, fee: fees[i]! }));
        const [near, far] = a <= b ? [a, b] : [b, a];
        const fn = localDeliveryFee({ bands }, { distance: near });
        const ff = localDeliveryFee({ bands }, { distance: far });
        if (ff.ok) expect(fn.ok && fn.fee).toBeLessThanOrEqual(ff.fee);
        if (!fn.ok) expect(ff.ok).toBe(false);
      }),
    );
  });

  it('any mode on any cart: Σ payable + freight = total, freight is the fee or 0 (free exactly at goods ≥ freeOver), savings ≥ 0, pickup is 0', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 50_000 }), fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 4 }),
        bandsArb,
        fc.integer({ min: 0, max: 60_000 }),
        fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
        fc.constantFrom('express', 'local', 'pickup'),
        (lines, bands, distance, freeOver, mode) => {
          const cart = { lines: lines.map(([p, n], i) => ({ id: `l${i}`, sku: `S${i}`, title: 't', listPrice: p, quantity: n })) };
          const priced = priceCart(cart, { freight: { defaultFee: 700, freeOver: 20_000 } }, { now });
          if (!priced.ok) throw priced.error;
          const shop: DeliveryRules = { local: { bands, ...(freeOver !== undefined ? { freeOver } : {}) }, pickup: { stores: [{ id: 's', name: 'S' }] } };
          const choice = mode === 'local' ? { mode, distance, slot: slotAt(HOUR) } : mode === 'pickup' ? { mode, storeId: 's' } : { mode };
          const r = priceDelivery(priced.quote, choice as never, shop, { now });
          const goods = priced.quote.lines.reduce((s, l) => s + l.payable, 0);
          if (!r.ok) {
            expect(mode).toBe('local');
            expect(r.error.code).toBe('DELIVERY_OUT_OF_RANGE');
            return;
          }
          expect(r.quote.lines).toEqual(priced.quote.lines);
          expect(r.quote.total).toBe(goods + r.quote.freight);
          expect(r.quote.savings).toBeGreaterThanOrEqual(0);
          if (mode === 'express') expect(r.quote.freight).toBe(priced.quote.freight);
          if (mode === 'pickup') expect(r.quote.freight).toBe(0);
          if (mode === 'local') {
            const fee = localDeliveryFee({ bands }, { distance });
            if (!fee.ok) throw fee.error;
            const free = fee.fee > 0 && freeOver !== undefined && goods >= freeOver;
            expect(r.quote.freight).toBe(free ? 0 : fee.fee);
            expect(r.quote.adjustments.some((a) => a.sourceId === 'free_local_delivery')).toBe(free);
            expect(r.quote.adjustments.some((a) => a.sourceId === 'free_shipping')).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a store not in the list is always PICKUP_STORE_UNKNOWN, a listed one always priced at 0', () => {
    const q = cartQuote(1000);
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 1, maxLength: 5 }), fc.stringMatching(/^[a-z0-9]{1,8}$/), (ids, probe) => {
        const shop: DeliveryRules = { pickup: { stores: ids.map((id) => ({ id, name: id })) } };
        const r = priceDelivery(q, { mode: 'pickup', storeId: probe }, shop, { now });
        if (ids.includes(probe)) expect(r.ok && r.quote.freight).toBe(0);
        else expect(!r.ok && r.error.code).toBe('PICKUP_STORE_UNKNOWN');
      }),
    );
  });
});
