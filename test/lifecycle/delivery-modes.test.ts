import { describe, expect, it } from 'vitest';
import { createOrderService, MemoryOrderStore, orderView, type Actor, type Clock, type Order } from '../../src/index.js';
import { allowedActions } from '../../src/lifecycle/index.js';
import { buildShippingInfo } from '../../src/wechat/index.js';
import type { DeliveryChoice, DeliveryRules } from '../../src/pricing/index.js';

/**
 * Delivery modes in the lifecycle (issue 21 item 3, docs/delivery.md): a local delivery goes out
 * with a rider and arrives with a proof; a pickup order never ships, it is handed over against its
 * code; SHIP and DELIVER refuse the modes they do not serve; every refusal leaves the order as it was.
 */
const shopper: Actor = { type: 'customer', id: 'u1' };
const staff: Actor = { type: 'merchant', id: 'staff-1' };
const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const START = Date.parse('2026-11-25T04:00:00Z');
const HOUR = 3_600_000;
const address = { name: '张三', phone: '13800000000', province: '上海市', city: '上海市', detail: '漕溪北路 1 号' };
const shop: DeliveryRules = {
  local: { bands: [{ upTo: 3000, fee: 500 }, { upTo: 6000, fee: 900 }] },
  pickup: { stores: [{ id: 'xh', name: '徐汇店', address: '漕溪北路 1 号' }] },
};

function setup(codes: string[] = []) {
  let now = START;
  const clock: Clock & { advance(ms: number): void } = { now: () => new Date(now), advance: (ms) => void (now += ms) };
  const queue = codes.slice();
  const service = createOrderService({ store: new MemoryOrderStore(), clock, ids: { orderId: () => 'o1', orderNumber: () => 'N1', pickupCode: () => queue.shift() ?? '000000' } });
  return { clock, service };
}

async function paid(s: ReturnType<typeof setup>, delivery: DeliveryChoice): Promise<Order> {
  const placed = await s.service.place({
    customerId: 'u1',
    cart: { lines: [{ id: 'l1', sku: 'TEA', title: '龙井', listPrice: 3000, quantity: 2 }] },
    rules: { freight: { defaultFee: 800 } },
    address,
    delivery,
    deliveryRules: shop,
  });
  if (!placed.ok) throw placed.error;
  s.clock.advance(60_000);
  const r = await s.service.dispatch(placed.order.id, { type: 'PAYMENT_SUCCEEDED', amount: placed.order.pricing.total, transactionId: 'tx-1' }, gateway);
  if (!r.ok) throw r.error;
  return r.order;
}

const slot = () => ({ start: new Date(START + 2 * HOUR).toISOString(), end: new Date(START + 3 * HOUR).toISOString() });

