import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PostgresOrderStore, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { migrateAnalytics } from '../../src/adapters/postgres/analytics-sql.js';
import {
  breakdownSql,
  cohortsSql,
  couponEffectSql,
  customersSql,
  heatmapSql,
  refundsSql,
  skuPairsSql,
  topSkusBySegmentSql,
  trendSql,
} from '../../src/adapters/postgres/analytics-insights-sql.js';
import { openBreachesSql } from '../../src/adapters/postgres/analytics-open-breaches-sql.js';
import { breakdown, cohorts, couponEffect, customers, heatmap, openBreaches, refunds, skuPairs, topSkusBySegment, trend } from '../../src/analytics/index.js';
import { OrderSchema } from '../../src/order/index.js';
import { describeRealPg } from '../support/pg.js';
import { loadThroughStore } from './support/load-orders.js';
import { CHANNELS, PROVINCES, randomOrders, START } from './support/random-orders.js';
import { freshPGlite } from '../support/pglite.js';

/**
 * The decision-support analyses in SQL (orderkit/postgres) give exactly what the in-memory ones
 * give (orderkit/analytics), on generated shops with repeat customers, provinces, channels,
 * coupons and after-sale refunds, for random ranges, zones, filters and dimensions.
 */

const DAY = 86_400_000;
const zones = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Asia/Kathmandu'];
const filterArb = fc.record(
  { channel: fc.constantFrom(...CHANNELS), province: fc.constantFrom(...PROVINCES.filter((p) => p !== '')) },
  { requiredKeys: [] },
);
const optionsArb = fc
  .tuple(fc.integer({ min: -3 * DAY, max: 38 * DAY }), fc.integer({ min: 1, max: 45 * DAY }), fc.constantFrom(...zones), fc.option(filterArb, { nil: undefined }))
  .map(([offset, span, timeZone, filter]) => ({
    from: new Date(START + offset),
    to: new Date(START + offset + span),
    timeZone,
    ...(filter === undefined ? {} : { filter }),
  }));

