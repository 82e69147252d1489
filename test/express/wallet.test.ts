import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/express/src/app.js';
import { storeFigures } from '../../examples/express/src/figures.js';
import { migrate, migrateBalance, PostgresBalance, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { createOrderService } from '../../src/index.js';
import { freshPGlite } from '../support/pglite.js';
import { ADDRESS, CUSTOMER, expectErrorBody, MERCHANT, OTHER_CUSTOMER, TestClock, testApp, testAuthOptions, type TestApp } from './support/app.js';

/** 余额 + 微信支付, the default address and 再来一单 through the example's API (docs/payment-sources.md). */
describe('Express example: balance, default address, order again', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.close());

  const balanceOf = async (actor: string) => (await request(t.app).get('/balance').set('x-actor', actor)).body.balance as number;

  it('staff top up; the shopper pays part from the balance; the order shows both sources; a merchant cancel sends each part back', async () => {
    const top = await request(t.app).post('/balance/top-ups').set('x-actor', MERCHANT).send({ customerId: 'c1', amount: 10_000, key: 'receipt-1' });
    expect(top.status, JSON.stringify(top.body)).toBe(200);
    expect(await balanceOf(CUSTOMER)).toBe(10_000);
    // 西湖龙井 ¥168.00 (free shipping over ¥99): ¥50.00 from the balance, ¥118.00 by WeChat Pay.
    const placed = await request(t.app).post('/orders').set('x-actor', CUSTOMER).send({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }], address: ADDRESS, payWith: { balance: 5000 } });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(await balanceOf(CUSTOMER)).toBe(5000);
    const order = placed.body;
    const due = order.pricing.total - 5000;
    expect(order.payment.attempts.map((a: { amount: number }) => a.amount)).toEqual([due]);
    const paid = await t.context.service.dispatch(order.id, { type: 'PAYMENT_SUCCEEDED', amount: due, transactionId: 'wx-api-1' }, { type: 'payment', gateway: 'wechatpay' });
    expect(paid.ok).toBe(true);
    const detail = await request(t.app).get(`/orders/${order.id}`).set('x-actor', CUSTOMER);
    expect(detail.body.payment.sources.map((s: { kind: string; amount: number }) => [s.kind, s.amount])).toEqual([
      ['balance', 5000],
      ['wechat', due],
    ]);
    const cancelled = await request(t.app).post(`/orders/${order.id}/cancel`).set('x-actor', MERCHANT).send({ reason: '缺货' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(await balanceOf(CUSTOMER)).toBe(10_000);
    const after = await request(t.app).get(`/orders/${order.id}`).set('x-actor', CUSTOMER);
    expect(after.body.refunds.map((r: { amount: number; transactionId: string }) => [r.amount, r.transactionId])).toEqual([
      [due, 'wx-api-1'],
      [5000, `balance:${order.number}`],
    ]);
  });

  it('a balance that does not cover its part is 409 INSUFFICIENT_BALANCE, sources that do not add up 422: no order, nothing debited', async () => {
    const before = (await request(t.app).get('/orders').set('x-actor', OTHER_CUSTOMER)).body.items.length;
    const short = await request(t.app).post('/orders').set('x-actor', OTHER_CUSTOMER).send({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }], address: ADDRESS, payWith: { balance: 100 } });
    expect(short.status).toBe(409);
    expectErrorBody(short.body, 'INSUFFICIENT_BALANCE');
    const mismatch = await request(t.app).post('/orders').set('x-actor', CUSTOMER).send({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }], address: ADDRESS, payWith: { balance: 100, wechat: 1 } });
    expect(mismatch.status).toBe(422);
    expectErrorBody(mismatch.body, 'PAYMENT_SOURCES_MISMATCH');
    const bad = await request(t.app).post('/orders').set('x-actor', CUSTOMER).send({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }], payWith: { balance: -1 } });
    expect(bad.status).toBe(400);
    expect((await request(t.app).get('/orders').set('x-actor', OTHER_CUSTOMER)).body.items.length).toBe(before);
    expect(await balanceOf(CUSTOMER)).toBe(10_000);
  });

  it('a shopper saves a default address and checks out with it; staff have none; another shopper never sees it', async () => {
    const none = await request(t.app).post('/orders').set('x-actor', CUSTOMER).send({ items: [{ sku: 'CUP-GLASS', quantity: 1 }], useDefaultAddress: true });
    expect(none.status).toBe(422);
    expectErrorBody(none.body, 'NO_DEFAULT_ADDRESS');
    const saved = await request(t.app).post('/me/address').set('x-actor', CUSTOMER).send({ address: ADDRESS });
    expect(saved.status).toBe(200);
    const placed = await request(t.app).post('/orders').set('x-actor', CUSTOMER).send({ items: [{ sku: 'CUP-GLASS', quantity: 1 }], useDefaultAddress: true });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body.address).toEqual(ADDRESS);
    expect((await request(t.app).get('/me/address').set('x-actor', OTHER_CUSTOMER)).body).toEqual({ address: null });
    expect((await request(t.app).get('/me/address').set('x-actor', MERCHANT)).status).toBe(403);
  });

  it('再来一单: a preview of today’s prices, then a new order; someone else’s order is refused', async () => {
    const first = await request(t.app).post('/orders').set('x-actor', CUSTOMER).send({ items: [{ sku: 'TEA-PE-357', quantity: 2 }, { sku: 'CUP-GLASS', quantity: 1 }], address: ADDRESS });
    expect(first.status).toBe(201);
    const preview = await request(t.app).get(`/orders/${first.body.id}/reorder`).set('x-actor', CUSTOMER);
    expect(preview.status).toBe(200);
    expect(preview.body.items).toEqual([
      { sku: 'TEA-PE-357', quantity: 2 },
      { sku: 'CUP-GLASS', quantity: 1 },
    ]);
    expect(preview.body.report.same).toBe(true);
    expect(preview.body.quote.total).toBe(first.body.pricing.total);
    const again = await request(t.app).post(`/orders/${first.body.id}/reorder`).set('x-actor', CUSTOMER).set('idempotency-key', 'again-1').send({});
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.order.id).not.toBe(first.body.id);
    expect(again.body.order.address).toEqual(ADDRESS);
    expect(again.body.order.pricing.total).toBe(first.body.pricing.total);
    const replay = await request(t.app).post(`/orders/${first.body.id}/reorder`).set('x-actor', CUSTOMER).set('idempotency-key', 'again-1').send({});
    expect(replay.status).toBe(200);
    expect(replay.body.order.id).toBe(again.body.order.id);
    const theirs = await request(t.app).post(`/orders/${first.body.id}/reorder`).set('x-actor', OTHER_CUSTOMER).send({});
    expect(theirs.status).toBe(403);
  });
});