describe('local delivery (同城配送)', () => {
  it('is paid at the band fee, goes out with its rider (same-city parcel, shipping info type 2) and is delivered by its proof', async () => {
    const s = setup();
    const order = await paid(s, { mode: 'local', distance: 4200, slot: slot() });
    expect([order.status, order.pricing.freight, order.pricing.total]).toEqual(['paid', 900, 6900]);
    expect(order.delivery).toEqual({ mode: 'local', distance: 4200, fee: 900, slot: slot() });
    expect(allowedActions(order, staff, s.clock.now())).toContain('DISPATCH_RIDER');
    expect(allowedActions(order, staff, s.clock.now())).not.toContain('SHIP');

    const ship = await s.service.dispatch(order.id, { type: 'SHIP' }, staff);
    expect(!ship.ok && [ship.error.code, ship.error.path]).toEqual(['DELIVERY_MODE_MISMATCH', ['type']]);
    expect((await s.service.get(order.id))!.version).toBe(order.version);

    s.clock.advance(HOUR);
    const out = await s.service.dispatch(order.id, { type: 'DISPATCH_RIDER', rider: { name: '李师傅', phone: '13900000000', company: '达达' } }, staff);
    if (!out.ok) throw out.error;
    expect(out.order.status).toBe('shipped');
    expect(out.order.shipments).toEqual([{ id: 'N1-L1', items: [{ lineId: 'l1', quantity: 2 }], logisticsType: 'same_city', expressCompany: '达达', shippedAt: s.clock.now().toISOString() }]);
    expect(out.order.delivery).toMatchObject({ mode: 'local', rider: { name: '李师傅', phone: '13900000000', company: '达达' } });
    expect(out.effects.map((e) => e.type)).toEqual(expect.arrayContaining(['shipping.upload', 'schedule', 'notify']));
    const info = buildShippingInfo(out.order, 'N1-L1', { mchid: '1900000001', openid: 'o-1', now: s.clock.now() });
    expect(info.ok && info.payload.logistics_type).toBe(2);

    const deliver = await s.service.dispatch(order.id, { type: 'DELIVER' }, staff);
    expect(!deliver.ok && deliver.error.code).toBe('DELIVERY_MODE_MISMATCH');
    s.clock.advance(HOUR);
    const done = await s.service.dispatch(order.id, { type: 'RECORD_DELIVERY_PROOF', photoUrl: 'https://img.example/p.jpg', receivedBy: '本人' }, { type: 'system' });
    if (!done.ok) throw done.error;
    const at = s.clock.now().toISOString();
    expect([done.order.status, done.order.deliveredAt, done.order.shipments[0]!.deliveredAt]).toEqual(['delivered', at, at]);
    expect(done.order.delivery).toMatchObject({ proof: { photoUrl: 'https://img.example/p.jpg', receivedBy: '本人', at } });
    const again = await s.service.dispatch(order.id, { type: 'RECORD_DELIVERY_PROOF' }, staff);
    expect(again.ok).toBe(false);
    const confirmed = await s.service.dispatch(order.id, { type: 'CONFIRM_RECEIPT' }, shopper);
    expect(confirmed.ok && confirmed.order.status).toBe('completed');
  });

  it('a rider before payment, by a shopper, or for an express order is refused', async () => {
    const s = setup();
    const local = await paid(s, { mode: 'local', distance: 100, slot: slot() });
    const byShopper = await s.service.dispatch(local.id, { type: 'DISPATCH_RIDER', rider: { name: 'x', phone: '139' } }, shopper);
    expect(!byShopper.ok && byShopper.error.code).toBe('FORBIDDEN');
    const s2 = setup();
    const express = await paid(s2, { mode: 'express' });
    expect(express.delivery).toEqual({ mode: 'express' });
    const r = await s2.service.dispatch(express.id, { type: 'DISPATCH_RIDER', rider: { name: 'x', phone: '139' } }, staff);
    expect(!r.ok && r.error.code).toBe('DELIVERY_MODE_MISMATCH');
    const proof = await s2.service.dispatch(express.id, { type: 'RECORD_DELIVERY_PROOF' }, staff);
    expect(!proof.ok && proof.error.code).toBe('INVALID_TRANSITION');
  });
});

