import { describe, expect, it } from 'vitest';
import { PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { describeRealPg, migratedPool } from '../support/pg.js';
import type { Actor, Command } from '../../src/order/index.js';
import { OrderSchema } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore, ORDER_SCHEMA_VERSION, storedOrderText, upgradeStoredOrder, type OrderStore } from '../../src/storage/index.js';

/**
 * The after-sale fields of docs/after-sales.md (proposals, quotedAmount, returnShippingFee,
 * freightOnly, exchange; kind `exchange`, status `exchanged`) are additive and optional: the stored
 * order stays schema version 1 (docs/storage.md "Stored order versions"), the v1 fixtures keep
 * loading (test/storage/stored-orders.test.ts), and an order carrying every new field is written
 * and read back unchanged by each store.
 */
const customer: Actor = { type: 'customer', id: 'u1' };
const merchant: Actor = { type: 'merchant', id: 'staff-1' };
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };

async function play(store: OrderStore) {
  let now = Date.parse('2026-11-25T04:00:00Z');
  const service = createOrderService({ store, clock: { now: () => new Date((now += 1000)) } });
  const placed = await service.place({ id: 'dx', customerId: 'u1', cart: { lines: [{ id: 'a', sku: 'TEE-L', title: 'T', listPrice: 3000, quantity: 3 }] }, rules: { freight: { defaultFee: 800 } }, address: { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '1 号' } });
  if (!placed.ok) throw placed.error;
  const send = async (command: Record<string, unknown>, actor: Actor) => {
    const r = await service.dispatch('dx', command as Command, actor);
    if (!r.ok) throw new Error(`${String(command.type)}: ${r.error.code}`);
    return r.order;
  };
  await send({ type: 'PAYMENT_SUCCEEDED', amount: placed.order.pricing.total, transactionId: 'tx-1' }, gateway);
  await send({ type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, merchant);
  await send({ type: 'REQUEST_FREIGHT_REFUND', amount: 300, reason: '运费补偿' }, merchant);
  let o = await send({ type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: '污渍' }, customer);
  await send({ type: 'PROPOSE_REFUND', afterSaleId: o.afterSales[1]!.id, amount: 1000, note: '部分' }, merchant);
  await send({ type: 'ACCEPT_REFUND_PROPOSAL', afterSaleId: o.afterSales[1]!.id }, customer);
  o = await send({ type: 'REQUEST_AFTER_SALE', kind: 'return_and_refund', items: [{ lineId: 'a', quantity: 1 }], reason: '退货' }, customer);
  await send({ type: 'APPROVE_AFTER_SALE', afterSaleId: o.afterSales[2]!.id }, merchant);
  await send({ type: 'SET_RETURN_SHIPPING_FEE', afterSaleId: o.afterSales[2]!.id, fee: 500, treatment: 'refund' }, merchant);
  o = await send({ type: 'REQUEST_EXCHANGE', items: [{ lineId: 'a', quantity: 1, sku: 'TEE-M' }], reason: '换尺码' }, customer);
  const ex = o.afterSales[3]!.id;
  await send({ type: 'APPROVE_AFTER_SALE', afterSaleId: ex }, merchant);
  await send({ type: 'RETURN_SHIPPED', afterSaleId: ex, trackingNo: 'YT1', expressCompany: 'YTO' }, customer);
  await send({ type: 'RETURN_RECEIVED', afterSaleId: ex }, merchant);
  const last = await send({ type: 'SHIP_EXCHANGE', afterSaleId: ex, trackingNo: 'SF2', expressCompany: 'SF' }, merchant);
  return { service, last };
}

describe('after-sales depth fields in the stored order', () => {
  it('belong to stored order version 2 (docs/storage.md "Stored order versions"), which older releases refuse', () => {
    // Version 2 introduced them; later versions (3: delivery, docs/delivery.md) keep them.
    expect(ORDER_SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
  });

  it('the memory store writes and reads back an order carrying each new field', async () => {
    await roundTrip('memory', new MemoryOrderStore());
  });
});

async function roundTrip(name: string, store: OrderStore): Promise<void> {
  const { service, last } = await play(store);
  const a = last.afterSales;
  expect(a.map((x) => [x.kind, x.status]), name).toEqual([
    ['refund_only', 'refunding'],
    ['refund_only', 'refunding'],
    ['return_and_refund', 'awaiting_return'],
    ['exchange', 'exchanged'],
  ]);
  expect(a[0]!.freightOnly).toBe(true);
  expect(a[1]!.proposals![0]!.status).toBe('accepted');
  expect(a[2]!.returnShippingFee!.fee).toBe(500);
  expect(a[3]!.exchange!.shipment!.trackingNo).toBe('SF2');
  expect(await service.get('dx'), name).toEqual(last);
  // The document as stored: version 1, and it parses back as an order.
  const { doc } = upgradeStoredOrder('dx', JSON.parse(storedOrderText(last)), { owned: true });
  expect(OrderSchema.safeParse(doc).success).toBe(true);
}

await describeRealPg('after-sales depth fields on PostgreSQL', (real) => {
  const pool = migratedPool(real, 2);
  it('PostgresOrderStore writes and reads back an order carrying each new field', async () => {
    await roundTrip('postgres', new PostgresOrderStore({ db: pool(), schema: real.schema }));
  });
});
