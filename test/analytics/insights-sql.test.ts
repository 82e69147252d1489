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
import { ordersBehindSql, toSqlDriver } from '../../src/adapters/postgres/index.js';
import {
  breakdown,
  cohorts,
  couponEffect,
  customers,
  heatmap,
  openBreaches,
  ordersBehind,
  refunds,
  skuPairs,
  topSkusBySegment,
  trend,
  type Figure,
  type InsightOptions,
} from '../../src/analytics/index.js';
import type { Order } from '../../src/order/index.js';
import { OrderSchema } from '../../src/order/index.js';
import { describeRealPg } from '../support/pg.js';
import { buildOrder } from './support/build-order.js';
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

const limitArb = fc.constantFrom(0, 1, 3, 200, 2.5, -2);

/** Every kind of figure for these options: each fixed one, and drawn rows, cells and SKUs (some of them empty). */
function figureArb(orders: readonly Order[], options: InsightOptions): fc.Arbitrary<Figure> {
  const skus = [...new Set(orders.flatMap((o) => o.lines.map((l) => l.sku)))];
  const cohortCells = (['week', 'month'] as const).flatMap((by) =>
    cohorts(orders, options, by).cohorts.flatMap((c) => c.retained.map((_, offset) => ({ figure: 'cohort' as const, by, period: c.period, offset }))),
  );
  return fc.oneof(
    fc.constantFrom<Figure>({ figure: 'placed' }, { figure: 'paid' }, { figure: 'refunded' }, { figure: 'new_customers' }, { figure: 'repeat_customers' }, { figure: 'coupon' }),
    fc.record({ figure: fc.constant('segment' as const), dimension: fc.constantFrom('province' as const, 'channel' as const), key: fc.constantFrom(...PROVINCES, ...CHANNELS, 'nowhere') }),
    fc.record({ figure: fc.constant('heatmap' as const), weekday: fc.integer({ min: 1, max: 7 }), hour: fc.integer({ min: 0, max: 23 }) }),
    fc.record({ figure: fc.constant('sku' as const), sku: fc.constantFrom(...skus, 'NO-SUCH-SKU') }),
    cohortCells.length > 0 ? fc.constantFrom<Figure>(...cohortCells) : fc.constant<Figure>({ figure: 'cohort', by: 'week', period: '2026-10-05', offset: 0 }),
    fc.record({ figure: fc.constant('cohort' as const), by: fc.constantFrom('week' as const, 'month' as const), period: fc.constantFrom('2026-09-28', '2026-10-01', '2026-10-05'), offset: fc.integer({ min: 0, max: 6 }) }),
  );
}

/** ordersBehindSql lists exactly what ordersBehind lists, for every kind of figure. */
async function drillAgreement(db: PostgresDatabase, schema: string, orders: readonly Order[]): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      optionsArb.chain((options) => fc.tuple(fc.constant(options), fc.array(figureArb(orders, options), { minLength: 4, maxLength: 4 }), limitArb)),
      async ([options, figures, limit]) => {
        for (const figure of figures) expect(await ordersBehindSql(db, { ...options, schema }, figure, limit)).toEqual(ordersBehind(orders, options, figure, limit));
      },
    ),
    { numRuns: 25 },
  );
  // Not vacuous: over the whole history each kind of figure lists orders, and the default limit agrees too.
  const all = { from: new Date(START - DAY), to: new Date(START + 50 * DAY), timeZone: 'Asia/Shanghai' };
  const sku = orders.find((o) => o.paidAt !== undefined)!.lines[0]!.sku;
  const week = cohorts(orders, all, 'week').cohorts[0]!;
  const figures: Figure[] = [
    { figure: 'placed' }, { figure: 'paid' }, { figure: 'refunded' }, { figure: 'new_customers' }, { figure: 'repeat_customers' }, { figure: 'coupon' },
    { figure: 'segment', dimension: 'province', key: '' }, { figure: 'segment', dimension: 'channel', key: 'live' },
    { figure: 'heatmap', weekday: weekdayOf(orders[0]!.createdAt), hour: hourOf(orders[0]!.createdAt) },
    { figure: 'cohort', by: 'week', period: week.period, offset: 1 }, { figure: 'sku', sku },
  ];
  for (const figure of figures) {
    const sql = await ordersBehindSql(db, { ...all, schema }, figure);
    expect(sql).toEqual(ordersBehind(orders, all, figure));
    expect(sql.total).toBeGreaterThan(0);
  }
  // New customers beside returning ones (the customers' first orders lie in the first days): ranges
  // starting a few days in, with and without a filter, small and large limits.
  let mixed = 0;
  for (const k of [1, 2, 4, 7, 11]) {
    for (const filter of [undefined, { channel: CHANNELS[0]! }, { province: PROVINCES[1]! }]) {
      const range = { from: new Date(START + k * DAY), to: new Date(START + (k + 7) * DAY), timeZone: 'Asia/Shanghai', ...(filter ? { filter } : {}) };
      for (const limit of [3, 1000]) {
        const sql = await ordersBehindSql(db, { ...range, schema }, { figure: 'new_customers' }, limit);
        expect(sql).toEqual(ordersBehind(orders, range, { figure: 'new_customers' }, limit));
        if (sql.total > 0 && sql.total < ordersBehind(orders, range, { figure: 'paid' }).total) mixed++;
      }
    }
  }
  expect(mixed).toBeGreaterThan(0);
  // A segment row's orders paid in the range more than a day after they were placed before it.
  for (const o of orders.filter((x) => x.id.startsWith('late-') && Date.parse(x.paidAt!) - Date.parse(x.createdAt) > 1.5 * DAY)) {
    const range = { from: new Date(Date.parse(o.createdAt) + 3_600_000), to: new Date(Date.parse(o.paidAt!) + 3_600_000), timeZone: 'UTC' };
    for (const figure of [
      { figure: 'segment', dimension: 'province', key: o.address?.province ?? '' },
      { figure: 'segment', dimension: 'channel', key: o.channel ?? '' },
    ] as Figure[]) {
      const sql = await ordersBehindSql(db, { ...range, schema }, figure, 1000);
      expect(sql).toEqual(ordersBehind(orders, range, figure, 1000));
      expect(sql.orders.some((x) => x.orderId === o.id)).toBe(true);
    }
  }
}

