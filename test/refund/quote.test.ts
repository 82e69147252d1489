import { describe, expect, it } from 'vitest';
import { definePolicy } from '../../src/order/policy.js';
import { refundQuote, requestAfterSale, type RefundRequest } from '../../src/refund/index.js';
import type { Order } from '../../src/order/index.js';
import { completed, ctx, deepFreeze, paidOrder, promoOrder, shipped, T0, withLedgerEntry } from './fixtures.js';

const policy = definePolicy();
const q = (order: Order, request: RefundRequest, now = T0, p = policy) => refundQuote(deepFreeze(order), request, { now, policy: p });

function errorOf(r: ReturnType<typeof refundQuote>) {
  if (r.ok) throw new Error('expected a failure');
  return r.error;
}

const simple = () => paidOrder({ lines: [{ id: 'A', listPrice: 1000, quantity: 3 }, { id: 'B', listPrice: 500, quantity: 2 }], freight: 800 });

describe('refundQuote — amounts from stored payables', () => {
  it('refunds a whole line at exactly its payable, whatever the promotions were', () => {
    const order = promoOrder();
    const l1 = order.lines[0]!;
    const r = q(order, { kind: 'refund_only', items: [{ lineId: 'L1', quantity: 3 }] });
    expect(r.ok && r.quote.itemsAmount).toBe(l1.payable);
  });

  it('gives k of n units their largest-remainder shares, the bigger shares first', () => {
    // payable 1000 over 3 units: 334, 333, 333
    const order = paidOrder({ lines: [{ id: 'A', listPrice: 1000, quantity: 3, allocations: [{ source: 'coupon', sourceId: 'c', amount: 2000 }] }] });
    expect(order.lines[0]!.payable).toBe(1000);
    const one = q(order, { kind: 'refund_only', items: [{ lineId: 'A', quantity: 1 }] });
    const two = q(order, { kind: 'refund_only', items: [{ lineId: 'A', quantity: 2 }] });
    expect(one.ok && one.quote.amount).toBe(334);
    expect(two.ok && two.quote.amount).toBe(667);
    expect(two.ok && two.quote.lines[0]!.unitShares).toEqual([
      { amount: 334, units: 1 },
      { amount: 333, units: 1 },
    ]);
  });

  it('explains every line in both languages with the numbers it used', () => {
    const r = q(promoOrder(), { kind: 'refund_only', items: [{ lineId: 'L1', quantity: 2 }] });
    if (!r.ok) throw r.error;
    const line = r.quote.lines[0]!;
    expect(line.reason.en).toContain('¥89.99');
    expect(line.reason.en).toContain('coupon');
    expect(line.reason['zh-CN']).toContain('满减');
    expect(line.reason['zh-CN']).toContain(`¥${(line.amount / 100).toFixed(2)}`);
    expect(r.quote.reason.en).toContain('refund ¥60.00');
    expect(r.quote.shipping.reason.en.length).toBeGreaterThan(0);
  });

  it('takes everything still refundable when items are absent', () => {
    const order = simple();
    const r = q(order, { kind: 'refund_only' });
    if (!r.ok) throw r.error;
    expect(r.quote.items).toEqual([
      { lineId: 'A', quantity: 3 },
      { lineId: 'B', quantity: 2 },
    ]);
    expect(r.quote.amount).toBe(order.payment.paidAmount);
    expect(r.quote.takesLastUnit).toBe(true);
  });

  it('a whole-order return takes only what shipped', () => {
    const order = shipped(simple(), [{ lineId: 'A', quantity: 2 }]);
    const r = q(order, { kind: 'return_and_refund' });
    if (!r.ok) throw r.error;
    expect(r.quote.items).toEqual([{ lineId: 'A', quantity: 2 }]);
    expect(r.quote.amount).toBe(2000);
  });
});

