import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoRules, cartFor } from '../../examples/express/src/catalog.js';
import { priceCart, type Order } from '../../src/index.js';
import { ADDRESS, CUSTOMER, expectErrorBody, MERCHANT, OTHER_CUSTOMER, testApp, type TestApp } from './support/app.js';

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(async () => {
  await t.close();
});

const ITEMS = [
  { sku: 'TEA-LJ-250', quantity: 1 },
  { sku: 'CUP-GLASS', quantity: 2 },
];

async function place(actor = CUSTOMER, body: Record<string, unknown> = { items: ITEMS, address: ADDRESS }): Promise<Order> {
  const r = await request(t.app).post('/orders').set('x-actor', actor).send(body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as Order;
}
const post = (path: string, actor: string | null, body?: unknown) => {
  const r = request(t.app).post(path);
  if (actor) r.set('x-actor', actor);
  return body === undefined ? r : r.send(body as object);
};
async function paid(): Promise<Order> {
  const o = await place();
  const r = await post(`/orders/${o.id}/pay/demo`, CUSTOMER, {});
  expect(r.status).toBe(200);
  return r.body as Order;
}
async function shipped(): Promise<Order> {
  const o = await paid();
  const r = await post(`/orders/${o.id}/ship`, MERCHANT, { trackingNo: 'SF1001', expressCompany: '顺丰速运' });
  expect(r.status).toBe(200);
  return r.body as Order;
}

describe('POST /orders (place)', () => {
  it('prices the cart on the server and answers 201 with the order', async () => {
    const r = await post('/orders', CUSTOMER, { items: ITEMS, address: ADDRESS });
    expect(r.status).toBe(201);
    expect(r.headers.location).toBe(`/orders/${r.body.id}`);
    const expected = priceCart(cartFor({ items: ITEMS, region: ADDRESS.province }), demoRules(t.clock.now()), { now: t.clock.now() });
    if (!expected.ok) throw expected.error;
    expect(r.body).toMatchObject({ status: 'pending_payment', customerId: 'c1', pricing: { total: expected.quote.total } });
  });

  it('places once per Idempotency-Key', async () => {
    const first = await post('/orders', CUSTOMER, { items: ITEMS }).set('Idempotency-Key', 'checkout-1');
    const again = await post('/orders', CUSTOMER, { items: ITEMS }).set('Idempotency-Key', 'checkout-1');
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const list = await request(t.app).get('/orders').set('x-actor', CUSTOMER);
    expect(list.body.items).toHaveLength(1);
  });

  it('lets a merchant place for a named customer, never a customer for another', async () => {
    expect((await post('/orders', MERCHANT, { items: ITEMS, customerId: 'c9' })).body.customerId).toBe('c9');
    const noCustomer = await post('/orders', MERCHANT, { items: ITEMS });
    expect(noCustomer.status).toBe(400);
    expectErrorBody(noCustomer.body, 'INVALID_INPUT');
    const other = await post('/orders', CUSTOMER, { items: ITEMS, customerId: 'c2' });
    expect(other.status).toBe(403);
    expectErrorBody(other.body, 'FORBIDDEN');
  });

  it('answers 400 for a malformed body with the path of every problem, 422 for an unknown SKU', async () => {
    const bad = await post('/orders', CUSTOMER, { items: [{ sku: 'TEA-LJ-250', quantity: 0 }], price: 1 });
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body, 'INVALID_INPUT');
    const paths = bad.body.issues.map((i: { path: unknown[] }) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['body.items.0.quantity', 'body']));
    const unknown = await post('/orders', CUSTOMER, { items: [{ sku: 'NOPE', quantity: 1 }] });
    expect(unknown.status).toBe(422);
    expectErrorBody(unknown.body, 'UNKNOWN_SKU');
    expect(unknown.body.path).toEqual(['items', 0, 'sku']);
  });

  it('answers 400 INVALID_JSON for broken JSON and 401 without an actor', async () => {
    const broken = await request(t.app).post('/orders').set('x-actor', CUSTOMER).set('content-type', 'application/json').send('{"items": [');
    expect(broken.status).toBe(400);
    expectErrorBody(broken.body, 'INVALID_JSON');
    const anonymous = await post('/orders', null, { items: ITEMS });
    expect(anonymous.status).toBe(401);
    expectErrorBody(anonymous.body, 'UNAUTHENTICATED');
    const pretender = await post('/orders', 'payment:wechatpay', { items: ITEMS });
    expect(pretender.status).toBe(401);
  });
});

