import { describe, expect, it } from 'vitest';
import { definePolicy } from '../../src/order/policy.js';
import { transition } from '../../src/lifecycle/index.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { refundQuote, requestAfterSale, succeededRefundTotal } from '../../src/refund/index.js';
import { ctx, CUSTOMER, GATEWAY, MERCHANT, paidOrder, promoOrder, T0 } from './fixtures.js';
import { viaTransition } from './harness.js';

/**
 * The cases the issue names, each worked by hand in the comments and checked against the code.
 */

const policy = definePolicy();

function drive(start: Order) {
  let order = start;
  const effects: Array<Record<string, unknown>> = [];
  const send = (command: Command, actor: Actor, now: Date) => {
    const r = transition(order, command, { now, actor, policy });
    if (!r.ok) return r.error;
    order = r.order;
    effects.push(...(r.effects as unknown as Array<Record<string, unknown>>));
    return undefined;
  };
  return { send, get order() { return order; }, effects };
}

describe('a partial refund after 满减 plus a coupon', () => {
  // T-shirt 3 × ¥33.33 = 9999, mug 1 × ¥50.01 = 5001; goods 15000.
  // 满减 ¥10 (1000) over the lines by payable, SKU order (MUG-01, TS-01):
  //   1000 × 5001/15000 = 333.4 → 333, 1000 × 9999/15000 = 666.6 → 666, the spare fen to the
  //   larger remainder (.6): mug 333, T-shirt 667.
  // Coupon ¥5 (500) over what is left (mug 4668, T-shirt 9332):
  //   500 × 4668/14000 = 166.71 → 166, 500 × 9332/14000 = 333.28 → 333, the spare fen to .71:
  //   mug 167, T-shirt 333.
  // Payables: T-shirt 9999 − 667 − 333 = 8999, mug 5001 − 333 − 167 = 4501; freight 1000; paid 14500.
  const order = promoOrder();

  it('stores the allocations the hand arithmetic says', () => {
    expect(order.lines.map((l) => [l.id, l.allocations.map((a) => a.amount), l.payable])).toEqual([
      ['L1', [667, 333], 8999],
      ['L2', [333, 167], 4501],
    ]);
    expect(order.payment.paidAmount).toBe(14500);
  });

  it('refunds two T-shirts at their unit shares, not at a re-run promotion', () => {
    // 8999 over 3 units: 2999 each, 2 fen left over → shares 3000, 3000, 2999.
    const q = refundQuote(order, { kind: 'refund_only', items: [{ lineId: 'L1', quantity: 2 }] }, { now: T0, policy });
    if (!q.ok) throw q.error;
    expect(q.quote.amount).toBe(6000);
    expect(q.quote.lines[0]!.unitShares).toEqual([{ amount: 3000, units: 2 }]);
    expect(q.quote.shippingAmount).toBe(0); // freight waits for the last money
  });

  it('the last T-shirt takes the remainder, and the mug takes the freight with the last money', () => {
    const first = requestAfterSale(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: 2 }], reason: 'r' }, ctx());
    if (!first.ok) throw first.error;
    const second = requestAfterSale(first.order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }], reason: 'r' }, ctx());
    if (!second.ok) throw second.error;
    expect(second.order.afterSales[1]!.amount).toBe(2999); // 8999 − 6000
    const third = requestAfterSale(second.order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: 'r' }, ctx());
    if (!third.ok) throw third.error;
    expect(third.order.afterSales[2]).toMatchObject({ amount: 5501, shippingAmount: 1000 }); // 4501 + 1000
    expect(third.order.refunds.reduce((s, r) => s + r.amount, 0)).toBe(14500);
  });
});

describe('the last unit takes the remainder', () => {
  it('1000 fen over 3 units: 334, then 333, then the remaining 333', () => {
    let order = paidOrder({ lines: [{ id: 'A', listPrice: 500, quantity: 3, allocations: [{ source: 'coupon', sourceId: 'c', amount: 500 }] }] });
    const amounts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = requestAfterSale(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'A', quantity: 1 }], reason: 'r' }, ctx());
      if (!r.ok) throw r.error;
      order = r.order;
      amounts.push(order.afterSales[i]!.amount);
    }
    expect(amounts).toEqual([334, 333, 333]);
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(1000);
  });
});

