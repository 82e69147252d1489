import { describe, expect, it } from 'vitest';
import { definePolicy } from '../../src/order/policy.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { buildLine, CUSTOMER, GATEWAY, MERCHANT, T0 } from './fixtures.js';
import { direct, viaTransition, type Driver } from './harness.js';

/**
 * A request for goods worth nothing holds no money, so refunding everything else closes the order
 * while it is still `requested` (found by full-refund.test.ts, seed 851466540). It must not stay
 * open for good: withdrawing, rejecting and approving (for nothing) still apply on the closed order
 * (docs/after-sales.md, "Goods worth nothing").
 */
const policy = definePolicy({ refundShipping: 'before_shipment', autoApproveRefundBeforeShipment: false, restockOnReturn: false });
const lines = [buildLine({ id: 'L1', sku: 'A', title: 'a', listPrice: 1, quantity: 4 }), buildLine({ id: 'L2', sku: 'B', title: 'gift', listPrice: 0, quantity: 2 })];

function closedWithOpenRequest(driver: Driver): { order: Order; open: string; run: (order: Order, c: Command, a: Actor) => Order | string } {
  const run = (order: Order, c: Command, a: Actor): Order | string => {
    const r = driver.run(order, c, a, T0, policy);
    return r.ok ? r.order : r.code;
  };
  const must = (order: Order, c: Command, a: Actor): Order => {
    const r = run(order, c, a);
    if (typeof r === 'string') throw new Error(`${c.type}: ${r}`);
    return r;
  };
  const refundAll = (order: Order, lineId: string, quantity: number): Order => {
    let o = must(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId, quantity }], reason: 'r' }, CUSTOMER);
    const id = o.afterSales[o.afterSales.length - 1]!.id;
    o = must(o, { type: 'APPROVE_AFTER_SALE', afterSaleId: id }, MERCHANT);
    const refund = o.refunds.find((x) => x.id === o.afterSales.find((a) => a.id === id)!.refundId)!;
    return must(o, { type: 'REFUND_SUCCEEDED', refundId: refund.id, amount: refund.amount }, GATEWAY);
  };
  let order = refundAll(driver.start(lines, 0, policy), 'L1', 3);
  order = must(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L2', quantity: 1 }], reason: 'gift' }, CUSTOMER);
  const open = order.afterSales[order.afterSales.length - 1]!.id;
  order = refundAll(order, 'L1', 1);
  return { order, open, run };
}

describe.each([direct, viaTransition])('a request worth nothing on an order closed by refunding everything else ($name)', (driver) => {
  it('is still open when the order closes', () => {
    const { order, open } = closedWithOpenRequest(driver);
    expect(order.status).toBe('closed');
    expect(order.closeReason).toBe('fully_refunded');
    expect(order.afterSales.find((a) => a.id === open)!.status).toBe('requested');
  });

  it('can be withdrawn by the customer, once', () => {
    const { order, open, run } = closedWithOpenRequest(driver);
    const after = run(order, { type: 'CANCEL_AFTER_SALE', afterSaleId: open }, CUSTOMER) as Order;
    expect(after.status).toBe('closed');
    expect(after.afterSales.find((a) => a.id === open)!.status).toBe('cancelled');
    expect(after.refunds).toEqual(order.refunds);
    expect(run(after, { type: 'REJECT_AFTER_SALE', afterSaleId: open, reason: 'late' }, MERCHANT)).toBe('INVALID_AFTER_SALE_TRANSITION');
  });

  it('can be rejected by the merchant', () => {
    const { order, open, run } = closedWithOpenRequest(driver);
    const after = run(order, { type: 'REJECT_AFTER_SALE', afterSaleId: open, reason: 'order closed' }, MERCHANT) as Order;
    expect(after.afterSales.find((a) => a.id === open)!.status).toBe('rejected');
    expect(after.refunds).toEqual(order.refunds);
  });

  it('can be approved: it completes without money (the closed order pays nothing more)', () => {
    const { order, open, run } = closedWithOpenRequest(driver);
    const after = run(order, { type: 'APPROVE_AFTER_SALE', afterSaleId: open }, MERCHANT) as Order;
    expect(after.status).toBe('closed');
    expect(after.afterSales.find((a) => a.id === open)).toMatchObject({ status: 'refunded', amount: 0 });
    expect(after.refunds).toEqual(order.refunds);
  });

  it('still refuses new requests on the closed order', () => {
    const { order, run } = closedWithOpenRequest(driver);
    expect(run(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L2', quantity: 1 }], reason: 'x' }, CUSTOMER)).toBe('INVALID_TRANSITION');
  });
});