describe('refundQuote — freight per policy.refundShipping', () => {
  it("'before_shipment': back with the last unit while nothing has shipped", () => {
    const order = simple();
    const whole = q(order, { kind: 'refund_only' });
    expect(whole.ok && whole.quote.shippingAmount).toBe(800);
    const part = q(order, { kind: 'refund_only', items: [{ lineId: 'A', quantity: 1 }] });
    expect(part.ok && part.quote.shippingAmount).toBe(0);
    const asked = q(order, { kind: 'refund_only', items: [{ lineId: 'A', quantity: 1 }], includeShipping: true });
    expect(asked.ok && asked.quote.shippingAmount).toBe(800);
    const declined = q(order, { kind: 'refund_only', includeShipping: false });
    expect(declined.ok && declined.quote.shippingAmount).toBe(0);
  });

  it("'before_shipment': not once anything has shipped", () => {
    const r = q(shipped(simple()), { kind: 'return_and_refund' });
    expect(r.ok && r.quote.shippingAmount).toBe(0);
    expect(r.ok && r.quote.shipping.reason.en).toContain('shipped');
  });

  it("'always' refunds it after shipment too; 'never' never does", () => {
    const always = q(shipped(simple()), { kind: 'return_and_refund' }, T0, definePolicy({ refundShipping: 'always' }));
    expect(always.ok && always.quote.shippingAmount).toBe(800);
    const never = q(simple(), { kind: 'refund_only' }, T0, definePolicy({ refundShipping: 'never' }));
    expect(never.ok && never.quote.shippingAmount).toBe(0);
  });

  it('refunds freight once at most', () => {
    const first = requestAfterSale(simple(), { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'A', quantity: 1 }], reason: 'r' }, ctx(undefined, T0, definePolicy({ autoApproveRefundBeforeShipment: false })));
    if (!first.ok) throw first.error;
    expect(first.order.afterSales[0]!.shippingAmount).toBe(0);
    const withFreight = q(first.order, { kind: 'refund_only', items: [{ lineId: 'B', quantity: 1 }], includeShipping: true });
    expect(withFreight.ok && withFreight.quote.shippingAmount).toBe(800);
    // Once an after-sale holds the freight, no later quote gets it, even when asked for.
    const a = first.order.afterSales[0]!;
    const holding = { ...first.order, afterSales: [{ ...a, amount: a.amount + 800, shippingAmount: 800 }] };
    const again = q(holding, { kind: 'refund_only', includeShipping: true });
    if (!again.ok) throw again.error;
    expect(again.quote.shippingAmount).toBe(0);
    expect(again.quote.shipping.reason.en).toContain('once at most');
    expect(again.quote.takesLastUnit).toBe(true);
  });
});

