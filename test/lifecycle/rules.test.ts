import { describe, expect, it } from 'vitest';
import { OrderSchema, type Order } from '../../src/order/index.js';
import { definePolicy, transition } from '../../src/lifecycle/index.js';
import {
  DAY,
  MINUTE,
  NOW,
  at,
  customer,
  errorCode,
  gateway,
  line,
  merchant,
  must,
  pay,
  place,
  shipAll,
  stranger,
  system,
} from './fixtures.js';

describe('payment', () => {
  it('pays the order when the amount equals the attempt', () => {
    const order = place();
    const r = must(order, { type: 'PAYMENT_SUCCEEDED', amount: 2500, transactionId: 'tx-1' }, gateway, at(5 * MINUTE));
    expect(r.order.status).toBe('paid');
    expect(r.order.payment.paidAmount).toBe(2500);
    expect(r.order.payment.transactionId).toBe('tx-1');
    expect(r.order.payment.attempts[0]!.status).toBe('paid');
    expect(r.order.paidAt).toBe(at(5 * MINUTE).toISOString());
    expect(r.order.version).toBe(order.version + 1);
    expect(r.events).toEqual([
      expect.objectContaining({ orderId: 'o1', version: 2, type: 'PAYMENT_SUCCEEDED', from: 'pending_payment', to: 'paid', actor: gateway }),
    ]);
    expect(r.events[0]!.data).toMatchObject({ amount: 2500, transactionId: 'tx-1' });
    expect(r.effects.map((e) => e.type)).toEqual(['notify', 'notify']);
    expect(r.effects.map((e) => e.id)).toEqual(['o1:2:0', 'o1:2:1']);
  });

  it('refuses a wrong amount with AMOUNT_MISMATCH and changes nothing', () => {
    const order = place();
    const r = transition(order, { type: 'PAYMENT_SUCCEEDED', amount: 2499, transactionId: 'tx-1' }, { now: NOW, actor: gateway });
    expect(errorCode(r)).toBe('AMOUNT_MISMATCH');
    expect(!r.ok && r.error.path).toEqual(['amount']);
    expect(!r.ok && r.error.details).toEqual({ expected: 2500, got: 2499 });
    expect(!r.ok && r.error.messages['zh-CN']).toContain('¥24.99');
    expect(order.status).toBe('pending_payment');
  });

  it('treats the same transaction again as an accepted no-op without a new version', () => {
    const paid = pay(place());
    const r = must(paid, { type: 'PAYMENT_SUCCEEDED', amount: 2500, transactionId: 'tx-1' }, gateway);
    expect(r.changed).toBe(false);
    expect(r.order).toBe(paid);
    expect(r.events).toEqual([]);
    expect(r.effects).toEqual([]);
  });

  it('refuses a different transaction for a paid order with ALREADY_PAID', () => {
    const paid = pay(place());
    const r = transition(paid, { type: 'PAYMENT_SUCCEEDED', amount: 2500, transactionId: 'tx-9' }, { now: NOW, actor: gateway });
    expect(errorCode(r)).toBe('ALREADY_PAID');
  });

  it('refuses an unknown attempt', () => {
    const r = transition(place(), { type: 'PAYMENT_SUCCEEDED', amount: 2500, transactionId: 'tx-1', outTradeNo: 'nope' }, { now: NOW, actor: gateway });
    expect(errorCode(r)).toBe('UNKNOWN_PAYMENT_ATTEMPT');
  });

  it('uses paidAt from the gateway when given', () => {
    const r = must(place(), { type: 'PAYMENT_SUCCEEDED', amount: 2500, transactionId: 'tx-1', paidAt: '2026-11-25T04:01:00.000Z' }, gateway, at(3 * MINUTE));
    expect(r.order.paidAt).toBe('2026-11-25T04:01:00.000Z');
    expect(r.order.payment.gateway).toBe('wechatpay');
  });

  it('records a payment after close as a stray payment, refunds it in full and stays closed', () => {
    const expired = must(place(), { type: 'EXPIRE' }, system, at(30 * MINUTE)).order;
    expect(expired.payment.attempts[0]!.status).toBe('closed');
    const r = must(expired, { type: 'PAYMENT_SUCCEEDED', amount: 2500, transactionId: 'tx-late' }, gateway, at(31 * MINUTE));
    expect(r.order.status).toBe('closed');
    expect(r.order.closeReason).toBe('payment_timeout');
    // Never the order's money: kept in payment.stray with its own refund (docs/lifecycle.md, stray payments).
    expect(r.order.payment.paidAmount).toBe(0);
    expect(r.order.payment.transactionId).toBeUndefined();
    expect(r.order.payment.stray).toEqual([expect.objectContaining({ transactionId: 'tx-late', amount: 2500, reason: 'order_closed', refundId: r.order.refunds[0]!.id })]);
    expect(r.order.refunds).toEqual([expect.objectContaining({ reason: 'stray_payment', amount: 2500, status: 'pending', transactionId: 'tx-late' })]);
    const refund = r.effects.find((e) => e.type === 'payment.refund');
    expect(refund).toMatchObject({ refundId: r.order.refunds[0]!.id, amount: 2500, total: 2500, transactionId: 'tx-late', reason: 'stray_payment' });
    expect(r.events[0]).toMatchObject({ from: 'closed', to: 'closed' });
    // The same late notification again is a no-op; a third, different payment is a stray payment of its own.
    expect(must(r.order, { type: 'PAYMENT_SUCCEEDED', amount: 2500, transactionId: 'tx-late' }, gateway).changed).toBe(false);
    expect(must(r.order, { type: 'PAYMENT_SUCCEEDED', amount: 2500, transactionId: 'tx-x' }, gateway).order.payment.stray.map((s) => s.transactionId)).toEqual(['tx-late', 'tx-x']);
    // The late-payment refund completes through the refund results.
    const done = must(r.order, { type: 'REFUND_SUCCEEDED', refundId: r.order.refunds[0]!.id }, gateway);
    expect(done.order.refunds[0]!.status).toBe('succeeded');
    expect(done.order.status).toBe('closed');
    expect(done.order.closeReason).toBe('payment_timeout');
  });

  it('records a late payment of any amount as a stray payment of that amount', () => {
    const expired = must(place(), { type: 'EXPIRE' }, system, at(30 * MINUTE)).order;
    const r = must(expired, { type: 'PAYMENT_SUCCEEDED', amount: 1, transactionId: 't' }, gateway);
    expect(r.order.payment.stray.map((s) => s.amount)).toEqual([1]);
    expect(r.effects.find((e) => e.type === 'payment.refund')).toMatchObject({ amount: 1, total: 1 });
  });
});

