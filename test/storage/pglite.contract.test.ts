import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, migrateBalance, migrationChecksum, PostgresBalance, PostgresOrderStore, toSqlDriver, type SqlDriver } from '../../src/adapters/postgres/index.js';
import { createLifecycle } from '../../src/lifecycle/index.js';
import { createOrderService } from '../../src/service/index.js';
import { createdEvent, runBalanceContract, runOrderStoreContract, testOrder } from '../../src/testing/index.js';
import { pgTamperFor, truncateAll } from './pg-helpers.js';
import { freshPGlite } from '../support/pglite.js';

// One embedded database for the whole file (creating one costs seconds); tables are emptied
// before each test instead.
let db: PGlite;
beforeAll(async () => {
  db = await freshPGlite();
  await migrate(db);
});
afterAll(async () => {
  await db.close();
});

runOrderStoreContract(
  'PostgresOrderStore on PGlite',
  async () => {
    await truncateAll(db, 'orderkit');
    return new PostgresOrderStore({ db });
  },
  { describe, it, expect, beforeEach, afterEach },
  { numRuns: 15, tamper: pgTamperFor({ query: (text, params) => db.query(text, params as unknown[]) }) },
);

// The balance port on the same embedded database, a schema of its own for every test and run.
let balanceSchemas = 0;
runBalanceContract(
  'PostgresBalance on PGlite',
  async () => {
    const schema = `balance_${++balanceSchemas}`;
    await migrateBalance(db, { schema });
    return new PostgresBalance({ db, schema });
  },
  { describe, it, expect, beforeEach, afterEach },
  { numRuns: 8 },
);

// The same embedded database, in schemas of their own.
describe('migrate on PGlite', () => {
  it('applies every migration once; a second run does nothing', async () => {
    const first = await migrate(db, { schema: 'shop_a' });
    expect(first.applied).toEqual(MIGRATIONS.map((m) => m.version));
    const again = await migrate(db, { schema: 'shop_a' });
    expect(again).toEqual({ applied: [], version: MIGRATIONS.length });
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'shop_a' ORDER BY table_name",
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(['changes', 'due_leases', 'idempotency', 'order_events', 'order_tails', 'orders', 'outbox', 'schema_migrations']);
  });

  it('refuses to run over a released migration that was edited later', async () => {
    await migrate(db, { schema: 'shop_b' });
    const edited = MIGRATIONS.map((m) => ({ ...m, sql: `${m.sql}\n-- edited` }));
    await expect(migrate(db, { schema: 'shop_b', migrations: edited })).rejects.toMatchObject({ code: 'MIGRATION_CHANGED' });
  });

  it('a failing migration leaves nothing behind', async () => {
    const broken = [...MIGRATIONS, { version: 99, name: '099_broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();' }];
    await expect(migrate(db, { schema: 'shop_c', migrations: broken })).rejects.toThrow();
    const schemas = await db.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = 'shop_c'");
    expect(schemas.rows).toHaveLength(0);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(migrate(db, { schema: 'x"; DROP TABLE y; --' })).rejects.toMatchObject({ code: 'INVALID_SCHEMA_NAME' });
  });

  it('checksums tell edited SQL apart', () => {
    expect(migrationChecksum('a')).not.toBe(migrationChecksum('b'));
    expect(migrationChecksum(MIGRATIONS[0]!.sql)).toBe(migrationChecksum(MIGRATIONS[0]!.sql));
  });
});