describe('refundQuote — every error has a code, a path and both languages', () => {
  const cases: Array<[string, () => ReturnType<typeof refundQuote>, string, ReadonlyArray<string | number>]> = [
    ['UNKNOWN_LINE', () => q(simple(), { kind: 'refund_only', items: [{ lineId: 'A', quantity: 1 }, { lineId: 'Z', quantity: 1 }] }), 'UNKNOWN_LINE', ['items', 1, 'lineId']],
    ['DUPLICATE_LINE', () => q(simple(), { kind: 'refund_only', items: [{ lineId: 'A', quantity: 1 }, { lineId: 'A', quantity: 1 }] }), 'DUPLICATE_LINE', ['items', 1, 'lineId']],
    ['QUANTITY_EXCEEDS_REFUNDABLE', () => q(simple(), { kind: 'refund_only', items: [{ lineId: 'B', quantity: 3 }] }), 'QUANTITY_EXCEEDS_REFUNDABLE', ['items', 0, 'quantity']],
    ['RETURN_EXCEEDS_SHIPPED before shipment', () => q(simple(), { kind: 'return_and_refund', items: [{ lineId: 'A', quantity: 1 }] }), 'RETURN_EXCEEDS_SHIPPED', ['items', 0, 'quantity']],
    [
      'RETURN_EXCEEDS_SHIPPED beyond the parcel',
      () => q(shipped(simple(), [{ lineId: 'A', quantity: 1 }]), { kind: 'return_and_refund', items: [{ lineId: 'A', quantity: 2 }] }),
      'RETURN_EXCEEDS_SHIPPED',
      ['items', 0, 'quantity'],
    ],
    ['WINDOW_CLOSED', () => q(completed(shipped(simple())), { kind: 'return_and_refund' }, new Date('2026-12-05T02:00:00.001Z')), 'WINDOW_CLOSED', []],
    ['REFUND_PERIOD_OVER', () => q(shipped(simple()), { kind: 'refund_only' }, new Date('2027-11-25T04:00:00.001Z')), 'REFUND_PERIOD_OVER', []],
    ['REFUND_EXCEEDS_PAID', () => q(withLedgerEntry(simple(), { amount: 5000 }), { kind: 'refund_only', items: [{ lineId: 'A', quantity: 3 }] }), 'REFUND_EXCEEDS_PAID', ['amount']],
    ['TOO_MANY_REFUNDS', () => q(withLedgerEntry(withLedgerEntry(simple(), { amount: 1 }), { amount: 1 }), { kind: 'refund_only', items: [{ lineId: 'A', quantity: 1 }] }, T0, definePolicy({ maxPartialRefunds: 2 })), 'TOO_MANY_REFUNDS', []],
    // A free line named explicitly is a valid request (it completes without a refund, test/refund/quote-parity.test.ts);
    // a whole-order request that finds nothing worth money is not.
    [
      'NOTHING_TO_REFUND (whole order, only goods worth nothing)',
      () => q(paidOrder({ lines: [{ id: 'A', listPrice: 100, quantity: 1, allocations: [{ source: 'coupon', sourceId: 'c', amount: 100 }] }, { id: 'G', listPrice: 0, quantity: 1 }], freight: 500 }), { kind: 'refund_only' }, T0, definePolicy({ refundShipping: 'never' })),
      'NOTHING_TO_REFUND',
      [],
    ],
    ['INVALID_TRANSITION (unpaid)', () => q({ ...simple(), status: 'pending_payment' }, { kind: 'refund_only' }), 'INVALID_TRANSITION', ['type']],
    ['INVALID_TRANSITION (closed)', () => q({ ...simple(), status: 'closed', closeReason: 'merchant_cancelled' }, { kind: 'refund_only' }), 'INVALID_TRANSITION', ['type']],
  ];
  for (const [name, run, code, path] of cases) {
    it(name, () => {
      const e = errorOf(run());
      expect(e.code).toBe(code);
      expect(e.path).toEqual(path);
      expect(e.messages.en.length).toBeGreaterThan(5);
      expect(e.messages['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
    });
  }

  it('counts units held by an open after-sale as not refundable', () => {
    const noAuto = definePolicy({ autoApproveRefundBeforeShipment: false });
    const r = requestAfterSale(simple(), { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'B', quantity: 1 }], reason: 'r' }, ctx(undefined, T0, noAuto));
    if (!r.ok) throw r.error;
    const e = errorOf(q(r.order, { kind: 'refund_only', items: [{ lineId: 'B', quantity: 2 }] }));
    expect(e.code).toBe('QUANTITY_EXCEEDS_REFUNDABLE');
    expect(e.details).toMatchObject({ refundable: 1, requested: 2 });
  });

  it('the window is open up to and including afterSaleUntil', () => {
    const order = completed(shipped(simple()));
    const r = q(order, { kind: 'return_and_refund' }, new Date(order.deadlines.afterSaleUntil!));
    expect(r.ok).toBe(true);
  });

  it('NOTHING_TO_REFUND once every unit is held', () => {
    const r = requestAfterSale(simple(), { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: 'r' }, ctx(undefined, T0, definePolicy({ autoApproveRefundBeforeShipment: false })));
    if (!r.ok) throw r.error;
    expect(errorOf(q(r.order, { kind: 'refund_only' })).code).toBe('NOTHING_TO_REFUND');
  });
});
