import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactAnalytics, migrate, migrateAnalytics, PostgresOrderStore, rebuildAnalyticsSegments } from '../../src/adapters/postgres/index.js';
import { cohortsSql, customersSql } from '../../src/adapters/postgres/analytics-insights-sql.js';
import { migrationSql } from '../../src/adapters/postgres/analytics-projection.js';
import { COHORTS_VERSION } from '../../src/adapters/postgres/analytics-customers.js';
import { cohorts, customers } from '../../src/analytics/index.js';
import type { Order } from '../../src/order/index.js';
import { loadThroughStore } from './support/load-orders.js';
import { CHANNELS, PROVINCES, randomOrders, START } from './support/random-orders.js';
import { freshPGlite } from '../support/pglite.js';

/**
 * The customer chains behind customersSql and cohortsSql (analytics-customers.ts) under every way
 * a customer's paid orders move: an order paid before the customer's earlier ones (out of turn),
 * paid again at another time, un-paid, moved to another channel or province, handed to another
 * customer. The analyses agree with memory with the changes still pending (the read recomputes
 * the dirty customers' chains from the facts) and after the fold, and a rebuild from the facts
 * gives the chain and rollup rows the fold kept. A database migrated before the chains existed
 * gets them on the next migrateAnalytics, one migrated before the cohort rollup gets that, and a
 * migrateAnalytics in another zone rebuilds the cohort rollup in it. Ranges at Shanghai midnight
 * (the rollup's zone: whole local days from the rollup) and off it (partial-day edges from the
 * chain), and in other zones (the chain alone), all agree with memory.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

type Move = { kind: 'unpay' } | { kind: 'pay'; at: number } | { kind: 'segment'; channel: number; province: number } | { kind: 'customer'; customer: number };

const moveArb: fc.Arbitrary<[number, Move]> = fc.tuple(
  fc.nat(),
  fc.oneof(
    fc.constant({ kind: 'unpay' as const }),
    // Anywhere in the history, on the hour and off it: often before the customer's other orders.
    fc.integer({ min: 0, max: 20 * DAY }).map((at) => ({ kind: 'pay' as const, at })),
    fc.record({ kind: fc.constant('segment' as const), channel: fc.nat(CHANNELS.length), province: fc.nat(PROVINCES.length - 1) }),
    fc.record({ kind: fc.constant('customer' as const), customer: fc.integer({ min: 1, max: 6 }) }),
  ),
);

function moved(o: Order, m: Move): Order {
  const next: Order = { ...o, version: o.version + 1, payment: { ...o.payment } };
  if (m.kind === 'unpay') {
    delete next.paidAt;
    delete next.payment.paidAt;
  } else if (m.kind === 'pay') {
    const at = new Date(Math.max(Date.parse(o.createdAt), START + m.at)).toISOString();
    next.paidAt = at;
    next.payment.paidAt = at;
  } else if (m.kind === 'segment') {
    if (m.channel < CHANNELS.length) next.channel = CHANNELS[m.channel]!;
    else delete next.channel;
    if (next.address !== undefined) next.address = { ...next.address, province: PROVINCES[m.province]! };
  } else {
    next.customerId = `c${m.customer}`;
  }
  return next;
}

const rangeArb = fc
  .tuple(
    fc.integer({ min: -DAY, max: 20 * DAY }),
    fc.integer({ min: 1, max: 25 * DAY }),
    fc.constantFrom('off' as const, 'hour' as const, 'local day' as const, 'local days' as const),
    fc.constantFrom('Asia/Shanghai', 'UTC', 'Asia/Kathmandu'),
    fc.option(fc.record({ channel: fc.constantFrom(...CHANNELS), province: fc.constantFrom(...PROVINCES.filter((p) => p !== '')) }, { requiredKeys: [] }), { nil: undefined }),
  )
  .map(([offset, span, align, timeZone, filter]) => {
    // 'local day': from at a local midnight of the zone; 'local days': to as well (no partial day).
    const midnight = (t: number) => Math.floor((t + offsetOf(timeZone)) / DAY) * DAY - offsetOf(timeZone);
    const from = align === 'off' ? START + offset : align === 'hour' ? Math.floor((START + offset) / HOUR) * HOUR : midnight(START + offset);
    const to = align === 'local days' ? from + Math.max(1, Math.round(span / DAY)) * DAY : from + span;
    return { from: new Date(from), to: new Date(to), timeZone, ...(filter === undefined ? {} : { filter }) };
  });

/** The zones' offsets from UTC in ms (none of them has daylight saving time). */
const offsetOf = (zone: string): number => (zone === 'Asia/Shanghai' ? 8 * HOUR : zone === 'Asia/Kathmandu' ? 5.75 * HOUR : 0);

