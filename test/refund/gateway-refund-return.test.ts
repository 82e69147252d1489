import { describe, expect, it } from 'vitest';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import { definePolicy } from '../../src/order/policy.js';
import type { Actor, Command, EffectDraft, Order } from '../../src/order/index.js';
import { priceCart } from '../../src/pricing/index.js';
import { succeededRefundTotal } from '../../src/refund/index.js';

/**
 * A return (退货退款) under way while the merchant refunds the order in the merchant platform, and
 * the daily reconciliation records that refund (RECORD_GATEWAY_REFUND). The bill refund is a fact,
 * so it is not checked against after-sales in progress; before this was fixed the return could
 * then never go on: approving or receiving it was REFUND_EXCEEDS_PAID (or INVALID_TRANSITION on
 * the order the bill refund closed), the goods sent back were never restocked and the after-sale
 * stayed open for good. Now it is approved and received as usual and asks only what is left of
 * the payment, possibly nothing (docs/after-sales.md "Refunds the ledger did not know").
 */

const NOW = new Date('2026-11-25T04:00:00.000Z');
const policy = definePolicy({ restockOnReturn: true });
const shopper: Actor = { type: 'customer', id: 'u1' };
const shop: Actor = { type: 'merchant', id: 'staff-1' };
const wechat: Actor = { type: 'payment', gateway: 'wechatpay' };
const reconciliation: Actor = { type: 'system' };

/** 2 × ¥30.00 of tea, paid ¥60.00 and shipped; a return of `quantity` units requested. */
function returnRequested(quantity: number) {
  const priced = priceCart({ lines: [{ id: 'L1', sku: 'TEA', title: '茶', listPrice: 3000, quantity: 2 }] }, {}, { now: NOW });
  if (!priced.ok) throw priced.error;
  const placed = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote: priced.quote }, { now: NOW, policy });
  if (!placed.ok) throw placed.error;
  let order = placed.order;
  const run = (command: Command, actor: Actor): { order: Order; effects: EffectDraft[] } | string => {
    const r = transition(order, command, { now: NOW, actor, policy });
    if (!r.ok) return r.error.code;
    order = r.order;
    return { order, effects: r.effects };
  };
  const must = (command: Command, actor: Actor) => {
    const r = run(command, actor);
    if (typeof r === 'string') throw new Error(`${command.type}: ${r}`);
    return r;
  };
  must({ type: 'PAYMENT_SUCCEEDED', amount: 6000, transactionId: 'wx-1' }, wechat);
  must({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, shop);
  must({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'L1', quantity }], reason: '不想要了' }, shopper);
  return { run, must, afterSaleId: order.afterSales[0]!.id, get: () => order };
}

const released = (effects: EffectDraft[]) => effects.flatMap((e) => (e.type === 'inventory.release' ? e.items : []));
const paidOut = (effects: EffectDraft[]) => effects.filter((e) => e.type === 'payment.refund');