describe('reading orders', () => {
  it('lists a customer\'s own orders only, all of them for a merchant, page by page', async () => {
    await place(CUSTOMER);
    await place(CUSTOMER);
    await place(OTHER_CUSTOMER);
    const mine = await request(t.app).get('/orders').set('x-actor', CUSTOMER);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((o: Order) => o.customerId)).toEqual(['c1', 'c1']);
    const page1 = await request(t.app).get('/orders?limit=2').set('x-actor', MERCHANT);
    expect(page1.body.items).toHaveLength(2);
    const page2 = await request(t.app).get(`/orders?limit=2&cursor=${encodeURIComponent(page1.body.nextCursor)}`).set('x-actor', MERCHANT);
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    const filtered = await request(t.app).get('/orders?status=paid,closed').set('x-actor', MERCHANT);
    expect(filtered.body.items).toHaveLength(0);
    const bad = await request(t.app).get('/orders?status=lost').set('x-actor', MERCHANT);
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body, 'INVALID_QUERY');
  });

  it('gets an order, its history and the actions allowed now; 403 for someone else\'s, 404 for none', async () => {
    const o = await paid();
    expect((await request(t.app).get(`/orders/${o.id}`).set('x-actor', CUSTOMER)).body.status).toBe('paid');
    expect((await request(t.app).get(`/orders/${o.id}`).set('x-actor', MERCHANT)).status).toBe(200);
    const other = await request(t.app).get(`/orders/${o.id}`).set('x-actor', OTHER_CUSTOMER);
    expect(other.status).toBe(403);
    expectErrorBody(other.body, 'FORBIDDEN');
    const none = await request(t.app).get('/orders/nope').set('x-actor', MERCHANT);
    expect(none.status).toBe(404);
    expectErrorBody(none.body, 'ORDER_NOT_FOUND');
    const history = await request(t.app).get(`/orders/${o.id}/history`).set('x-actor', CUSTOMER);
    expect(history.body.map((e: { version: number; to: string }) => [e.version, e.to])).toEqual([
      [1, 'pending_payment'],
      [2, 'paid'],
    ]);
    const actions = await request(t.app).get(`/orders/${o.id}/actions`).set('x-actor', MERCHANT);
    expect(actions.body.actions).toContain('SHIP');
    expect((await request(t.app).get(`/orders/${o.id}/actions`).set('x-actor', CUSTOMER)).body.actions).not.toContain('SHIP');
  });
});

describe('lifecycle commands', () => {
  it('pays (demo gateway), ships, delivers and confirms', async () => {
    const o = await shipped();
    expect(o.status).toBe('shipped');
    const delivered = await post(`/orders/${o.id}/deliver`, MERCHANT, {});
    expect(delivered.body.status).toBe('delivered');
    const confirmed = await post(`/orders/${o.id}/confirm`, CUSTOMER);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('completed');
  });

  it('treats a repeated payment as a no-op, and records a wrong amount for a refund without paying the order', async () => {
    const o = await place();
    const wrong = await post(`/orders/${o.id}/pay/demo`, CUSTOMER, { amount: o.pricing.total + 1, transactionId: 'T0' });
    expect(wrong.status).toBe(200);
    expect(wrong.headers['x-orderkit-stray-payment']).toBe('AMOUNT_MISMATCH');
    expect(wrong.body.status).toBe('pending_payment');
    expect(wrong.body.payment.stray).toHaveLength(1);
    const first = await post(`/orders/${o.id}/pay/demo`, CUSTOMER, { transactionId: 'T1' });
    const again = await post(`/orders/${o.id}/pay/demo`, CUSTOMER, { transactionId: 'T1' });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body.version).toBe(first.body.version);
  });

  it('answers 403 for the wrong actor, 409 for a command the status does not allow, 404 for no order', async () => {
    const o = await shipped();
    const byCustomer = await post(`/orders/${o.id}/ship`, CUSTOMER, {});
    expect(byCustomer.status).toBe(403);
    expectErrorBody(byCustomer.body, 'FORBIDDEN');
    const twice = await post(`/orders/${o.id}/ship`, MERCHANT, {});
    expect(twice.status).toBe(409);
    expectErrorBody(twice.body);
    const cancelUnpaid = await post(`/orders/${o.id}/cancel`, CUSTOMER, {});
    expect([409, 422]).toContain(cancelUnpaid.status);
    expect((await post('/orders/nope/ship', MERCHANT, {})).status).toBe(404);
    const badBody = await post(`/orders/${o.id}/deliver`, MERCHANT, { shipmentId: 5 });
    expect(badBody.status).toBe(400);
    expectErrorBody(badBody.body, 'INVALID_INPUT');
  });

  it('cancels an unpaid order, then refuses a second cancel with 409', async () => {
    const o = await place();
    const cancelled = await post(`/orders/${o.id}/cancel`, CUSTOMER, { reason: '不要了' });
    expect(cancelled.body).toMatchObject({ status: 'closed', closeReason: 'customer_cancelled' });
    const again = await post(`/orders/${o.id}/cancel`, CUSTOMER, {});
    expect(again.status).toBe(409);
    expectErrorBody(again.body, 'INVALID_TRANSITION');
  });

  it('sends any command by type, but never lets a request act as the payment gateway', async () => {
    const o = await paid();
    const ship = await post(`/orders/${o.id}/commands`, MERCHANT, { type: 'SHIP', logisticsType: 'same_city' });
    expect(ship.status).toBe(200);
    expect(ship.body.shipments[0].logisticsType).toBe('same_city');
    const fake = await post(`/orders/${o.id}/commands`, CUSTOMER, { type: 'REFUND_SUCCEEDED', refundId: 'R1' });
    expect(fake.status).toBe(403);
    const unknown = await post(`/orders/${o.id}/commands`, MERCHANT, { type: 'TELEPORT' });
    expect(unknown.status).toBe(400);
    expectErrorBody(unknown.body, 'UNKNOWN_COMMAND');
    expect(unknown.body.messages.en).toContain('TELEPORT');
  });
});