describe('customer chains agree with memory (PGlite)', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await freshPGlite();
    await migrate(db);
    await migrateAnalytics(db);
  });
  afterAll(async () => {
    await db.close();
  });

  const rows = async (schema = 'orderkit'): Promise<string> =>
    JSON.stringify([
      (await db.query(`select * from ${schema}.customer_chain order by scope, channel, province, customer_id, order_id`)).rows,
      (await db.query(`select * from ${schema}.rollup_customer where n <> 0 order by 1, 2, 3, 4, 5, 6, 7`)).rows,
      (await db.query(`select * from ${schema}.rollup_cohort where members <> 0 or week_firsts <> 0 or month_firsts <> 0 order by 1, 2, 3, 4, 5`)).rows,
    ]);

  it('with changes pending and folded, as paid orders move, and after a rebuild from the facts', async () => {
    const store = new PostgresOrderStore({ db });
    // Few customers, so that each has a long chain for the moves to shuffle.
    const orders = randomOrders(40, 41, START, 20 * DAY, 6);
    await loadThroughStore(store, orders);
    const current = new Map(orders.map((o) => [o.id, { ...o, version: 2 }]));
    const agree = (compact: boolean) =>
      fc.assert(
        fc.asyncProperty(rangeArb, fc.constantFrom('week' as const, 'month' as const), async (options, by) => {
          const all = [...current.values()];
          expect(await customersSql(db, { ...options, compact })).toEqual(customers(all, options));
          expect(await cohortsSql(db, { ...options, compact }, by)).toEqual(cohorts(all, options, by));
        }),
        { numRuns: 4 },
      );
    await agree(true);
    await fc.assert(
      fc.asyncProperty(fc.array(moveArb, { minLength: 4, maxLength: 10 }), async (moves) => {
        for (const [pick, m] of moves) {
          const o = [...current.values()][pick % current.size]!;
          const next = moved(o, m);
          await store.commit({ order: next, expectedVersion: o.version, events: [], effects: [] });
          current.set(o.id, next);
        }
        expect((await db.query<{ n: number }>('select count(*)::int as n from orderkit.customer_dirty')).rows[0]!.n).toBeGreaterThan(0);
        await agree(false);
        await compactAnalytics(db);
        expect((await db.query<{ n: number }>('select count(*)::int as n from orderkit.customer_dirty')).rows[0]!.n).toBe(0);
        await agree(true);
      }),
      { numRuns: 2 },
    );
    // Ranges starting near a paid time, so that the next orders' p1 and p2 often lie in the UTC
    // day holding the start: the rows the rollup cannot place and the chain is read for.
    const paidTimes = [...current.values()].flatMap((o) => (o.paidAt === undefined ? [] : [Date.parse(o.paidAt)]));
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: -DAY, max: DAY }), fc.integer({ min: HOUR, max: 12 * DAY }), fc.constantFrom(undefined, 'live'), async (pick, offset, span, channel) => {
        const from = paidTimes[pick % paidTimes.length]! + offset;
        const options = { from: new Date(from), to: new Date(from + span), timeZone: 'UTC', ...(channel === undefined ? {} : { filter: { channel } }) };
        expect(await customersSql(db, options)).toEqual(customers([...current.values()], options));
      }),
      { numRuns: 40 },
    );
    // Cohorts in the rollup's zone, with changes pending: from and to at Shanghai midnight or off
    // it, so that the rollup's whole days meet the chain's partial ones at every kind of edge.
    const shanghaiMidnight = (t: number) => Math.floor((t + 8 * HOUR) / DAY) * DAY - 8 * HOUR;
    await fc.assert(
      fc.asyncProperty(
        fc.array(moveArb, { maxLength: 3 }),
        // Early starts: with six customers, the first paid orders (cohorts' members) come early.
        fc.integer({ min: -DAY, max: 4 * DAY }),
        fc.integer({ min: 0, max: 20 }),
        // Each edge at midnight, near it on either side, or far from it: the rollup's edges are
        // corrected from the shorter side (adding the rows from F to the next midnight, or taking
        // away those from the midnight before F; likewise at T).
        fc.constantFrom(0, 0, 5 * HOUR, 23 * HOUR),
        fc.constantFrom(0, 0, 7 * HOUR, 20 * HOUR),
        fc.option(fc.record({ channel: fc.constantFrom(...CHANNELS), province: fc.constantFrom(...PROVINCES.filter((p) => p !== '')) }, { requiredKeys: [] }), { nil: undefined }),
        fc.constantFrom('week' as const, 'month' as const),
        async (moves, offset, days, fromShift, toShift, filter, by) => {
          for (const [pick, m] of moves) {
            const o = [...current.values()][pick % current.size]!;
            const next = moved(o, m);
            await store.commit({ order: next, expectedVersion: o.version, events: [], effects: [] });
            current.set(o.id, next);
          }
          const day0 = shanghaiMidnight(START + offset);
          const options = { from: new Date(day0 + fromShift), to: new Date(day0 + days * DAY + DAY + toShift), timeZone: 'Asia/Shanghai', ...(filter === undefined ? {} : { filter }) };
          expect(await cohortsSql(db, { ...options, compact: false }, by)).toEqual(cohorts([...current.values()], options, by));
        },
      ),
      { numRuns: 30 },
    );
    await compactAnalytics(db);

    // Not vacuous: returning and repeat customers and later periods' retention are there.
    const whole = { from: new Date(START + 5 * DAY), to: new Date(START + 25 * DAY), timeZone: 'UTC' };
    const c = await customersSql(db, whole);
    expect(c.repeatCustomers).toBeGreaterThan(0);
    expect(c.returningCustomers).toBeGreaterThan(0);

    // The fold kept what a rebuild from the facts gives.
    const kept = await rows();
    await rebuildAnalyticsSegments(db);
    expect(await rows()).toBe(kept);
    expect(kept.length).toBeGreaterThan(1000);
  });

  it('upgrade of a database migrated before the chains: built from the facts on the next migrateAnalytics, then kept', async () => {
    const schema = 'orderkit_before_chains';
    await migrate(db, { schema });
    await migrateAnalytics(db, { schema });
    // The previous version: the trigger without the chain part, no tables, no version key.
    await db.exec(`begin; set local search_path to ${schema}; ${migrationSql(schema, { customers: false })};
      drop table customer_chain; drop table rollup_customer; drop table customer_dirty; delete from analytics_meta where key = 'customers_version'; commit;`);
    const store = new PostgresOrderStore({ db, schema });
    const orders = randomOrders(40, 43, START, 20 * DAY, 8);
    await loadThroughStore(store, orders.slice(0, 25));

    await migrateAnalytics(db, { schema });
    const meta = await db.query<{ value: string }>(`select value from ${schema}.analytics_meta where key = 'customers_version'`);
    expect(meta.rows.map((r) => r.value)).toEqual(['1']);
    const options = { from: new Date(START + 3 * DAY), to: new Date(START + 19 * DAY + HOUR / 2), timeZone: 'Asia/Shanghai', schema };
    expect(await customersSql(db, options)).toEqual(customers(orders.slice(0, 25), options));
    expect(await cohortsSql(db, options, 'week')).toEqual(cohorts(orders.slice(0, 25), options, 'week'));

    // From now on the trigger marks, the fold keeps; a second migrate leaves them as they are.
    await loadThroughStore(store, orders.slice(25));
    await migrateAnalytics(db, { schema });
    expect(await customersSql(db, options)).toEqual(customers(orders, options));
    expect(await cohortsSql(db, options, 'month')).toEqual(cohorts(orders, options, 'month'));
    expect((await customersSql(db, options)).customers).toBeGreaterThan(0);
    const kept = await rows(schema);
    await rebuildAnalyticsSegments(db, { schema });
    expect(await rows(schema)).toBe(kept);
  });

  it('cohort rollup: read in its zone and only there, built on upgrade, rebuilt in another zone, an unknown zone refused', async () => {
    const schema = 'orderkit_before_cohorts';
    await migrate(db, { schema });
    await migrateAnalytics(db, { schema });
    // The previous version: chains without the cohort rollup or its keys; its orders' customers
    // marked, some folded (a fold of this version skips the missing rollup), some not yet.
    await db.exec(`drop table ${schema}.rollup_cohort; delete from ${schema}.analytics_meta where key in ('cohorts_version', 'cohort_zone');`);
    const store = new PostgresOrderStore({ db, schema });
    const orders = randomOrders(120, 47, START, 20 * DAY, 30);
    await loadThroughStore(store, orders.slice(0, 80));
    await compactAnalytics(db, { schema });
    await loadThroughStore(store, orders.slice(80));
    const meta = async () => (await db.query<{ key: string; value: string }>(`select key, value from ${schema}.analytics_meta where key in ('cohorts_version', 'cohort_zone') order by key`)).rows;

    await migrateAnalytics(db, { schema });
    await compactAnalytics(db, { schema });
    expect(await meta()).toEqual([{ key: 'cohort_zone', value: 'Asia/Shanghai' }, { key: 'cohorts_version', value: COHORTS_VERSION }]);
    const kept = await rows(schema);
    expect(kept.length).toBeGreaterThan(1000);
    await rebuildAnalyticsSegments(db, { schema });
    expect(await rows(schema)).toBe(kept);

    // Whole days in Shanghai and in UTC; an off-midnight range in Shanghai (partial-day edges).
    const shanghai = { from: new Date(START + 2 * DAY - 8 * HOUR), to: new Date(START + 16 * DAY - 8 * HOUR), timeZone: 'Asia/Shanghai', schema };
    const utc = { ...shanghai, from: new Date(START + 2 * DAY), to: new Date(START + 16 * DAY), timeZone: 'UTC' };
    const edges = { ...shanghai, from: new Date(START + 2 * DAY + 5 * HOUR), to: new Date(START + 16 * DAY + 3 * HOUR) };
    const agreeAll = async () => {
      for (const o of [shanghai, utc, edges]) for (const by of ['week', 'month'] as const) expect(await cohortsSql(db, o, by)).toEqual(cohorts(orders, o, by));
    };
    await agreeAll();
    expect((await cohortsSql(db, shanghai, 'week')).cohorts.some((x) => x.retained.slice(1).some((k) => k > 0))).toBe(true);
    // Edges within three hours of a customer's first paid order (from) and of a paid order (to),
    // so that the rows each edge correction adds or takes away are there.
    const paid = orders.flatMap((o) => (o.paidAt === undefined ? [] : [{ c: o.customerId, at: Date.parse(o.paidAt) }]));
    const firstTimes = [...new Set(paid.map((p) => p.c))].map((c) => Math.min(...paid.filter((p) => p.c === c).map((p) => p.at)));
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.nat(),
        fc.integer({ min: -3 * HOUR, max: 3 * HOUR }),
        fc.integer({ min: -3 * HOUR, max: 3 * HOUR }),
        fc.constantFrom('week' as const, 'month' as const),
        fc.option(fc.record({ channel: fc.constantFrom(...CHANNELS) }), { nil: undefined }),
        async (i, j, startOff, endOff, by, filter) => {
          const from = firstTimes[i % firstTimes.length]! + startOff;
          const later = paid.map((p) => p.at).filter((t) => t > from + 2 * DAY);
          const to = later.length === 0 ? from + 3 * DAY : later[j % later.length]! + endOff;
          const o = { from: new Date(from), to: new Date(to), timeZone: 'Asia/Shanghai', schema, ...(filter === undefined ? {} : { filter }) };
          expect(await cohortsSql(db, o, by)).toEqual(cohorts(orders, o, by));
        },
      ),
      { numRuns: 40 },
    );
    // Which path each takes: a wrong rollup shows in its zone's answers only.
    const spoil = () => db.exec(`update ${schema}.rollup_cohort set members = members + 1000`);
    await spoil();
    expect(await cohortsSql(db, shanghai, 'week')).not.toEqual(cohorts(orders, shanghai, 'week'));
    expect(await cohortsSql(db, edges, 'month')).not.toEqual(cohorts(orders, edges, 'month'));
    expect(await cohortsSql(db, utc, 'week')).toEqual(cohorts(orders, utc, 'week'));

    // Another zone rebuilds the rollup in it (mending the spoilt one); then UTC reads it and Shanghai does not.
    await migrateAnalytics(db, { schema, timeZone: 'UTC' });
    expect(await meta()).toEqual([{ key: 'cohort_zone', value: 'UTC' }, { key: 'cohorts_version', value: COHORTS_VERSION }]);
    await agreeAll();
    // An instance started without the option keeps the stored zone (no rebuild in Shanghai).
    await migrateAnalytics(db, { schema });
    expect(await meta()).toEqual([{ key: 'cohort_zone', value: 'UTC' }, { key: 'cohorts_version', value: COHORTS_VERSION }]);
    await spoil();
    expect(await cohortsSql(db, utc, 'week')).not.toEqual(cohorts(orders, utc, 'week'));
    expect(await cohortsSql(db, shanghai, 'week')).toEqual(cohorts(orders, shanghai, 'week'));
    await rebuildAnalyticsSegments(db, { schema });
    await agreeAll();

    // An unknown zone: a typed error, nothing changed.
    const before = await rows(schema);
    for (const timeZone of ['Mars/Olympus', '', 42 as never]) {
      const refused = await migrateAnalytics(db, { schema, timeZone }).then(() => null, (e: unknown) => e);
      expect(refused).toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path: ['timeZone'], messages: { 'zh-CN': expect.stringContaining('时区'), en: expect.stringContaining('time zone') } });
    }
    expect(await meta()).toEqual([{ key: 'cohort_zone', value: 'UTC' }, { key: 'cohorts_version', value: COHORTS_VERSION }]);
    expect(await rows(schema)).toBe(before);
  });
});
