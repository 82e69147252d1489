import { describe, expect, it } from 'vitest';
import { MemoryInventory } from '../../src/inventory/index.js';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import { definePolicy } from '../../src/order/policy.js';
import type { Actor, Command, EffectDraft, Order } from '../../src/order/index.js';
import { priceCart, type Quote } from '../../src/pricing/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { manualClock, sequentialIds } from '../service/fixtures.js';

/**
 * A return or an exchange of goods worth nothing (a free gift) holds no money, so refunding
 * everything else closes the order while it is under way (docs/after-sales.md "Goods worth
 * nothing"). Withdrawing and rejecting applied on the closed order, but once the shopper had sent
 * the parcel back nothing could end it: RETURN_RECEIVED and SHIP_EXCHANGE were INVALID_TRANSITION on
 * a closed order. The gift that came back was never restocked, an exchanged gift's replacement
 * never went out, and the after-sale stayed open for good. Found by
 * test/service/after-sale-money-stock.property.test.ts (seeds 1796669492 and -1860104977).
 */

const NOW = new Date('2026-11-25T04:00:00.000Z');
const policy = definePolicy({ autoApproveRefundBeforeShipment: false, restockOnReturn: true });
const shopper: Actor = { type: 'customer', id: 'u1' };
const shop: Actor = { type: 'merchant', id: 'staff-1' };
const wechat: Actor = { type: 'payment', gateway: 'wechatpay' };

function giftQuote(): Quote {
  const priced = priceCart(
    { lines: [{ id: 'L1', sku: 'TEA', title: '茶', listPrice: 1000, quantity: 1 }] },
    { fullReductions: [{ id: 'song', kind: 'reward' as const, minAmount: 1, rewards: { gift: { sku: 'CUP', title: '赠品杯', quantity: 1 } } }] },
    { now: NOW },
  );
  if (!priced.ok) throw priced.error;
  return priced.quote;
}

/** Paid, shipped; the gift's return or exchange sent back; then the tea refunded, which closes the order. */
function closedWithGiftOnItsWay(kind: 'return' | 'exchange'): { order: Order; afterSaleId: string; run: (c: Command, a: Actor) => { order: Order; effects: EffectDraft[] } | string } {
  const placed = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote: giftQuote() }, { now: NOW, policy });
  if (!placed.ok) throw placed.error;
  let order = placed.order;
  const run = (command: Command, actor: Actor) => {
    const r = transition(order, command, { now: NOW, actor, policy });
    if (!r.ok) return r.error.code;
    order = r.order;
    return { order, effects: r.effects };
  };
  const must = (command: Command, actor: Actor) => {
    const r = run(command, actor);
    if (typeof r === 'string') throw new Error(`${command.type}: ${r}`);
    return r.order;
  };
  must({ type: 'PAYMENT_SUCCEEDED', amount: 1000, transactionId: 'wx-1' }, wechat);
  must({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, shop);
  must(
    kind === 'return'
      ? { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'gift:song', quantity: 1 }], reason: '杯子有裂纹' }
      : { type: 'REQUEST_EXCHANGE', items: [{ lineId: 'gift:song', quantity: 1 }], reason: '杯子有裂纹' },
    shopper,
  );
  const afterSaleId = order.afterSales[0]!.id;
  must({ type: 'APPROVE_AFTER_SALE', afterSaleId }, shop);
  must({ type: 'RETURN_SHIPPED', afterSaleId, trackingNo: 'YT1', expressCompany: 'YTO' }, shopper);
  must({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }], reason: '不要了' }, shopper);
  must({ type: 'APPROVE_AFTER_SALE', afterSaleId: order.afterSales[1]!.id }, shop);
  must({ type: 'REFUND_SUCCEEDED', refundId: order.refunds[0]!.id, amount: 1000 }, wechat);
  expect(order).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
  expect(order.afterSales[0]).toMatchObject({ status: 'awaiting_return' });
  return { order, afterSaleId, run };
}