describe('store pickup (到店自提)', () => {
  it('never ships; the wrong code is PICKUP_CODE_MISMATCH; the right one completes it with a pickup parcel (shipping info type 4)', async () => {
    const s = setup(['482913']);
    const order = await paid(s, { mode: 'pickup', storeId: 'xh' });
    expect([order.status, order.pricing.freight, order.pricing.total]).toEqual(['paid', 0, 6000]);
    expect(order.delivery).toEqual({ mode: 'pickup', store: { id: 'xh', name: '徐汇店', address: '漕溪北路 1 号' }, code: '482913' });
    expect(allowedActions(order, staff, s.clock.now())).toEqual(expect.arrayContaining(['VERIFY_PICKUP_CODE']));
    expect(allowedActions(order, staff, s.clock.now())).not.toContain('SHIP');
    expect(allowedActions(order, shopper, s.clock.now())).not.toContain('VERIFY_PICKUP_CODE');

    const ship = await s.service.dispatch(order.id, { type: 'SHIP', logisticsType: 'express', trackingNo: 'SF1', expressCompany: 'SF' }, staff);
    expect(!ship.ok && ship.error.code).toBe('DELIVERY_MODE_MISMATCH');
    const wrong = await s.service.dispatch(order.id, { type: 'VERIFY_PICKUP_CODE', code: '482914' }, staff);
    expect(!wrong.ok && [wrong.error.code, wrong.error.path]).toEqual(['PICKUP_CODE_MISMATCH', ['code']]);
    const byShopper = await s.service.dispatch(order.id, { type: 'VERIFY_PICKUP_CODE', code: '482913' }, shopper);
    expect(!byShopper.ok && byShopper.error.code).toBe('FORBIDDEN');
    expect((await s.service.get(order.id))!.version).toBe(order.version);

    s.clock.advance(HOUR);
    const done = await s.service.dispatch(order.id, { type: 'VERIFY_PICKUP_CODE', code: '482913' }, staff);
    if (!done.ok) throw done.error;
    const at = s.clock.now().toISOString();
    expect(done.order.status).toBe('completed');
    expect(done.order.shipments).toEqual([{ id: 'N1-P1', items: [{ lineId: 'l1', quantity: 2 }], logisticsType: 'pickup', shippedAt: at, deliveredAt: at }]);
    expect(done.order.delivery).toMatchObject({ pickedUpAt: at });
    expect([done.order.shippedAt, done.order.deliveredAt, done.order.completedAt]).toEqual([at, at, at]);
    const upload = done.effects.find((e) => e.type === 'shipping.upload');
    expect(upload).toMatchObject({ logisticsType: 'pickup', allDelivered: true });
    const info = buildShippingInfo(done.order, 'N1-P1', { mchid: '1900000001', openid: 'o-1', now: s.clock.now() });
    expect(info.ok && info.payload.logistics_type).toBe(4);
    const twice = await s.service.dispatch(order.id, { type: 'VERIFY_PICKUP_CODE', code: '482913' }, staff);
    expect(twice.ok).toBe(false);
  });

  it("a store that names itself hands over only its own orders: another store is PICKUP_STORE_MISMATCH, whatever the code", async () => {
    const s = setup(['482913']);
    const order = await paid(s, { mode: 'pickup', storeId: 'xh' });
    for (const code of ['482913', '000000']) {
      const elsewhere = await s.service.dispatch(order.id, { type: 'VERIFY_PICKUP_CODE', code, storeId: 'pd' }, staff);
      // The same answer for the right and a wrong code: another store learns nothing about it.
      expect(!elsewhere.ok && [elsewhere.error.code, elsewhere.error.path]).toEqual(['PICKUP_STORE_MISMATCH', ['storeId']]);
    }
    expect((await s.service.get(order.id))!.version).toBe(order.version);
    const wrong = await s.service.dispatch(order.id, { type: 'VERIFY_PICKUP_CODE', code: '000000', storeId: 'xh' }, staff);
    expect(!wrong.ok && wrong.error.code).toBe('PICKUP_CODE_MISMATCH');
    const here = await s.service.dispatch(order.id, { type: 'VERIFY_PICKUP_CODE', code: '482913', storeId: 'xh' }, staff);
    expect(here.ok && here.order.status).toBe('completed');
  });

  it('the service draws a six-digit code from the platform when none is injected', async () => {
    let now = START;
    const service = createOrderService({ store: new MemoryOrderStore(), clock: { now: () => new Date((now += 1000)) } });
    const placed = await service.place({ customerId: 'u1', cart: { lines: [{ id: 'l1', sku: 'T', title: 't', listPrice: 100, quantity: 1 }] }, rules: {}, delivery: { mode: 'pickup', storeId: 'xh' }, deliveryRules: shop });
    if (!placed.ok) throw placed.error;
    expect(placed.order.delivery?.mode === 'pickup' && placed.order.delivery.code).toMatch(/^[0-9]{6}$/);
  });

  it('without a random source for the code, placing a pickup order is a typed error and nothing is stored', async () => {
    const store = new MemoryOrderStore();
    const service = createOrderService({ store, clock: { now: () => new Date(START) }, ids: { orderId: () => 'o1', orderNumber: () => 'N1', pickupCode: () => undefined } });
    const r = await service.place({ customerId: 'u1', cart: { lines: [{ id: 'l1', sku: 'T', title: 't', listPrice: 100, quantity: 1 }] }, rules: {}, delivery: { mode: 'pickup', storeId: 'xh' }, deliveryRules: shop });
    expect(!r.ok && [r.error.code, r.error.path]).toEqual(['PICKUP_CODE_SOURCE_MISSING', ['pickupCode']]);
    expect(await service.get('o1')).toBeNull();
  });

  it('a refund-only after-sale of one unit before pickup hands over the rest', async () => {
    const s = setup(['111111']);
    const order = await paid(s, { mode: 'pickup', storeId: 'xh' });
    const asked = await s.service.dispatch(order.id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'l1', quantity: 1 }], reason: '少要一件' }, shopper);
    if (!asked.ok) throw asked.error;
    const done = await s.service.dispatch(order.id, { type: 'VERIFY_PICKUP_CODE', code: '111111' }, staff);
    if (!done.ok) throw done.error;
    expect(done.order.shipments[0]!.items).toEqual([{ lineId: 'l1', quantity: 1 }]);
  });
});

