import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { standInCode2Session } from '../../examples/express/src/auth/index.js';
import { ADDRESS, expectErrorBody, testApp, type TestApp } from './support/app.js';

/**
 * docs/express.md "Routes": POST /orders prices the cart on the server; a request names SKUs and
 * quantities, never what they cost. The example keeps no membership, points or coupon wallet of
 * its own, so outside demo mode a shopper's claim to a member level, a points balance or a coupon
 * cannot be checked: it is refused, not priced (else any shopper takes the gold price, 10 % off in
 * "points" and the same ¥10 coupon on every order). Nor the distance of a local delivery, which
 * sets its fee (docs/delivery.md: "measured by the shop from the address"). Demo mode keeps
 * believing them (the seeded shop), and staff placing on a customer's behalf may still give them,
 * as they may change a price.
 */
describe('Express example: what a shopper claims does not price the order', () => {
  let t: TestApp;
  let token = '';
  let clerk = '';
  const ITEMS = [{ sku: 'TEA-LJ-250', quantity: 1 }];
  const CLAIMS = {
    member: { member: { level: 'gold' } },
    points: { pointsBalance: 1_000_000, pointsToUse: 'max' },
    pointsToUse: { pointsToUse: 'max' },
    coupons: { coupons: [{ id: 'w-any', definitionId: 'C10', claimedAt: '2026-11-24T00:00:00Z' }] },
  } as const;

  beforeAll(async () => {
    t = await testApp({ auth: { code2Session: standInCode2Session() } });
    const signed = await request(t.app).post('/auth/wechat').send({ code: 'demo-alice' });
    expect(signed.status, signed.text).toBe(200);
    token = signed.body.token;
    await t.auth.staff.create('clerk', 'clerk-password-1', 'staff');
    clerk = (await request(t.app).post('/auth/login').send({ username: 'clerk', password: 'clerk-password-1', mode: 'token' })).body.token;
  });
  afterAll(() => t.close());

  const place = (bearer: string, body: object) => request(t.app).post('/orders').set('authorization', `Bearer ${bearer}`).send({ items: ITEMS, address: ADDRESS, ...body });

  it('a shopper claiming a member level, points or a coupon is refused with 403 and nothing is placed', async () => {
    const plain = await place(token, {});
    expect(plain.status, plain.text).toBe(201);
    for (const [name, claim] of Object.entries(CLAIMS)) {
      const r = await place(token, claim);
      expect(r.status, `${name}: ${r.text}`).toBe(403);
      expectErrorBody(r.body, 'FORBIDDEN');
      expect(r.body.path[0]).toBe('body');
    }
    expect((await t.store.list({})).items).toHaveLength(1);
    // 再来一单 takes the same claim: refused too.
    const again = await request(t.app).post(`/orders/${plain.body.id}/reorder`).set('authorization', `Bearer ${token}`).send(CLAIMS.member);
    expect(again.status, again.text).toBe(403);
    expectErrorBody(again.body, 'FORBIDDEN');
  });

  it('a shopper stating the distance of a local delivery is refused (the shop measures it); a zone and a slot are the shopper\'s choice', async () => {
    const slot = (await request(t.app).get('/delivery-options')).body.local.slots[0];
    const near = await place(token, { delivery: { mode: 'local', distance: 1, slot } });
    expect(near.status, near.text).toBe(403);
    expectErrorBody(near.body, 'FORBIDDEN');
    expect(near.body.path).toEqual(['body', 'delivery', 'distance']);
    const zone = await place(token, { delivery: { mode: 'local', zone: 'xihu', slot } });
    expect(zone.status, zone.text).toBe(201);
    expect(zone.body.delivery).toMatchObject({ mode: 'local', zone: 'xihu', fee: 600 });
    const measured = await place(clerk, { customerId: 'wx-openid-9', delivery: { mode: 'local', distance: 4200, slot } });
    expect(measured.status, measured.text).toBe(201);
  });

  it('a shopper\'s zone must be the one the address lies in (the fee goes by the zone)', async () => {
    const slot = (await request(t.app).get('/delivery-options')).body.local.slots[0];
    const before = (await t.store.list({})).items.length;
    // The address is in 西湖区 (fee 600): 上城区's zone is refused, whatever it costs.
    const other = await place(token, { delivery: { mode: 'local', zone: 'shangcheng', slot } });
    expect(other.status, other.text).toBe(422);
    expectErrorBody(other.body, 'DELIVERY_ZONE_MISMATCH');
    expect(other.body.path).toEqual(['body', 'delivery', 'zone']);
    expect((await t.store.list({})).items).toHaveLength(before);
    const inShangcheng = await place(token, { address: { ...ADDRESS, district: '上城区' }, delivery: { mode: 'local', zone: 'shangcheng', slot } });
    expect(inShangcheng.status, inShangcheng.text).toBe(201);
    expect(inShangcheng.body.delivery).toMatchObject({ zone: 'shangcheng', fee: 800 });
    // Staff choose the zone for a customer themselves.
    const byClerk = await place(clerk, { customerId: 'wx-openid-9', delivery: { mode: 'local', zone: 'shangcheng', slot } });
    expect(byClerk.status, byClerk.text).toBe(201);
  });

  it('a shopper cannot move a zone-priced local order to another district (its fee went by the zone); within the district, or by staff, it moves', async () => {
    const slot = (await request(t.app).get('/delivery-options')).body.local.slots[0];
    const placed = await place(token, { delivery: { mode: 'local', zone: 'xihu', slot } });
    expect(placed.status, placed.text).toBe(201);
    const move = (bearer: string, path: string, body: object) => request(t.app).post(`/orders/${placed.body.id}${path}`).set('authorization', `Bearer ${bearer}`).send(body);
    const elsewhere = { ...ADDRESS, district: '上城区', detail: '湖滨路 8 号' };
    for (const [path, body] of [['/address', { address: elsewhere }], ['/commands', { type: 'CHANGE_ADDRESS', address: elsewhere }]] as const) {
      const r = await move(token, path, body);
      expect(r.status, `${path}: ${r.text}`).toBe(422);
      expectErrorBody(r.body, 'DELIVERY_ZONE_MISMATCH');
      expect(r.body.path).toEqual(['body', 'address', 'district']);
    }
    expect((await t.store.load(placed.body.id))!.address!.district).toBe('西湖区');
    const nextDoor = await move(token, '/address', { address: { ...ADDRESS, detail: '龙井路 9 号' } });
    expect(nextDoor.status, nextDoor.text).toBe(200);
    const byStaff = await move(clerk, '/address', { address: elsewhere });
    expect(byStaff.status, byStaff.text).toBe(200);
  });

  it('staff placing on a customer\'s behalf may still give a member price (as they may change a price)', async () => {
    const plain = await place(clerk, { customerId: 'wx-openid-9' });
    const gold = await place(clerk, { customerId: 'wx-openid-9', ...CLAIMS.member });
    expect([plain.status, gold.status]).toEqual([201, 201]);
    expect(gold.body.pricing.total).toBeLessThan(plain.body.pricing.total);
  });
});
