import { describe, expect, it } from 'vitest';
import { MemoryInventory } from '../../src/inventory/index.js';
import { priceCart } from '../../src/pricing/index.js';
import { placeOrder, transition } from '../../src/lifecycle/index.js';
import { definePolicy } from '../../src/order/policy.js';
import type { Actor, Command, Effect, Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { gateway, line, manualClock, merchant, quote, sequentialIds } from '../service/fixtures.js';

/**
 * A refund-only after-sale gives back the units of its claim that never shipped, once its refund
 * starts (docs/inventory.md "Released once"). Two refund-only requests open at once on a line that
 * shipped part of its units: before, each approval counted the other request — still only
 * requested, so it had given nothing back — as having taken the unshipped unit, and neither gave it
 * back. The unit could never ship (it is refunded) and never went back on the shelf: one unit lost
 * to the shop for good. Found by test/service/after-sale-money-stock.property.test.ts
 * (seed -596918959).
 */

const policy = definePolicy({ autoApproveRefundBeforeShipment: false, restockOnReturn: true });
const NOW = new Date('2026-11-25T04:00:00.000Z');

function released(effects: readonly Effect[]): number {
  let n = 0;
  for (const e of effects) if (e.type === 'inventory.release') for (const i of e.items) n += i.quantity;
  return n;
}

describe('two refund-only requests open at once give back the never-shipped unit once', () => {
  it('transition(): 2 units, 1 shipped, two requests of 1 approved one after the other release 1 unit in all (either order)', () => {
    for (const first of [0, 1]) {
      const placed = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote: quote([line('L1', 2, 1000, { sku: 'TEA' })]) }, { now: NOW, policy });
      if (!placed.ok) throw placed.error;
      let order: Order = placed.order;
      const run = (command: Command, actor: Actor) => {
        const r = transition(order, command, { now: NOW, actor, policy });
        if (!r.ok) throw r.error;
        order = r.order;
        return r.effects;
      };
      run({ type: 'PAYMENT_SUCCEEDED', amount: 2000, transactionId: 'wx-1' }, gateway);
      run({ type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'L1', quantity: 1 }], trackingNo: 'SF1', expressCompany: 'SF' }, merchant);
      run({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }], reason: '不要了' }, { type: 'customer', id: 'u1' });
      run({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }], reason: '都不要了' }, { type: 'customer', id: 'u1' });
      const [a, b] = first === 0 ? order.afterSales : [...order.afterSales].reverse();
      const one = released(run({ type: 'APPROVE_AFTER_SALE', afterSaleId: a!.id }, merchant));
      const two = released(run({ type: 'APPROVE_AFTER_SALE', afterSaleId: b!.id }, merchant));
      expect([one, two], `approved ${first === 0 ? 'AS1 first' : 'AS2 first'}`).toEqual([1, 0]);
    }
  });

  it('service with MemoryInventory: the unit comes back on the shelf, the order holds only the shipped one', async () => {
    const inventory = new MemoryInventory();
    await inventory.configure({ sku: 'TEA', available: 5 });
    const service = createOrderService({ store: new MemoryOrderStore(), inventory, clock: manualClock(), ids: sequentialIds(), policy });
    const placed = await service.place({ customerId: 'u1', quote: quote([line('L1', 2, 1000, { sku: 'TEA' })]) });
    if (!placed.ok) throw placed.error;
    const must = async (command: Command, actor: Actor) => {
      const r = await service.dispatch('o1', command, actor);
      if (!r.ok) throw r.error;
      return r.order;
    };
    await must({ type: 'PAYMENT_SUCCEEDED', amount: 2000, transactionId: 'wx-1' }, gateway);
    await must({ type: 'SHIP', logisticsType: 'express', items: [{ lineId: 'L1', quantity: 1 }], trackingNo: 'SF1', expressCompany: 'SF' }, merchant);
    await must({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }], reason: '不要了' }, { type: 'customer', id: 'u1' });
    const order = await must({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'L1', quantity: 1 }], reason: '都不要了' }, { type: 'customer', id: 'u1' });
    for (const a of order.afterSales) await must({ type: 'APPROVE_AFTER_SALE', afterSaleId: a.id }, merchant);
    expect(await inventory.heldBy('o1')).toEqual([{ sku: 'TEA', quantity: 1 }]);
    expect(await inventory.level('TEA')).toMatchObject({ available: 4, held: 1 });
  });
});

describe('a free gift refunded before shipping is not given back again by a close', () => {
  it('transition(): the merchant cancel after the gift\'s refund-only releases the goods, not the gift a second time', () => {
    const priced = priceCart(
      { lines: [{ id: 'L1', sku: 'TEA', title: '茶', listPrice: 1000, quantity: 1 }] },
      { fullReductions: [{ id: 'song', kind: 'reward' as const, minAmount: 1, rewards: { gift: { sku: 'CUP', title: '赠品杯', quantity: 1 } } }] },
      { now: NOW },
    );
    if (!priced.ok) throw priced.error;
    const placed = placeOrder({ id: 'o1', number: '20261125120000123456', customerId: 'u1', quote: priced.quote }, { now: NOW, policy });
    if (!placed.ok) throw placed.error;
    let order: Order = placed.order;
    const run = (command: Command, actor: Actor) => {
      const r = transition(order, command, { now: NOW, actor, policy });
      if (!r.ok) throw r.error;
      order = r.order;
      return r.effects.filter((e) => e.type === 'inventory.release').flatMap((e) => (e.type === 'inventory.release' ? e.items : []));
    };
    run({ type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: 'wx-1' }, gateway);
    // The gift is worth nothing: its refund-only completes at once, with no ledger entry, and gives the cup back.
    run({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'gift:song', quantity: 1 }], reason: '不要赠品' }, { type: 'customer', id: 'u1' });
    expect(run({ type: 'APPROVE_AFTER_SALE', afterSaleId: order.afterSales[0]!.id }, merchant)).toEqual([{ sku: 'CUP', quantity: 1 }]);
    expect(order.afterSales[0]).toMatchObject({ status: 'refunded', amount: 0 });
    expect(run({ type: 'CANCEL', reason: '缺货' }, merchant)).toEqual([{ sku: 'TEA', quantity: 1 }]);
  });
});
