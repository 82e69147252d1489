import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { standInCode2Session } from '../../examples/express/src/auth/index.js';
import { trustProxyFromEnv } from '../../examples/express/src/server.js';
import { ADDRESS, expectErrorBody, testApp, type TestApp } from './support/app.js';

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const ITEMS = [{ sku: 'TEA-LJ-250', quantity: 1 }];

async function staffCookie(app: TestApp): Promise<{ cookie: string[]; csrf: string }> {
  await app.auth.staff.create('clerk', 'clerk-password-1', 'staff');
  const r = await request(app.app).post('/auth/login').send({ username: 'clerk', password: 'clerk-password-1' });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.token).toBeUndefined();
  const cookie = r.headers['set-cookie'] as unknown as string[];
  expect(cookie.join(';')).toMatch(/orderkit_session=.*HttpOnly.*SameSite=Strict/i);
  return { cookie, csrf: r.body.csrfToken as string };
}

describe('sign-in outside demo mode', () => {
  it('ignores x-actor and ?actor=, and has no demo payment routes', async () => {
    t = await testApp({ auth: { code2Session: standInCode2Session() } });
    const r = await request(t.app).get('/orders').set('x-actor', 'merchant:m1');
    expect(r.status).toBe(401);
    expectErrorBody(r.body, 'UNAUTHENTICATED');
    expect((await request(t.app).get('/orders?actor=merchant:m1')).status).toBe(401);
    const shopper = (await request(t.app).post('/auth/wechat').send({ code: 'demo-alice' })).body as { token: string; customerId: string };
    const placed = await request(t.app).post('/orders').set('authorization', `Bearer ${shopper.token}`).send({ items: ITEMS, address: ADDRESS });
    expect(placed.status).toBe(201);
    expect(placed.body.customerId).toBe(shopper.customerId);
    const pay = await request(t.app).post(`/orders/${placed.body.id}/pay/demo`).set('authorization', `Bearer ${shopper.token}`).send({});
    expect(pay.status).toBe(404);
  });

  it('a cookie session needs the CSRF token on every write; a cross-site text/plain post changes nothing', async () => {
    t = await testApp({ auth: { code2Session: standInCode2Session() } });
    const { cookie, csrf } = await staffCookie(t);
    const body = { customerId: 'c9', items: ITEMS };
    const missing = await request(t.app).post('/orders').set('Cookie', cookie).send(body);
    expect(missing.status).toBe(403);
    expectErrorBody(missing.body, 'CSRF_REFUSED');
    const wrong = await request(t.app).post('/orders').set('Cookie', cookie).set('x-csrf-token', `${csrf}x`).send(body);
    expect(wrong.status).toBe(403);
    // What a hostile page's <form enctype="text/plain"> sends: refused before anything runs.
    const form = await request(t.app).post('/orders').set('Cookie', cookie).set('content-type', 'text/plain').send('{"customerId":"c9","items":[{"sku":"TEA-LJ-250","quantity":1}]}');
    expect([403, 415]).toContain(form.status);
    expectErrorBody(form.body);
    expect((await t.context.service.list({})).items).toHaveLength(0);
    const ok = await request(t.app).post('/orders').set('Cookie', cookie).set('x-csrf-token', csrf).send(body);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    // Reads need no token; signing out ends the cookie session.
    expect((await request(t.app).get('/auth/me').set('Cookie', cookie)).body).toMatchObject({ role: 'staff', id: 'clerk' });
    expect((await request(t.app).post('/auth/logout').set('Cookie', cookie).set('x-csrf-token', csrf)).status).toBe(204);
    expect((await request(t.app).get('/orders').set('Cookie', cookie)).status).toBe(401);
  });

  it('a signed-out token stays refused, and its revocation is forgotten once the token has expired by itself (the list does not grow for ever)', async () => {
    let now = Date.parse('2026-12-07T08:00:00.000Z');
    t = await testApp({ auth: { code2Session: standInCode2Session(), now: () => new Date(now) } });
    const signIn = async (code: string) => ((await request(t.app).post('/auth/wechat').send({ code })).body as { token: string }).token;
    const first = await signIn('demo-alice');
    expect((await request(t.app).post('/auth/logout').set('authorization', `Bearer ${first}`)).status).toBe(204);
    expect((await request(t.app).get('/orders').set('authorization', `Bearer ${first}`)).status).toBe(401);
    expect(t.auth.revokedCount).toBe(1);
    // A token nobody can verify revokes nothing.
    expect((await request(t.app).post('/auth/logout').set('authorization', 'Bearer not-a-token')).status).toBe(401);
    expect(t.auth.revokedCount).toBe(1);
    now += 7 * 86_400_000 + 1_000; // past the shopper token's 7 days
    const second = await signIn('demo-bob');
    expect((await request(t.app).post('/auth/logout').set('authorization', `Bearer ${second}`)).status).toBe(204);
    expect(t.auth.revokedCount).toBe(1);
    const expired = await request(t.app).get('/orders').set('authorization', `Bearer ${first}`);
    expect(expired.status).toBe(401);
    expectErrorBody(expired.body, 'SESSION_EXPIRED');
    expect((await request(t.app).get('/orders').set('authorization', `Bearer ${second}`)).status).toBe(401);
  });

  it("staff of one pickup store hand over only its orders: the store comes from the account, not the body", async () => {
    t = await testApp({ auth: { code2Session: standInCode2Session() } });
    await t.auth.staff.create('longjing', 'clerk-password-1', 'staff', new Date(), 'hz-longjing');
    await t.auth.staff.create('hubin', 'clerk-password-2', 'staff', new Date(), 'hz-hubin');
    expect(t.auth.staff.get('hubin')).toMatchObject({ storeId: 'hz-hubin' });
    const bearer = async (username: string, password: string) => {
      const r = await request(t.app).post('/auth/login').send({ username, password, mode: 'token' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return `Bearer ${r.body.token as string}`;
    };
    const shopper = (await request(t.app).post('/auth/wechat').send({ code: 'demo-alice' })).body as { token: string };
    const placed = await request(t.app).post('/orders').set('authorization', `Bearer ${shopper.token}`).send({ items: ITEMS, address: ADDRESS, delivery: { mode: 'pickup', storeId: 'hz-hubin' } });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const paid = await t.context.service.dispatch(placed.body.id, { type: 'PAYMENT_SUCCEEDED', amount: placed.body.pricing.total, transactionId: 'T1' }, { type: 'payment', gateway: 'wechatpay' });
    if (!paid.ok) throw paid.error;
    const code = (await t.store.load(placed.body.id))!.delivery as { code: string };
    // The other store's clerk, with the right code and the right store written in the body: refused.
    const elsewhere = await request(t.app).post(`/orders/${placed.body.id}/pickup-verification`).set('authorization', await bearer('longjing', 'clerk-password-1')).send({ code: code.code, storeId: 'hz-hubin' });
    expect(elsewhere.status).toBe(422);
    expectErrorBody(elsewhere.body, 'PICKUP_STORE_MISMATCH');
    const viaCommands = await request(t.app).post(`/orders/${placed.body.id}/commands`).set('authorization', await bearer('longjing', 'clerk-password-1')).send({ type: 'VERIFY_PICKUP_CODE', code: code.code });
    expectErrorBody(viaCommands.body, 'PICKUP_STORE_MISMATCH');
    const here = await request(t.app).post(`/orders/${placed.body.id}/pickup-verification`).set('authorization', await bearer('hubin', 'clerk-password-2')).send({ code: code.code });
    expect([here.status, here.body.status]).toEqual([200, 'completed']);
  });

  it('limits sign-in attempts per address: 429 with a code, and the right password does not get through meanwhile', async () => {
    t = await testApp({ auth: { code2Session: standInCode2Session(), limits: { signInPerMinute: 3, writesPerMinute: 1000 } } });
    await t.auth.staff.create('clerk', 'clerk-password-1', 'staff');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await request(t.app).post('/auth/login').send({ username: 'clerk', password: `guess-${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const right = await request(t.app).post('/auth/login').send({ username: 'clerk', password: 'clerk-password-1' });
    expect(right.status).toBe(429);
    expectErrorBody(right.body, 'TOO_MANY_REQUESTS');
  });

  it('behind a proxy (trustProxy) the sign-in limit counts each caller, not the proxy; without it, everyone behind the proxy shares one limit', async () => {
    const tries = async () => {
      const statuses: number[] = [];
      for (const caller of ['203.0.113.7', '203.0.113.7', '203.0.113.7', '198.51.100.9']) {
        statuses.push((await request(t.app).post('/auth/login').set('x-forwarded-for', caller).send({ username: 'clerk', password: 'wrong-password' })).status);
      }
      return statuses;
    };
    t = await testApp({ trustProxy: 1, auth: { code2Session: standInCode2Session(), limits: { signInPerMinute: 2, writesPerMinute: 1000 } } });
    await t.auth.staff.create('clerk', 'clerk-password-1', 'staff');
    expect(await tries()).toEqual([401, 401, 429, 401]);
    await t.close();
    t = await testApp({ auth: { code2Session: standInCode2Session(), limits: { signInPerMinute: 2, writesPerMinute: 1000 } } });
    await t.auth.staff.create('clerk', 'clerk-password-1', 'staff');
    expect(await tries()).toEqual([401, 401, 429, 429]);
  });

  it('refuses a trustProxy it cannot read (INVALID_CONFIG), and TRUST_PROXY reads as a count, a flag or addresses', async () => {
    await expect(testApp({ trustProxy: 'not-an-address' })).rejects.toMatchObject({ code: 'INVALID_CONFIG', path: ['trustProxy'] });
    expect(trustProxyFromEnv({})).toBeUndefined();
    expect(trustProxyFromEnv({ TRUST_PROXY: '2' })).toBe(2);
    expect(trustProxyFromEnv({ TRUST_PROXY: 'true' })).toBe(true);
    expect(trustProxyFromEnv({ TRUST_PROXY: 'loopback, 10.0.0.0/8' })).toBe('loopback, 10.0.0.0/8');
  });

  it('sends security headers (helmet) and never a server banner', async () => {
    t = await testApp({ auth: { code2Session: standInCode2Session() } });
    const r = await request(t.app).get('/dashboard');
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-powered-by']).toBeUndefined();
  });
});

describe('DEMO mode', () => {
  it('believes x-actor, but ?actor= only on GET (a cross-site form cannot act through it)', async () => {
    t = await testApp();
    const viaQuery = await request(t.app).post('/orders?actor=customer:c1').send({ items: ITEMS });
    expect(viaQuery.status).toBe(401);
    expect((await request(t.app).post('/orders').set('x-actor', 'customer:c1').send({ items: ITEMS })).status).toBe(201);
  });

  it('has no demo payment route beside a configured WeChat Pay', async () => {
    t = await testApp({ wechatpay: { mchid: '1900000109', apiV3Key: 'orderkitTestApiV3Key0123456789ab', keys: {} } });
    const placed = await request(t.app).post('/orders').set('x-actor', 'customer:c1').send({ items: ITEMS });
    expect((await request(t.app).post(`/orders/${placed.body.id}/pay/demo`).set('x-actor', 'customer:c1').send({})).status).toBe(404);
  });
});