describe('after-sales and refunds', () => {
  it('refunds a whole order before shipment: auto-approved, paid out by the gateway, order closed', async () => {
    const o = await paid();
    const asked = await post(`/orders/${o.id}/after-sales`, CUSTOMER, { kind: 'refund_only', reason: '拍错了' });
    expect(asked.status).toBe(200);
    const refund = asked.body.refunds[0];
    expect(refund).toMatchObject({ status: 'pending', amount: o.payment.paidAmount });
    const byCustomer = await post(`/orders/${o.id}/refunds/${refund.id}/result`, CUSTOMER, { status: 'succeeded' });
    expect(byCustomer.status).toBe(403);
    const done = await post(`/orders/${o.id}/refunds/${refund.id}/result`, MERCHANT, { status: 'succeeded' });
    expect(done.body).toMatchObject({ status: 'closed', closeReason: 'fully_refunded' });
    const unknown = await post(`/orders/${o.id}/refunds/NOPE/result`, MERCHANT, { status: 'succeeded' });
    expect(unknown.status).toBe(404);
  });

  it('runs a return: request, approve, ship back, receive, refund; and a refund that fails', async () => {
    const o = await shipped();
    const line = o.lines[0]!;
    const asked = await post(`/orders/${o.id}/after-sales`, CUSTOMER, { kind: 'return_and_refund', items: [{ lineId: line.id, quantity: 1 }], reason: '不合口味' });
    const id = asked.body.afterSales[0].id;
    const base = `/orders/${o.id}/after-sales/${id}`;
    expect((await post(`${base}/approve`, MERCHANT)).body.afterSales[0].status).toBe('awaiting_return');
    expect((await post(`${base}/return-shipped`, CUSTOMER, { trackingNo: 'YT1', expressCompany: '圆通' })).status).toBe(200);
    const received = await post(`${base}/return-received`, MERCHANT);
    const refund = received.body.refunds[0];
    expect(refund.amount).toBe(line.payable / line.quantity);
    const failed = await post(`/orders/${o.id}/refunds/${refund.id}/result`, MERCHANT, { status: 'failed', reason: '账户异常' });
    expect(failed.body.refunds[0].status).toBe('failed');
    // Approving again retries the same refund id (WeChat Pay's out_refund_no must be reused).
    const retried = await post(`${base}/approve`, MERCHANT);
    expect(retried.body.refunds).toHaveLength(1);
    expect(retried.body.refunds[0]).toMatchObject({ id: refund.id, status: 'pending', attempts: 2 });
    const rejectNow = await post(`${base}/reject`, MERCHANT, { reason: 'too late' });
    expect(rejectNow.status).toBe(409);
    expectErrorBody(rejectNow.body);
    expect((await post(`/orders/${o.id}/after-sales/NOPE/approve`, MERCHANT)).status).toBe(404);
  });

  it('rejects and withdraws after-sale requests', async () => {
    const o = await shipped();
    const line = o.lines[0]!;
    const first = await post(`/orders/${o.id}/after-sales`, CUSTOMER, { kind: 'return_and_refund', items: [{ lineId: line.id, quantity: 1 }], reason: '不想要了' });
    const id = first.body.afterSales[0].id;
    const rejected = await post(`/orders/${o.id}/after-sales/${id}/reject`, MERCHANT, { reason: '影响二次销售' });
    expect(rejected.body.afterSales[0]).toMatchObject({ status: 'rejected', rejectReason: '影响二次销售' });
    const second = await post(`/orders/${o.id}/after-sales`, CUSTOMER, { kind: 'refund_only', items: [{ lineId: line.id, quantity: 1 }], reason: '破损' });
    const id2 = second.body.afterSales[1].id;
    const withdrawn = await post(`/orders/${o.id}/after-sales/${id2}/cancel`, CUSTOMER);
    expect(withdrawn.body.afterSales[1].status).toBe('cancelled');
  });
});

