import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, testApp, type TestApp } from './support/app.js';

/**
 * docs/express.md "Personal data": an admin anonymising a customer removes their personal data.
 * The example keeps one more copy of it beside the orders, the saved default address (POST
 * /me/address): it goes too, so that neither the shopper's id nor staff placing an order on the
 * customer's behalf with `useDefaultAddress` get the name, phone and street back afterwards.
 */
describe('Express example: anonymising a customer also forgets their saved default address', () => {
  let t: TestApp;
  const OPENID = 'wx-openid-77';
  const SAVED = { ...ADDRESS, name: '李四', phone: '13911112222', detail: '断桥 9 号' };
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.close());

  const as = (actor: string) => ({
    get: (path: string) => request(t.app).get(path).set('x-actor', actor),
    post: (path: string, body: object = {}) => request(t.app).post(path).set('x-actor', actor).send(body),
  });

  it('the saved address is gone for the shopper and for staff placing on their behalf; orders and the answer are as before', async () => {
    const shopper = as(`customer:${OPENID}`);
    expect((await shopper.post('/me/address', { address: SAVED })).status).toBe(200);
    const placed = await shopper.post('/orders', { items: [{ sku: 'TEA-LJ-250', quantity: 1 }], useDefaultAddress: true });
    expect(placed.status, placed.text).toBe(201);

    const done = await as('admin:boss').post(`/admin/customers/${OPENID}/anonymize`);
    expect(done.status, done.text).toBe(200);
    expect(done.body).toMatchObject({ orders: 1, pseudonym: expect.stringMatching(/^anon-/) });

    const saved = await shopper.get('/me/address');
    expect([saved.status, saved.body]).toEqual([200, { address: null }]);
    const onBehalf = await as('merchant:clerk').post('/orders', { customerId: OPENID, items: [{ sku: 'TEA-LJ-250', quantity: 1 }], useDefaultAddress: true });
    expect([onBehalf.status, onBehalf.body.code]).toEqual([422, 'NO_DEFAULT_ADDRESS']);
    for (const text of [saved.text, onBehalf.text]) {
      for (const secret of [SAVED.phone, SAVED.detail, SAVED.name]) expect(text).not.toContain(secret);
    }
    // A second call finds nothing, as documented.
    expect((await as('admin:boss').post(`/admin/customers/${OPENID}/anonymize`)).body).toEqual({ orders: 0, pseudonym: null });
  });
});