describe('a return after shipment, through transition()', () => {
  const lines = paidOrder({ lines: [{ id: 'A', sku: 'SKU-A', listPrice: 2000, quantity: 2 }], freight: 600 }).lines;
  const start = () => viaTransition.start(lines, 600, policy);
  const shippedAt = new Date('2026-11-26T02:00:00.000Z');
  const confirmedAt = new Date('2026-11-28T02:00:00.000Z');

  function receivedOrder() {
    const d = drive(start());
    expect(d.send({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF100', expressCompany: 'SF' }, MERCHANT, shippedAt)).toBeUndefined();
    expect(d.send({ type: 'CONFIRM_RECEIPT' }, CUSTOMER, confirmedAt)).toBeUndefined();
    expect(d.order.status).toBe('completed');
    return d;
  }

  it('inside the window: approve, send back, receive, refund — freight stays (it shipped)', () => {
    const d = receivedOrder();
    // afterSaleWindow 7 days in Asia/Shanghai from 2026-11-28 10:00 local = 2026-12-05 10:00 local.
    expect(d.order.deadlines.afterSaleUntil).toBe('2026-12-05T02:00:00.000Z');
    const inside = new Date('2026-12-05T02:00:00.000Z');
    expect(d.send({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'A', quantity: 1 }], reason: '尺码不合适' }, CUSTOMER, inside)).toBeUndefined();
    const id = d.order.afterSales[0]!.id;
    expect(d.send({ type: 'APPROVE_AFTER_SALE', afterSaleId: id }, MERCHANT, inside)).toBeUndefined();
    expect(d.send({ type: 'RETURN_SHIPPED', afterSaleId: id, trackingNo: 'YT9', expressCompany: 'YTO' }, CUSTOMER, inside)).toBeUndefined();
    expect(d.send({ type: 'RETURN_RECEIVED', afterSaleId: id }, MERCHANT, new Date('2026-12-08T02:00:00.000Z'))).toBeUndefined();
    const refund = d.order.refunds[0]!;
    expect(refund.amount).toBe(2000);
    expect(d.effects.filter((e) => e.type === 'inventory.release').map((e) => e.items)).toContainEqual([{ sku: 'SKU-A', quantity: 1 }]);
    expect(d.send({ type: 'REFUND_SUCCEEDED', refundId: refund.id, amount: 2000 }, GATEWAY, new Date('2026-12-08T03:00:00.000Z'))).toBeUndefined();
    expect(d.order.afterSales[0]!.status).toBe('refunded');
    expect(d.order.status).toBe('completed'); // 2000 of 4600 came back: not fully refunded
    expect(succeededRefundTotal(d.order)).toBe(2000);
  });

  it('outside the window: WINDOW_CLOSED, nothing changes', () => {
    const d = receivedOrder();
    const before = d.order;
    const e = d.send({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', reason: '晚了' }, CUSTOMER, new Date('2026-12-05T02:00:00.001Z'));
    expect(e?.code).toBe('WINDOW_CLOSED');
    // The shop's wall clock in the message, the exact moment in the details.
    expect(e?.messages['zh-CN']).toContain('已于 2026-12-05 10:00 截止');
    expect(e?.details).toEqual({ afterSaleUntil: '2026-12-05T02:00:00.000Z' });
    expect(d.order).toBe(before);
  });
});

describe('a failed refund is retried with the same id', () => {
  it('REFUND_FAILED, then APPROVE_AFTER_SALE re-sends payment.refund under the same out_refund_no', () => {
    const d = drive(viaTransition.start(paidOrder({ lines: [{ id: 'A', listPrice: 1500, quantity: 2 }] }).lines, 0, policy));
    expect(d.send({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'A', quantity: 1 }], reason: '不想要了' }, CUSTOMER, T0)).toBeUndefined();
    const refundId = d.order.refunds[0]!.id;
    expect(d.send({ type: 'REFUND_FAILED', refundId, reason: 'NOTENOUGH' }, GATEWAY, T0)).toBeUndefined();
    expect(d.order.refunds[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(d.send({ type: 'APPROVE_AFTER_SALE', afterSaleId: d.order.afterSales[0]!.id }, MERCHANT, T0)).toBeUndefined();
    const refunds = d.effects.filter((e) => e.type === 'payment.refund');
    expect(refunds).toHaveLength(2);
    expect(refunds[0]).toMatchObject({ refundId, amount: 1500, total: 3000 });
    expect(refunds[1]).toMatchObject({ refundId, amount: 1500, total: 3000 });
    expect(refunds[0]!.id).not.toBe(refunds[1]!.id); // two deliveries of the same refund, each its own effect
    expect(d.order.refunds).toHaveLength(1);
    expect(d.send({ type: 'REFUND_SUCCEEDED', refundId, amount: 1500 }, GATEWAY, T0)).toBeUndefined();
    expect(d.order.refunds[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
  });
});
