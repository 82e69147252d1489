import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/express/src/app.js';
import { sqlFigures } from '../../examples/express/src/figures.js';
import { migrate, migrateAnalytics, PostgresOrderStore, type PostgresDatabase, type PostgresOrderStoreOptions } from '../../src/adapters/postgres/index.js';
import { createOrderService, type Order } from '../../src/index.js';
import { describeRealPg } from '../support/pg.js';
import { ADDRESS, CUSTOMER, MERCHANT, testApp, type TestApp } from './support/app.js';
import { listen, openStream } from './support/sse.js';
import { freshPGlite } from '../support/pglite.js';

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

  it('change events carry the feed position as id; Last-Event-ID resumes with exactly the changes missed, in order', async () => {
    t = await testApp();
    cleanups.push(() => t.close());
    const http = await listen(t.app);
    cleanups.push(() => http.close());
    const placed = await json(`${http.url}/orders`, CUSTOMER, { items: [{ sku: 'TEA-BC-100', quantity: 3 }], address: ADDRESS });
    const id = placed.body.id;
    const first = await openStream(`${http.url}/orders/${id}/events?actor=${CUSTOMER}`);
    await first.next((e) => e.event === 'snapshot');
    await json(`${http.url}/orders/${id}/pay/demo`, CUSTOMER);
    const paid = await first.next((e) => e.event === 'change');
    expect(paid.id).toBe((paid.data as { position: string }).position);
    // The connection drops; meanwhile the order ships, and another customer's order changes.
    first.close();
    await json(`${http.url}/orders/${id}/ship`, MERCHANT);
    await json(`${http.url}/orders`, 'customer:c2', { items: [{ sku: 'TEA-BC-100', quantity: 1 }], address: ADDRESS });
    const resumed = await openStream(`${http.url}/orders/${id}/events?actor=${CUSTOMER}`, { 'Last-Event-ID': paid.id! });
    cleanups.push(() => resumed.close());
    const shipped = await resumed.next((e) => e.event === 'change');
    expect(shipped.data).toMatchObject({ orderId: id, version: 3, status: 'shipped' });
    // Then live, with nothing of other orders and no snapshot.
    await json(`${http.url}/orders/${id}/confirm`, CUSTOMER);
    await resumed.next((e) => e.event === 'change' && (e.data as { version: number }).version === 4);
    expect(resumed.events.map((e) => `${e.event}:${(e.data as { orderId: string }).orderId}@${(e.data as { version: number }).version}`)).toEqual([
      `change:${id}@3`,
      `change:${id}@4`,
    ]);
    expect(resumed.events.every((e) => e.id === (e.data as { position: string }).position)).toBe(true);
  });

  it('a Last-Event-ID the store never handed out is a 400 INVALID_FEED_POSITION, not a broken stream', async () => {
    t = await testApp();
    cleanups.push(() => t.close());
    const http = await listen(t.app);
    cleanups.push(() => http.close());
    const placed = await json(`${http.url}/orders`, CUSTOMER, { items: [{ sku: 'TEA-BC-100', quantity: 1 }] });
    for (const bad of ['nope', '../x', 'x'.repeat(300)]) {
      const r = await fetch(`${http.url}/orders/${placed.body.id}/events?actor=${CUSTOMER}`, { headers: { 'Last-Event-ID': bad } });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { code: string }).code).toBe('INVALID_FEED_POSITION');
      const d = await fetch(`${http.url}/dashboard/stream?actor=${MERCHANT}&lastEventId=${encodeURIComponent(bad)}`);
      expect(d.status).toBe(400);
    }
  });

  it('the dashboard stream pushes the change and fresh figures after a new order', async () => {
    t = await testApp();
    cleanups.push(() => t.close());
    const http = await listen(t.app);
    cleanups.push(() => http.close());
    const stream = await openStream(`${http.url}/dashboard/stream?actor=${MERCHANT}`);
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
async function twoInstances(dbA: PostgresDatabase, dbB: PostgresDatabase, schema: string, storeOptions: Partial<PostgresOrderStoreOptions> = {}) {
  const apps = await Promise.all(
    [dbA, dbB].map(async (db) => {
      const store = new PostgresOrderStore({ ...storeOptions, db, schema });
      const app = await createApp({ auth: { demo: true }, service: createOrderService({ store }), figures: sqlFigures(db, schema), log: () => undefined });
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
  const dashboard = await openStream(`${urls.b}/dashboard/stream?actor=${MERCHANT}`);
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
    db = await freshPGlite();
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
  it('with the NOTIFY after the commit (how examples/express/src/storage.ts opens the store), the wake-up alone delivers', async () => {
    const poolA = pg.pool(4);
    const poolB = pg.pool(4);
    await migrate(poolA, { schema: pg.schema });
    await migrateAnalytics(poolA, { schema: pg.schema });
    // No poll within the streams' 10 s wait: only the NOTIFY sent after the commit can deliver.
    await crossInstanceCheck(await twoInstances(poolA, poolB, pg.schema, { notify: 'after-commit', feedPollMs: 600_000 }));
  });
});
