import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PostgresOrderStore, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { migrateAnalytics, summarizeSql } from '../../src/adapters/postgres/analytics-sql.js';
import { summarize } from '../../src/analytics/index.js';
import { OrderSchema, type Order } from '../../src/order/index.js';
import { describeRealPg } from '../support/pg.js';
import { buildOrder } from './support/build-order.js';
import { loadThroughStore } from './support/load-orders.js';
import { randomOrders, START } from './support/random-orders.js';

const DAY = 86_400_000;
const zones = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Asia/Kathmandu', 'Europe/London'];
// Ranges that cut through the data at odd instants, so both cohorts have edges inside the range.
const rangeArb = fc
  .tuple(fc.integer({ min: -3 * DAY, max: 38 * DAY }), fc.integer({ min: 1, max: 45 * DAY }), fc.constantFrom(...zones), fc.integer({ min: 0, max: 12 }))
  .map(([offset, span, timeZone, topSkuLimit]) => ({ from: new Date(START + offset), to: new Date(START + offset + span), timeZone, topSkuLimit }));

/** Orders that sit exactly on the edges: placed at `from`, paid at `to`, zero amounts, stray refunds. */
function edgeOrders(): Order[] {
  const at = START + 10 * DAY;
  return [
    buildOrder({ id: 'edge-a', placedAt: at, lines: [{ sku: 'EDGE', quantity: 1, payable: 0 }], paidAfterMs: 0 }),
    buildOrder({ id: 'edge-b', placedAt: at - 1, lines: [{ sku: 'EDGE', quantity: 2, payable: 5 }], paidAfterMs: 1 }),
    buildOrder({
      id: 'edge-c',
      placedAt: at + DAY,
      lines: [
        { sku: 'DUP', title: 'Zeta', quantity: 1, payable: 10 },
        { sku: 'DUP', title: 'Alpha', quantity: 2, payable: 20 },
      ],
      paidAfterMs: 1000,
      refunds: [{ amount: 7, status: 'succeeded', reason: 'stray_payment' }, { amount: 3, status: 'succeeded' }],
      parcelsAfterPaidMs: [5, 9],
      completedAfterShippedMs: 1,
    }),
  ];
}

async function agreementSuite(db: PostgresDatabase, schema: string, seed: number): Promise<void> {
  const store = new PostgresOrderStore({ db, schema });
  const orders = [...randomOrders(500, seed, START, 40 * DAY), ...edgeOrders()];
  for (const o of orders) OrderSchema.parse(o);
  // Half the orders exist before the projection does (back-fill), half arrive after (trigger).
  await loadThroughStore(store, orders.slice(0, 250));
  await migrateAnalytics(db, { schema });
  await migrateAnalytics(db, { schema }); // idempotent
  await loadThroughStore(store, orders.slice(250));

  await fc.assert(
    fc.asyncProperty(rangeArb, async (options) => {
      expect(await summarizeSql(db, { ...options, schema })).toEqual(summarize(orders, options));
    }),
    { numRuns: 25 },
  );
  const whole = { from: new Date(START - DAY), to: new Date(START + 50 * DAY), timeZone: 'Asia/Shanghai' };
  const s = await summarizeSql(db, { ...whole, schema });
  // Not a vacuous agreement: the data really has every kind of figure in it.
  expect(s.funnel[3]!.count).toBeGreaterThan(0);
  expect(s.revenue.refunded).toBeGreaterThan(0);
  expect(s.stageDurations.every((d) => d.count > 0)).toBe(true);
  expect(s.closeReasons.payment_timeout).toBeGreaterThan(0);
  expect(s.topSkus.find((x) => x.sku === 'DUP')).toMatchObject({ title: 'Alpha', units: 3, revenue: 30, orders: 1 });
}

describe('summarizeSql agrees with summarize (PGlite)', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('on generated shops, for random ranges and zones', async () => {
    await agreementSuite(db, 'orderkit', 11);
  });

  it('rejects a bad range with the same typed error as summarize', async () => {
    const bad = { from: new Date(START), to: new Date(START - 1), timeZone: 'UTC' };
    await expect(summarizeSql(db, bad)).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS' });
  });
});

await describeRealPg('summarizeSql agrees with summarize (PostgreSQL server)', (pg) => {
  afterAll(() => pg.dispose());
  it('on generated shops, for random ranges and zones', async () => {
    const pool = pg.pool(8);
    await migrate(pool, { schema: pg.schema });
    await agreementSuite(pool, pg.schema, 23);
  });
});
