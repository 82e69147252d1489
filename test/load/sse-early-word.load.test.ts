import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createApp } from '../../examples/express/src/app.js';
import { sqlFigures } from '../../examples/express/src/figures.js';
import { migrate, migrateAnalytics, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { createOrderService, type Order, type OrderChange } from '../../src/index.js';
import { ADDRESS, MERCHANT } from '../express/support/app.js';
import { listen, openStream } from '../express/support/sse.js';
import { describeRealPg } from '../support/pg.js';

/*
 * The example's order streams on the early word of the change feed (docs/storage.md, "Change
 * feed"), on the real PostgreSQL: two instances (NOTIFY after the commit, as storage.ts opens the
 * store), streams of every order on both, commands through either at random while a transaction
 * of this database holds the feed's log back for a while. Every stream gets each version after its
 * snapshot exactly once, in order, of its own order only; the changes made while the log was held
 * arrive before it is released.
 */

const CUSTOMERS = ['customer:e1', 'customer:e2', 'customer:e3'];
const PER_CUSTOMER = 8;

await describeRealPg('order streams on the change feed\'s early word (real PostgreSQL)', (real) => {
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    await real.dispose();
  });

  it('two instances, commands through either, the log held back meanwhile: each stream gets every change of its order once, in order, and early', async () => {
    const pools = [real.pool(6), real.pool(6)];
    await migrate(pools[0]!, { schema: real.schema });
    await migrateAnalytics(pools[0]!, { schema: real.schema });
    const urls: string[] = [];
    for (const db of pools) {
      const store = new PostgresOrderStore({ db, schema: real.schema, notify: 'after-commit' });
      const app = await createApp({ auth: { demo: true, limits: { writesPerMinute: 1e9 } }, service: createOrderService({ store }), figures: sqlFigures(db, real.schema), log: () => undefined });
      const http = await listen(app.app);
      closers.push(async () => {
        await http.close();
        await app.close();
        await store.close();
      });
      urls.push(http.url);
    }
    const pick = () => urls[Math.floor(Math.random() * urls.length)]!;
    const post = async (url: string, actor: string, body: unknown = {}) => {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-actor': actor }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Order };
    };

    const orders: Array<{ id: string; customer: string }> = [];
    for (const customer of CUSTOMERS) {
      for (let i = 0; i < PER_CUSTOMER; i++) {
        const placed = await post(`${pick()}/orders`, customer, { items: [{ sku: 'TEA-LJ-250', quantity: 1 }], address: ADDRESS });
        expect(placed.status).toBe(201);
        orders.push({ id: placed.body.id, customer });
      }
    }
    // Streams are per actor: another customer's stream of an order is refused.
    const stranger = await fetch(`${urls[0]}/orders/${orders[0]!.id}/events?actor=${CUSTOMERS[1]}`);
    expect(stranger.status).toBe(403);
    await stranger.body?.cancel();

    const streams = await Promise.all(
      orders.flatMap((o) => urls.map(async (url) => ({ order: o, stream: await openStream(`${url}/orders/${o.id}/events?actor=${o.customer}`) }))),
    );
    closers.push(async () => {
      for (const s of streams) s.stream.close();
    });
    for (const s of streams) await s.stream.next((e) => e.event === 'snapshot');

    // A transaction of this database holds the log's horizon back while the orders are paid.
    const holder = new pg.Client({ connectionString: real.url });
    await holder.connect();
    closers.push(() => holder.end());
    await holder.query('BEGIN');
    await holder.query('SELECT pg_current_xact_id()');
    const paid = await Promise.all(orders.map((o) => post(`${pick()}/orders/${o.id}/pay/demo`, o.customer)));
    expect(paid.map((p) => p.status)).toEqual(orders.map(() => 200));
    // Every stream hears its payment while the log is still held: the early word carried it.
    await Promise.all(streams.map((s) => s.stream.next((e) => e.event === 'change' && (e.data as OrderChange).version === 2, 10_000)));
    const before = await pools[0]!.query(`SELECT count(*)::int AS n FROM "${real.schema}".changes WHERE xid < pg_snapshot_xmin(pg_current_snapshot())`);
    const logged = await pools[0]!.query(`SELECT count(*)::int AS n FROM "${real.schema}".changes`);
    expect(before.rows[0].n).toBeLessThan(logged.rows[0].n);
    // Shipments race the release of the log: both ways deliver, each version once.
    const shipping = Promise.all(orders.map((o) => post(`${pick()}/orders/${o.id}/ship`, MERCHANT, { trackingNo: `SF${o.id.slice(-6)}`, expressCompany: '顺丰速运' })));
    await new Promise((r) => setTimeout(r, 50));
    await holder.query('COMMIT');
    expect((await shipping).map((p) => p.status)).toEqual(orders.map(() => 200));
    await Promise.all(streams.map((s) => s.stream.next((e) => e.event === 'change' && (e.data as OrderChange).version === 3, 10_000)));
    // Time for any duplicate the log read would bring late.
    await new Promise((r) => setTimeout(r, 800));
    for (const { order, stream } of streams) {
      const changes = stream.events.filter((e) => e.event === 'change').map((e) => e.data as OrderChange);
      expect(changes.map((c) => c.orderId)).toEqual([order.id, order.id]);
      expect(changes.map((c) => [c.version, c.status])).toEqual([
        [2, 'paid'],
        [3, 'shipped'],
      ]);
      expect(stream.events.filter((e) => e.event === 'snapshot')).toHaveLength(1);
    }
  }, 120_000);
});
