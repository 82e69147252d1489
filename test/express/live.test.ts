import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/express/src/app.js';
import { sqlFigures } from '../../examples/express/src/figures.js';
import { migrate, migrateAnalytics, PostgresOrderStore, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { createOrderService, type Order } from '../../src/index.js';
import { describeRealPg } from '../support/pg.js';
import { ADDRESS, CUSTOMER, MERCHANT, testApp, type TestApp } from './support/app.js';
import { listen, openStream } from './support/sse.js';

const json = (url: string, actor: string, body: unknown = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-actor': actor }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Order }));

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('Server-Sent Events from the change feed (in memory)', () => {
  let t: TestApp;
  it('an order stream sends a snapshot, then the change a command makes', async () => {
    t = await testApp();
    cleanups.push(() => t.close());
    const http = await listen(t.app);
    cleanups.push(() => http.close());
    const placed = await json(`${http.url}/orders`, CUSTOMER, { items: [{ sku: 'TEA-BC-100', quantity: 1 }], address: ADDRESS });
    const stream = await openStream(`${http.url}/orders/${placed.body.id}/events?actor=${CUSTOMER}`);
    cleanups.push(() => stream.close());
    expect(stream.contentType).toContain('text/event-stream');
    const snapshot = await stream.next((e) => e.event === 'snapshot');
    expect(snapshot.data).toMatchObject({ orderId: placed.body.id, version: 1, status: 'pending_payment' });
    await json(`${http.url}/orders/${placed.body.id}/pay/demo`, CUSTOMER);
    const change = await stream.next((e) => e.event === 'change');
    expect(change.data).toMatchObject({ orderId: placed.body.id, version: 2, status: 'paid' });
    await json(`${http.url}/orders/${placed.body.id}/ship`, MERCHANT);
    expect((await stream.next((e) => e.event === 'change' && (e.data as Order).version === 3)).data).toMatchObject({ status: 'shipped' });
  });

  it('refuses someone else\'s order stream with a JSON error', async () => {
    t = await testApp();
    cleanups.push(() => t.close());
    const http = await listen(t.app);
    cleanups.push(() => http.close());
    const placed = await json(`${http.url}/orders`, CUSTOMER, { items: [{ sku: 'TEA-BC-100', quantity: 1 }] });
    const r = await fetch(`${http.url}/orders/${placed.body.id}/events?actor=customer:c2`);
    expect(r.status).toBe(403);
    expect(((await r.json()) as { code: string }).code).toBe('FORBIDDEN');
  });

  it('the dashboard stream pushes the change and fresh figures after a new order', async () => {
    t = await testApp();
    cleanups.push(() => t.close());
    const http = await listen(t.app);
    cleanups.push(() => http.close());
    const stream = await openStream(`${http.url}/dashboard/stream`);
    cleanups.push(() => stream.close());
    const first = await stream.next((e) => e.event === 'figures');
    expect((first.data as { summary: { funnel: Array<{ count: number }> } }).summary.funnel[0]!.count).toBe(0);
    const placed = await json(`${http.url}/orders`, CUSTOMER, { items: [{ sku: 'TEA-BC-100', quantity: 1 }] });
    expect((await stream.next((e) => e.event === 'change')).data).toMatchObject({ orderId: placed.body.id, status: 'pending_payment' });
    const fresh = await stream.next((e) => e.event === 'figures' && (e.data as { summary: { funnel: Array<{ count: number }> } }).summary.funnel[0]!.count === 1);
    expect(fresh).toBeDefined();
  });
});

/** Two service instances (two apps, two stores) on one database, as behind a load balancer. */
async function twoInstances(dbA: PostgresDatabase, dbB: PostgresDatabase, schema: string) {
  const apps = await Promise.all(
    [dbA, dbB].map(async (db) => {
      const store = new PostgresOrderStore({ db, schema });
      const app = await createApp({ service: createOrderService({ store }), figures: sqlFigures(db, schema), log: () => undefined });
      const http = await listen(app.app);
      cleanups.push(async () => {
        await http.close();
        await app.close();
      });
      return http.url;
    }),
  );
  return { a: apps[0]!, b: apps[1]! };
}

async function crossInstanceCheck(urls: { a: string; b: string }): Promise<void> {
  const placed = await json(`${urls.a}/orders`, CUSTOMER, { items: [{ sku: 'TEA-LJ-250', quantity: 1 }], address: ADDRESS });
  expect(placed.status).toBe(201);
  const stream = await openStream(`${urls.b}/orders/${placed.body.id}/events?actor=${MERCHANT}`);
  cleanups.push(() => stream.close());
  await stream.next((e) => e.event === 'snapshot');
  const dashboard = await openStream(`${urls.b}/dashboard/stream`);
  cleanups.push(() => dashboard.close());
  await dashboard.next((e) => e.event === 'figures');
  // The command goes through instance A; the subscriber is on instance B.
  expect((await json(`${urls.a}/orders/${placed.body.id}/pay/demo`, CUSTOMER)).status).toBe(200);
  expect((await stream.next((e) => e.event === 'change')).data).toMatchObject({ version: 2, status: 'paid' });
  expect((await dashboard.next((e) => e.event === 'change' && (e.data as Order).version === 2)).data).toMatchObject({ orderId: placed.body.id });
}

describe('across instances on PGlite (LISTEN/NOTIFY)', () => {
  let db: PGlite;
  afterAll(async () => {
    await db?.close();
  });
  it('a command through one instance reaches the streams of the other', async () => {
    db = await PGlite.create();
    await migrate(db);
    await migrateAnalytics(db);
    await crossInstanceCheck(await twoInstances(db, db, 'orderkit'));
  });
});

await describeRealPg('across instances on PostgreSQL (LISTEN/NOTIFY)', (pg) => {
  afterAll(() => pg.dispose());
  it('a command through one instance reaches the streams of the other', async () => {
    const poolA = pg.pool(4);
    const poolB = pg.pool(4);
    await migrate(poolA, { schema: pg.schema });
    await migrateAnalytics(poolA, { schema: pg.schema });
    await crossInstanceCheck(await twoInstances(poolA, poolB, pg.schema));
  });
});
