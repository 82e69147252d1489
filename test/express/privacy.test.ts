import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, expectErrorBody, testApp, type TestApp } from './support/app.js';

/** POST /admin/customers/:customerId/anonymize (docs/privacy.md): admin only, everything of that customer. */
describe('Express example: anonymising a customer', () => {
  let t: TestApp;
  const tokens: Record<'admin' | 'staff', string> = { admin: '', staff: '' };
  beforeAll(async () => {
    t = await testApp({ auth: { demo: false } });
    await t.auth.staff.create('boss', 'boss-password-1', 'admin');
    await t.auth.staff.create('clerk', 'clerk-password-1', 'staff');
    for (const [role, username, password] of [['staff', 'clerk', 'clerk-password-1'], ['admin', 'boss', 'boss-password-1']] as const) {
      const r = await request(t.app).post('/auth/login').send({ username, password, mode: 'token' });
      expect(r.status, r.text).toBe(200);
      tokens[role] = r.body.token;
    }
    const line = { id: 'L1', sku: 'TEA-LJ-250', title: '西湖龙井 250g', fulfillment: 'physical' as const, listPrice: 16_800, unitPrice: 16_800, quantity: 1, subtotal: 16_800, allocations: [], payable: 16_800 };
    const quote = { lines: [line], adjustments: [], itemsTotal: 16_800, discountTotal: 0, freight: 0, pointsUsed: 0, pointsDeduction: 0, total: 16_800, savings: 0, couponIds: [], rejectedCoupons: [] };
    const placed = await t.context.service.place({ customerId: 'wx-openid-42', quote, address: ADDRESS });
    if (!placed.ok) throw placed.error;
  });
  afterAll(() => t.close());

  const anonymize = (token: string | undefined, id = 'wx-openid-42') => {
    const r = request(t.app).post(`/admin/customers/${encodeURIComponent(id)}/anonymize`).send({});
    return token ? r.set('authorization', `Bearer ${token}`) : r;
  };

  it('staff and anonymous callers are refused and nothing changes; the admin rewrites the orders, and a repeat finds nothing', async () => {
    expect((await anonymize(undefined)).status).toBe(401);
    const staff = await anonymize(tokens.staff);
    expect(staff.status).toBe(403);
    expectErrorBody(staff.body, 'FORBIDDEN');
    expect((await t.store.list({ customerId: 'wx-openid-42' })).items).toHaveLength(1);
    const done = await anonymize(tokens.admin);
    expect(done.status).toBe(200);
    expect(done.body.orders).toBe(1);
    expect(done.body.pseudonym).toMatch(/^anon-/);
    const [order] = (await t.store.list({ customerId: done.body.pseudonym })).items;
    expect(order!.address).toMatchObject({ phone: '***', detail: '***', name: '*' });
    expect(JSON.stringify(order)).not.toContain(ADDRESS.phone);
    expect(t.logs.some((l) => l.includes('customer anonymised by boss') && !l.includes('wx-openid-42'))).toBe(true);
    expect((await anonymize(tokens.admin)).body).toEqual({ orders: 0, pseudonym: null });
  });

  it('an id of 129 characters is a 400 INVALID_INPUT with both languages', async () => {
    const r = await anonymize(tokens.admin, 'x'.repeat(129));
    expect(r.status).toBe(400);
    expectErrorBody(r.body, 'INVALID_INPUT');
  });
});
