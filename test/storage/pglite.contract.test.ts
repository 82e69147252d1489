import { PGlite } from '@electric-sql/pglite';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, migrationChecksum, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { jsonbText } from '../../src/adapters/postgres/jsonb-text.js';
import { createdEvent, runOrderStoreContract, testOrder } from '../../src/testing/index.js';
import { pgTamperFor, truncateAll } from './pg-helpers.js';

// One embedded database for the whole file (creating one costs seconds); tables are emptied
// before each test instead.
let db: PGlite;
beforeAll(async () => {
  db = await PGlite.create();
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
    expect(tables.rows.map((r) => r.table_name)).toEqual(['changes', 'due_leases', 'idempotency', 'order_events', 'orders', 'outbox', 'schema_migrations']);
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

const serverText = async (json: string): Promise<string> => (await db.query<{ t: string }>('SELECT $1::jsonb::text AS t', [json])).rows[0]!.t;

// docs/storage.md "Checksums": the store computes the text PostgreSQL renders for a stored
// document, so that the server need not render and hash it on every write.
describe('jsonbText on PGlite', () => {
  it('is the text PostgreSQL renders for the value, whenever it gives one', async () => {
    const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a', 'bb', 'é', '字段', 'Z', 'a\u0001', '"q"'));
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.string({ maxLength: 8 }),
        fc.constantFrom('\\', '"', '\n\t\b\f\r', '\u001f', '\u007f', '😀', 'a/b', '\u2028'),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(key, tie('v'), { maxKeys: 5 }),
      ),
    })).v;
    let exact = 0;
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        const mine = jsonbText(v);
        if (mine === null) return;
        exact += 1;
        expect(mine).toBe(await serverText(JSON.stringify(v)));
      }),
      { numRuns: 150 },
    );
    expect(exact).toBeGreaterThan(100);
  });

  it('gives up on what it cannot render as the server does', () => {
    expect(jsonbText({ a: 1e21 })).toBeNull();
    expect(jsonbText([1e-7])).toBeNull();
    expect(jsonbText({ a: '\ud800' })).toBeNull();
    expect(jsonbText(undefined)).toBeNull();
    expect(jsonbText({ a: undefined, b: [undefined], c: new Date(0) })).toBe('{"b": [null], "c": "1970-01-01T00:00:00.000Z"}');
  });

  it('every stored-order fixture renders as the server renders it', async () => {
    const root = new URL('../fixtures/orders/', import.meta.url);
    let n = 0;
    for (const version of readdirSync(root)) {
      for (const file of readdirSync(new URL(`${version}/`, root))) {
        if (!file.endsWith('.json')) continue;
        const text = readFileSync(new URL(`${version}/${file}`, root), 'utf8');
        const doc = JSON.parse(text) as unknown;
        const docs = Array.isArray(doc) ? doc : [doc];
        for (const d of docs) {
          expect(jsonbText(d)).toBe(await serverText(JSON.stringify(d)));
          n += 1;
        }
      }
    }
    expect(n).toBeGreaterThan(3);
  });

  it('the checksum each write stores is the md5 of the text the server renders', async () => {
    const store = new PostgresOrderStore({ db, groupCommit: false });
    const orders = ['jt1', 'jt2', 'jt3'].map((id) => testOrder({ id, customerId: '用户 "一"\n' }));
    for (const order of orders) await store.create(order, { events: [createdEvent(order)], effects: [] });
    const bump = (o: typeof orders[number], v: number) => ({ ...o, version: v, note: `改 ${v}\u0007` } as typeof o);
    await store.commit({ order: bump(orders[0]!, 2), expectedVersion: 1, events: [], effects: [] });
    await store.commitMany([{ order: bump(orders[1]!, 2), expectedVersion: 1, events: [], effects: [] }]);
    await store.commitChain([
      { order: bump(orders[2]!, 2), expectedVersion: 1, events: [], effects: [] },
      { order: bump(orders[2]!, 3), expectedVersion: 2, events: [], effects: [] },
    ]);
    const { rows } = await db.query<{ id: string; same: boolean; stored: string | null }>(
      "SELECT id, doc_md5 = md5(doc::text) AS same, doc_md5 AS stored FROM orderkit.orders WHERE id LIKE 'jt%' ORDER BY id",
    );
    expect(rows.map((r) => [r.id, r.same])).toEqual([['jt1', true], ['jt2', true], ['jt3', true]]);
    await store.close();
  });
});
