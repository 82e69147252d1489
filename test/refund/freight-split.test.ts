import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate } from '../../src/money/allocate.js';
import { definePolicy } from '../../src/order/policy.js';
import type { Order } from '../../src/order/index.js';
import { cancelAfterSale, refundQuote, requestAfterSale, requestFreightRefund } from '../../src/refund/index.js';
import { freightShares } from '../../src/refund/freight-split.js';
import { holdsUnits } from '../../src/refund/holdings.js';
import { ctx, CUSTOMER, MERCHANT, paidOrder, shipped, T0 } from './fixtures.js';

/**
 * Freight per line (docs/after-sales.md "Freight per line"): the order's freight split over its
 * lines by payable, each line's share over its units; each request carries the freight of its
 * units, Σ never above the freight, exactly the freight once every unit is claimed.
 */
const perLine = definePolicy({ refundShipping: 'always', refundShippingBy: 'line', autoApproveRefundBeforeShipment: false });

/** The rule written out unit by unit, independently of the closed forms: what each unit carries. */
function unitFreight(order: Order): Map<string, number[]> {
  const lines = order.lines;
  const physical = lines.map((l) => l.fulfillment !== 'virtual');
  let weights = lines.map((l, i) => (physical[i] ? l.payable : 0));
  if (weights.every((w) => w === 0)) weights = lines.map((l, i) => (physical[i] ? l.quantity : 0));
  if (weights.every((w) => w === 0)) weights = lines.map((l) => l.quantity);
  const shares = order.pricing.freight === 0 ? lines.map(() => 0) : allocate(order.pricing.freight, weights);
  return new Map(lines.map((l, i) => [l.id, allocate(shares[i]!, new Array<number>(l.quantity).fill(1))]));
}

const lineSpec = fc.record({
  listPrice: fc.integer({ min: 0, max: 50_000 }),
  quantity: fc.integer({ min: 1, max: 5 }),
  virtual: fc.boolean(),
});

