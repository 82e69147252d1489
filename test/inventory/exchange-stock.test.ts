import { describe, expect, it } from 'vitest';
import { MemoryInventory } from '../../src/inventory/index.js';
import type { Actor, Command, Effect, Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { gateway, line, manualClock, merchant, quote, sequentialIds } from '../service/fixtures.js';

/**
 * 换货 and stock (docs/after-sales.md "Exchange", docs/inventory.md "Exchanges"): SHIP_EXCHANGE
 * takes the replacement units from stock, and a later return gives back the SKU the shopper holds.
 * Before, the replacement was never taken (an oversell) and returning it gave back the original SKU.
 */
const shopper: Actor = { type: 'customer', id: 'u1' };

async function setUp(mStock = 5) {
  const inventory = new MemoryInventory();
  await inventory.configure({ sku: 'TEE-L', available: 10 });
  await inventory.configure({ sku: 'TEE-M', available: mStock });
  const service = createOrderService({ store: new MemoryOrderStore(), inventory, clock: manualClock(), ids: sequentialIds() });
  const placed = await service.place({ customerId: 'u1', quote: quote([line('T', 2, 3000, { sku: 'TEE-L' })]) });
  if (!placed.ok) throw placed.error;
  const id = placed.order.id;
  const send = async (command: Command, actor: Actor) => {
    const r = await service.dispatch(id, command, actor);
    if (!r.ok) throw r.error;
    return r;
  };
  await send({ type: 'PAYMENT_SUCCEEDED', amount: placed.order.pricing.total, transactionId: 'tx-1' } as Command, gateway);
  await send({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' } as Command, merchant);
  return { inventory, service, id, send };
}

const level = async (inventory: MemoryInventory, sku: string) => {
  const l = (await inventory.level(sku))!;
  return { available: l.available, held: l.held };
};

async function exchangeOne(send: (c: Command, a: Actor) => Promise<{ order: Order; effects: Effect[] }>, quantity = 1) {
  const asked = await send({ type: 'REQUEST_EXCHANGE', items: [{ lineId: 'T', quantity, sku: 'TEE-M' }], reason: '尺码偏大' } as Command, shopper);
  const afterSaleId = asked.order.afterSales[asked.order.afterSales.length - 1]!.id;
  await send({ type: 'APPROVE_AFTER_SALE', afterSaleId } as Command, merchant);
  await send({ type: 'RETURN_SHIPPED', afterSaleId, trackingNo: 'YT1', expressCompany: 'YTO' } as Command, shopper);
  await send({ type: 'RETURN_RECEIVED', afterSaleId } as Command, merchant);
  return afterSaleId;
}

describe('exchange and stock', () => {
  it('exchange L for M, then return both T-shirts: M is taken at SHIP_EXCHANGE, the return gives back one L and one M', async () => {
    const { inventory, send } = await setUp();
    expect(await level(inventory, 'TEE-L')).toEqual({ available: 8, held: 2 });
    const afterSaleId = await exchangeOne(send);
    expect(await level(inventory, 'TEE-L')).toEqual({ available: 9, held: 1 });
    const shipped = await send({ type: 'SHIP_EXCHANGE', afterSaleId, trackingNo: 'SF2', expressCompany: 'SF' } as Command, merchant);
    expect(shipped.effects.filter((e) => e.type === 'inventory.take').map((e) => ({ ...e, id: undefined }))).toEqual([
      { type: 'inventory.take', id: undefined, orderId: shipped.order.id, key: `exchange:${afterSaleId}`, items: [{ sku: 'TEE-M', quantity: 1 }], reason: 'exchange' },
    ]);
    expect(await level(inventory, 'TEE-M')).toEqual({ available: 4, held: 1 });

    const asked = await send({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'T', quantity: 2 }], reason: '不要了' } as Command, shopper);
    const back = asked.order.afterSales[asked.order.afterSales.length - 1]!.id;
    await send({ type: 'APPROVE_AFTER_SALE', afterSaleId: back } as Command, merchant);
    await send({ type: 'RETURN_SHIPPED', afterSaleId: back, trackingNo: 'YT2', expressCompany: 'YTO' } as Command, shopper);
    const received = await send({ type: 'RETURN_RECEIVED', afterSaleId: back } as Command, merchant);
    const release = received.effects.find((e) => e.type === 'inventory.release');
    expect(release && release.type === 'inventory.release' ? release.items : null).toEqual([
      { sku: 'TEE-M', quantity: 1 },
      { sku: 'TEE-L', quantity: 1 },
    ]);
    expect(await level(inventory, 'TEE-L')).toEqual({ available: 10, held: 0 });
    expect(await level(inventory, 'TEE-M')).toEqual({ available: 5, held: 0 });
  });

  it('the replacement returned alone gives back M, never L', async () => {
    const { inventory, send } = await setUp();
    const afterSaleId = await exchangeOne(send, 2);
    await send({ type: 'SHIP_EXCHANGE', afterSaleId, trackingNo: 'SF2', expressCompany: 'SF' } as Command, merchant);
    expect(await level(inventory, 'TEE-L')).toEqual({ available: 10, held: 0 });
    expect(await level(inventory, 'TEE-M')).toEqual({ available: 3, held: 2 });
    const asked = await send({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'T', quantity: 1 }], reason: '不要了' } as Command, shopper);
    const back = asked.order.afterSales[asked.order.afterSales.length - 1]!;
    expect(back.skus).toEqual([{ lineId: 'T', sku: 'TEE-M', quantity: 1 }]);
    await send({ type: 'APPROVE_AFTER_SALE', afterSaleId: back.id } as Command, merchant);
    await send({ type: 'RETURN_SHIPPED', afterSaleId: back.id, trackingNo: 'YT2', expressCompany: 'YTO' } as Command, shopper);
    await send({ type: 'RETURN_RECEIVED', afterSaleId: back.id } as Command, merchant);
    expect(await level(inventory, 'TEE-L')).toEqual({ available: 10, held: 0 });
    expect(await level(inventory, 'TEE-M')).toEqual({ available: 4, held: 1 });
  });

  it('a replacement SKU without stock: SHIP_EXCHANGE is refused OUT_OF_STOCK and nothing is written; after a restock it ships once', async () => {
    const { inventory, service, id, send } = await setUp(0);
    const afterSaleId = await exchangeOne(send);
    const before = (await service.get(id))!;
    const refused = await service.dispatch(id, { type: 'SHIP_EXCHANGE', afterSaleId, trackingNo: 'SF2', expressCompany: 'SF' } as Command, merchant);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe('OUT_OF_STOCK');
    expect(refused.error.messages['zh-CN']).toContain('库存不足');
    expect(refused.error.messages.en).toBeTruthy();
    const after = (await service.get(id))!;
    expect(after.version).toBe(before.version);
    expect(after.afterSales.find((a) => a.id === afterSaleId)!.status).toBe('returned');
    expect(await level(inventory, 'TEE-M')).toEqual({ available: 0, held: 0 });

    await inventory.configure({ sku: 'TEE-M', available: 1 });
    await send({ type: 'SHIP_EXCHANGE', afterSaleId, trackingNo: 'SF2', expressCompany: 'SF' } as Command, merchant);
    expect(await level(inventory, 'TEE-M')).toEqual({ available: 0, held: 1 });
    // The outbox delivering the effect again takes nothing more.
    await service.drainOutbox({});
    await service.drainOutbox({});
    expect(await level(inventory, 'TEE-M')).toEqual({ available: 0, held: 1 });
  });
});