/**
 * The balance on PostgreSQL, as `npm start` runs it: a customer id or top-up key with a character
 * no store can keep (%00) was a database error, answered 500 (GET /balance) or 503
 * BALANCE_UNAVAILABLE (POST /balance/top-ups, which tells a client to retry); a lone surrogate
 * became U+FFFD in the database, so two ids shared one account.
 */
describe('Express example: the balance on PostgreSQL and text no store can keep', () => {
  it('GET /balance of such an id holds nothing; a top-up naming one is 422 INVALID_BALANCE_MOVEMENT at its path and moves nothing', async () => {
    const db = await freshPGlite();
    await migrate(db);
    await migrateBalance(db);
    const store = new PostgresOrderStore({ db });
    const balance = new PostgresBalance({ db });
    const clock = new TestClock(Date.parse('2026-11-25T04:00:00Z'));
    const app = await createApp({ service: createOrderService({ store, clock, balance }), clock, balance, figures: storeFigures(store), log: () => undefined, auth: { demo: true, ...testAuthOptions() } });
    try {
      const read = await request(app.app).get('/balance?customerId=c1%00').set('x-actor', MERCHANT);
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect(read.body).toEqual({ customerId: 'c1\u0000', balance: 0 });
      for (const [field, body] of [
        ['customerId', { customerId: 'c1\u0000', key: 'card-1', amount: 500 }],
        ['customerId', { customerId: '\ud800', key: 'card-2', amount: 500 }],
        ['key', { customerId: 'c1', key: 'card\u0000', amount: 500 }],
      ] as const) {
        const r = await request(app.app).post('/balance/top-ups').set('x-actor', MERCHANT).send(body);
        expect(r.status, JSON.stringify(r.body)).toBe(422);
        expectErrorBody(r.body, 'INVALID_BALANCE_MOVEMENT');
        expect(r.body.path).toEqual([field]);
      }
      expect([await balance.balanceOf('c1'), await balance.balanceOf('\ufffd')]).toEqual([0, 0]);
    } finally {
      await app.close();
      await db.close();
    }
  });
});