describe('a return while the order is refunded in the merchant platform', () => {
  it('approved, then all of it refunded by hand: received, restocked, completed without a second refund', () => {
    const d = returnRequested(2);
    d.must({ type: 'APPROVE_AFTER_SALE', afterSaleId: d.afterSaleId }, shop);
    d.must({ type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-1', amount: 6000 }, reconciliation);
    expect(d.get()).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
    d.must({ type: 'RETURN_SHIPPED', afterSaleId: d.afterSaleId, trackingNo: 'YT1', expressCompany: 'YTO' }, shopper);
    const r = d.run({ type: 'RETURN_RECEIVED', afterSaleId: d.afterSaleId }, shop);
    if (typeof r === 'string') throw new Error(`RETURN_RECEIVED: ${r}`); // REFUND_EXCEEDS_PAID on the old code
    expect(r.order.afterSales[0]).toMatchObject({ status: 'refunded', amount: 0, quotedAmount: 6000 });
    expect(released(r.effects)).toEqual([{ sku: 'TEA', quantity: 2 }]);
    expect(paidOut(r.effects)).toEqual([]);
    expect(r.order.refunds).toHaveLength(1);
    expect(succeededRefundTotal(r.order)).toBe(6000);
  });

  it('requested, then part of the payment refunded by hand: approved for what is left, which is all it refunds', () => {
    const d = returnRequested(1);
    d.must({ type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-1', amount: 4000 }, reconciliation);
    const approved = d.run({ type: 'APPROVE_AFTER_SALE', afterSaleId: d.afterSaleId }, shop);
    if (typeof approved === 'string') throw new Error(`APPROVE_AFTER_SALE: ${approved}`); // REFUND_EXCEEDS_PAID on the old code
    expect(approved.order.afterSales[0]).toMatchObject({ status: 'awaiting_return', amount: 2000, quotedAmount: 3000 });
    const r = d.must({ type: 'RETURN_RECEIVED', afterSaleId: d.afterSaleId }, shop);
    expect(released(r.effects)).toEqual([{ sku: 'TEA', quantity: 1 }]);
    expect(paidOut(r.effects)).toMatchObject([{ amount: 2000 }]);
    const done = d.must({ type: 'REFUND_SUCCEEDED', refundId: d.get().afterSales[0]!.refundId!, amount: 2000 }, wechat);
    expect(done.order.afterSales[0]!.status).toBe('refunded');
    expect(done.order).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
    expect(succeededRefundTotal(done.order)).toBe(6000);
  });

  it('requested, then all of it refunded by hand (the order closes): still approved and received, for nothing', () => {
    const d = returnRequested(1);
    d.must({ type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-1', amount: 6000 }, reconciliation);
    expect(d.get().status).toBe('closed');
    // INVALID_TRANSITION on the old code: the shop could only reject, and the goods never came back.
    d.must({ type: 'APPROVE_AFTER_SALE', afterSaleId: d.afterSaleId }, shop);
    expect(d.get().afterSales[0]).toMatchObject({ status: 'awaiting_return', amount: 0, quotedAmount: 3000 });
    const r = d.must({ type: 'RETURN_RECEIVED', afterSaleId: d.afterSaleId }, shop);
    expect(r.order.afterSales[0]).toMatchObject({ status: 'refunded', amount: 0 });
    expect(released(r.effects)).toEqual([{ sku: 'TEA', quantity: 1 }]);
    expect(paidOut(r.effects)).toEqual([]);
    expect(succeededRefundTotal(r.order)).toBe(6000);
  });

  it('a refund-only request on the closed order is approved for nothing: no second refund', () => {
    const d = returnRequested(1);
    d.must({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }], reason: '坏了' }, shopper);
    d.must({ type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-1', amount: 6000 }, reconciliation);
    const r = d.must({ type: 'APPROVE_AFTER_SALE', afterSaleId: d.get().afterSales[1]!.id }, shop);
    expect(r.order.afterSales[1]).toMatchObject({ status: 'refunded', amount: 0, quotedAmount: 3000 });
    expect(paidOut(r.effects)).toEqual([]);
    expect(succeededRefundTotal(r.order)).toBe(6000);
  });

  it('its refund failed, then all of it refunded by hand: approving it again ends it without a second refund', () => {
    const d = returnRequested(1);
    d.must({ type: 'APPROVE_AFTER_SALE', afterSaleId: d.afterSaleId }, shop);
    d.must({ type: 'RETURN_RECEIVED', afterSaleId: d.afterSaleId }, shop);
    const failed = d.get().afterSales[0]!.refundId!;
    d.must({ type: 'REFUND_FAILED', refundId: failed, reason: 'NOTENOUGH' }, wechat);
    d.must({ type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-1', amount: 6000 }, reconciliation);
    expect(d.get()).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
    // REFUND_EXCEEDS_PAID on the old code, with RETRY_REFUND too: the after-sale stayed refunding for good.
    const r = d.must({ type: 'RETRY_REFUND', refundId: failed }, shop);
    expect(r.order.afterSales[0]).toMatchObject({ status: 'refunded', amount: 0, quotedAmount: 3000, refundId: failed });
    expect(paidOut(r.effects)).toEqual([]);
    expect(r.order.refunds.find((x) => x.id === failed)!.status).toBe('failed');
    expect(d.run({ type: 'RETRY_REFUND', refundId: failed }, shop)).toBe('INVALID_AFTER_SALE_TRANSITION');
    expect(d.run({ type: 'REFUND_SUCCEEDED', refundId: failed, amount: 3000 }, wechat)).toBe('REFUND_EXCEEDS_PAID');
    expect(succeededRefundTotal(d.get())).toBe(6000);
  });

  it('its refund failed, then part of it refunded by hand: the retry sends what is left under a new number', () => {
    const d = returnRequested(2);
    d.must({ type: 'APPROVE_AFTER_SALE', afterSaleId: d.afterSaleId }, shop);
    d.must({ type: 'RETURN_RECEIVED', afterSaleId: d.afterSaleId }, shop);
    const failed = d.get().afterSales[0]!.refundId!;
    d.must({ type: 'REFUND_FAILED', refundId: failed, reason: 'NOTENOUGH' }, wechat);
    d.must({ type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-1', amount: 2500 }, reconciliation);
    const r = d.must({ type: 'APPROVE_AFTER_SALE', afterSaleId: d.afterSaleId }, shop);
    const again = r.order.afterSales[0]!;
    expect(again).toMatchObject({ status: 'refunding', amount: 3500, quotedAmount: 6000 });
    expect(again.refundId).not.toBe(failed);
    expect(r.order.refunds.find((x) => x.id === failed)).toMatchObject({ status: 'failed', replacedBy: again.refundId });
    expect(paidOut(r.effects)).toMatchObject([{ refundId: again.refundId, amount: 3500 }]);
    const done = d.must({ type: 'REFUND_SUCCEEDED', refundId: again.refundId!, amount: 3500 }, wechat);
    expect(done.order.afterSales[0]!.status).toBe('refunded');
    expect(done.order).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
    expect(succeededRefundTotal(done.order)).toBe(6000);
  });
});

describe('a failed refund retried after a refund made in the merchant platform', () => {
  it('a merchant cancel\'s refund failed, part of it refunded by hand: the retry sends the rest under a new number', () => {
    const priced = priceCart({ lines: [{ id: 'L1', sku: 'TEA', title: '茶', listPrice: 3000, quantity: 2 }] }, {}, { now: NOW });
    if (!priced.ok) throw priced.error;
    const placed = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote: priced.quote }, { now: NOW, policy });
    if (!placed.ok) throw placed.error;
    let order = placed.order;
    const must = (command: Command, actor: Actor) => {
      const r = transition(order, command, { now: NOW, actor, policy });
      if (!r.ok) throw new Error(`${command.type}: ${r.error.code}`); // REFUND_EXCEEDS_PAID for RETRY_REFUND on the old code
      order = r.order;
      return r;
    };
    must({ type: 'PAYMENT_SUCCEEDED', amount: 6000, transactionId: 'wx-1' }, wechat);
    must({ type: 'CANCEL', reason: '缺货' }, shop);
    const failed = order.refunds[0]!.id;
    must({ type: 'REFUND_FAILED', refundId: failed, reason: 'NOTENOUGH' }, wechat);
    must({ type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-1', amount: 2500 }, reconciliation);
    const r = must({ type: 'RETRY_REFUND', refundId: failed }, shop);
    const fresh = r.order.refunds.find((x) => x.replaces === failed)!;
    expect(fresh).toMatchObject({ status: 'pending', amount: 3500, reason: 'merchant_cancel' });
    expect(paidOut(r.effects)).toMatchObject([{ refundId: fresh.id, amount: 3500 }]);
    must({ type: 'REFUND_SUCCEEDED', refundId: fresh.id, amount: 3500 }, wechat);
    expect(succeededRefundTotal(order)).toBe(6000);
  });

  it('paid with the balance and WeChat Pay, the WeChat part of a return\'s refund failed and was refunded by hand: it is not paid again from the balance', () => {
    const priced = priceCart({ lines: [{ id: 'L1', sku: 'TEA', title: '茶', listPrice: 3000, quantity: 2 }] }, {}, { now: NOW });
    if (!priced.ok) throw priced.error;
    const placed = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote: priced.quote, payWith: { balance: 5000 } }, { now: NOW, policy });
    if (!placed.ok) throw placed.error;
    let order = placed.order;
    const must = (command: Command, actor: Actor) => {
      const r = transition(order, command, { now: NOW, actor, policy });
      if (!r.ok) throw new Error(`${command.type}: ${r.error.code}`); // REFUND_EXCEEDS_PAID for the retry on the old code
      order = r.order;
      return r;
    };
    must({ type: 'PAYMENT_SUCCEEDED', amount: 1000, transactionId: 'wx-1' }, wechat);
    must({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, shop);
    must({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'L1', quantity: 1 }], reason: '不想要了' }, shopper);
    const id = order.afterSales[0]!.id;
    must({ type: 'APPROVE_AFTER_SALE', afterSaleId: id }, shop);
    must({ type: 'RETURN_RECEIVED', afterSaleId: id }, shop);
    // Routed WeChat Pay first: 1000 from WeChat Pay (the after-sale's own entry), 2000 back to the balance.
    const own = order.refunds.find((x) => x.id === order.afterSales[0]!.refundId)!;
    const piece = order.refunds.find((x) => x.id !== own.id)!;
    expect([own.amount, piece.amount]).toEqual([1000, 2000]);
    must({ type: 'REFUND_SUCCEEDED', refundId: piece.id, amount: 2000 }, { type: 'payment', gateway: 'balance' });
    must({ type: 'REFUND_FAILED', refundId: own.id, reason: 'NOTENOUGH' }, wechat);
    must({ type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-1', amount: 1000, transactionId: 'wx-1' }, reconciliation);
    // WeChat Pay gave back all it collected, by hand: that paid the after-sale's WeChat part.
    const r = must({ type: 'RETRY_REFUND', refundId: own.id }, shop);
    expect(r.order.afterSales[0]).toMatchObject({ status: 'refunded', amount: 2000, quotedAmount: 3000 });
    expect(r.effects.filter((e) => e.type === 'payment.refund' || e.type === 'balance.credit')).toEqual([]);
    expect(succeededRefundTotal(order)).toBe(3000);
  });
});

