import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailySeriesSql, migrate, PostgresOrderStore, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { migrateAnalytics } from '../../src/adapters/postgres/analytics-sql.js';
import { dailyReadPlan } from '../../src/adapters/postgres/analytics-daily-sql.js';
import { calendarDays, dailySeries, summarize, type InsightOptions } from '../../src/analytics/index.js';
import type { Order } from '../../src/order/index.js';
import { OrderSchema } from '../../src/order/index.js';
import { describeRealPg } from '../support/pg.js';
import { loadThroughStore } from './support/load-orders.js';
import { CHANNELS, PROVINCES, randomOrders, START } from './support/random-orders.js';
import { freshPGlite } from '../support/pglite.js';

/**
 * The forecast's daily series, filtered by channel or province (docs/analytics.md "Forecast"):
 * `dailySeriesSql` (orderkit/postgres, from the segment rollups) gives exactly what `dailySeries`
 * (orderkit/analytics) gives, for random ranges of whole and partial days, zones with whole-hour,
 * half-hour and quarter-hour offsets and daylight saving, and every kind of filter; without a
 * filter `dailySeries` is the summary's daily series.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const zones = ['Asia/Shanghai', 'UTC', 'Asia/Kolkata', 'America/New_York', 'Australia/Adelaide', 'Asia/Kathmandu'];
const filterArb = fc.oneof(
  fc.constant(undefined),
  fc.record({ channel: fc.constantFrom(...CHANNELS) }),
  fc.record({ province: fc.constantFrom(...PROVINCES.filter((p) => p !== '')) }),
  fc.record({ channel: fc.constantFrom(...CHANNELS), province: fc.constantFrom(...PROVINCES.filter((p) => p !== '')) }),
);
/** The first instant of the local day holding `t`. */
const dayStart = (t: number, timeZone: string): number => calendarDays(new Date(t), new Date(t + 1), timeZone).starts[0]!;
/** Whole local days, or any instants (partial days at both ends). */
const optionsArb = fc
  .tuple(fc.integer({ min: -3 * DAY, max: 38 * DAY }), fc.integer({ min: 1, max: 45 * DAY }), fc.constantFrom(...zones), filterArb, fc.boolean())
  .map(([offset, span, timeZone, filter, whole]): InsightOptions => {
    let from = START + offset;
    let to = from + span;
    if (whole) {
      from = dayStart(from, timeZone);
      to = Math.max(dayStart(to, timeZone), dayStart(from + 25 * HOUR, timeZone));
    }
    return { from: new Date(from), to: new Date(to), timeZone, ...(filter === undefined ? {} : { filter }) };
  });

/** What the Express example computed before `dailySeries`: the summary of the filtered orders. */
function exampleDaily(orders: readonly Order[], o: InsightOptions) {
  const filtered = orders.filter((x) => (o.filter?.channel === undefined || x.channel === o.filter.channel) && (o.filter?.province === undefined || x.address?.province === o.filter.province));
  return summarize(filtered, { from: o.from, to: o.to, timeZone: o.timeZone }).daily.map((d) => ({ date: d.date, orders: d.placed, gmv: d.gmv }));
}

async function agreementSuite(db: PostgresDatabase, schema: string, seed: number): Promise<void> {
  const store = new PostgresOrderStore({ db, schema });
  const orders = randomOrders(150, seed, START, 40 * DAY, 24);
  for (const o of orders) OrderSchema.parse(o);
  // Half exist before the projection (back-fill), half arrive after (the trigger's pending deltas).
  await loadThroughStore(store, orders.slice(0, 75));
  await migrateAnalytics(db, { schema });
  await loadThroughStore(store, orders.slice(75));

  // Exact with the deltas still pending (a read-only connection), then after folding them.
  const first = { from: new Date(START - DAY), to: new Date(START + 41 * DAY + 5 * 60_000), timeZone: 'Australia/Adelaide', filter: { channel: 'live' } };
  expect(await dailySeriesSql(db, { ...first, schema, compact: false })).toEqual(dailySeries(orders, first));

  await fc.assert(
    fc.asyncProperty(optionsArb, async (options) => {
      const expected = dailySeries(orders, options);
      expect(expected).toEqual(exampleDaily(orders, options));
      expect(await dailySeriesSql(db, { ...options, schema })).toEqual(expected);
    }),
    { numRuns: 40 },
  );

  // Not a vacuous agreement: filtered series have orders and money on many days.
  const all = { from: new Date(START), to: new Date(START + 40 * DAY), timeZone: 'Asia/Kolkata', filter: { channel: 'live', province: '浙江省' } };
  const series = await dailySeriesSql(db, { ...all, schema });
  expect(series.filter((d) => d.orders > 0).length).toBeGreaterThan(3);
  expect(series.some((d) => d.gmv > 0)).toBe(true);
}

