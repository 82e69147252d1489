import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Order } from '../../src/index.js';
import { ADDRESS, CUSTOMER, expectErrorBody, MERCHANT, OTHER_CUSTOMER, testApp, type TestApp } from '../express/support/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(async () => {
  await t.close();
});

const post = (path: string, actor: string, body: unknown) => request(t.app).post(path).set('x-actor', actor).send(body as object);
async function place(): Promise<Order> {
  const r = await post('/orders', CUSTOMER, { items: [{ sku: 'TEA-LJ-250', quantity: 1 }, { sku: 'CUP-GLASS', quantity: 2 }], address: ADDRESS });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as Order;
}

describe('Express: order edits', () => {
  it('POST /orders/:id/price re-prices an unpaid order with a new attempt; customers may not', async () => {
    const o = await place();
    const newTotal = o.pricing.total - 100;
    const forbidden = await post(`/orders/${o.id}/price`, CUSTOMER, { newTotal, reason: '老客' });
    expect(forbidden.status).toBe(403);
    expectErrorBody(forbidden.body, 'FORBIDDEN');
    const r = await post(`/orders/${o.id}/price`, MERCHANT, { newTotal, reason: '老客' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.pricing.total).toBe(newTotal);
    expect(r.body.payment.attempts.map((a: { outTradeNo: string; status: string }) => [a.outTradeNo, a.status])).toEqual([
      [o.number, 'closed'],
      [`${o.number}-2`, 'open'],
    ]);
    const up = await post(`/orders/${o.id}/price`, MERCHANT, { newTotal: newTotal + 1_000, reason: '加价' });
    expectErrorBody(up.body, 'PRICE_INCREASE_NOT_ALLOWED');
    const bad = await post(`/orders/${o.id}/price`, MERCHANT, { newTotal: 1.5, reason: 'x' });
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body);
  });

  it('POST /orders/:id/address and /remarks follow the lifecycle’s rules', async () => {
    const o = await place();
    const moved = { ...ADDRESS, detail: '文三路 9 号' };
    const r = await post(`/orders/${o.id}/address`, CUSTOMER, { address: moved });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.address.detail).toBe('文三路 9 号');
    expect((await post(`/orders/${o.id}/address`, OTHER_CUSTOMER, { address: moved })).status).toBe(403);
    const note = await post(`/orders/${o.id}/remarks`, MERCHANT, { text: '客户要求周末送货' });
    expect(note.status).toBe(200);
    expect(note.body.merchantNotes.map((n: { text: string }) => n.text)).toEqual(['客户要求周末送货']);
    expect((await post(`/orders/${o.id}/remarks`, CUSTOMER, { text: 'x' })).status).toBe(403);
    const pay = await post(`/orders/${o.id}/pay/demo`, CUSTOMER, {});
    expect(pay.status).toBe(200);
    const ship = await post(`/orders/${o.id}/ship`, MERCHANT, { trackingNo: 'SF1', expressCompany: '顺丰速运' });
    expect(ship.status).toBe(200);
    const locked = await post(`/orders/${o.id}/address`, MERCHANT, { address: moved });
    expectErrorBody(locked.body, 'ADDRESS_LOCKED');
  });

  it('documents the three routes in the OpenAPI document', async () => {
    const r = await request(t.app).get('/openapi.json');
    expect(r.status).toBe(200);
    const ops = Object.values(r.body.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) => Object.values(p).map((op) => op.operationId));
    expect(ops).toEqual(expect.arrayContaining(['adjustPrice', 'changeAddress', 'addRemark']));
  });
});