describe('concurrency over HTTP', () => {
  it('two refund requests at once yield exactly one refund', async () => {
    for (let round = 0; round < 5; round++) {
      const o = await paid();
      const replies = await Promise.all([
        post(`/orders/${o.id}/after-sales`, CUSTOMER, { kind: 'refund_only', reason: 'first tap' }),
        post(`/orders/${o.id}/after-sales`, CUSTOMER, { kind: 'refund_only', reason: 'second tap' }),
      ]);
      const statuses = replies.map((r) => r.status).sort();
      expect(statuses[0]).toBe(200);
      expect([409, 422]).toContain(statuses[1]);
      for (const r of replies) if (r.status !== 200) expectErrorBody(r.body);
      const final = (await request(t.app).get(`/orders/${o.id}`).set('x-actor', MERCHANT)).body as Order;
      expect(final.refunds).toHaveLength(1);
      expect(final.refunds[0]!.amount).toBe(o.payment.paidAmount);
    }
  });

  it('a merchant cancel and a refund request racing on a paid order refund the money once', async () => {
    const o = await paid();
    await Promise.all([
      post(`/orders/${o.id}/cancel`, MERCHANT, { reason: '缺货' }),
      post(`/orders/${o.id}/after-sales`, CUSTOMER, { kind: 'refund_only', reason: '不要了' }),
    ]);
    const final = (await request(t.app).get(`/orders/${o.id}`).set('x-actor', MERCHANT)).body as Order;
    const held = final.refunds.filter((r) => r.status !== 'failed').reduce((s, r) => s + r.amount, 0);
    expect(held).toBe(o.payment.paidAmount);
  });
});

describe('documentation, dashboard and errors', () => {
  it('serves an OpenAPI 3.1 document generated from the zod schemas, and the reference page from node_modules', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const ship = doc.paths['/orders/{id}/ship'].post;
    expect(Object.keys(ship.requestBody.content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['trackingNo', 'expressCompany', 'items', 'logisticsType']),
    );
    expect(ship.responses['409'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    for (const route of t.routes) expect(doc.paths[route.doc.path.replace(/:([A-Za-z]+)/g, '{$1}')][route.doc.method]).toBeDefined();
    const page = await request(t.app).get('/docs');
    expect(page.text).toContain('/docs/assets/swagger-ui-bundle.js');
    const bundle = await request(t.app).get('/docs/assets/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
  });

  it('serves the dashboard, its data and ECharts locally', async () => {
    await paid();
    await place();
    const page = await request(t.app).get('/dashboard');
    expect(page.text).toContain('/vendor/echarts.min.js');
    expect((await request(t.app).get('/vendor/echarts.min.js')).status).toBe(200);
    const data = (await request(t.app).get('/dashboard/data').set('x-actor', MERCHANT)).body;
    expect(data.summary.funnel.map((f: { count: number }) => f.count)).toEqual([2, 1, 0, 0]);
    expect(data.bottlenecks.stages).toHaveLength(4);
    const range = await request(t.app).get('/analytics/summary?from=2026-11-25T00:00:00%2B08:00&to=2026-11-26T00:00:00%2B08:00&timeZone=Asia/Shanghai').set('x-actor', MERCHANT);
    expect(range.body.daily).toHaveLength(1);
    const bad = await request(t.app).get('/analytics/summary?timeZone=Mars/Base').set('x-actor', MERCHANT);
    expect(bad.status).toBe(400);
    expectErrorBody(bad.body, 'INVALID_ANALYTICS_OPTIONS');
    const breaches = await request(t.app).get('/analytics/bottlenecks?fulfilmentSlaHours=1').set('x-actor', MERCHANT);
    expect(breaches.status).toBe(200);
  });

  it('answers unknown routes with the same JSON error shape', async () => {
    const r = await request(t.app).delete('/orders');
    expect(r.status).toBe(404);
    expectErrorBody(r.body, 'NOT_FOUND');
  });
});