describe('freight per line', () => {
  it('freightShares adds up to the freight and gives nothing to gifts or virtual lines while a paid physical line exists', () => {
    fc.assert(
      fc.property(fc.array(lineSpec, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 5000 }), (specs, freight) => {
        const order = paidOrder({ lines: specs.map((s, i) => ({ id: `L${i}`, listPrice: s.listPrice, quantity: s.quantity, fulfillment: s.virtual ? 'virtual' : 'physical' })), freight });
        const shares = freightShares(order);
        expect(shares.reduce((a, s) => a + s.freight, 0)).toBe(freight);
        const paidPhysical = order.lines.some((l) => l.fulfillment !== 'virtual' && l.payable > 0);
        if (paidPhysical) for (const [i, l] of order.lines.entries()) if (l.payable === 0 || l.fulfillment === 'virtual') expect(shares[i]!.freight).toBe(0);
      }),
    );
  });

  it('worked example: ¥10.00 over ¥60.00 of T-shirts (2 units) and a ¥30.00 mug; one T-shirt carries ¥3.34', () => {
    const order = paidOrder({ lines: [{ id: 'T', listPrice: 3000, quantity: 2 }, { id: 'M', listPrice: 3000, quantity: 1 }], freight: 1000 });
    expect(freightShares(order)).toEqual([{ lineId: 'T', freight: 667 }, { lineId: 'M', freight: 333 }]);
    const one = refundQuote(order, { kind: 'refund_only', items: [{ lineId: 'T', quantity: 1 }] }, { now: T0, policy: perLine });
    if (!one.ok) throw one.error;
    expect([one.quote.itemsAmount, one.quote.shippingAmount, one.quote.amount]).toEqual([3000, 334, 3334]);
    expect(one.quote.shipping.reason.en).toBe('freight is split over the lines: ¥3.34 for these units');
    // The default keeps the whole freight for the request that takes the last unit.
    const last = refundQuote(order, { kind: 'refund_only', items: [{ lineId: 'T', quantity: 1 }] }, { now: T0, policy: definePolicy({ refundShipping: 'always' }) });
    expect(last.ok && last.quote.shippingAmount).toBe(0);
  });

  it('per line, freight still follows refundShipping and includeShipping: false', () => {
    const order = paidOrder({ lines: [{ id: 'T', listPrice: 3000, quantity: 2 }], freight: 1000 });
    const sent = shipped(order);
    const after = refundQuote(sent, { kind: 'return_and_refund', items: [{ lineId: 'T', quantity: 1 }] }, { now: T0, policy: definePolicy({ refundShippingBy: 'line' }) });
    expect(after.ok && after.quote.shippingAmount).toBe(0);
    const no = refundQuote(order, { kind: 'refund_only', items: [{ lineId: 'T', quantity: 1 }], includeShipping: false }, { now: T0, policy: perLine });
    expect(no.ok && no.quote.shippingAmount).toBe(0);
  });

  it('property: every request carries exactly its units’ freight; Σ never exceeds the freight; all units claimed give back exactly the freight', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('request' as const), line: fc.nat(4), quantity: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat(10) }),
      fc.record({ kind: fc.constant('freight' as const), amount: fc.integer({ min: 1, max: 500 }) }),
    );
    let full = 0;
    fc.assert(
      fc.property(fc.array(lineSpec, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 3000 }), fc.array(step, { maxLength: 16 }), fc.boolean(), (specs, freight, steps, finish) => {
        let order = paidOrder({ lines: specs.map((s, i) => ({ id: `L${i}`, listPrice: s.listPrice, quantity: s.quantity, fulfillment: s.virtual ? 'virtual' : 'physical' })), freight });
        const units = unitFreight(order);
        let freightOnly = false;
        let withdrawn = false;
        const claimedFreight = () => order.afterSales.filter(holdsUnits).reduce((a, x) => a + x.shippingAmount, 0);
        const claimedUnits = (lineId: string) => order.afterSales.filter((a) => holdsUnits(a)).reduce((a, x) => a + x.items.filter((i) => i.lineId === lineId).reduce((b, i) => b + i.quantity, 0), 0);
        const model = () => order.lines.reduce((a, l) => a + units.get(l.id)!.slice(0, claimedUnits(l.id)).reduce((b, x) => b + x, 0), 0);
        const all = [...steps];
        if (finish) all.push({ kind: 'request', line: -1, quantity: 0 } as never);
        for (const st of all) {
          let r;
          if (st.kind === 'request') {
            const items = (st as { line: number }).line < 0 ? undefined : [{ lineId: order.lines[st.line % order.lines.length]!.id, quantity: st.quantity }];
            r = requestAfterSale(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: 'x', ...(items ? { items } : {}) }, ctx(CUSTOMER, T0, perLine));
            if (r.ok && !freightOnly && !withdrawn) {
              const a = r.order.afterSales[r.order.afterSales.length - 1]!;
              // The request's freight is exactly the freight of its units, unit by unit.
              const before = model();
              const prev = order;
              order = r.order;
              expect(a.shippingAmount).toBe(model() - before);
              order = prev;
            }
          } else if (st.kind === 'cancel') {
            const open = order.afterSales.filter((a) => a.status === 'requested' && a.requestedBy.type === 'customer');
            if (open.length === 0) continue;
            r = cancelAfterSale(order, { type: 'CANCEL_AFTER_SALE', afterSaleId: open[st.pick % open.length]!.id }, ctx(CUSTOMER, T0, perLine));
            if (r.ok) withdrawn = true;
          } else {
            r = requestFreightRefund(order, { type: 'REQUEST_FREIGHT_REFUND', amount: st.amount, reason: 'late' }, ctx(MERCHANT, T0, perLine));
            if (r.ok) freightOnly = true;
          }
          if (!r.ok) continue;
          order = r.order;
          expect(claimedFreight()).toBeLessThanOrEqual(freight);
          // A withdrawn claim leaves the rest holding at most their units' freight (the bigger unit
          // shares come first); the next claim catches up, as the goods' shares do.
          if (!freightOnly && !withdrawn) expect(claimedFreight()).toBe(model());
          if (!freightOnly) expect(claimedFreight()).toBeLessThanOrEqual(model());
        }
        const everything = order.lines.every((l) => claimedUnits(l.id) === l.quantity);
        if (everything) full++;
        if (everything && order.afterSales.some((a) => a.items.length > 0)) expect(claimedFreight()).toBe(freight);
      }),
      { numRuns: 300 },
    );
    // Many runs end with every unit claimed, where the freight must come back exactly.
    expect(full).toBeGreaterThan(30);
  });
});
