import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type OrderApp } from '../../examples/express/src/app.js';
import { demoRules } from '../../examples/express/src/catalog.js';
import { seedDemoShop } from '../../examples/express/src/demo/seed.js';
import { sqlFigures } from '../../examples/express/src/figures.js';
import { sqlInsights, storeInsights } from '../../examples/express/src/insights-source.js';
import { migrate, migrateAnalytics, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { createOrderService } from '../../src/index.js';
import { freshPGlite } from '../support/pglite.js';
import { TestClock, testAuthOptions } from './support/app.js';

/**
 * The insights page on PostgreSQL reads the SQL twins (sqlInsights), in memory the orders
 * (storeInsights, the default): over the same seeded shop, every analysis the page asks for answers
 * the same through both apps (docs/analytics.md "The dashboard").
 */
describe('the insights routes: SQL twins and the orders in memory agree', () => {
  let sqlApp: OrderApp;
  let memoryApp: OrderApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const db = await freshPGlite();
    await migrate(db);
    await migrateAnalytics(db);
    const store = new PostgresOrderStore({ db });
    const clock = new TestClock(Date.parse('2026-11-25T12:30:00+08:00'));
    const rules = demoRules(clock.now());
    await seedDemoShop({ batch: (body) => body(store), rules, end: clock.now(), days: 16, seed: 20261206 });
    const service = createOrderService({ store, clock });
    const common = { service, clock, rules, figures: sqlFigures(db), log: () => undefined };
    // sqlInsights is given the database only, not the store: it cannot read the orders page by page.
    sqlApp = await createApp({ ...common, auth: { demo: true, ...testAuthOptions() }, insights: sqlInsights(db) });
    memoryApp = await createApp({ ...common, auth: { demo: true, ...testAuthOptions() } });
    await sqlApp.auth.staff.create('boss', 'boss-password-1', 'admin');
    await memoryApp.auth.staff.create('boss', 'boss-password-1', 'admin');
    close = async () => {
      await sqlApp.close();
      await memoryApp.close();
      await db.close();
    };
  }, 180_000);

  afterAll(async () => {
    await close?.();
  });

  async function signedIn(app: OrderApp) {
    const agent = request.agent(app.app);
    const login = await agent.post('/auth/login').send({ username: 'boss', password: 'boss-password-1' });
    expect(login.status).toBe(200);
    return agent;
  }

  const ranges = [
    { from: '2026-11-11T00:00:00+08:00', to: '2026-11-25T00:00:00+08:00' },
    { from: '2026-11-18T06:30:00+08:00', to: '2026-11-25T15:00:00+08:00' },
    { from: '2026-11-18T00:00:00+08:00', to: '2026-11-25T00:00:00+08:00', channel: 'live' },
    { from: '2026-11-11T00:00:00+08:00', to: '2026-11-25T00:00:00+08:00', province: '浙江' },
  ];
  const kinds: Array<[string, Record<string, string>]> = [
    ['customers', {}],
    ['cohorts', { by: 'week' }],
    ['cohorts', { by: 'month' }],
    ['breakdown', { dimension: 'province' }],
    ['breakdown', { dimension: 'channel' }],
    ['trend', {}],
    ['heatmap', {}],
    ['products', { dimension: 'channel' }],
    ['pairs', {}],
    ['refunds', {}],
    ['coupons', {}],
    ['forecast', {}],
    ['breaches', {}],
  ];

  it('answers every kind alike, for whole and partial days, filtered or not', async () => {
    const sql = await signedIn(sqlApp);
    const memory = await signedIn(memoryApp);
    let nonEmpty = 0;
    for (const range of ranges) {
      for (const [kind, extra] of kinds) {
        const query = { ...range, ...extra };
        const [a, b] = await Promise.all([sql.get(`/analytics/insights/${kind}`).query(query), memory.get(`/analytics/insights/${kind}`).query(query)]);
        expect(a.status, `${kind} ${JSON.stringify(query)}: ${JSON.stringify(a.body)}`).toBe(200);
        expect(b.status).toBe(200);
        expect(a.body, `${kind} ${JSON.stringify(query)}`).toEqual(b.body);
        if (JSON.stringify(a.body).match(/[1-9]/)) nonEmpty++;
      }
    }
    // The seeded shop gives each analysis something to say, so agreeing is not agreeing on nothing.
    expect(nonEmpty).toBe(ranges.length * kinds.length);
    // The exports read the same source: the CSV of each table matches.
    for (const table of ['overview', 'province', 'cohorts', 'heatmap', 'skus']) {
      const q = { ...ranges[0]!, format: 'csv', table };
      const [a, b] = await Promise.all([sql.get('/analytics/export').query(q), memory.get('/analytics/export').query(q)]);
      expect(a.status).toBe(200);
      expect(a.text).toBe(b.text);
    }
  }, 120_000);

  it('drills into every kind of figure alike, and exports the orders behind one alike', async () => {
    const sql = await signedIn(sqlApp);
    const memory = await signedIn(memoryApp);
    for (const range of ranges) {
      // Figures that point at data: a cohort period, a SKU and a busy heatmap cell of this range.
      const cohorts = (await memory.get('/analytics/insights/cohorts').query({ ...range, by: 'week' })).body as { cohorts: Array<{ period: string }> };
      const refunds = (await memory.get('/analytics/insights/refunds').query(range)).body as { skus: Array<{ sku: string }> };
      const heat = (await memory.get('/analytics/insights/heatmap').query(range)).body as { cells: number[][] };
      let busiest = { weekday: 1, hour: 0, n: -1 };
      heat.cells.forEach((row, d) => row.forEach((n, h) => (n > busiest.n ? (busiest = { weekday: d + 1, hour: h, n }) : undefined)));
      const figures: Array<Record<string, string>> = [
        { figure: 'placed' },
        { figure: 'paid' },
        { figure: 'refunded' },
        { figure: 'coupon' },
        { figure: 'new_customers' },
        { figure: 'repeat_customers' },
        { figure: 'segment', dimension: 'province', key: '浙江' },
        { figure: 'segment', dimension: 'channel', key: 'live' },
        { figure: 'heatmap', weekday: String(busiest.weekday), hour: String(busiest.hour) },
        ...(cohorts.cohorts[0] ? [{ figure: 'cohort', by: 'week', period: cohorts.cohorts[0].period, offset: '0' }] : []),
        ...(refunds.skus[0] ? [{ figure: 'sku', sku: refunds.skus[0].sku }] : []),
      ];
      expect(figures.length).toBe(11);
      for (const figure of figures) {
        const query = { ...range, ...figure };
        const [a, b] = await Promise.all([sql.get('/analytics/drill').query(query), memory.get('/analytics/drill').query(query)]);
        expect(a.status, `${JSON.stringify(query)}: ${JSON.stringify(a.body)}`).toBe(200);
        expect(a.body, JSON.stringify(query)).toEqual(b.body);
      }
    }
    const q = { ...ranges[0]!, format: 'csv', table: 'orders', figure: 'paid' };
    const [a, b] = await Promise.all([sql.get('/analytics/export').query(q), memory.get('/analytics/export').query(q)]);
    expect(a.status).toBe(200);
    expect(a.text.split('\r\n').length).toBeGreaterThan(10);
    expect(a.text).toBe(b.text);
  }, 120_000);

  it('in memory, an export and the breaches read the orders once for all their analyses', async () => {
    let lists = 0;
    const store = memoryApp.context.store;
    const counted = new Proxy(store, { get: (t, k, r) => (k === 'list' ? (...a: Parameters<typeof store.list>) => (lists++, t.list(...a)) : Reflect.get(t, k, r)) });
    const once = storeInsights(counted);
    await once.trend({ from: new Date(Date.parse(ranges[0]!.from)), to: new Date(Date.parse(ranges[0]!.to)), timeZone: 'Asia/Shanghai' });
    const pages = lists;
    expect(pages).toBeGreaterThan(1);
    const request = once.forRequest();
    const o = { from: new Date(Date.parse(ranges[0]!.from)), to: new Date(Date.parse(ranges[0]!.to)), timeZone: 'Asia/Shanghai' };
    lists = 0;
    await Promise.all([request.trend(o), request.breakdown(o, 'province'), request.cohorts(o, 'week'), request.heatmap(o), request.refunds(o), request.drill(o, { figure: 'paid' }, 10)]);
    expect(lists).toBe(pages);
  });

  it('refuses bad input through the SQL source with the same typed error, never a 500', async () => {
    const sql = await signedIn(sqlApp);
    const memory = await signedIn(memoryApp);
    for (const query of [{ from: '2026-11-25T00:00:00+08:00', to: '2026-11-11T00:00:00+08:00' }, { ...ranges[0]!, timeZone: 'Mars/Olympus' }, { ...ranges[0]!, dimension: 'city' }]) {
      const [a, b] = await Promise.all([sql.get('/analytics/insights/breakdown').query(query), memory.get('/analytics/insights/breakdown').query(query)]);
      expect(a.status).toBe(400);
      expect(a.body).toEqual(b.body);
    }
  });
  it('a filter, segment key or SKU no store can keep (%00) is a 400 on PostgreSQL as in memory, never a 500', async () => {
    const sql = await signedIn(sqlApp);
    const memory = await signedIn(memoryApp);
    const range = { from: ranges[0]!.from, to: ranges[0]!.to };
    const asks: Array<[string, Record<string, string>, string[]]> = [
      ...kinds.map(([kind, extra]) => [`/analytics/insights/${kind}`, { ...range, ...extra, channel: 'live\u0000' }, ['filter', 'channel']] as [string, Record<string, string>, string[]]),
      ['/analytics/insights/breakdown', { ...range, province: '\u0000' }, ['filter', 'province']],
      ['/analytics/drill', { ...range, figure: 'segment', dimension: 'channel', key: 'live\u0000' }, ['key']],
      ['/analytics/drill', { ...range, figure: 'sku', sku: '\u0000' }, ['sku']],
      ['/analytics/export', { ...range, format: 'csv', table: 'orders', figure: 'sku', sku: '\u0000' }, ['sku']],
      ['/analytics/export', { ...range, format: 'xlsx', figure: 'segment', dimension: 'channel', key: '\u0000' }, ['key']],
    ];
    for (const [path, query, at] of asks) {
      for (const agent of [sql, memory]) {
        const r = await agent.get(path).query(query);
        expect(r.status, `${path} ${JSON.stringify(query)}: ${JSON.stringify(r.body)}`).toBe(400);
        expect(r.body).toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: at });
        expect(typeof r.body.messages['zh-CN']).toBe('string');
      }
    }
  }, 60_000);
});