describe('virtual goods', () => {
  it('ship themselves on payment with a virtual shipping upload and an auto-confirm deadline', () => {
    const order = place({ lines: [line('card', 1, 3000, { fulfillment: 'virtual' })] });
    expect(order.fulfillment).toBe('virtual');
    const r = must(order, { type: 'PAYMENT_SUCCEEDED', amount: 3000, transactionId: 'tx-1' }, gateway);
    expect(r.order.status).toBe('shipped');
    expect(r.order.shipments).toEqual([expect.objectContaining({ logisticsType: 'virtual', items: [{ lineId: 'card', quantity: 1 }] })]);
    const upload = r.effects.find((e) => e.type === 'shipping.upload');
    expect(upload).toMatchObject({ logisticsType: 'virtual', allDelivered: true });
    expect(r.order.deadlines.autoConfirmAt).toBe(new Date(NOW.getTime() + 7 * DAY).toISOString());
    expect(r.effects.find((e) => e.type === 'schedule')).toMatchObject({ command: { type: 'AUTO_CONFIRM' }, at: r.order.deadlines.autoConfirmAt });
  });
});

describe('cancel and expire', () => {
  it('EXPIRE before payBy is DEADLINE_NOT_REACHED; at payBy it closes with payment_timeout', () => {
    const order = place({ couponIds: ['C1'] });
    expect(errorCode(transition(order, { type: 'EXPIRE' }, { now: at(29 * MINUTE), actor: system }))).toBe('DEADLINE_NOT_REACHED');
    const r = must(order, { type: 'EXPIRE' }, system, at(30 * MINUTE));
    expect(r.order.status).toBe('closed');
    expect(r.order.closeReason).toBe('payment_timeout');
    expect(r.order.closedAt).toBe(at(30 * MINUTE).toISOString());
    expect(r.effects.map((e) => e.type)).toEqual(['payment.close', 'inventory.release', 'coupon.release']);
    expect(r.effects[1]).toMatchObject({ items: [{ sku: 'SKU-a', quantity: 2 }, { sku: 'SKU-b', quantity: 1 }] });
    expect(r.effects[2]).toMatchObject({ couponIds: ['C1'] });
  });

  it('a customer cancel before payment closes as customer_cancelled', () => {
    const r = must(place(), { type: 'CANCEL', reason: '拍错了' }, customer);
    expect(r.order.closeReason).toBe('customer_cancelled');
    expect(r.events[0]!.data).toMatchObject({ reason: '拍错了' });
    expect(r.effects.map((e) => e.type)).toEqual(['payment.close', 'inventory.release']);
  });

  it('a merchant cancel after payment refunds in full and closes as merchant_cancelled', () => {
    const paid = pay(place({ freight: 800 }));
    const r = must(paid, { type: 'CANCEL', reason: '缺货' }, merchant);
    expect(r.order.status).toBe('closed');
    expect(r.order.closeReason).toBe('merchant_cancelled');
    expect(r.order.refunds).toEqual([expect.objectContaining({ reason: 'merchant_cancel', amount: 3300, status: 'pending' })]);
    expect(r.effects.find((e) => e.type === 'payment.refund')).toMatchObject({ amount: 3300, total: 3300, transactionId: 'tx-1' });
    expect(r.effects.some((e) => e.type === 'inventory.release')).toBe(true);
    const settled = must(r.order, { type: 'REFUND_SUCCEEDED', refundId: r.order.refunds[0]!.id, amount: 3300 }, gateway);
    expect(settled.order.refunds[0]!.status).toBe('succeeded');
    expect(settled.order.closeReason).toBe('merchant_cancelled');
  });

  it('a customer cancel after payment becomes a refund-only after-sale for the whole order', () => {
    const paid = pay(place());
    const r = must(paid, { type: 'CANCEL' }, customer);
    expect(r.order.status).toBe('paid');
    expect(r.order.afterSales).toEqual([expect.objectContaining({ kind: 'refund_only', amount: 2500 })]);
    // The default policy approves a refund before shipment at once.
    expect(r.order.refunds).toEqual([expect.objectContaining({ amount: 2500, status: 'pending' })]);
    const done = must(r.order, { type: 'REFUND_SUCCEEDED', refundId: r.order.refunds[0]!.id }, gateway);
    expect(done.order.status).toBe('closed');
    expect(done.order.closeReason).toBe('fully_refunded');
    expect(done.events[0]).toMatchObject({ from: 'paid', to: 'closed' });
  });

  it('without auto-approval the customer cancel waits for the merchant', () => {
    const policy = definePolicy({ autoApproveRefundBeforeShipment: false });
    const r = must(pay(place()), { type: 'CANCEL' }, customer, NOW, policy);
    expect(r.order.afterSales[0]!.status).toBe('requested');
    expect(r.order.refunds).toEqual([]);
  });

  it('no cancel once something has shipped', () => {
    const part = must(pay(place()), { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'a', quantity: 1 }] }, merchant).order;
    expect(errorCode(transition(part, { type: 'CANCEL' }, { now: NOW, actor: merchant }))).toBe('INVALID_TRANSITION');
  });
});

