import { expect, it } from 'vitest';
import type { InventoryPort } from '../../src/inventory/index.js';
import type { OrderStore } from '../../src/storage/index.js';
import { createOrderService, type OrderService } from '../../src/service/index.js';
import { customer, gateway, line, manualClock, merchant, MINUTE, quote, sequentialIds } from '../service/fixtures.js';

/**
 * The service with an inventory, the same scenarios for every pair of store and inventory: stock is
 * held with the order or not at all, closes and expiries give it back, returns restock, 限购 holds.
 */
export interface Pair {
  store: OrderStore;
  inventory: InventoryPort;
}

const TEA = (q: number) => line('tea', q, 1000, { sku: 'TEA' });
const CUP = (q: number) => line('cup', q, 500, { sku: 'CUP' });

export function serviceScenarios(make: () => Promise<Pair>): void {
  async function setup(): Promise<Pair & { service: OrderService; clock: ReturnType<typeof manualClock> }> {
    const pair = await make();
    await pair.inventory.configure({ sku: 'TEA', available: 3, limit: { perCustomer: 2 } });
    await pair.inventory.configure({ sku: 'CUP', available: 10 });
    const clock = manualClock();
    const service = createOrderService({ store: pair.store, inventory: pair.inventory, clock, ids: sequentialIds() });
    return { ...pair, service, clock };
  }

  it('holds the stock with the order; a refused hold places nothing', async () => {
    const { service, inventory, store } = await setup();
    const ok = await service.place({ customerId: 'u1', quote: quote([TEA(2), CUP(1)]) });
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    expect(await inventory.heldBy(ok.order.id)).toEqual(expect.arrayContaining([{ sku: 'TEA', quantity: 2 }, { sku: 'CUP', quantity: 1 }]));
    // u1 already holds 2 TEA: the limit (2) refuses a third, and the CUP of that order stays free.
    const limited = await service.place({ customerId: 'u1', quote: quote([CUP(3), TEA(1)]) });
    expect(limited.ok ? 'placed' : limited.error.code).toBe('LIMIT_REACHED');
    const out = await service.place({ customerId: 'u2', quote: quote([CUP(1), TEA(2)]) });
    expect(out.ok ? 'placed' : out.error.code).toBe('OUT_OF_STOCK');
    const unknown = await service.place({ customerId: 'u3', quote: quote([line('x', 1, 100, { sku: 'NOPE' })]) });
    expect(unknown.ok ? 'placed' : unknown.error.code).toBe('UNKNOWN_SKU');
    expect((await inventory.level('CUP'))?.available).toBe(9);
    expect((await inventory.level('TEA'))?.available).toBe(1);
    expect((await store.list({})).items).toHaveLength(1);
  });

  it('a cancel and an expiry give the stock back, once', async () => {
    const { service, inventory, clock } = await setup();
    const a = await service.place({ customerId: 'u1', quote: quote([TEA(2)]) });
    const b = await service.place({ customerId: 'u2', quote: quote([TEA(1)]) });
    if (!a.ok || !b.ok) throw new Error('placement failed');
    expect((await inventory.level('TEA'))?.available).toBe(0);
    const cancelled = await service.dispatch(a.order.id, { type: 'CANCEL' }, customer);
    expect(cancelled.ok).toBe(true);
    expect((await inventory.level('TEA'))?.available).toBe(2);
    clock.advance(31 * MINUTE);
    const report = await service.sweep();
    expect(report.expired).toBe(1);
    expect((await inventory.level('TEA'))).toMatchObject({ available: 3, held: 0 });
    // The outbox delivers the same effects again: nothing moves.
    await service.drainOutbox({ notify: () => undefined, 'payment.close': () => undefined, 'coupon.release': () => undefined });
    expect((await inventory.level('TEA'))).toMatchObject({ available: 3, held: 0 });
  });

  it('a refund-only of 1 before shipping then a merchant cancel gives back 2 of 2, and returned goods restock', async () => {
    const { service, inventory } = await setup();
    const a = await service.place({ customerId: 'u1', quote: quote([TEA(2)]) });
    if (!a.ok) throw a.error;
    await service.dispatch(a.order.id, { type: 'PAYMENT_SUCCEEDED', amount: 2000, transactionId: 'tx-1' }, gateway);
    await service.dispatch(a.order.id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'tea', quantity: 1 }], reason: 'x' }, customer);
    expect((await inventory.level('TEA'))).toMatchObject({ available: 2, held: 1 });
    await service.dispatch(a.order.id, { type: 'CANCEL' }, merchant);
    expect((await inventory.level('TEA'))).toMatchObject({ available: 3, held: 0 });

    const b = await service.place({ customerId: 'u2', quote: quote([TEA(1)]) });
    if (!b.ok) throw b.error;
    const id = b.order.id;
    await service.dispatch(id, { type: 'PAYMENT_SUCCEEDED', amount: 1000, transactionId: 'tx-2' }, gateway);
    await service.dispatch(id, { type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, merchant);
    await service.dispatch(id, { type: 'CONFIRM_RECEIPT' }, { type: 'customer', id: 'u2' });
    const asked = await service.dispatch(id, { type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'tea', quantity: 1 }], reason: 'broken' }, { type: 'customer', id: 'u2' });
    if (!asked.ok) throw asked.error;
    const afterSaleId = asked.order.afterSales[0]!.id;
    await service.dispatch(id, { type: 'APPROVE_AFTER_SALE', afterSaleId }, merchant);
    await service.dispatch(id, { type: 'RETURN_SHIPPED', afterSaleId, trackingNo: 'SF2', expressCompany: 'SF' }, { type: 'customer', id: 'u2' });
    expect((await inventory.level('TEA'))?.available).toBe(2);
    const received = await service.dispatch(id, { type: 'RETURN_RECEIVED', afterSaleId }, merchant);
    expect(received.ok).toBe(true);
    expect((await inventory.level('TEA'))).toMatchObject({ available: 3, held: 0 });
  });

  it('换货: SHIP_EXCHANGE takes the replacement (refused without stock, nothing written), and its return gives back the replacement SKU (ports with take)', async () => {
    const { service, inventory } = await setup();
    if (!inventory.take) return; // docs/inventory.md "Exchanges": the service takes nothing through a port without it
    await inventory.configure({ sku: 'CUP-B', available: 0 });
    const placed = await service.place({ customerId: 'u1', quote: quote([CUP(2)]) });
    if (!placed.ok) throw placed.error;
    const id = placed.order.id;
    const must = async (command: Parameters<OrderService['dispatch']>[1], actor: Parameters<OrderService['dispatch']>[2]) => {
      const r = await service.dispatch(id, command, actor);
      if (!r.ok) throw new Error(`${command.type}: ${r.error.code}`);
      return r.order;
    };
    await must({ type: 'PAYMENT_SUCCEEDED', amount: placed.order.pricing.total, transactionId: 'tx-x' }, gateway);
    await must({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, merchant);
    const asked = await must({ type: 'REQUEST_EXCHANGE', items: [{ lineId: 'cup', quantity: 1, sku: 'CUP-B' }], reason: '换颜色' }, customer);
    const ex = asked.afterSales[0]!.id;
    await must({ type: 'APPROVE_AFTER_SALE', afterSaleId: ex }, merchant);
    await must({ type: 'RETURN_SHIPPED', afterSaleId: ex, trackingNo: 'YT1', expressCompany: 'YTO' }, customer);
    await must({ type: 'RETURN_RECEIVED', afterSaleId: ex }, merchant);
    expect(await inventory.level('CUP')).toMatchObject({ available: 9, held: 1 });
    const refused = await service.dispatch(id, { type: 'SHIP_EXCHANGE', afterSaleId: ex, trackingNo: 'SF2', expressCompany: 'SF' }, merchant);
    expect(refused.ok ? 'shipped' : refused.error.code).toBe('OUT_OF_STOCK');
    expect((await service.get(id))!.afterSales[0]!.status).toBe('returned');
    await inventory.configure({ sku: 'CUP-B', available: 1 });
    await must({ type: 'SHIP_EXCHANGE', afterSaleId: ex, trackingNo: 'SF2', expressCompany: 'SF' }, merchant);
    await service.drainOutbox({});
    expect(await inventory.level('CUP-B')).toMatchObject({ available: 0, held: 1 });
    const back = await must({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'cup', quantity: 1 }], reason: '不要了' }, customer);
    const r = back.afterSales[1]!.id;
    await must({ type: 'APPROVE_AFTER_SALE', afterSaleId: r }, merchant);
    await must({ type: 'RETURN_SHIPPED', afterSaleId: r, trackingNo: 'YT2', expressCompany: 'YTO' }, customer);
    await must({ type: 'RETURN_RECEIVED', afterSaleId: r }, merchant);
    expect(await inventory.level('CUP-B')).toMatchObject({ available: 1, held: 0 });
    expect(await inventory.level('CUP')).toMatchObject({ available: 9, held: 1 });
    expect(await inventory.heldBy(id)).toEqual([{ sku: 'CUP', quantity: 1 }]);
  });

  it('the same idempotency key twice holds the stock once', async () => {
    const { service, inventory } = await setup();
    const first = await service.place({ customerId: 'u1', quote: quote([TEA(1)]) }, { idempotencyKey: 'k1' });
    const again = await service.place({ customerId: 'u1', quote: quote([TEA(1)]) }, { idempotencyKey: 'k1' });
    expect(first.ok && again.ok && again.order.id === first.order.id).toBe(true);
    expect((await inventory.level('TEA'))).toMatchObject({ available: 2, held: 1 });
  });

  it('placing an order id that is already placed gives back none of the first order\'s stock', async () => {
    const { service, inventory } = await setup();
    const first = await service.place({ id: 'o-fixed', customerId: 'u1', quote: quote([TEA(1), CUP(2)]) });
    expect(first.ok).toBe(true);
    // The same explicit id again (a client's retry that raced the first, or a bug): refused, and the
    // refused call's give-back must not take the first order's units with it.
    const again = await service.place({ id: 'o-fixed', customerId: 'u1', quote: quote([TEA(1), CUP(2)]) });
    expect(again.ok ? 'placed' : again.error.code).toBe('ORDER_EXISTS');
    expect(await inventory.heldBy('o-fixed')).toEqual(expect.arrayContaining([{ sku: 'TEA', quantity: 1 }, { sku: 'CUP', quantity: 2 }]));
    expect(await inventory.level('TEA')).toMatchObject({ available: 2, held: 1 });
    expect(await inventory.level('CUP')).toMatchObject({ available: 8, held: 2 });
  });

  it('a placement whose create failed can be placed again with the same order id, and then holds its units once', async () => {
    const { store, inventory } = await make();
    await inventory.configure({ sku: 'TEA', available: 3, limit: { perCustomer: 2 } });
    await inventory.configure({ sku: 'CUP', available: 10 });
    // The store refuses the first create (the database was unreachable for a moment).
    let failures = 1;
    const create = store.create.bind(store);
    const flaky = Object.assign(Object.create(Object.getPrototypeOf(store) as object) as OrderStore, store, {
      create: (...args: Parameters<OrderStore['create']>) => {
        if (failures-- > 0) return Promise.reject(new Error('store unreachable'));
        return create(...args);
      },
    });
    const service = createOrderService({ store: flaky, inventory, clock: manualClock(), ids: sequentialIds() });
    const input = { id: 'o-retried', customerId: 'u1', quote: quote([TEA(2), CUP(1)]) };
    await expect(service.place(input)).rejects.toThrow('store unreachable');
    expect(await inventory.level('TEA')).toMatchObject({ available: 3, held: 0 });
    const retried = await service.place(input);
    expect(retried.ok).toBe(true);
    expect(await inventory.heldBy('o-retried')).toEqual(expect.arrayContaining([{ sku: 'TEA', quantity: 2 }, { sku: 'CUP', quantity: 1 }]));
    expect(await inventory.level('TEA')).toMatchObject({ available: 1, held: 2 });
    expect(await inventory.level('CUP')).toMatchObject({ available: 9, held: 1 });
    // Its close gives the units back, once.
    const cancelled = await service.dispatch('o-retried', { type: 'CANCEL' }, customer);
    expect(cancelled.ok).toBe(true);
    expect(await inventory.level('TEA')).toMatchObject({ available: 3, held: 0 });
    expect(await inventory.level('CUP')).toMatchObject({ available: 10, held: 0 });
  });

  it('付款减库存: stock is taken at payment; a payment that finds none closes the order and refunds it in full', async () => {
    const { service, inventory } = await setup();
    await inventory.configure({ sku: 'PAYTAKE', available: 1, policy: 'take_on_payment' });
    const item = line('p', 1, 800, { sku: 'PAYTAKE' });
    const a = await service.place({ customerId: 'u1', quote: quote([item]) });
    const b = await service.place({ customerId: 'u2', quote: quote([item]) });
    if (!a.ok || !b.ok) throw new Error('placement failed');
    // Nothing taken at placement.
    expect(await inventory.level('PAYTAKE')).toMatchObject({ available: 1, held: 0 });
    const paidA = await service.dispatch(a.order.id, { type: 'PAYMENT_SUCCEEDED', amount: 800, transactionId: 'tx-a' }, gateway);
    expect(paidA.ok && paidA.order.status).toBe('paid');
    expect(await inventory.level('PAYTAKE')).toMatchObject({ available: 0, held: 1 });
    const paidB = await service.dispatch(b.order.id, { type: 'PAYMENT_SUCCEEDED', amount: 800, transactionId: 'tx-b' }, gateway);
    if (!paidB.ok) throw paidB.error;
    expect(paidB.outOfStock).toEqual({ code: 'OUT_OF_STOCK' });
    expect(paidB.order.status).toBe('closed');
    expect(paidB.order.payment.paidAmount).toBe(800);
    expect(paidB.order.closeReason).toBe('out_of_stock');
    expect(paidB.order.refunds.map((r) => [r.amount, r.status, r.reason])).toEqual([[800, 'pending', 'out_of_stock']]);
    expect(paidB.effects.filter((e) => e.type === 'payment.refund').map((e) => (e as { amount: number }).amount)).toEqual([800]);
    const history = await service.history(b.order.id);
    expect(history.map((e) => e.type)).toEqual(['ORDER_PLACED', 'PAYMENT_SUCCEEDED', 'CANCEL']);
    expect(history[2]!.data).toMatchObject({ reason: 'out_of_stock' });
    // The same notification again moves nothing.
    const again = await service.dispatch(b.order.id, { type: 'PAYMENT_SUCCEEDED', amount: 800, transactionId: 'tx-b' }, gateway);
    expect(again.ok && again.order.refunds.length).toBe(1);
    expect(await inventory.level('PAYTAKE')).toMatchObject({ available: 0, held: 1 });
  });

  it('commands that queue up for one order (one chain, where the store writes chains) still take and give back stock', async () => {
    const { service, inventory } = await setup();
    await inventory.configure({ sku: 'PAYTAKE', available: 2, policy: 'take_on_payment' });
    const item = line('p', 1, 800, { sku: 'PAYTAKE' });
    const a = await service.place({ customerId: 'u1', quote: quote([TEA(2)]) });
    const b = await service.place({ customerId: 'u2', quote: quote([item]) });
    if (!a.ok || !b.ok) throw new Error('placement failed');
    // The first command of each order runs alone; those that arrive meanwhile queue up behind it.
    const onA = await Promise.all([
      service.dispatch(a.order.id, { type: 'ADD_REMARK', text: 'one' }, merchant),
      service.dispatch(a.order.id, { type: 'ADD_REMARK', text: 'two' }, merchant),
      service.dispatch(a.order.id, { type: 'CANCEL' }, customer),
    ]);
    expect(onA.map((r) => r.ok)).toEqual([true, true, true]);
    // The cancel's stock is back at once, not left to the outbox.
    expect(await inventory.level('TEA')).toMatchObject({ available: 3, held: 0 });
    const onB = await Promise.all([
      service.dispatch(b.order.id, { type: 'ADD_REMARK', text: 'one' }, merchant),
      service.dispatch(b.order.id, { type: 'ADD_REMARK', text: 'two' }, merchant),
      service.dispatch(b.order.id, { type: 'PAYMENT_SUCCEEDED', amount: 800, transactionId: 'tx-q' }, gateway),
    ]);
    expect(onB.map((r) => r.ok && r.order.status)).toEqual(['pending_payment', 'pending_payment', 'paid']);
    // 付款减库存: the queued payment took its unit.
    expect(await inventory.level('PAYTAKE')).toMatchObject({ available: 1, held: 1 });
  });
}
