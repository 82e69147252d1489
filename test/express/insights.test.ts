import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADDRESS, CUSTOMER, expectErrorBody, MERCHANT, OTHER_CUSTOMER, testApp, type TestApp } from './support/app.js';

/** GET /analytics/insights/:kind answers every analysis, and bad input with a 400, never a 500. */

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(async () => {
  await t.close();
});

const DAY = 86_400_000;
async function buy(actor: string): Promise<void> {
  const r = await request(t.app).post('/orders').set('x-actor', actor).send({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }, { sku: 'CUP-GLASS', quantity: 1 }], address: ADDRESS });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const p = await request(t.app).post(`/orders/${r.body.id}/pay/demo`).set('x-actor', actor).send({});
  expect(p.status).toBe(200);
}
const range = { from: '2026-11-20T00:00:00+08:00', to: '2026-12-10T00:00:00+08:00' };
// The analyses are staff-only (docs/express.md "Sign-in"); a shopper's call is refused below.
const get = (kind: string, query: Record<string, string>, actor = MERCHANT) => request(t.app).get(`/analytics/insights/${kind}`).set('x-actor', actor).query(query);

describe('GET /analytics/insights/:kind', () => {
  it('answers each analysis over the shop orders', async () => {
    await buy(CUSTOMER);
    t.clock.advance(DAY);
    await buy(CUSTOMER);
    await buy(OTHER_CUSTOMER);
    const c = await get('customers', range);
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ customers: 2, newCustomers: 2, repeatCustomers: 1, repeatRate: 0.5 });
    const b = await get('breakdown', { ...range, dimension: 'province' });
    expect(b.body.rows).toEqual([expect.objectContaining({ key: '浙江', paid: 3 })]);
    const pairs = await get('pairs', range);
    expect(pairs.body.pairs).toEqual([expect.objectContaining({ a: 'CUP-GLASS', b: 'TEA-LJ-250', orders: 3, support: 1, lift: 1 })]);
    const filtered = await get('customers', { ...range, province: '上海' });
    expect(filtered.body.customers).toBe(0);
    for (const kind of ['cohorts', 'trend', 'heatmap', 'products', 'refunds', 'coupons']) expect((await get(kind, range)).status, kind).toBe(200);
    expect((await get('customers', range, CUSTOMER)).status).toBe(403);
    const f = await get('forecast', { from: '2026-11-20T00:00:00+08:00', to: '2026-11-27T00:00:00+08:00' });
    // Whole days only: the range runs past now (11-26 12:00 in Shanghai), so 11-20 … 11-25 count.
    expect(f.body).toMatchObject({ ok: false, reason: 'too_little_data', days: 6 });
    const f2 = await get('forecast', { from: '2026-11-10T00:00:00+08:00', to: '2026-11-27T00:00:00+08:00' });
    expect(f2.body.ok).toBe(true);
    expect(f2.body.points).toHaveLength(14);
    // A range that starts after now has no whole day yet: too little data, not an inverted range.
    for (const future of [{ from: '2026-12-01T00:00:00+08:00', to: '2026-12-31T00:00:00+08:00' }, { from: '2026-11-26T00:00:00+08:00', to: '2026-11-27T00:00:00+08:00' }]) {
      const f3 = await get('forecast', future);
      expect(f3.status, JSON.stringify(f3.body)).toBe(200);
      expect(f3.body).toMatchObject({ ok: false, reason: 'too_little_data', days: 0, needed: 14, history: [] });
      expect(f3.body.message['zh-CN']).toMatch(/预测至少需要 14 天的数据/);
    }
  });

  it('refuses bad input with a typed 400', async () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['customers', { from: range.to, to: range.from }, 'INVALID_ANALYTICS_OPTIONS'],
      ['customers', { from: range.from }, 'INVALID_ANALYTICS_OPTIONS'],
      ['customers', { ...range, timeZone: 'Mars/Olympus' }, 'INVALID_ANALYTICS_OPTIONS'],
      ['breakdown', { ...range, dimension: 'colour' }, 'INVALID_ANALYTICS_OPTIONS'],
      ['cohorts', { ...range, by: 'fortnight' }, 'INVALID_ANALYTICS_OPTIONS'],
      ['customers', { ...range, from: 'yesterday' }, 'INVALID_ANALYTICS_OPTIONS'],
      ['customers', { ...range, colour: 'red' }, 'INVALID_ANALYTICS_OPTIONS'],
      ['everything', range, 'INVALID_QUERY'],
      ['customers', { ...range, from: 'foo 2026' }, 'INVALID_ANALYTICS_OPTIONS'],
      ['trend', { ...range, to: '2026-02-30T00:00:00+08:00' }, 'INVALID_ANALYTICS_OPTIONS'],
    ];
    for (const [kind, query, code] of cases) {
      const r = await get(kind, query);
      expect(r.status, `${kind} ${JSON.stringify(query)}: ${JSON.stringify(r.body)}`).toBe(400);
      expectErrorBody(r.body, code);
    }
    // A bound that is there but not a time says so (it said "required field is missing").
    const notTime = await get('customers', { ...range, from: 'yesterday' });
    expect(notTime.body).toMatchObject({ path: ['from'], messages: { en: expect.stringMatching(/^from is not a valid time/), 'zh-CN': expect.stringMatching(/^from 不是有效的时间/) } });
    // Epoch milliseconds are read as such.
    expect((await get('customers', { from: String(Date.parse(range.from)), to: String(Date.parse(range.to)) })).status).toBe(200);
  });

  it('lists the orders behind a figure, and exports CSV and Excel', async () => {
    await buy(CUSTOMER);
    await buy(OTHER_CUSTOMER);
    const drill = await request(t.app).get('/analytics/drill').set('x-actor', MERCHANT).query({ ...range, figure: 'segment', dimension: 'province', key: '浙江' });
    expect(drill.status, JSON.stringify(drill.body)).toBe(200);
    expect(drill.body.total).toBe(2);
    // Staff see the order, never the phone or street of the address.
    expect(JSON.stringify(drill.body)).not.toContain(ADDRESS.phone);
    expect(JSON.stringify(drill.body)).not.toContain(ADDRESS.detail);
    const csv = await request(t.app).get('/analytics/export').set('x-actor', MERCHANT).query({ ...range, format: 'csv', table: 'province' });
    expect(csv.status).toBe(200);
    expect(csv.text.split('\r\n')[1]).toMatch(/^浙江,2,2,/);
    const xlsx = await request(t.app).get('/analytics/export').set('x-actor', MERCHANT).query({ ...range, format: 'xlsx', figure: 'paid' }).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(xlsx.status).toBe(200);
    // An .xlsx file is a zip archive: "PK".
    expect((xlsx.body as Buffer).subarray(0, 2).toString()).toBe('PK');
  });

  it('refuses a bad drill-down or export with a typed 400', async () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['/analytics/drill', { ...range }, 'INVALID_ANALYTICS_OPTIONS'],
      ['/analytics/drill', { ...range, figure: 'colour' }, 'INVALID_ANALYTICS_OPTIONS'],
      ['/analytics/drill', { ...range, figure: 'segment', dimension: 'city', key: 'x' }, 'INVALID_ANALYTICS_OPTIONS'],
      ['/analytics/drill', { ...range, figure: 'heatmap', weekday: '0', hour: '3' }, 'INVALID_ANALYTICS_OPTIONS'],
      ['/analytics/drill', { from: range.to, to: range.from, figure: 'paid' }, 'INVALID_ANALYTICS_OPTIONS'],
      ['/analytics/drill', { figure: 'paid' }, 'INVALID_ANALYTICS_OPTIONS'],
      ['/analytics/drill', { ...range, timeZone: 'Atlantis/Capital', figure: 'paid' }, 'INVALID_ANALYTICS_OPTIONS'],
      ['/analytics/export', { ...range }, 'INVALID_QUERY'],
      ['/analytics/export', { ...range, format: 'pdf' }, 'INVALID_QUERY'],
      ['/analytics/export', { ...range, format: 'csv', table: 'secrets' }, 'INVALID_QUERY'],
      ['/analytics/export', { ...range, format: 'csv', table: 'orders' }, 'INVALID_ANALYTICS_OPTIONS'],
      ['/analytics/export', { from: range.from, format: 'xlsx' }, 'INVALID_ANALYTICS_OPTIONS'],
    ];
    for (const [path, query, code] of cases) {
      const r = await request(t.app).get(path).set('x-actor', MERCHANT).query(query);
      expect(r.status, `${path} ${JSON.stringify(query)}: ${JSON.stringify(r.body)}`).toBe(400);
      expectErrorBody(r.body, code);
    }
  });

  it('runs the automatic actions and shows what fired and why', async () => {
    const r = await request(t.app).post('/orders').set('x-actor', CUSTOMER).send({ items: [{ sku: 'TEA-LJ-250', quantity: 1 }], address: ADDRESS });
    expect(r.status).toBe(201);
    // 25 minutes later the unpaid order has 5 minutes left: 催付.
    t.clock.advance(25 * 60_000);
    const run = await request(t.app).post('/analytics/automations/run').set('x-actor', MERCHANT).send({});
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.fired.map((f: { rule: string; orderId: string }) => [f.rule, f.orderId])).toEqual([['payment_reminder', r.body.id]]);
    const again = await request(t.app).post('/analytics/automations/run').set('x-actor', MERCHANT).send({});
    expect(again.body.fired).toEqual([]);
    const view = await request(t.app).get('/analytics/automations').set('x-actor', MERCHANT);
    expect(view.body.fired).toHaveLength(1);
    expect(view.body.fired[0].reason.en).toMatch(/min left to pay/);
    // The shop has no two weeks of history: the anomaly check says so instead of guessing.
    expect(view.body.lastCheck).toMatchObject({ ok: false, reason: 'too_little_data' });
    const history = await request(t.app).get(`/orders/${r.body.id}/history`).set('x-actor', MERCHANT);
    expect(history.body.map((e: { type: string }) => e.type)).toContain('AUTOMATION_FIRED');
    expect((await request(t.app).get('/analytics/automations').set('x-actor', CUSTOMER)).status).toBe(403);
  });
});