describe('the order detail view shows the mode', () => {
  it('pickup: the store and slot to everyone, the code only to its own shopper while it waits at the counter', async () => {
    const s = setup(['482913']);
    const start = new Date(START + 26 * HOUR).toISOString();
    const end = new Date(START + 28 * HOUR).toISOString();
    const order = await paid(s, { mode: 'pickup', storeId: 'xh', slot: { start, end } });
    const view = (actor: Actor, o: Order = order) => orderView(o, { actor, now: s.clock.now() }).delivery;
    expect(view(shopper)).toEqual({ mode: 'pickup', modeLabel: '到店自提', store: { id: 'xh', name: '徐汇店', address: '漕溪北路 1 号' }, slotText: '2026-11-26 14:00–16:00', pickupCode: '482913' });
    expect(view(staff).pickupCode).toBeUndefined();
    expect(view({ type: 'customer', id: 'u2' }).pickupCode).toBeUndefined();
    const done = await s.service.dispatch(order.id, { type: 'VERIFY_PICKUP_CODE', code: '482913' }, staff);
    if (!done.ok) throw done.error;
    expect(view(shopper, done.order).pickupCode).toBeUndefined();
    expect(view(shopper, done.order).pickedUpAtText).toBe('2026-11-25 12:01');
    expect(orderView(order, { actor: shopper, now: s.clock.now(), locale: 'en' }).delivery.modeLabel).toBe('Store pickup');
  });

  it('local: fee, distance and slot, then the rider and the proof; an order without a mode is express', async () => {
    const s = setup();
    const order = await paid(s, { mode: 'local', distance: 2450, slot: slot() });
    expect(orderView(order, { actor: shopper, now: s.clock.now() }).delivery).toEqual({
      mode: 'local', modeLabel: '同城配送', slotText: '2026-11-25 14:00–15:00', fee: expect.objectContaining({ fen: 500 }), distanceText: '2.5 km',
    });
    const out = await s.service.dispatch(order.id, { type: 'DISPATCH_RIDER', rider: { name: '李师傅', phone: '13900000000' } }, staff);
    if (!out.ok) throw out.error;
    const proved = await s.service.dispatch(order.id, { type: 'RECORD_DELIVERY_PROOF', note: '放门卫' }, staff);
    if (!proved.ok) throw proved.error;
    const v = orderView(proved.order, { actor: shopper, now: s.clock.now() }).delivery;
    expect(v.rider).toEqual({ name: '李师傅', phone: '13900000000' });
    expect(v.proof).toEqual({ note: '放门卫', atText: '2026-11-25 12:01' });
    const express = { ...order, delivery: undefined };
    delete express.delivery;
    expect(orderView(express, { actor: shopper, now: s.clock.now() }).delivery).toEqual({ mode: 'express', modeLabel: '快递配送' });
  });
});
