import type { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  breakdownSql,
  bottlenecksSql,
  customersSql,
  migrate,
  migrateAnalytics,
  ordersBehindSql,
  PostgresOrderStore,
  type PostgresDatabase,
  refundsSql,
  summarizeSql,
} from '../../src/adapters/postgres/index.js';
import { idempotencyDocId } from '../../src/adapters/wx-cloud/documents.js';
import { bottlenecks, breakdown, customers, ordersBehind, refunds, summarize } from '../../src/analytics/index.js';
import { OrderSchema, type Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { dispatchScope } from '../../src/service/idempotency.js';
import type { OrderStore } from '../../src/storage/index.js';
import { ORDER_SCHEMA_VERSION, storedOrderText } from '../../src/storage/schema-version.js';
import { orderListItemView, orderView } from '../../src/view/index.js';
import { truncateAll } from './pg-helpers.js';
import {
  commandStepArb,
  CUSTOMER,
  insertPostgresRows,
  loadFixtures,
  MERCHANT,
  memoryDataWith,
  memoryWith,
  postgresWith,
  renamed,
  upgradedOrder,
  wxCloudWith,
  type CommandStep,
} from './stored-fixtures.js';
import { MemoryOrderStore } from '../../src/storage/index.js';
import { freshPGlite } from '../support/pglite.js';
import { describeRealPg } from '../support/pg.js';

/**
 * Every path that reads a stored order, with the documents of every released schema version put
 * back into each store as that version wrote them (docs/storage.md "Stored order versions"):
 * lookups, lists, history, sweeps, views, commands, idempotency records written by an older
 * version, and the analytics projection over a mix of versions. What each store answers is
 * compared with what the same store answers for the upgraded order written by this version.
 */

const fixtures = loadFixtures();
const earlier = fixtures.filter((x) => x.dir !== `v${ORDER_SCHEMA_VERSION}`);

let lite: PGlite;
const pg = () => ({ query: (text: string, params?: unknown[]) => lite.query(text, params) });
beforeAll(async () => {
  lite = await freshPGlite();
  await migrate(lite);
});
afterAll(async () => {
  await lite.close();
});

interface Opened {
  store: OrderStore;
  /** The `schemaVersion` of the stored order document, as the store holds it. */
  storedVersion(): Promise<unknown>;
}

/** Each store holding the fixture as its version left it. */
async function storesWith(f: (typeof fixtures)[number]['fixture']): Promise<Array<[string, () => Promise<Opened>]>> {
  const fromPg = async (store: PostgresOrderStore): Promise<Opened> => ({
    store,
    storedVersion: async () => (await lite.query<{ v: unknown }>("SELECT doc->'schemaVersion' AS v FROM orderkit.orders WHERE id = 'fx'")).rows[0]?.v,
  });
  return [
    ['memory', async () => {
      const store = memoryWith(f);
      return { store, storedVersion: async () => (JSON.parse(store.data.orders.get('fx')!.doc) as { schemaVersion?: unknown }).schemaVersion };
    }],
    ['PGlite', async () => fromPg(await postgresWith(lite, 'orderkit', f))],
    ['PGlite without checksum', async () => {
      await truncateAll(pg(), 'orderkit');
      await insertPostgresRows(pg(), 'orderkit', f, false);
      return fromPg(new PostgresOrderStore({ db: lite }));
    }],
    ['cloud database', async () => {
      const { store, db } = await wxCloudWith(f);
      return { store, storedVersion: async () => db.dump(store.names.orders)[0]?.['schemaVersion'] };
    }],
  ];
}

describe('reads of stored orders of every version', () => {
  it('has earlier versions to test', () => {
    expect(earlier.length).toBeGreaterThanOrEqual(80);
  });

  for (const { dir, file, fixture: f } of fixtures) {
    it(`${dir}/${file}: load, findByNumber, list, findDue, history and the views answer the upgraded order in every store`, async () => {
      const expected = upgradedOrder(f);
      const events = f.memory.events.map((text) => JSON.parse(text) as unknown);
      const now = new Date(Date.parse(f.at) + 60_000);
      for (const [name, open] of await storesWith(f)) {
        const { store } = await open();
        const tag = `${dir}/${file} ${name}`;
        expect(await store.load('fx'), tag).toEqual(expected);
        expect(await store.findByNumber(f.postgres.order.number), tag).toEqual(expected);
        expect((await store.list({ customerId: 'u1' })).items, tag).toEqual([expected]);
        expect((await store.list({ status: expected.status })).items, tag).toEqual([expected]);
        expect(await store.history('fx'), tag).toEqual(events);
        const due = f.postgres.order.due_at;
        if (due !== null) expect(await store.findDue(new Date(Date.parse(due) + 1), 10), tag).toEqual([expected]);
        for (const actor of [CUSTOMER, MERCHANT]) {
          expect(orderView((await store.load('fx'))!, { actor, now }), tag).toEqual(orderView(expected, { actor, now }));
          expect(orderListItemView((await store.load('fx'))!, { actor, now }), tag).toEqual(orderListItemView(expected, { actor, now }));
        }
      }
    });
  }
});

type Step = CommandStep | { sweepAfterMs: number } | { retry: true };

/**
 * Plays `steps` through a service on `store`: each command with its own idempotency key, a retry
 * sends the last command again under its key (a replay), a sweep runs the timers. Answers what a
 * caller sees, then the order and its history as stored.
 */
async function play(store: OrderStore, startAt: string, steps: Step[]): Promise<unknown[]> {
  let t = Date.parse(startAt);
  const service = createOrderService({ store, clock: { now: () => new Date(t) }, retryDelayMs: 0 });
  const seen: unknown[] = [];
  let last: CommandStep | undefined;
  let n = 0;
  for (const step of steps) {
    t += 60_000;
    if ('sweepAfterMs' in step) {
      t += step.sweepAfterMs;
      seen.push(['sweep', await service.sweep(new Date(t))]);
      continue;
    }
    if ('retry' in step && last === undefined) continue;
    const { command, actor } = 'retry' in step ? last! : step;
    if (!('retry' in step)) {
      last = step;
      n += 1;
    }
    const r = await service.dispatch('fx', command as never, actor, { idempotencyKey: `key-${n}` });
    if (r.ok) expect(OrderSchema.safeParse(r.order).success).toBe(true);
    seen.push([command.type, r.ok ? { order: r.order, replayed: r.replayed, events: r.events, effects: r.effects } : r.error.code]);
  }
  seen.push(['stored', await store.load('fx'), await store.history('fx')]);
  return seen;
}

describe('commands on stored orders of earlier versions', () => {
  it('a random sequence of commands, retries and sweeps answers in every store what it answers for the upgraded order', async () => {
    // Drawn by name (a failure prints the fixture's file, not its contents).
    const caseArb = fc.constantFrom(...earlier.map((x) => `${x.dir}/${x.file}`)).chain((name) => {
      const x = earlier.find((e) => `${e.dir}/${e.file}` === name)!;
      const step: fc.Arbitrary<Step> = fc.oneof(
        { weight: 6, arbitrary: commandStepArb(upgradedOrder(x.fixture)) },
        { weight: 1, arbitrary: fc.record({ sweepAfterMs: fc.constantFrom(0, 3_600_000, 8 * 86_400_000) }) },
        { weight: 1, arbitrary: fc.constant({ retry: true as const }) },
      );
      return fc.tuple(fc.constant(name), fc.array(step, { minLength: 1, maxLength: 6 }));
    });
    await fc.assert(
      fc.asyncProperty(caseArb, async ([name, steps]) => {
        const { dir, file, fixture: f } = earlier.find((e) => `${e.dir}/${e.file}` === name)!;
        // The reference: the upgraded order, written by this version.
        const reference = await play(new MemoryOrderStore({ data: memoryDataWith(f, storedOrderText(upgradedOrder(f))) }), f.at, steps);
        for (const [storeName, open] of await storesWith(f)) {
          const { store, storedVersion } = await open();
          const tag = `${dir}/${file} ${storeName}`;
          expect(await play(store, f.at, steps), tag).toEqual(reference);
          // Once written by this version, the document says so (never an old version's label on a new shape).
          const written = (await store.load('fx'))!.version > f.postgres.order.version;
          expect((await storedVersion()) ?? null, tag).toBe(written ? ORDER_SCHEMA_VERSION : f.schemaVersion === 1 ? null : f.schemaVersion);
        }
      }),
      { numRuns: Number(process.env.STORED_ORDER_RUNS ?? 25) },
    );
  }, 600_000);
});

describe('idempotency records written by an earlier version', () => {
  it('a retry after the upgrade replays the recorded answer as an upgraded, valid order, in every store', async () => {
    for (const { dir, file, fixture: f } of earlier) {
      const o = f.postgres.order;
      const expected = upgradedOrder(f);
      const scope = dispatchScope(f.next.actor, o.id, 'retry-1', f.next.command as never);
      const events = f.memory.events.slice(-1).map((text) => JSON.parse(text) as unknown);
      // What each store of that version kept as the first call's answer: the order as it stored it then.
      const memory = memoryWith(f);
      memory.data.idempotency.set(scope.key, JSON.stringify({ key: scope.key, orderId: o.id, version: o.version, order: JSON.parse(f.memory.doc), events, effects: [], request: scope.request }));
      const postgres = await postgresWith(lite, 'orderkit', f);
      await lite.query('INSERT INTO orderkit.idempotency (key, order_id, version, doc) VALUES ($1, $2, $3, $4::jsonb)', [
        scope.key,
        o.id,
        o.version,
        JSON.stringify({ order: JSON.parse(o.doc), events, effects: [], request: scope.request }),
      ]);
      const cloud = await wxCloudWith(f);
      const record = Object.fromEntries(Object.entries(f.wxCloud.order).filter(([k]) => k !== '_id' && !k.startsWith('ok_')));
      await cloud.db.collection(cloud.store.names.keys).add({
        data: { _id: idempotencyDocId(scope.key), kind: 'idempotency', key: scope.key, orderId: o.id, version: o.version, expectedVersion: o.version - 1, order: record, events, effects: [], state: 'done', token: 't-old', request: scope.request },
      });
      for (const [name, store] of [['memory', memory], ['PGlite', postgres], ['cloud database', cloud.store]] as Array<[string, OrderStore]>) {
        const tag = `${dir}/${file} ${name}`;
        const found = await store.findIdempotency(scope.key);
        expect(found?.order, tag).toEqual(expected);
        const service = createOrderService({ store, clock: { now: () => new Date(Date.parse(f.at) + 60_000) }, retryDelayMs: 0 });
        const r = await service.dispatch(o.id, f.next.command, f.next.actor, { idempotencyKey: 'retry-1' });
        if (!r.ok) throw new Error(`${tag}: ${r.error.code}`);
        expect(r.replayed, tag).toBe(true);
        expect(r.order, tag).toEqual(expected);
        expect(r.order, tag).not.toHaveProperty('schemaVersion');
        expect(OrderSchema.safeParse(r.order).success, tag).toBe(true);
        // Nothing was written again: the order is as it was stored.
        expect(await store.load(o.id), tag).toEqual(expected);
      }
    }
  });
});

/**
 * Every fixture of every version under its own id (customers u0…u6), half stored before the
 * projection exists (its back-fill reads them) and half after (its trigger does); then each takes
 * its scenario's next step, so the trigger sees the old document go. The SQL figures must be the
 * in-memory ones over the same orders read through the store.
 */
async function analyticsOverEveryVersion(db: PostgresDatabase & Parameters<typeof truncateAll>[0], schema: string): Promise<void> {
  await truncateAll(db, schema);
  const all = fixtures.map(({ fixture }, i) => renamed(fixture, `o${i}`, `N${String(i).padStart(8, '0')}`, `u${i % 7}`));
  const half = Math.floor(all.length / 2);
  for (const f of all.slice(0, half)) await insertPostgresRows(db, schema, f);
  await migrateAnalytics(db, { schema });
  for (const f of all.slice(half)) await insertPostgresRows(db, schema, f);
  const store = new PostgresOrderStore({ db, schema });
  for (const f of all) {
    const service = createOrderService({ store, clock: { now: () => new Date(Date.parse(f.at) + (f.next.afterMs ?? 60_000)) }, retryDelayMs: 0 });
    const r = await service.dispatch(f.postgres.order.id, f.next.command, f.next.actor);
    if (!r.ok) throw new Error(`${f.postgres.order.id} ${f.scenario}: ${r.error.code}`);
  }
  const orders: Order[] = [];
  for (const f of all) orders.push((await store.load(f.postgres.order.id))!);
  const options = { schema, from: new Date('2026-11-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z'), timeZone: 'Asia/Shanghai' };
  const summary = await summarizeSql(db, options);
  expect(summary.funnel[0]!.count).toBe(all.length);
  expect(summary).toEqual(summarize(orders, options));
  const now = new Date('2026-12-31T00:00:00Z');
  expect(await bottlenecksSql(db, { ...options, now })).toEqual(bottlenecks(orders, { ...options, now }));
  for (const dimension of ['channel', 'province'] as const) expect(await breakdownSql(db, options, dimension)).toEqual(breakdown(orders, options, dimension));
  expect(await refundsSql(db, options)).toEqual(refunds(orders, options));
  expect(await customersSql(db, options)).toEqual(customers(orders, options));
  for (const figure of [{ figure: 'paid' }, { figure: 'refunded' }, { figure: 'segment', dimension: 'channel', key: '' }] as const) {
    expect(await ordersBehindSql(db, options, figure, 200)).toEqual(ordersBehind(orders, options, figure, 200));
  }
}

describe('the analytics projection over orders of every version', () => {
  it('counts stored orders of earlier versions as it counts the upgraded ones: back-fill, insert and update (PGlite)', async () => {
    await analyticsOverEveryVersion(lite, 'orderkit');
  });
});

await describeRealPg('the analytics projection over orders of every version (PostgreSQL server)', (real) => {
  afterAll(() => real.dispose());
  it('counts stored orders of earlier versions as it counts the upgraded ones: back-fill, insert and update', async () => {
    const pool = real.pool(2);
    await migrate(pool, { schema: real.schema });
    await analyticsOverEveryVersion(pool, real.schema);
  });
});