describe('shipping', () => {
  it('ships part, then the rest; full shipment sets autoConfirmAt and schedules AUTO_CONFIRM', () => {
    const paid = pay(place());
    const first = must(paid, { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'a', quantity: 1 }], trackingNo: 'SF1', expressCompany: 'SF' }, merchant);
    expect(first.order.status).toBe('partially_shipped');
    expect(first.order.shipments[0]).toMatchObject({ id: `${paid.number}-S1`, items: [{ lineId: 'a', quantity: 1 }], trackingNo: 'SF1' });
    expect(first.effects[0]).toMatchObject({ type: 'shipping.upload', allDelivered: false });
    expect(first.order.deadlines.autoConfirmAt).toBeUndefined();
    const rest = must(first.order, { type: 'SHIP', logisticsType: 'express' }, merchant, at(DAY));
    expect(rest.order.status).toBe('shipped');
    expect(rest.order.shipments[1]!.items).toEqual([
      { lineId: 'a', quantity: 1 },
      { lineId: 'b', quantity: 1 },
    ]);
    expect(rest.order.shippedAt).toBe(at(DAY).toISOString());
    expect(rest.order.deadlines.autoConfirmAt).toBe(at(8 * DAY).toISOString());
    expect(rest.effects.map((e) => e.type)).toEqual(['shipping.upload', 'schedule', 'notify']);
    expect(rest.effects[0]).toMatchObject({ allDelivered: true });
  });

  it('ships split parcels of one line and merges repeated line ids', () => {
    const r = must(pay(place()), { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'a', quantity: 1 }, { lineId: 'a', quantity: 1 }, { lineId: 'b', quantity: 1 }] }, merchant);
    expect(r.order.status).toBe('shipped');
    expect(r.order.shipments[0]!.items).toEqual([
      { lineId: 'a', quantity: 2 },
      { lineId: 'b', quantity: 1 },
    ]);
  });

  it('rejects unknown lines, too many units, and a duplicate shipment id', () => {
    const paid = pay(place());
    const unknown = transition(paid, { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'zz', quantity: 1 }] }, { now: NOW, actor: merchant });
    expect(errorCode(unknown)).toBe('UNKNOWN_LINE');
    expect(!unknown.ok && unknown.error.path).toEqual(['items', 0, 'lineId']);
    const tooMany = transition(paid, { type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'b', quantity: 2 }] }, { now: NOW, actor: merchant });
    expect(errorCode(tooMany)).toBe('SHIP_QUANTITY_EXCEEDED');
    expect(!tooMany.ok && tooMany.error.path).toEqual(['items', 0, 'quantity']);
    const first = must(paid, { type: 'SHIP', logisticsType: 'express', shipmentId: 'P1', items: [{ lineId: 'a', quantity: 1 }] }, merchant).order;
    expect(errorCode(transition(first, { type: 'SHIP', logisticsType: 'express', shipmentId: 'P1' }, { now: NOW, actor: merchant }))).toBe('DUPLICATE_SHIPMENT');
  });

  it('SHIP before payment is INVALID_TRANSITION; SHIP by a customer is FORBIDDEN', () => {
    expect(errorCode(transition(place(), { type: 'SHIP', logisticsType: 'express' }, { now: NOW, actor: merchant }))).toBe('INVALID_TRANSITION');
    expect(errorCode(transition(pay(place()), { type: 'SHIP', logisticsType: 'express' }, { now: NOW, actor: customer }))).toBe('FORBIDDEN');
  });
});

