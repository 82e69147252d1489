import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PostgresOrderStore, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { bottlenecksSql, migrateAnalytics, summarizeSql } from '../../src/adapters/postgres/analytics-sql.js';
import { bottlenecks, STAGES, summarize } from '../../src/analytics/index.js';
import { OrderSchema, type Order } from '../../src/order/index.js';
import { describeRealPg } from '../support/pg.js';
import { buildOrder } from './support/build-order.js';
import { loadThroughStore } from './support/load-orders.js';
import { randomOrders, START } from './support/random-orders.js';
import { freshPGlite } from '../support/pglite.js';

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
  const orders = [...randomOrders(300, seed, START, 40 * DAY), ...edgeOrders()];
  for (const o of orders) OrderSchema.parse(o);
  // Half the orders exist before the projection does (back-fill), half arrive after (trigger).
  await loadThroughStore(store, orders.slice(0, 150));
  await migrateAnalytics(db, { schema });
  await migrateAnalytics(db, { schema }); // idempotent
  await loadThroughStore(store, orders.slice(150));

  await fc.assert(
    fc.asyncProperty(rangeArb, async (options) => {
      expect(await summarizeSql(db, { ...options, schema })).toEqual(summarize(orders, options));
    }),
    { numRuns: 15 },
  );
  const slaArb = fc.record(
    Object.fromEntries(STAGES.map((s) => [s, fc.option(fc.integer({ min: 1, max: 200 }).map((h) => h / 4), { nil: undefined })])),
  );
  await fc.assert(
    fc.asyncProperty(rangeArb, slaArb, fc.integer({ min: 0, max: 50 }), fc.boolean(), fc.integer({ min: 0, max: 60 }), async (range, sla, nowDay, whole, limit) => {
      const slaHours = Object.fromEntries(Object.entries(sla).filter(([, h]) => h !== undefined));
      const options = { now: new Date(START + nowDay * DAY + 1234), slaHours, limit, ...(whole ? {} : { from: range.from, to: range.to }) };
      expect(await bottlenecksSql(db, { ...options, schema })).toEqual(bottlenecks(orders, options));
    }),
    { numRuns: 15 },
  );
  const report = await bottlenecksSql(db, { schema, now: new Date(START + 45 * DAY), slaHours: { fulfilment: 48, payment: 0.2 } });
  // Not vacuous: both kinds of breach occur in the data.
  expect(report.stages.reduce((n, st) => n + st.openOverdue, 0)).toBeGreaterThan(0);
  expect(report.stages.reduce((n, st) => n + st.lateFinished, 0)).toBeGreaterThan(0);

  const whole = { from: new Date(START - DAY), to: new Date(START + 50 * DAY), timeZone: 'Asia/Shanghai' };
  const s = await summarizeSql(db, { ...whole, schema });
  // Not a vacuous agreement: the data really has every kind of figure in it.
  expect(s.funnel[3]!.count).toBeGreaterThan(0);
  expect(s.revenue.refunded).toBeGreaterThan(0);
  expect(s.stageDurations.every((d) => d.count > 0)).toBe(true);
  expect(s.closeReasons.payment_timeout).toBeGreaterThan(0);
  expect(s.topSkus.find((x) => x.sku === 'DUP')).toMatchObject({ title: 'Alpha', units: 3, revenue: 30, orders: 1 });
}

describe('summarizeSql and bottlenecksSql agree with the in-memory reports (PGlite)', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await freshPGlite();
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

await describeRealPg('summarizeSql and bottlenecksSql agree with the in-memory reports (PostgreSQL server)', (pg) => {
  afterAll(() => pg.dispose());
  it('on generated shops, for random ranges and zones', async () => {
    const pool = pg.pool(8);
    await migrate(pool, { schema: pg.schema });
    await agreementSuite(pool, pg.schema, 23);
  });
});
