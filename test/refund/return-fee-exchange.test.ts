import { describe, expect, it } from 'vitest';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import { definePolicy } from '../../src/order/policy.js';
import type { Actor, Command, Order } from '../../src/order/index.js';
import { priceCart } from '../../src/pricing/index.js';

/**
 * The refunded return shipping fee (退运费, SET_RETURN_SHIPPING_FEE with `treatment: 'refund'`)
 * must fit in what the payment still has beside other refunds and requests (docs/after-sales.md
 * "Return shipping fee"). An open exchange (换货) refunds nothing, but the units it holds are goods
 * the shopper keeps: their money is not free. The cap left it out, so a fee could take it: one of
 * two ¥30.00 T-shirts exchanged, the other returned with a ¥30.00 "fee", and the whole ¥60.00 went
 * back while the shopper kept a T-shirt (and got its replacement).
 */

const NOW = new Date('2026-11-25T04:00:00.000Z');
const policy = definePolicy({ restockOnReturn: true });
const shopper: Actor = { type: 'customer', id: 'u1' };
const shop: Actor = { type: 'merchant', id: 'staff-1' };
const wechat: Actor = { type: 'payment', gateway: 'wechatpay' };

/** 2 × ¥30.00 T-shirts, paid and shipped; one in an exchange (approved), the other returned (approved). */
function exchangeAndReturn(): { order: Order; run: (c: Command, a: Actor) => Order | string; returnId: string; exchangeId: string } {
  const priced = priceCart({ lines: [{ id: 'T', sku: 'TEE-L', title: 'T 恤', listPrice: 3000, quantity: 2 }] }, {}, { now: NOW });
  if (!priced.ok) throw priced.error;
  const placed = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote: priced.quote }, { now: NOW, policy });
  if (!placed.ok) throw placed.error;
  let order = placed.order;
  const run = (command: Command, actor: Actor): Order | string => {
    const r = transition(order, command, { now: NOW, actor, policy });
    if (!r.ok) return r.error.code;
    order = r.order;
    return order;
  };
  const must = (command: Command, actor: Actor) => {
    const r = run(command, actor);
    if (typeof r === 'string') throw new Error(`${command.type}: ${r}`);
  };
  must({ type: 'PAYMENT_SUCCEEDED', amount: 6000, transactionId: 'wx-1' }, wechat);
  must({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, shop);
  must({ type: 'REQUEST_EXCHANGE', items: [{ lineId: 'T', quantity: 1, sku: 'TEE-M' }], reason: '尺码不合适' }, shopper);
  const exchangeId = order.afterSales[0]!.id;
  must({ type: 'APPROVE_AFTER_SALE', afterSaleId: exchangeId }, shop);
  must({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'T', quantity: 1 }], reason: '不想要了' }, shopper);
  const returnId = order.afterSales[1]!.id;
  must({ type: 'APPROVE_AFTER_SALE', afterSaleId: returnId }, shop);
  return { order, run, returnId, exchangeId };
}

describe('the refunded return shipping fee beside an open exchange', () => {
  it('cannot take the money of the units the exchange holds', () => {
    const { run, returnId } = exchangeAndReturn();
    // Accepted on the old code: the return then refunded ¥60.00 for one T-shirt.
    expect(run({ type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: returnId, fee: 3000, treatment: 'refund' }, shop)).toBe('RETURN_SHIPPING_FEE_TOO_HIGH');
    expect(run({ type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: returnId, fee: 1, treatment: 'refund' }, shop)).toBe('RETURN_SHIPPING_FEE_TOO_HIGH');
    const deducted = run({ type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: returnId, fee: 800, treatment: 'deduct' }, shop);
    if (typeof deducted === 'string') throw new Error(deducted);
    expect(deducted.afterSales[1]).toMatchObject({ amount: 2200, quotedAmount: 3000 });
  });

  it('the refusal names what is left beside the exchange (nothing), in both languages', () => {
    const { order, returnId } = exchangeAndReturn();
    const r = transition(order, { type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: returnId, fee: 500, treatment: 'refund' }, { now: NOW, actor: shop, policy });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('RETURN_SHIPPING_FEE_TOO_HIGH');
    expect(r.error.path).toEqual(['fee']);
    expect(r.error.messages['zh-CN']).toContain('¥0.00');
    expect(r.error.messages.en).toContain('¥0.00');
  });

  it('once the exchange is withdrawn its units are no longer held', () => {
    const { run, returnId, exchangeId } = exchangeAndReturn();
    if (typeof run({ type: 'CANCEL_AFTER_SALE', afterSaleId: exchangeId }, shopper) === 'string') throw new Error('CANCEL_AFTER_SALE');
    const r = run({ type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: returnId, fee: 1200, treatment: 'refund' }, shop);
    if (typeof r === 'string') throw new Error(r);
    expect(r.afterSales[1]!.amount).toBe(4200);
  });
});