describe('delivery and completion', () => {
  it('DELIVER marks parcels; the last one makes the order delivered', () => {
    const paid = pay(place());
    const p1 = must(paid, { type: 'SHIP', logisticsType: 'express', shipmentId: 'P1', items: [{ lineId: 'a', quantity: 2 }] }, merchant).order;
    const d1 = must(p1, { type: 'DELIVER', shipmentId: 'P1' }, system);
    expect(d1.order.status).toBe('partially_shipped');
    expect(d1.order.shipments[0]!.deliveredAt).toBe(NOW.toISOString());
    const p2 = must(d1.order, { type: 'SHIP', logisticsType: 'express', shipmentId: 'P2' }, merchant).order;
    expect(p2.status).toBe('shipped');
    expect(errorCode(transition(p2, { type: 'DELIVER', shipmentId: 'P1' }, { now: NOW, actor: system }))).toBe('ALREADY_DELIVERED');
    expect(errorCode(transition(p2, { type: 'DELIVER', shipmentId: 'PX' }, { now: NOW, actor: system }))).toBe('UNKNOWN_SHIPMENT');
    const d2 = must(p2, { type: 'DELIVER' }, merchant, at(DAY));
    expect(d2.order.status).toBe('delivered');
    expect(d2.order.deliveredAt).toBe(at(DAY).toISOString());
  });

  it('CONFIRM_RECEIPT by the owner completes and opens the after-sales window', () => {
    const shipped = shipAll(pay(place()));
    expect(errorCode(transition(shipped, { type: 'CONFIRM_RECEIPT' }, { now: NOW, actor: stranger }))).toBe('FORBIDDEN');
    const r = must(shipped, { type: 'CONFIRM_RECEIPT' }, customer, at(2 * DAY));
    expect(r.order.status).toBe('completed');
    expect(r.order.completedAt).toBe(at(2 * DAY).toISOString());
    expect(r.order.deadlines.afterSaleUntil).toBe(at(9 * DAY).toISOString());
  });

  it('AUTO_CONFIRM waits for autoConfirmAt, also after delivery', () => {
    const shipped = shipAll(pay(place()));
    expect(errorCode(transition(shipped, { type: 'AUTO_CONFIRM' }, { now: at(7 * DAY - 1), actor: system }))).toBe('DEADLINE_NOT_REACHED');
    expect(must(shipped, { type: 'AUTO_CONFIRM' }, system, at(7 * DAY)).order.status).toBe('completed');
    const delivered = must(shipped, { type: 'DELIVER' }, system).order;
    expect(must(delivered, { type: 'AUTO_CONFIRM' }, system, at(7 * DAY)).order.status).toBe('completed');
  });
});