const weekdayOf = (iso: string) => ((new Date(Date.parse(iso) + 8 * 3_600_000).getUTCDay() + 6) % 7) + 1;
const hourOf = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).getUTCHours();

async function agreementSuite(db: PostgresDatabase, schema: string, seed: number): Promise<void> {
  const store = new PostgresOrderStore({ db, schema });
  // With a few orders paid half a day to four days after they were placed, some across a range's start.
  const late = Array.from({ length: 8 }, (_, i) =>
    buildOrder({
      id: `late-${seed}-${i}`,
      customerId: `c${(i % 5) + 1}`,
      placedAt: START + i * 4 * DAY + 3_600_000,
      lines: [{ sku: 'TEA-01', quantity: 1, payable: 1000 + i }],
      paidAfterMs: ((1 + i) * DAY) / 2 + 1000,
      province: PROVINCES[i % PROVINCES.length]!,
      channel: CHANNELS[i % CHANNELS.length]!,
      ...(i % 2 === 1 ? { coupon: 100 } : {}),
    }),
  );
  const orders = [...randomOrders(120, seed, START, 40 * DAY, 24), ...late];
  for (const o of orders) OrderSchema.parse(o);
  // Half exist before the projection (back-fill), half arrive after (the trigger).
  await loadThroughStore(store, orders.slice(0, 64));
  await migrateAnalytics(db, { schema });
  await loadThroughStore(store, orders.slice(64));

  // With the customer chains of the second half still pending (no fold), and then folded.
  const whole = { from: new Date(START - DAY), to: new Date(START + 50 * DAY), timeZone: 'UTC' };
  const pending = await toSqlDriver(db).query<{ n: number }>(`select count(*)::int as n from ${schema}.customer_dirty`);
  expect(Number(pending.rows[0]!.n)).toBeGreaterThan(0);
  for (const figure of [{ figure: 'new_customers' }, { figure: 'cohort', by: 'week', period: '2026-09-28', offset: 1 }] as Figure[]) {
    expect(await ordersBehindSql(db, { ...whole, schema, compact: false }, figure, 1000)).toEqual(ordersBehind(orders, whole, figure, 1000));
  }
  await drillAgreement(db, schema, orders);

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

  it('adds the drill-down indexes to a projection migrated before them, at the next migrateAnalytics', async () => {
    const names = ['order_facts_drill_created_idx', 'order_facts_drill_paid_idx', 'order_facts_drill_late_idx', 'order_line_facts_sku_paid_idx'];
    const present = async () =>
      (await db.query<{ indexname: string }>("select indexname from pg_indexes where schemaname = 'orderkit' and indexname = any($1::text[])", [names])).rows.map((r) => r.indexname).sort();
    await migrateAnalytics(db);
    await db.exec(names.map((n) => `drop index orderkit.${n};`).join('\n'));
    expect(await present()).toEqual([]);
    await migrateAnalytics(db);
    expect(await present()).toEqual([...names].sort());
  });

  it('refuses bad input with a typed error, as the in-memory functions do', async () => {
    const ok = { from: new Date(START), to: new Date(START + DAY), timeZone: 'UTC' };
    await expect(breakdownSql(db, { ...ok, from: new Date(START + 2 * DAY) }, 'province')).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: ['to'] });
    await expect(breakdownSql(db, ok, 'colour' as never)).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: ['dimension'] });
    await expect(cohortsSql(db, { ...ok, timeZone: 'Mars/Olympus' })).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: ['timeZone'] });
    await expect(cohortsSql(db, ok, 'fortnight' as never)).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: ['by'] });
    await expect(trendSql(db, { ...ok, filter: { colour: 'red' } as never })).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: ['filter', 'colour'] });
    expect(() => breakdown([], ok, 'colour' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ANALYTICS_OPTIONS' }));
    // The drill-down: the same typed error as ordersBehind, before any query.
    const bad: Array<[InsightOptions, string[]]> = [
      [{ ...ok, from: new Date(START + 2 * DAY) }, ['to']],
      [{ ...ok, timeZone: 'Mars/Olympus' }, ['timeZone']],
      [{ ...ok, filter: { colour: 'red' } as never }, ['filter', 'colour']],
      [{ ...ok, from: new Date(NaN) }, ['from']],
    ];
    for (const [options, path] of bad) {
      expect(() => ordersBehind([], options, { figure: 'paid' })).toThrow(expect.objectContaining({ code: 'INVALID_ANALYTICS_OPTIONS', path }));
      await expect(ordersBehindSql(db, options, { figure: 'paid' })).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path });
    }
    // A figure that parseFigure would have refused: an unknown kind is a typed error, not a database error.
    await expect(ordersBehindSql(db, ok, { figure: 'bogus' } as never)).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: ['figure'] });
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