describe('exchange without an inventory', () => {
  it('the inventory.take effect never holds back the order\'s later effects (a refund) when the drain has no handler for it', async () => {
    const service = createOrderService({ store: new MemoryOrderStore(), clock: manualClock(), ids: sequentialIds() });
    const placed = await service.place({ customerId: 'u1', quote: quote([line('T', 2, 3000, { sku: 'TEE-L' })]) });
    if (!placed.ok) throw placed.error;
    const id = placed.order.id;
    const send = async (command: Command, actor: Actor) => {
      const r = await service.dispatch(id, command, actor);
      if (!r.ok) throw r.error;
      return r;
    };
    await send({ type: 'PAYMENT_SUCCEEDED', amount: placed.order.pricing.total, transactionId: 'tx-1' } as Command, gateway);
    await send({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' } as Command, merchant);
    const afterSaleId = await exchangeOne(send);
    const shipped = await send({ type: 'SHIP_EXCHANGE', afterSaleId, trackingNo: 'SF2', expressCompany: 'SF' } as Command, merchant);
    expect(shipped.effects.some((e) => e.type === 'inventory.take')).toBe(true);
    const asked = await send({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'T', quantity: 1 }], reason: '小瑕疵' } as Command, shopper);
    const refundOnly = asked.order.afterSales[asked.order.afterSales.length - 1]!;
    if (refundOnly.status === 'requested') await send({ type: 'APPROVE_AFTER_SALE', afterSaleId: refundOnly.id } as Command, merchant);
    const refunds: string[] = [];
    const ok = async () => undefined;
    const report = await service.drainOutbox({ 'payment.refund': async (e) => void refunds.push(e.refundId), notify: ok, 'inventory.release': ok, 'shipping.upload': ok });
    expect(refunds, JSON.stringify(report)).toHaveLength(1);
  });
});
