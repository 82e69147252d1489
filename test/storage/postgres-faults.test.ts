import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { migrate, PostgresOrderStore, toSqlDriver } from '../../src/adapters/postgres/index.js';
import { createOrderService } from '../../src/service/index.js';
import type { OrderChange } from '../../src/storage/index.js';
import { describeRealPg } from '../support/pg.js';
import { gateway, manualClock, merchant, pay, quote, sequentialIds } from '../service/fixtures.js';
import { truncateAll } from './pg-helpers.js';

await describeRealPg('storage: faults and the change feed on the real PostgreSQL', (real) => {
  let pool: pg.Pool;
  let admin: pg.Pool;
  const s = real.schema;

  beforeAll(async () => {
    pool = real.pool(8);
    admin = real.pool(2);
    await migrate(pool, { schema: s });
  });
  afterAll(async () => {
    await real.dispose();
  });
  beforeEach(async () => {
    await admin.query(`DROP TRIGGER IF EXISTS slow_events ON "${s}".order_events`);
    await truncateAll(admin, s);
  });

  function service(db: pg.Pool = pool, prefix = 'o') {
    return createOrderService({ store: new PostgresOrderStore({ db, schema: s }), clock: manualClock(), ids: sequentialIds(prefix), retryDelayMs: 0 });
  }

  /** Counts of everything a commit writes, to compare before and after a failure. */
  async function footprint(orderId: string): Promise<unknown> {
    const r = await admin.query(
      `SELECT (SELECT version FROM "${s}".orders WHERE id = $1) AS version,
              (SELECT count(*)::int FROM "${s}".order_events WHERE order_id = $1) AS events,
              (SELECT count(*)::int FROM "${s}".outbox WHERE order_id = $1) AS effects,
              (SELECT count(*)::int FROM "${s}".idempotency WHERE order_id = $1) AS keys`,
      [orderId],
    );
    return r.rows[0];
  }

  it('a connection killed in the middle of a commit leaves none of it; the retry then lands whole', async () => {
    const svc = service();
    await svc.place({ customerId: 'u1', quote: quote() });
    const before = await footprint('o1');
    // Make the commit statement stall after its UPDATE, inside the event insert, then kill it there.
    await admin.query(`CREATE OR REPLACE FUNCTION "${s}".slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.5); RETURN NEW; END $$`);
    await admin.query(`CREATE TRIGGER slow_events BEFORE INSERT ON "${s}".order_events FOR EACH ROW EXECUTE FUNCTION "${s}".slow()`);
    // Settle the dispatch into a value at once: it may fail while the loop below is still awaiting,
    // and a rejection with no handler yet would be reported as unhandled.
    const dispatching = svc.dispatch('o1', pay(5500), gateway, { idempotencyKey: 'pay:tx-1' }).then(
      () => null,
      (error: unknown) => error,
    );
    let killed = 0;
    for (let i = 0; i < 50 && killed === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const r = await admin.query(
        `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
         WHERE pid <> pg_backend_pid() AND query LIKE '%WITH upd AS%' AND query LIKE '%${s}%' AND state = 'active'`,
      );
      killed = r.rows.filter((row: { done: boolean }) => row.done).length;
    }
    expect(killed).toBe(1);
    expect(await dispatching).toBeInstanceOf(Error);
    expect(await footprint('o1')).toEqual(before);
    await admin.query(`DROP TRIGGER slow_events ON "${s}".order_events`);
    const retried = await svc.dispatch('o1', pay(5500), gateway, { idempotencyKey: 'pay:tx-1' });
    expect(retried.ok && [retried.order.version, retried.replayed]).toEqual([2, false]);
    expect(await footprint('o1')).toEqual({ version: 2, events: 2, effects: (retried.ok ? retried.effects.length : 0) + 1, keys: 1 });
  });

  it('a driver transaction that fails between statements rolls back everything it wrote', async () => {
    const driver = toSqlDriver(pool);
    await expect(
      driver.transaction(async (tx) => {
        await tx.query(`INSERT INTO "${s}".idempotency (key, order_id, version, doc) VALUES ('k', 'x', 1, '{}')`);
        throw new Error('connection lost between statements');
      }),
    ).rejects.toThrow('connection lost');
    const r = await admin.query(`SELECT count(*)::int AS n FROM "${s}".idempotency`);
    expect(r.rows[0].n).toBe(0);
  });

  it('a commit prepared on a version that changed underneath writes nothing', async () => {
    const store = new PostgresOrderStore({ db: pool, schema: s });
    const svc = service();
    const placed = await svc.place({ customerId: 'u1', quote: quote() });
    if (!placed.ok) throw placed.error;
    await svc.dispatch('o1', pay(5500), gateway);
    const before = await footprint('o1');
    const stale = { ...placed.order, version: 2, status: 'closed' as const };
    await expect(store.commit({ order: stale, expectedVersion: 1, events: [], effects: [] })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    expect(await footprint('o1')).toEqual(before);
  });

  it.each(['after-commit', 'in-transaction'] as const)('two service instances on one database (notify: %s): a change made through one reaches a subscriber of the other', async (notify) => {
    const poolB = real.pool(4);
    const first = createOrderService({ store: new PostgresOrderStore({ db: pool, schema: s, notify }), clock: manualClock(), ids: sequentialIds('a') });
    const second = service(poolB, 'b');
    const heard: OrderChange[] = [];
    const stop = await second.subscribe((change) => heard.push(change));
    const placed = await first.place({ customerId: 'u1', quote: quote() });
    expect(placed.ok).toBe(true);
    const paid = await first.dispatch('a1', pay(5500), gateway);
    const refused = await first.dispatch('a1', { type: 'CONFIRM_RECEIPT' }, merchant);
    expect(refused.ok).toBe(false);
    for (let i = 0; i < 200 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    expect(heard.map(({ position: _, ...rest }) => rest)).toEqual([
      { orderId: 'a1', version: 1, status: 'pending_payment', at: placed.ok ? placed.order.updatedAt : '' },
      { orderId: 'a1', version: 2, status: 'paid', at: paid.ok ? paid.order.updatedAt : '' },
    ]);
    await stop();
  });

  it('the change feed reconnects after its connection is killed', async () => {
    const store = new PostgresOrderStore({ db: pool, schema: s });
    const heard: number[] = [];
    const stop = await store.subscribe((c) => heard.push(c.version));
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN "${s}_changes"%' AND pid <> pg_backend_pid()`);
    const svc = service();
    let placedAt = 0;
    // Reconnection takes about a second; keep committing until the feed hears one.
    for (let i = 0; i < 40 && heard.length === 0; i++) {
      await svc.place({ customerId: 'u1', quote: quote() });
      placedAt++;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(heard.length).toBeGreaterThan(0);
    expect(placedAt).toBeGreaterThan(1);
    await stop();
  });
});