describe('documents edited outside the store (PGlite)', () => {
  it('are checked in full: a valid hand edit is accepted, a row without a checksum too, a broken one refused', async () => {
    await migrate(db, { schema: 'hand_edits' });
    const store = new PostgresOrderStore({ db, schema: 'hand_edits' });
    const order = testOrder({ id: 'h1' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    await db.query(`UPDATE hand_edits.orders SET doc = jsonb_set(doc, '{buyerRemark}', '"leave at the door"') WHERE id = 'h1'`);
    expect((await store.load('h1'))!.buyerRemark).toBe('leave at the door');
    await db.query(`UPDATE hand_edits.orders SET doc_md5 = NULL WHERE id = 'h1'`);
    expect((await store.load('h1'))!.id).toBe('h1');
    await db.query(`UPDATE hand_edits.orders SET doc = jsonb_set(doc, '{pricing,total}', '-5') WHERE id = 'h1'`);
    await expect(store.load('h1')).rejects.toMatchObject({ code: 'CORRUPT_ORDER', details: { orderId: 'h1', reason: 'invalid_order' } });
  });

  it('documents that carry the checksum the store wrote skip the schema check (the fast path is really taken)', async () => {
    await migrate(db, { schema: 'trusted' });
    const store = new PostgresOrderStore({ db, schema: 'trusted' });
    const order = testOrder({ id: 't1' });
    await store.create(order, { events: [createdEvent(order)], effects: [] });
    // Only a writer that also forges the checksum gets past: the store's own writes are trusted.
    await db.query(`UPDATE trusted.orders SET doc = jsonb_set(doc, '{pricing,total}', '-5') WHERE id = 't1'`);
    await db.query(`UPDATE trusted.orders SET doc_md5 = md5(doc::text) WHERE id = 't1'`);
    expect((await new PostgresOrderStore({ db, schema: 'trusted' }).load('t1'))!.pricing.total).toBe(-5);
  });
});

describe('sweepDue on PGlite writes the changed fields of an order read intact', () => {
  it('sends no document for such an order, and its row ends as a whole write would leave it', async () => {
    await truncateAll(db, 'orderkit');
    const base = toSqlDriver(db);
    const batches: string[] = [];
    // The same driver, recording the commitMany batches sent inside transactions.
    const recording: SqlDriver = {
      ...base,
      transaction: (body) =>
        base.transaction((tx) =>
          body({
            ...tx,
            query: (text, params) => {
              if (text.includes('jsonb_to_recordset') && typeof params?.[0] === 'string') batches.push(params[0]);
              return tx.query(text, params);
            },
          }),
        ),
    };
    const store = new PostgresOrderStore({ db: recording, groupCommit: false });
    // sp1 is read intact; sp2's row no longer matches its checksum (as after an edit outside the store).
    const orders = ['sp1', 'sp2'].map((id) => testOrder({ id }));
    for (const order of orders) await store.create(order, { events: [createdEvent(order)], effects: [] });
    await db.query(`UPDATE orderkit.orders SET doc_md5 = md5('another text') WHERE id = 'sp2'`);
    const now = new Date(Date.parse(orders[0]!.createdAt) + 3_600_000);
    const service = createOrderService({ store });
    const report = await service.sweep(now, { batchSize: 10 });
    expect(report.expired).toBe(2);
    const sent = JSON.parse(batches.join('')) as Array<{ id: string; doc: unknown; patch?: Record<string, unknown>; unset?: string[] }>;
    const byId = new Map(sent.map((row) => [row.id, row]));
    expect(byId.get('sp1')!.doc).toBeNull();
    expect(Object.keys(byId.get('sp1')!.patch!)).toContain('status');
    expect(Object.keys(byId.get('sp1')!.patch!)).not.toContain('lines');
    expect(byId.get('sp2')!.doc).not.toBeNull();
    // What a whole write of the lifecycle's result leaves: compare with transition() on the order.
    for (const order of orders) {
      const expected = createLifecycle().transition(order, { type: 'EXPIRE' }, { now, actor: { type: 'system', id: 'sweeper' } });
      if (!expected.ok) throw expected.error;
      expect(await store.load(order.id)).toEqual(expected.order);
    }
    const { rows } = await db.query<{ id: string; same: boolean }>("SELECT id, doc_md5 = md5(doc::text) AS same FROM orderkit.orders WHERE id LIKE 'sp%' ORDER BY id");
    expect(rows).toEqual([{ id: 'sp1', same: true }, { id: 'sp2', same: true }]);
    await store.close();
  });
});