async function agreementSuite(db: PostgresDatabase, schema: string, seed: number): Promise<void> {
  const store = new PostgresOrderStore({ db, schema });
  const orders = randomOrders(120, seed, START, 40 * DAY, 24);
  for (const o of orders) OrderSchema.parse(o);
  // Half exist before the projection (back-fill), half arrive after (the trigger).
  await loadThroughStore(store, orders.slice(0, 60));
  await migrateAnalytics(db, { schema });
  await loadThroughStore(store, orders.slice(60));

  await fc.assert(
    fc.asyncProperty(optionsArb, fc.constantFrom('province' as const, 'channel' as const), fc.constantFrom('week' as const, 'month' as const), async (options, dimension, by) => {
      const o = { ...options, schema };
      expect(await breakdownSql(db, o, dimension)).toEqual(breakdown(orders, options, dimension));
      expect(await trendSql(db, o)).toEqual(trend(orders, options));
      expect(await customersSql(db, o)).toEqual(customers(orders, options));
      expect(await cohortsSql(db, o, by)).toEqual(cohorts(orders, options, by));
      expect(await heatmapSql(db, o)).toEqual(heatmap(orders, options));
      expect(await topSkusBySegmentSql(db, o, dimension, 3)).toEqual(topSkusBySegment(orders, options, dimension, 3));
      expect(await skuPairsSql(db, o, 2, 10)).toEqual(skuPairs(orders, options, 2, 10));
      expect(await refundsSql(db, o)).toEqual(refunds(orders, options));
      expect(await couponEffectSql(db, o)).toEqual(couponEffect(orders, options));
    }),
    { numRuns: 6 },
  );

  // The open-breach to-do list, for random "now", service levels and limits.
  const slaArb = fc.record({
    payment: fc.option(fc.integer({ min: 1, max: 40 }).map((h) => h / 4), { nil: undefined }),
    fulfilment: fc.option(fc.integer({ min: 1, max: 400 }).map((h) => h / 4), { nil: undefined }),
    delivery: fc.option(fc.integer({ min: 1, max: 400 }).map((h) => h / 4), { nil: undefined }),
    confirmation: fc.option(fc.integer({ min: 1, max: 400 }).map((h) => h / 4), { nil: undefined }),
  });
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 50 * DAY }), slaArb, fc.integer({ min: 0, max: 30 }), async (at, sla, limit) => {
      const slaHours = Object.fromEntries(Object.entries(sla).filter(([, h]) => h !== undefined));
      const options = { now: new Date(START + at), slaHours, limit };
      expect(await openBreachesSql(db, { ...options, schema })).toEqual(openBreaches(orders, options));
    }),
    { numRuns: 6 },
  );
  const todo = await openBreachesSql(db, { schema, now: new Date(START + 45 * DAY), slaHours: { payment: 1, fulfilment: 48, confirmation: 24 } });
  expect(todo.total).toBeGreaterThan(0);
  expect(todo.breaches.every((x) => x.open && x.endedAt === null)).toBe(true);
  // The longest service level accepted computes in SQL too; a longer one is a typed error.
  const longest = { now: new Date(START + 45 * DAY), slaHours: { fulfilment: 876_000 } };
  expect(await openBreachesSql(db, { ...longest, schema })).toEqual(openBreaches(orders, longest));
  await expect(openBreachesSql(db, { schema, now: longest.now, slaHours: { fulfilment: 1e12 } })).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: ['slaHours', 'fulfilment'] });

  // Not a vacuous agreement: the whole history has each kind of figure in it.
  const all = { from: new Date(START - DAY), to: new Date(START + 50 * DAY), timeZone: 'Asia/Shanghai', schema };
  const c = await customersSql(db, all);
  expect(c.repeatCustomers).toBeGreaterThan(0);
  expect(c.newCustomers).toBe(c.customers);
  const mid = { ...all, from: new Date(START + 20 * DAY) };
  expect((await customersSql(db, mid)).returningCustomers).toBeGreaterThan(0);
  const co = await cohortsSql(db, all, 'week');
  expect(co.cohorts.some((x) => x.retained.slice(1).some((k) => k > 0))).toBe(true);
  const b = await breakdownSql(db, all, 'province');
  expect(b.rows.some((r) => r.key === null)).toBe(true);
  expect(b.rows.length).toBeGreaterThan(3);
  expect((await skuPairsSql(db, all)).pairs.length).toBeGreaterThan(0);
  const r = await refundsSql(db, all);
  expect(r.reasons.some((x) => x.reason !== null)).toBe(true);
  expect((await couponEffectSql(db, all)).couponDiscount).toBeGreaterThan(0);
}

describe('decision-support analyses: SQL agrees with memory (PGlite)', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await freshPGlite();
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('on generated shops, for random ranges, zones, filters and dimensions', async () => {
    await agreementSuite(db, 'orderkit', 7);
  });

  it('refuses bad input with a typed error, as the in-memory functions do', async () => {
    const ok = { from: new Date(START), to: new Date(START + DAY), timeZone: 'UTC' };
    await expect(breakdownSql(db, { ...ok, from: new Date(START + 2 * DAY) }, 'province')).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: ['to'] });
    await expect(breakdownSql(db, ok, 'colour' as never)).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: ['dimension'] });
    await expect(cohortsSql(db, { ...ok, timeZone: 'Mars/Olympus' })).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: ['timeZone'] });
    await expect(cohortsSql(db, ok, 'fortnight' as never)).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: ['by'] });
    await expect(trendSql(db, { ...ok, filter: { colour: 'red' } as never })).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: ['filter', 'colour'] });
    expect(() => breakdown([], ok, 'colour' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ANALYTICS_OPTIONS' }));
  });
});

await describeRealPg('decision-support analyses: SQL agrees with memory (PostgreSQL server)', (pg) => {
  afterAll(() => pg.dispose());
  it('on generated shops, for random ranges, zones, filters and dimensions', async () => {
    const pool = pg.pool(4);
    await migrate(pool, { schema: pg.schema });
    await agreementSuite(pool, pg.schema, 19);
  });
});
