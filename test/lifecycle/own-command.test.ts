import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOrderService, MemoryOrderStore, orderView, type Actor, type Order } from '../../src/index.js';
import { createLifecycle, defineCommand, orderCommands } from '../../src/lifecycle/index.js';
import { ADDRESS, CUSTOMER, MERCHANT, testApp, type TestApp } from '../express/support/app.js';
import { NOW, customer, gateway, merchant, place } from './fixtures.js';

/**
 * The promise of issue 14: a shop adds its own command (a PICKED_UP row under `paid`, merchant
 * only) with defineCommand, and it works end to end — service.dispatch, the buttons, the HTTP
 * route and the OpenAPI entry — with no change inside orderkit.
 */
const pickedUp = defineCommand({
  type: 'PICKED_UP',
  schema: z.strictObject({ type: z.literal('PICKED_UP'), counter: z.string().min(1).max(20).optional() }),
  actors: ['merchant'],
  label: { 'zh-CN': '已自提', en: 'Picked up' },
  rows: [{ from: 'paid', to: 'completed', actions: ['complete'] }],
  button: { key: 'pickedUp', rank: 85, primary: true },
  http: { path: '/picked-up', operationId: 'pickedUp' },
});
const shop = createLifecycle({ commands: [...orderCommands, pickedUp] });

async function paidOrder(service: ReturnType<typeof createOrderService>): Promise<Order> {
  const placed = place();
  await service.store.create(placed, { events: [], effects: [] });
  const r = await service.dispatch(placed.id, { type: 'PAYMENT_SUCCEEDED', amount: placed.pricing.total, transactionId: 'tx-1' }, gateway);
  if (!r.ok) throw r.error;
  return r.order;
}

describe('a shop’s own command through the service and the views', () => {
  it('service.dispatch runs it; a customer is FORBIDDEN; it is INVALID_TRANSITION before payment', async () => {
    let t = NOW.getTime();
    const service = createOrderService({ store: new MemoryOrderStore(), lifecycle: shop, clock: { now: () => new Date((t += 1000)) } });
    const paid = await paidOrder(service);
    const denied = await service.dispatch(paid.id, { type: 'PICKED_UP' }, customer);
    expect(!denied.ok && denied.error.code).toBe('FORBIDDEN');
    const bad = await service.dispatch(paid.id, { type: 'PICKED_UP', counter: 7 }, merchant);
    expect(!bad.ok && bad.error.code).toBe('INVALID_COMMAND');
    expect(!bad.ok && bad.error.path).toEqual(['counter']);
    const done = await service.dispatch(paid.id, { type: 'PICKED_UP', counter: 'A1' }, merchant);
    if (!done.ok) throw done.error;
    expect(done.order.status).toBe('completed');
    expect(done.events[0]).toMatchObject({ type: 'PICKED_UP', from: 'paid', to: 'completed' });
    expect((await service.history(paid.id)).map((e) => e.type)).toEqual(['PAYMENT_SUCCEEDED', 'PICKED_UP']);

    const unpaid = { ...place({ id: 'o-2' }), number: 'N0000000002' };
    await service.store.create(unpaid, { events: [], effects: [] });
    const early = await service.dispatch(unpaid.id, { type: 'PICKED_UP' }, merchant);
    expect(!early.ok && early.error.code).toBe('INVALID_TRANSITION');
  });

  it('orderkit’s default service answers UNKNOWN_COMMAND naming the command it does not define', async () => {
    const service = createOrderService({ store: new MemoryOrderStore() });
    const paid = await paidOrder(service);
    const r = await service.dispatch(paid.id, { type: 'PICKED_UP' }, merchant);
    expect(!r.ok && r.error.code).toBe('UNKNOWN_COMMAND');
    expect(!r.ok && r.error.messages.en).toContain('PICKED_UP');
    expect(!r.ok && r.error.details).toMatchObject({ command: 'PICKED_UP' });
  });

  it('the merchant’s order page shows its button, the shopper’s does not', () => {
    const placed = place();
    const paid = shop.transition(placed, { type: 'PAYMENT_SUCCEEDED', amount: placed.pricing.total, transactionId: 'tx-1' } as { type: string }, { now: NOW, actor: gateway });
    if (!paid.ok) throw paid.error;
    const asMerchant = orderView(paid.order, { actor: merchant, now: NOW, lifecycle: shop });
    const button = asMerchant.actions.find((a) => a.key === 'pickedUp');
    expect(button).toMatchObject({ command: 'PICKED_UP', label: '已自提', primary: true });
    expect(asMerchant.actions.map((a) => a.key)).toEqual(['addRemark', 'changeAddress', 'cancel', 'requestAfterSale', 'ship', 'pickedUp']);
    expect(orderView(paid.order, { actor: customer, now: NOW, lifecycle: shop }).actions.some((a) => a.key === 'pickedUp')).toBe(false);
    expect(orderView(paid.order, { actor: merchant, now: NOW }).actions.some((a) => a.key === 'pickedUp')).toBe(false);
    expect(shop.jsonSchema()).toMatchObject({ anyOf: expect.arrayContaining([expect.objectContaining({ properties: expect.objectContaining({ type: { type: 'string', const: 'PICKED_UP' } }) })]) });
  });
});

describe('a shop’s own command over HTTP (the Express example)', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.close();
  });

  it('gets its own route and OpenAPI entry', async () => {
    t = await testApp({ lifecycle: shop as never });
    const placed = await request(t.app).post('/orders').set('x-actor', CUSTOMER).send({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }], address: ADDRESS });
    expect(placed.status).toBe(201);
    const id = (placed.body as Order).id;
    expect((await request(t.app).post(`/orders/${id}/pay/demo`).set('x-actor', CUSTOMER).send({})).status).toBe(200);
    const forbidden = await request(t.app).post(`/orders/${id}/picked-up`).set('x-actor', CUSTOMER).send({});
    expect(forbidden.status).toBe(403);
    const extra = await request(t.app).post(`/orders/${id}/picked-up`).set('x-actor', MERCHANT).send({ counter: 'A1', extra: true });
    expect(extra.status).toBe(400);
    const done = await request(t.app).post(`/orders/${id}/picked-up`).set('x-actor', MERCHANT).send({ counter: 'A1' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect((done.body as Order).status).toBe('completed');

    const doc = (await request(t.app).get('/openapi.json')).body as { paths: Record<string, Record<string, { operationId: string; summary: string }>> };
    const entry = doc.paths['/orders/{id}/picked-up']?.['post'];
    expect(entry).toMatchObject({ operationId: 'pickedUp', summary: 'Picked up 已自提' });
    expect(JSON.stringify(doc)).toContain('PICKED_UP');
  });

  it('orderkit’s own app has no such route', async () => {
    t = await testApp();
    const actor: Actor = merchant;
    expect(actor.type).toBe('merchant');
    const r = await request(t.app).post('/orders/x/picked-up').set('x-actor', MERCHANT).send({});
    expect(r.status).toBe(404);
  });
});
