import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Order } from '../../src/index.js';
import { ADDRESS, CUSTOMER, expectErrorBody, MERCHANT, OTHER_CUSTOMER, testApp, type TestApp } from './support/app.js';

/**
 * The idempotency attacks of issue 13 through the HTTP layer: the service scopes keys to the actor
 * and the order, so none of them reaches another customer's order, whatever the routes do.
 */
let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(async () => {
  await t.close();
});

const ITEMS = [{ sku: 'TEA-LJ-250', quantity: 1 }];
const post = (path: string, actor: string, body: unknown, key?: string) => {
  const r = request(t.app).post(path).set('x-actor', actor);
  if (key !== undefined) r.set('Idempotency-Key', key);
  return r.send(body as object);
};

async function placed(key?: string): Promise<Order> {
  const r = await post('/orders', CUSTOMER, { items: ITEMS, address: ADDRESS }, key);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as Order;
}

describe('Idempotency-Key attacks on the Express example', () => {
  it("another customer's key on POST /orders places that customer's own order, with nothing of the first", async () => {
    const first = await placed('checkout-victim');
    const stolen = await post('/orders', OTHER_CUSTOMER, { items: ITEMS }, 'checkout-victim');
    expect(stolen.status).toBe(201);
    expect(stolen.body.customerId).toBe('c2');
    expect(stolen.body.id).not.toBe(first.id);
    expect(JSON.stringify(stolen.body)).not.toContain(ADDRESS.phone);
    // The owner's retry of the same request is still answered with their order.
    const retry = await post('/orders', CUSTOMER, { items: ITEMS, address: ADDRESS }, 'checkout-victim');
    expect([retry.status, retry.body.id]).toEqual([200, first.id]);
  });

  it("a stranger's key on a merchant-only route is 403 and shows no order", async () => {
    const order = await placed();
    expect((await post(`/orders/${order.id}/pay/demo`, CUSTOMER, {})).status).toBe(200);
    const ship = { trackingNo: 'SF1001', expressCompany: '顺丰速运' };
    const shipped = await post(`/orders/${order.id}/ship`, MERCHANT, ship, 'ship-1');
    expect(shipped.status).toBe(200);
    const stolen = await post(`/orders/${order.id}/ship`, OTHER_CUSTOMER, ship, 'ship-1');
    expect(stolen.status).toBe(403);
    expectErrorBody(stolen.body, 'FORBIDDEN');
    expect(JSON.stringify(stolen.body)).not.toContain(ADDRESS.phone);
    expect(stolen.body.id).toBeUndefined();
  });

  it('the same key with a different command is 409 IDEMPOTENCY_KEY_REUSED, names no other order, and changes nothing', async () => {
    const other = await placed();
    const order = await placed();
    expect((await post(`/orders/${other.id}/commands`, MERCHANT, { type: 'ADD_REMARK', text: 'other order' }, 'k-1')).status).toBe(200);
    const remark = await post(`/orders/${order.id}/commands`, MERCHANT, { type: 'ADD_REMARK', text: 'gift wrap' }, 'k-1');
    expect(remark.status).toBe(200);
    const cancel = await post(`/orders/${order.id}/cancel`, MERCHANT, {}, 'k-1');
    expect(cancel.status).toBe(409);
    expectErrorBody(cancel.body, 'IDEMPOTENCY_KEY_REUSED');
    expect(JSON.stringify(cancel.body)).not.toContain(other.id);
    const now = await request(t.app).get(`/orders/${order.id}`).set('x-actor', MERCHANT);
    expect([now.body.status, now.body.version]).toEqual(['pending_payment', remark.body.version]);
    // The same request again is a replay of the first answer.
    const again = await post(`/orders/${order.id}/commands`, MERCHANT, { type: 'ADD_REMARK', text: 'gift wrap' }, 'k-1');
    expect([again.status, again.body.version]).toEqual([200, remark.body.version]);
  });
});