describe('permissions', () => {
  const cases: Array<[string, () => Order, Parameters<typeof transition>[1], typeof customer]> = [
    ['payment from a customer', () => place(), { type: 'PAYMENT_SUCCEEDED', amount: 2500, transactionId: 't' }, customer],
    ['EXPIRE from a merchant', () => place(), { type: 'EXPIRE' }, merchant],
    ['CANCEL of somebody else’s order', () => place(), { type: 'CANCEL' }, stranger],
    ['CANCEL from the system', () => place(), { type: 'CANCEL' }, system],
    ['APPROVE_AFTER_SALE from a customer', () => pay(place()), { type: 'APPROVE_AFTER_SALE', afterSaleId: 'x' }, customer],
    ['REFUND_SUCCEEDED from a merchant', () => pay(place()), { type: 'REFUND_SUCCEEDED', refundId: 'x' }, merchant],
  ];
  for (const [name, order, command, actor] of cases) {
    it(`refuses ${name} with FORBIDDEN and zh-CN/en messages`, () => {
      const r = transition(order(), command, { now: NOW, actor });
      expect(errorCode(r)).toBe('FORBIDDEN');
      expect(!r.ok && r.error.messages.en.length).toBeGreaterThan(0);
      expect(!r.ok && r.error.messages['zh-CN'].length).toBeGreaterThan(0);
    });
  }
});

describe('robustness', () => {
  it('an invalid now is INVALID_CONTEXT, not an exception', () => {
    expect(errorCode(transition(place(), { type: 'EXPIRE' }, { now: new Date(Number.NaN), actor: system }))).toBe('INVALID_CONTEXT');
  });

  it('an unknown time zone in the policy is a typed error', () => {
    const policy = definePolicy({ timeZone: 'Mars/Olympus' });
    const r = transition(pay(place()), { type: 'SHIP', logisticsType: 'express' }, { now: NOW, actor: merchant, policy });
    expect(errorCode(r)).toBe('INVALID_TIME_ZONE');
  });

  it('every order a rule produces passes OrderSchema', () => {
    const paid = pay(place({ couponIds: ['C'] }));
    const shipped = shipAll(paid);
    const done = must(shipped, { type: 'CONFIRM_RECEIPT' }, customer).order;
    const cancelled = must(paid, { type: 'CANCEL' }, merchant).order;
    for (const o of [paid, shipped, done, cancelled]) expect(OrderSchema.safeParse(o).success).toBe(true);
  });
});