describe('the daily series of orders and GMV', () => {
  it('without a filter is the summary daily series, placed and GMV (paid that day, refunds not taken off)', () => {
    const orders = randomOrders(200, 11, START, 40 * DAY, 30);
    fc.assert(
      fc.property(optionsArb, (options) => {
        const { filter: _, ...plain } = options;
        const expected = summarize(orders, plain).daily.map((d) => ({ date: d.date, orders: d.placed, gmv: d.gmv }));
        expect(dailySeries(orders, plain)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('reads the facts only at sub-hour edges: none for whole hours in whole-hour zones, half an hour a day in Asia/Kolkata', () => {
    const from = Date.parse('2026-10-20T00:00:00+08:00');
    const to = Date.parse('2026-11-19T00:00:00+08:00');
    const shanghai = dailyReadPlan(from, to, calendarDays(new Date(from), new Date(to), 'Asia/Shanghai'));
    expect(shanghai.facts).toEqual([]);
    // 30 day rows and their corrections, instead of 720 hours.
    expect(shanghai.rollups.filter((r) => r.width === 86_400).length).toBe(29);
    const ny = dailyReadPlan(from, to, calendarDays(new Date(from), new Date(to), 'America/New_York'));
    expect(ny.facts).toEqual([]);
    const kolkata = dailyReadPlan(from, to, calendarDays(new Date(from), new Date(to), 'Asia/Kolkata'));
    // Each hour cut by midnight (18:30 UTC) is its hour row and the facts of one half of it.
    expect(kolkata.facts.reduce((s, f) => s + f.hi - f.lo, 0)).toBe(30 * (HOUR / 2));
    const kathmandu = dailyReadPlan(from, to, calendarDays(new Date(from), new Date(to), 'Asia/Kathmandu'));
    expect(kathmandu.facts.reduce((s, f) => s + f.hi - f.lo, 0)).toBe(30 * (HOUR / 4));
    // A partial range reads its sub-hour ends from the facts, the rest from the rollups.
    const partial = dailyReadPlan(from + 90_000, to - 60_000, calendarDays(new Date(from + 90_000), new Date(to - 60_000), 'Asia/Shanghai'));
    expect(partial.facts.reduce((s, f) => s + f.hi - f.lo, 0)).toBe(HOUR - 90_000 + HOUR - 60_000);
  });
});

describe('the daily series: SQL agrees with memory (PGlite)', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await freshPGlite();
    await migrate(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('for random ranges, zones and filters', async () => {
    await agreementSuite(db, 'orderkit', 23);
  });

  it('refuses bad input with the same typed error in both engines', async () => {
    const ok = { from: new Date(START), to: new Date(START + DAY), timeZone: 'UTC' };
    const bad: Array<[InsightOptions, Array<string>]> = [
      [{ ...ok, from: new Date(START + 2 * DAY) }, ['to']],
      [{ ...ok, from: new Date(NaN) }, ['from']],
      [{ ...ok, timeZone: 'Mars/Olympus' }, ['timeZone']],
      [{ ...ok, filter: { colour: 'red' } as never }, ['filter', 'colour']],
      [{ ...ok, filter: { channel: '' } }, ['filter', 'channel']],
    ];
    for (const [options, path] of bad) {
      const thrown = (() => {
        try {
          dailySeries([], options);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(thrown).toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path });
      await expect(dailySeriesSql(db, options)).rejects.toEqual(thrown);
      await expect(dailySeriesSql(db, options)).rejects.toMatchObject({ code: 'INVALID_ANALYTICS_OPTIONS', path, message: (thrown as Error).message });
    }
  });
});

await describeRealPg('the daily series: SQL agrees with memory (PostgreSQL server)', (pg) => {
  afterAll(() => pg.dispose());
  it('for random ranges, zones and filters', async () => {
    const pool = pg.pool(4);
    await migrate(pool, { schema: pg.schema });
    await agreementSuite(pool, pg.schema, 29);
  });
});
