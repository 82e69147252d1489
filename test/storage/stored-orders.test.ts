import { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { createCloudDatabaseStandIn } from '../../src/testing/index.js';
import { OrderSchema, type Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { CorruptOrderError, MemoryOrderStore, ORDER_SCHEMA_VERSION, createMemoryOrderData, type OrderStore } from '../../src/storage/index.js';
import { upgradeStoredOrder, type UpgradeChain } from '../../src/storage/schema-version.js';
import type { StoredFixture } from '../../scripts/gen-order-fixtures.js';
import { connectRealPg } from '../support/pg.js';
import { truncateAll } from './pg-helpers.js';
import { freshPGlite } from '../support/pglite.js';
import { insertPostgresRows, loadFixtures, memoryDataWith } from './stored-fixtures.js';

/**
 * Orders stored by every released schema version (test/fixtures/orders/v<N>/, written by
 * scripts/gen-order-fixtures.ts from the code of that version) load through every store and
 * continue through the service: the scenario's next command succeeds and is stored at the
 * current version (docs/storage.md "Stored order versions").
 */

const fixtures = loadFixtures();
const versions = [...new Set(fixtures.map((x) => x.dir))];

/** Puts a fixture's PostgreSQL rows back exactly as they were stored. */
async function seedPostgres(db: Parameters<typeof insertPostgresRows>[0], schema: string, f: StoredFixture, keepChecksum: boolean): Promise<void> {
  await truncateAll(db, schema);
  await insertPostgresRows(db, schema, f, keepChecksum);
}

function seedMemory(f: StoredFixture): MemoryOrderStore {
  return new MemoryOrderStore({ data: memoryDataWith(f) });
}

async function seedWxCloud(f: StoredFixture): Promise<WxCloudOrderStore> {
  const db = createCloudDatabaseStandIn();
  const store = new WxCloudOrderStore(db);
  await store.ensureCollections();
  await db.collection(store.names.orders).add({ data: f.wxCloud.order });
  for (const e of f.wxCloud.events) await db.collection(store.names.events).add({ data: e });
  return store;
}

/** Loads, checks and continues one fixture on one store; returns the order as loaded. */
async function continueOn(store: OrderStore, f: StoredFixture): Promise<Order> {
  const id = f.postgres.order.id;
  const loaded = await store.load(id);
  expect(loaded, `${f.scenario}: loads`).not.toBeNull();
  expect(OrderSchema.safeParse(loaded).success).toBe(true);
  expect(loaded).not.toHaveProperty('schemaVersion');
  expect(loaded!.version).toBe(f.postgres.order.version);
  const now = new Date(Date.parse(f.at) + (f.next.afterMs ?? 60_000));
  const service = createOrderService({ store, clock: { now: () => now }, retryDelayMs: 0 });
  const r = await service.dispatch(id, f.next.command, f.next.actor);
  if (!r.ok) throw new Error(`${f.scenario}: ${f.next.command.type} refused: ${r.error.code} ${r.error.message}`);
  expect(r.changed, `${f.scenario}: ${f.next.command.type} changes the order`).toBe(true);
  expect(r.order.version).toBe(loaded!.version + 1);
  const again = await store.load(id);
  expect(again).toEqual(r.order);
  return loaded!;
}

// One embedded database for the file (creating one costs seconds).
let lite: PGlite;
beforeAll(async () => {
  lite = await freshPGlite();
  await migrate(lite);
});
afterAll(async () => {
  await lite.close();
});

describe('stored orders of every schema version', () => {
  it('has fixtures of the current version and of every scenario in each', () => {
    expect(versions).toContain(`v${ORDER_SCHEMA_VERSION}`);
    const first = fixtures.filter((x) => x.dir === versions[0]).map((x) => x.fixture.scenario);
    expect(first.length).toBeGreaterThanOrEqual(20);
    for (const x of fixtures) expect(`v${x.fixture.schemaVersion}`).toBe(x.dir);
  });

  for (const { dir, file, fixture } of fixtures) {
    it(`${dir}/${file}: loads through memory, PGlite (checksum kept and dropped) and the cloud database, and continues with ${fixture.next.command.type}`, async () => {
      const fromMemory = await continueOn(seedMemory(fixture), fixture);
      if (dir === `v${ORDER_SCHEMA_VERSION}`) {
        const { doc } = upgradeStoredOrder('x', JSON.parse(fixture.memory.doc), { owned: true });
        expect(fromMemory).toEqual(doc);
      }
      await seedPostgres({ query: (t, p) => lite.query(t, p) }, 'orderkit', fixture, true);
      expect(await continueOn(new PostgresOrderStore({ db: lite }), fixture)).toEqual(fromMemory);
      await seedPostgres({ query: (t, p) => lite.query(t, p) }, 'orderkit', fixture, false);
      expect(await continueOn(new PostgresOrderStore({ db: lite }), fixture)).toEqual(fromMemory);
      expect(await continueOn(await seedWxCloud(fixture), fixture)).toEqual(fromMemory);
    });
  }
});

const real = await connectRealPg('stored orders');
describe.skipIf('unavailable' in real)('stored orders on the real PostgreSQL', () => {
  let pool: pg.Pool;
  let schema: string;
  beforeAll(async () => {
    if ('unavailable' in real) return;
    pool = real.pool(2);
    schema = real.schema;
    await migrate(pool, { schema });
  });
  afterAll(async () => {
    if (!('unavailable' in real)) await real.dispose();
  });
  it('every fixture loads and continues', async () => {
    for (const { fixture } of fixtures) {
      await seedPostgres(pool, schema, fixture, true);
      await continueOn(new PostgresOrderStore({ db: pool, schema }), fixture);
    }
  });
});

describe('what the stores write: schemaVersion', () => {
  const order = JSON.parse(fixtures.find((x) => x.fixture.scenario === 'paid')!.fixture.memory.doc) as Order;

  it('every store writes the current version into the stored document and hands back orders without it', async () => {
    const memory = new MemoryOrderStore();
    const created = await memory.create({ ...order, id: 'w1', number: 'NW1', version: 1 }, { events: [], effects: [] });
    expect(created).not.toHaveProperty('schemaVersion');
    expect(JSON.parse(memory.data.orders.get('w1')!.doc).schemaVersion).toBe(ORDER_SCHEMA_VERSION);

    {
      await truncateAll({ query: (t, p) => lite.query(t, p) }, 'orderkit');
      const pgStore = new PostgresOrderStore({ db: lite });
      const fromPg = await pgStore.create({ ...order, id: 'w1', number: 'NW1', version: 1 }, { events: [], effects: [] });
      expect(fromPg).not.toHaveProperty('schemaVersion');
      await pgStore.commit({ order: { ...order, id: 'w1', number: 'NW1', version: 2 }, expectedVersion: 1, events: [], effects: [], idempotencyKey: 'k1' });
      const row = await lite.query<{ v: number; i: number }>(
        "SELECT (o.doc->>'schemaVersion')::int AS v, (i.doc->'order'->>'schemaVersion')::int AS i FROM orderkit.orders o, orderkit.idempotency i WHERE o.id = 'w1'",
      );
      expect(row.rows[0]).toEqual({ v: ORDER_SCHEMA_VERSION, i: ORDER_SCHEMA_VERSION });
      expect((await pgStore.findIdempotency('k1'))!.order).not.toHaveProperty('schemaVersion');
    }

    const cloud = createCloudDatabaseStandIn();
    const wx = new WxCloudOrderStore(cloud);
    await wx.ensureCollections();
    await wx.create({ ...order, id: 'w1', number: 'NW1', version: 1 }, { events: [], effects: [] });
    expect(cloud.dump(wx.names.orders)[0]!['schemaVersion']).toBe(ORDER_SCHEMA_VERSION);
    await wx.commit({ order: { ...order, id: 'w1', number: 'NW1', version: 2 }, expectedVersion: 1, events: [], effects: [], idempotencyKey: 'k1' });
    expect(cloud.dump(wx.names.orders)[0]!['schemaVersion']).toBe(ORDER_SCHEMA_VERSION);
    const record = await wx.findIdempotency('k1');
    expect(record!.order).not.toHaveProperty('schemaVersion');
    expect(await wx.load('w1')).not.toHaveProperty('schemaVersion');
  });

  it('a document of a version newer than this code is refused as corrupt, not misread', async () => {
    const data = createMemoryOrderData();
    const store = new MemoryOrderStore({ data });
    await store.create({ ...order, id: 'w1', number: 'NW1', version: 1 }, { events: [], effects: [] });
    const row = data.orders.get('w1')!;
    row.doc = JSON.stringify({ ...JSON.parse(row.doc), schemaVersion: ORDER_SCHEMA_VERSION + 1 });
    const error = await store.load('w1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptOrderError);
    expect((error as CorruptOrderError).reason).toBe('unknown_schema_version');
    row.doc = JSON.stringify({ ...JSON.parse(row.doc), schemaVersion: 'two' });
    expect(((await store.load('w1').catch((e: unknown) => e)) as CorruptOrderError).reason).toBe('invalid_order');
  });
});

describe('upgradeStoredOrder: the chain of upgrades', () => {
  // A made-up history: v1 → v2 renamed buyerRemark to remark, v2 → v3 added a default field.
  const chain: UpgradeChain = {
    current: 3,
    upgrades: {
      1: (d) => {
        const { buyerRemark, ...rest } = d;
        return buyerRemark === undefined ? rest : { ...rest, remark: buyerRemark };
      },
      2: (d) => ({ ...d, tags: d['tags'] ?? [] }),
    },
  };

  it('a document without the field is version 1 and runs every upgrade in order', () => {
    const { doc, upgraded } = upgradeStoredOrder('o1', { id: 'o1', buyerRemark: 'hi' }, { chain });
    expect(upgraded).toBe(true);
    expect(doc).toEqual({ id: 'o1', remark: 'hi', tags: [] });
  });

  it('starts from the stored version and removes the field', () => {
    expect(upgradeStoredOrder('o1', { id: 'o1', schemaVersion: 2, buyerRemark: 'kept' }, { chain }).doc).toEqual({ id: 'o1', buyerRemark: 'kept', tags: [] });
    expect(upgradeStoredOrder('o1', { id: 'o1', schemaVersion: 3, tags: ['a'] }, { chain })).toEqual({ doc: { id: 'o1', tags: ['a'] }, upgraded: false });
  });

  it('does not change a document it does not own', () => {
    const stored = { id: 'o1', schemaVersion: 3 };
    upgradeStoredOrder('o1', stored, { chain });
    expect(stored).toEqual({ id: 'o1', schemaVersion: 3 });
  });

  it('refuses a version it cannot reach: newer, missing upgrade, not a positive integer', () => {
    const reason = (doc: unknown, c: UpgradeChain = chain) => {
      try {
        upgradeStoredOrder('o1', doc, { chain: c });
        return 'accepted';
      } catch (error) {
        return (error as CorruptOrderError).reason;
      }
    };
    expect(reason({ schemaVersion: 4 })).toBe('unknown_schema_version');
    expect(reason({ schemaVersion: 1 }, { current: 3, upgrades: { 2: (d) => d } })).toBe('unknown_schema_version');
    expect(reason({ schemaVersion: 0 })).toBe('invalid_order');
    expect(reason({ schemaVersion: 1.5 })).toBe('invalid_order');
    expect(reason({ schemaVersion: '1' })).toBe('invalid_order');
  });
});