describe('a gift sent back on an order that closed meanwhile (transition())', () => {
  it('a return: the merchant still receives it; it completes without money and the gift is restocked', () => {
    const { afterSaleId, run } = closedWithGiftOnItsWay('return');
    const r = run({ type: 'RETURN_RECEIVED', afterSaleId }, shop);
    if (typeof r === 'string') throw new Error(`RETURN_RECEIVED: ${r}`);
    expect(r.order.status).toBe('closed');
    expect(r.order.afterSales[0]).toMatchObject({ status: 'refunded', amount: 0 });
    expect(r.order.refunds).toHaveLength(1);
    expect(r.effects.filter((e) => e.type === 'inventory.release').flatMap((e) => (e.type === 'inventory.release' ? e.items : []))).toEqual([{ sku: 'CUP', quantity: 1 }]);
    expect(r.effects.some((e) => e.type === 'payment.refund')).toBe(false);
  });

  it('an exchange: received, then the replacement ships (taken from stock); no money moves', () => {
    const { afterSaleId, run } = closedWithGiftOnItsWay('exchange');
    expect(typeof run({ type: 'RETURN_RECEIVED', afterSaleId }, shop)).toBe('object');
    const r = run({ type: 'SHIP_EXCHANGE', afterSaleId, trackingNo: 'SF2', expressCompany: 'SF' }, shop);
    if (typeof r === 'string') throw new Error(`SHIP_EXCHANGE: ${r}`);
    expect(r.order.status).toBe('closed');
    expect(r.order.afterSales[0]).toMatchObject({ status: 'exchanged' });
    expect(r.order.refunds).toHaveLength(1);
    expect(r.effects.filter((e) => e.type === 'inventory.take').flatMap((e) => (e.type === 'inventory.take' ? e.items : []))).toEqual([{ sku: 'CUP', quantity: 1 }]);
  });

  it('the closed order still refuses what would open something new or move money', () => {
    const { order, afterSaleId, run } = closedWithGiftOnItsWay('return');
    expect(run({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'gift:song', quantity: 1 }], reason: 'x' }, shopper)).toBe('INVALID_TRANSITION');
    expect(run({ type: 'REQUEST_EXCHANGE', items: [{ lineId: 'L1', quantity: 1 }], reason: 'x' }, shopper)).toBe('INVALID_TRANSITION');
    expect(run({ type: 'SET_RETURN_SHIPPING_FEE', afterSaleId, fee: 100, treatment: 'refund' }, shop)).toBe('INVALID_TRANSITION');
    expect(run({ type: 'SHIP_EXCHANGE', afterSaleId, trackingNo: 'SF2', expressCompany: 'SF' }, shop)).toBe('INVALID_AFTER_SALE_TRANSITION');
    expect(order.status).toBe('closed');
  });
});

describe('the same through the service with an inventory', () => {
  it('the exchanged gift comes back on the shelf and its replacement is taken once', async () => {
    const inventory = new MemoryInventory();
    await inventory.configure({ sku: 'TEA', available: 5 });
    await inventory.configure({ sku: 'CUP', available: 5 });
    const service = createOrderService({ store: new MemoryOrderStore(), inventory, clock: manualClock(), ids: sequentialIds(), policy });
    const placed = await service.place({ customerId: 'u1', quote: giftQuote() });
    if (!placed.ok) throw placed.error;
    const must = async (command: Command, actor: Actor) => {
      const r = await service.dispatch('o1', command, actor);
      if (!r.ok) throw new Error(`${command.type}: ${r.error.code}`);
      return r.order;
    };
    await must({ type: 'PAYMENT_SUCCEEDED', amount: 1000, transactionId: 'wx-1' }, wechat);
    await must({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, shop);
    let order = await must({ type: 'REQUEST_EXCHANGE', items: [{ lineId: 'gift:song', quantity: 1 }], reason: '杯子有裂纹' }, shopper);
    const afterSaleId = order.afterSales[0]!.id;
    await must({ type: 'APPROVE_AFTER_SALE', afterSaleId }, shop);
    await must({ type: 'RETURN_SHIPPED', afterSaleId, trackingNo: 'YT1', expressCompany: 'YTO' }, shopper);
    order = await must({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }], reason: '不要了' }, shopper);
    order = await must({ type: 'APPROVE_AFTER_SALE', afterSaleId: order.afterSales[1]!.id }, shop);
    order = await must({ type: 'REFUND_SUCCEEDED', refundId: order.refunds[0]!.id, amount: 1000 }, wechat);
    expect(order.status).toBe('closed');
    await must({ type: 'RETURN_RECEIVED', afterSaleId }, shop);
    expect(await inventory.level('CUP')).toMatchObject({ available: 5, held: 0 });
    order = await must({ type: 'SHIP_EXCHANGE', afterSaleId, trackingNo: 'SF2', expressCompany: 'SF' }, shop);
    expect(order.afterSales[0]!.status).toBe('exchanged');
    expect(await inventory.level('CUP')).toMatchObject({ available: 4, held: 1 });
    expect(await inventory.heldBy('o1')).toEqual([{ sku: 'TEA', quantity: 1 }, { sku: 'CUP', quantity: 1 }]);
  });
});
