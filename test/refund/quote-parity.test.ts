import { describe, expect, it } from 'vitest';
import { transition } from '../../src/lifecycle/index.js';
import { OrderSchema, parseCommand, type Actor, type Order } from '../../src/order/index.js';
import { definePolicy, type Policy } from '../../src/order/policy.js';
import { refundQuote } from '../../src/refund/index.js';
import { CUSTOMER, deepFreeze, GATEWAY, MERCHANT, paidOrder, shipped, T0 } from './fixtures.js';

/**
 * Two refund bugs found by comparing with peers' tests (issue 19 item 6, docs/after-sales.md):
 * - a request could not take the freight its own quote offered (`includeShipping` was refused);
 * - a free gift (a line with payable 0) could not be returned (NOTHING_TO_REFUND).
 */

function run(order: Order, command: unknown, actor: Actor, policy: Policy = definePolicy()) {
  const parsed = parseCommand(command);
  if (!parsed.ok) throw parsed.error;
  const r = transition(order, parsed.command, { now: T0, actor, policy });
  if (!r.ok) throw r.error;
  expect(OrderSchema.safeParse(r.order).success).toBe(true);
  return r;
}

describe('REQUEST_AFTER_SALE takes what refundQuote offered', () => {
  const order = deepFreeze(paidOrder({ lines: [{ id: 'A', listPrice: 3000, quantity: 2 }, { id: 'B', listPrice: 1000, quantity: 1 }], freight: 800 }));

  it('includeShipping: true refunds the freight the quote showed, not less', () => {
    const policy = definePolicy({ autoApproveRefundBeforeShipment: false });
    const request = { kind: 'refund_only' as const, items: [{ lineId: 'A', quantity: 1 }], includeShipping: true };
    const q = refundQuote(order, request, { now: T0, policy });
    if (!q.ok) throw q.error;
    expect(q.quote).toMatchObject({ itemsAmount: 3000, shippingAmount: 800, amount: 3800 });
    const r = run(order, { type: 'REQUEST_AFTER_SALE', reason: '运费也退', ...request }, CUSTOMER, policy);
    expect(r.order.afterSales[0]).toMatchObject({ amount: q.quote.amount, shippingAmount: 800 });
    // The freight came back once: the last unit later brings none.
    const approved = run(r.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: r.order.afterSales[0]!.id }, MERCHANT, policy);
    const rest = run(approved.order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: 'rest' }, CUSTOMER, policy);
    expect(rest.order.afterSales[1]).toMatchObject({ amount: 4000, shippingAmount: 0 });
  });

  it('includeShipping: false leaves the freight out even with the last unit; the policy still has the last word', () => {
    const r = run(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: 'r', includeShipping: false }, CUSTOMER);
    expect(r.order.afterSales[0]).toMatchObject({ amount: 7000, shippingAmount: 0 });
    const sent = shipped(order);
    const never = run(sent, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'B', quantity: 1 }], reason: 'r', includeShipping: true }, CUSTOMER);
    // before_shipment (the default): once the parcel has left, asking does not bring the freight back.
    expect(never.order.afterSales[0]).toMatchObject({ amount: 1000, shippingAmount: 0 });
    const always = run(sent, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'B', quantity: 1 }], reason: 'r', includeShipping: true }, CUSTOMER, definePolicy({ refundShipping: 'always' }));
    expect(always.order.afterSales[0]).toMatchObject({ amount: 1800, shippingAmount: 800 });
  });

  it('a non-boolean includeShipping is INVALID_COMMAND with its path', () => {
    const parsed = parseCommand({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', reason: 'r', includeShipping: 'yes' });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe('INVALID_COMMAND');
    expect(JSON.stringify(parsed.error.issues)).toContain('includeShipping');
  });
});

describe('the return of a free gift', () => {
  // A paid item and a free gift (满赠): the gift's payable is 0.
  const order = deepFreeze(paidOrder({ lines: [{ id: 'A', sku: 'TEA', listPrice: 5000, quantity: 1 }, { id: 'G', sku: 'GIFT-CUP', listPrice: 0, quantity: 1 }], freight: 0 }));

  it('completes with no gateway refund and restocks (return after shipment)', () => {
    const sent = shipped(order);
    const asked = run(sent, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'G', quantity: 1 }], reason: '赠品不要了' }, CUSTOMER);
    const id = asked.order.afterSales[0]!.id;
    expect(asked.order.afterSales[0]).toMatchObject({ status: 'requested', amount: 0 });
    const approved = run(asked.order, { type: 'APPROVE_AFTER_SALE', afterSaleId: id }, MERCHANT);
    const back = run(approved.order, { type: 'RETURN_SHIPPED', afterSaleId: id, trackingNo: 'SF1', expressCompany: 'SF' }, CUSTOMER);
    const received = run(back.order, { type: 'RETURN_RECEIVED', afterSaleId: id }, MERCHANT);
    expect(received.order.afterSales[0]!.status).toBe('refunded');
    expect(received.order.afterSales[0]!.refundId).toBeUndefined();
    expect(received.order.refunds).toEqual([]);
    expect(received.effects.some((e) => e.type === 'payment.refund')).toBe(false);
    expect(received.effects.find((e) => e.type === 'inventory.release')).toMatchObject({ items: [{ sku: 'GIFT-CUP', quantity: 1 }] });
    expect(received.order.status).toBe('shipped');
    // The paid item is still fully refundable, and its refund closes the order.
    const rest = run(received.order, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', reason: 'rest' }, CUSTOMER);
    expect(rest.order.afterSales[1]).toMatchObject({ items: [{ lineId: 'A', quantity: 1 }], amount: 5000 });
  });

  it('refund-only before shipment: done at once, the gift goes back to stock and never ships', () => {
    const r = run(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'G', quantity: 1 }], reason: '不要赠品' }, CUSTOMER);
    expect(r.order.afterSales[0]).toMatchObject({ status: 'refunded', amount: 0 });
    expect(r.order.refunds).toEqual([]);
    expect(r.effects.map((e) => e.type)).toEqual(['notify', 'inventory.release', 'notify']);
    expect(r.effects.find((e) => e.type === 'inventory.release')).toMatchObject({ items: [{ sku: 'GIFT-CUP', quantity: 1 }], reason: 'refund_before_shipment' });
    const ship = run(r.order, { type: 'SHIP', logisticsType: 'express' }, MERCHANT);
    expect(ship.order.shipments[0]!.items).toEqual([{ lineId: 'A', quantity: 1 }]);
  });

  it('a whole-order request that finds only gifts left is still NOTHING_TO_REFUND', () => {
    const r = run(order, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'A', quantity: 1 }], reason: 'r' }, CUSTOMER);
    const done = run(r.order, { type: 'REFUND_SUCCEEDED', refundId: r.order.refunds[0]!.id, amount: 5000 }, GATEWAY);
    expect(done.order.status).toBe('closed');
    const left = refundQuote({ ...r.order }, { kind: 'refund_only' }, { now: T0, policy: definePolicy() });
    expect(left.ok ? 'ok' : left.error.code).toBe('NOTHING_TO_REFUND');
  });
});
