import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type OrderApp } from '../../examples/express/src/app.js';
import { storeFigures } from '../../examples/express/src/figures.js';
import { createOrderService, MemoryOrderStore } from '../../src/index.js';
import { ADDRESS, CUSTOMER, expectErrorBody, MERCHANT, TestClock } from './support/app.js';

/**
 * The example's delivery modes (issue 21 items 3 and 5, docs/delivery.md): GET /delivery-options,
 * POST /orders with `delivery`, the rider, the proof and the pickup code over HTTP; bad input is a
 * typed 4xx with the path and nothing placed; the pickup code reaches its shopper only.
 */
describe('Express example: delivery modes', () => {
  let t: OrderApp;
  const clock = new TestClock(Date.parse('2026-11-25T04:00:00Z'));
  beforeAll(async () => {
    const store = new MemoryOrderStore();
    const service = createOrderService({ store, clock, ids: { orderId: () => `o${Math.random()}`, orderNumber: () => `N${Math.floor(Math.random() * 1e9)}`, pickupCode: () => '482913' } });
    t = await createApp({ service, clock, figures: storeFigures(store), log: () => undefined, auth: { demo: true } });
  });
  afterAll(() => t.close());

  const place = (delivery: unknown) => request(t.app).post('/orders').set('x-actor', CUSTOMER).send({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }], address: ADDRESS, delivery });
  async function pay(order: { id: string; pricing: { total: number } }) {
    const r = await t.context.service.dispatch(order.id, { type: 'PAYMENT_SUCCEEDED', amount: order.pricing.total, transactionId: `T${order.id}` }, { type: 'payment', gateway: 'wechatpay' });
    if (!r.ok) throw r.error;
  }

  it('GET /delivery-options lists the modes, bands, zones, stores and future slots', async () => {
    const r = await request(t.app).get('/delivery-options');
    expect(r.status).toBe(200);
    expect(r.body.modes).toEqual(['express', 'local', 'pickup']);
    expect(r.body.local.bands[0]).toEqual({ upTo: 3000, fee: 500 });
    expect(r.body.pickup.stores.map((s: { id: string }) => s.id)).toEqual(['hz-longjing', 'hz-hubin']);
    expect(r.body.local.slots.length).toBeGreaterThan(0);
    for (const s of r.body.local.slots) expect(Date.parse(s.start)).toBeGreaterThanOrEqual(clock.now().getTime() + 30 * 60_000);
  });

  it('local: priced by band, dispatched with a rider, delivered by its proof', async () => {
    const slot = (await request(t.app).get('/delivery-options')).body.local.slots[0];
    const placed = await place({ mode: 'local', distance: 4200, slot });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    // ¥168 − ¥0 promotions (under ¥199) + ¥8.00 for 3–5 km.
    expect([placed.body.pricing.freight, placed.body.delivery.mode, placed.body.delivery.fee]).toEqual([800, 'local', 800]);
    await pay(placed.body);
    const byShopper = await request(t.app).post(`/orders/${placed.body.id}/rider`).set('x-actor', CUSTOMER).send({ rider: { name: '李师傅', phone: '13900000000' } });
    expect(byShopper.status).toBe(403);
    const out = await request(t.app).post(`/orders/${placed.body.id}/rider`).set('x-actor', MERCHANT).send({ rider: { name: '李师傅', phone: '13900000000', company: '达达' } });
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    expect([out.body.status, out.body.delivery.rider.name]).toEqual(['shipped', '李师傅']);
    const proof = await request(t.app).post(`/orders/${placed.body.id}/delivery-proof`).set('x-actor', MERCHANT).send({ photoUrl: 'https://img.example/p.jpg' });
    expect([proof.status, proof.body.status, proof.body.delivery.proof.photoUrl]).toEqual([200, 'delivered', 'https://img.example/p.jpg']);
    const ship = await request(t.app).post(`/orders/${placed.body.id}/ship`).set('x-actor', MERCHANT).send({ trackingNo: 'SF1', expressCompany: 'SF' });
    expect(ship.status).toBe(409);
  });

  it('pickup: no fee; the code reaches its shopper once paid, never staff; the counter verifies it', async () => {
    const placed = await place({ mode: 'pickup', storeId: 'hz-hubin' });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect([placed.body.pricing.freight, placed.body.delivery.store.name]).toEqual([0, '茶舍·湖滨店']);
    expect(placed.body.delivery.code).toBeUndefined();
    await pay(placed.body);
    const mine = await request(t.app).get(`/orders/${placed.body.id}`).set('x-actor', CUSTOMER);
    expect(mine.body.delivery.code).toBe('482913');
    const staff = await request(t.app).get(`/orders/${placed.body.id}`).set('x-actor', MERCHANT);
    expect(staff.body.delivery.code).toBeUndefined();
    expect(JSON.stringify((await request(t.app).get('/orders').set('x-actor', MERCHANT)).body)).not.toContain('482913');
    const wrong = await request(t.app).post(`/orders/${placed.body.id}/pickup-verification`).set('x-actor', MERCHANT).send({ code: '000000' });
    expect(wrong.status).toBe(422);
    expectErrorBody(wrong.body, 'PICKUP_CODE_MISMATCH');
    const done = await request(t.app).post(`/orders/${placed.body.id}/pickup-verification`).set('x-actor', MERCHANT).send({ code: '482913' });
    expect([done.status, done.body.status]).toEqual([200, 'completed']);
  });

  it('pickup: five wrong codes lock that order\'s verification (429), whichever route sends it; other orders are not affected', async () => {
    const placed = await place({ mode: 'pickup', storeId: 'hz-hubin' });
    const other = await place({ mode: 'pickup', storeId: 'hz-hubin' });
    await pay(placed.body);
    await pay(other.body);
    const verify = (id: string, code: string) => request(t.app).post(`/orders/${id}/pickup-verification`).set('x-actor', MERCHANT).send({ code });
    // A shopper's tries are refused and never count toward the lock (else any shopper could lock another's pickup).
    for (let i = 0; i < 6; i++) expect((await request(t.app).post(`/orders/${other.body.id}/commands`).set('x-actor', CUSTOMER).send({ type: 'VERIFY_PICKUP_CODE', code: '000000' })).status).toBe(403);
    for (let i = 0; i < 5; i++) expect((await verify(placed.body.id, `00000${i}`)).status).toBe(422);
    const locked = await verify(placed.body.id, '482913');
    expect(locked.status).toBe(429);
    expectErrorBody(locked.body, 'TOO_MANY_REQUESTS');
    const generic = await request(t.app).post(`/orders/${placed.body.id}/commands`).set('x-actor', MERCHANT).send({ type: 'VERIFY_PICKUP_CODE', code: '482913' });
    expect(generic.status).toBe(429);
    expect((await request(t.app).get(`/orders/${placed.body.id}`).set('x-actor', MERCHANT)).body.status).toBe('paid');
    const fine = await verify(other.body.id, '482913');
    expect([fine.status, fine.body.status]).toEqual([200, 'completed']);
  });

  it('bad input is a typed 4xx with the path and both languages; nothing is placed', async () => {
    const before = (await request(t.app).get('/orders').set('x-actor', MERCHANT)).body.items.length;
    const past = { start: '2026-11-25T10:00:00+08:00', end: '2026-11-25T11:00:00+08:00' };
    const cases: Array<[unknown, number, string, string[]]> = [
      [{ mode: 'local', distance: 12_000, slot: { start: '2026-11-25T20:00:00+08:00', end: '2026-11-25T21:00:00+08:00' } }, 422, 'DELIVERY_OUT_OF_RANGE', ['delivery', 'distance']],
      [{ mode: 'pickup', storeId: 'nowhere' }, 422, 'PICKUP_STORE_UNKNOWN', ['delivery', 'storeId']],
      [{ mode: 'local', zone: 'xihu', slot: past }, 422, 'DELIVERY_SLOT_PAST', ['delivery', 'slot', 'start']],
      [{ mode: 'teleport' }, 400, 'INVALID_BODY', []],
    ];
    for (const [delivery, status, code, path] of cases) {
      const r = await place(delivery);
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expectErrorBody(r.body, code === 'INVALID_BODY' ? undefined : code);
      if (path.length > 0) expect(r.body.path).toEqual(path);
    }
    expect((await request(t.app).get('/orders').set('x-actor', MERCHANT)).body.items.length).toBe(before);
  });

  it('the OpenAPI document has the options route and the three commands', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    for (const p of ['/delivery-options', '/orders/{id}/rider', '/orders/{id}/delivery-proof', '/orders/{id}/pickup-verification']) expect(Object.keys(doc.paths[p] ?? {}).length, p).toBe(1);
  });
});
