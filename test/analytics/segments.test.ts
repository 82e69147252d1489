import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  breakdownSql,
  compactAnalytics,
  couponEffectSql,
  heatmapSql,
  migrate,
  migrateAnalytics,
  openBreachesSql,
  PostgresOrderStore,
  rebuildAnalyticsSegments,
  refundsSql,
  skuPairsSql,
  topSkusBySegmentSql,
  trendSql,
} from '../../src/adapters/postgres/index.js';
import { migrationSql } from '../../src/adapters/postgres/analytics-projection.js';
import { rollupPieces, SEGMENT_TABLE_NAMES } from '../../src/adapters/postgres/analytics-segments.js';
import { breakdown, couponEffect, heatmap, openBreaches, refunds, skuPairs, topSkusBySegment, trend } from '../../src/analytics/index.js';
import type { Order } from '../../src/order/index.js';
import { loadEvolving, loadThroughStore } from './support/load-orders.js';
import { CHANNELS, PROVINCES, randomOrders, START } from './support/random-orders.js';
import { freshPGlite } from '../support/pglite.js';

const SLA = { payment: 0.5, fulfilment: 48, delivery: 36, confirmation: 24 };

/**
 * The segment rollups (analytics-segments.ts) and the open-order rollup (analytics-open-rollup.ts)
 * under every way an order moves: placed, paid, taken
 * back to just paid and forward again, lines renamed, and moved to another channel and province
 * after payment. The analyses read pending deltas and folded hour and day rows alike, and a rebuild
 * from the facts gives the same rows the trigger kept. A database migrated before the open-order
 * rollup existed (no table, no version key, a trigger that does not write it) gets it built on the
 * next migrateAnalytics.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('range pieces', () => {
  it('cover [from, to) exactly once: edges from the facts, whole hours, whole UTC days', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 * DAY }), fc.integer({ min: 1, max: 40 * DAY }), fc.constantFrom(0, HOUR, DAY), (offset, span, width) => {
        const from = START + offset;
        const to = from + span;
        const [, , hlo, hhi, dlo, dhi] = rollupPieces(from, to, width as 0).map((t) => Date.parse(t));
        // from ≤ hlo ≤ dlo ≤ dhi ≤ hhi ≤ to, hours and days on their boundaries.
        expect([from, hlo!, dlo!, dhi!, hhi!, to].every((t, i, a) => i === 0 || a[i - 1]! <= t)).toBe(true);
        if (width !== 0 && hhi! > hlo!) expect(hlo! % HOUR + hhi! % HOUR).toBe(0);
        if (dhi! > dlo!) expect(dlo! % DAY + dhi! % DAY).toBe(0);
        if (width === 0) expect(hlo).toBe(to);
        if (width === HOUR) expect(dhi).toBe(dlo);
        // The edges read from the facts are shorter than an hour each.
        expect(hlo! - from).toBeLessThan(width === 0 ? Infinity : HOUR);
        expect(to - hhi!).toBeLessThan(width === 0 ? Infinity : HOUR);
      }),
    );
  });
});

describe('segment rollups agree with memory (PGlite)', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await freshPGlite();
    await migrate(db);
    await migrateAnalytics(db);
  });
  afterAll(async () => {
    await db.close();
  });

  const rows = async (): Promise<string> => {
    const out: unknown[] = [];
    for (const t of [...SEGMENT_TABLE_NAMES, 'rollup_open']) {
      out.push((await db.query(`select * from orderkit.${t} where compacted order by ${t === 'rollup_open' ? '1, 2, 3' : '1, 2, 3, 4, 5, 6, 7'}`)).rows);
    }
    return JSON.stringify(out);
  };

  it('before and after folding, as orders change, and after a rebuild from the facts', async () => {
    const store = new PostgresOrderStore({ db });
    const placed = await loadEvolving(store, randomOrders(30, 23, START, 20 * DAY, 8));
    // Paid orders move to another channel and province after payment: every segment row moves.
    const orders: Order[] = [];
    for (const [i, o] of placed.entries()) {
      if (i % 3 !== 1 || o.address === undefined) {
        orders.push(o);
        continue;
      }
      const moved: Order = { ...o, version: o.version + 1, channel: CHANNELS[i % CHANNELS.length]!, address: { ...o.address, province: PROVINCES[i % 5]! } };
      await store.commit({ order: moved, expectedVersion: o.version, events: [], effects: [] });
      orders.push(moved);
    }
    const rangeArb = fc
      .tuple(fc.integer({ min: -DAY, max: 18 * DAY }), fc.integer({ min: 1, max: 25 * DAY }), fc.constantFrom('Asia/Shanghai', 'Asia/Kathmandu'), fc.constantFrom(undefined, 'live', 'share'))
      .map(([offset, span, timeZone, channel]) => ({
        from: new Date(START + offset),
        to: new Date(START + offset + span),
        timeZone,
        ...(channel === undefined ? {} : { filter: { channel } }),
      }));
    const agree = async (compact: boolean) =>
      fc.assert(
        fc.asyncProperty(rangeArb, async (options) => {
          const o = { ...options, compact };
          expect(await breakdownSql(db, o, 'channel')).toEqual(breakdown(orders, options, 'channel'));
          expect(await trendSql(db, o)).toEqual(trend(orders, options));
          expect(await heatmapSql(db, o)).toEqual(heatmap(orders, options));
          expect(await topSkusBySegmentSql(db, o, 'province', 3)).toEqual(topSkusBySegment(orders, options, 'province', 3));
          expect(await skuPairsSql(db, o, 1, 10)).toEqual(skuPairs(orders, options, 1, 10));
          expect(await refundsSql(db, o)).toEqual(refunds(orders, options));
          expect(await couponEffectSql(db, o)).toEqual(couponEffect(orders, options));
        }),
        { numRuns: 2 },
      );
    // The open breaches, for "now" anywhere in the history (so that every stage has open orders
    // and finished ones), at hour, day and odd service levels.
    const openAgree = async (compact: boolean) =>
      fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 30 * DAY }),
          fc.record({ payment: fc.constantFrom(0.25, 1, 7.5), fulfilment: fc.constantFrom(1, 24, 48.3), delivery: fc.constantFrom(2, 30), confirmation: fc.constantFrom(0.01, 24, 100) }),
          async (at, slaHours) => {
            const options = { now: new Date(START + at), slaHours, limit: 5 };
            expect(await openBreachesSql(db, { ...options, compact })).toEqual(openBreaches(orders, options));
          },
        ),
        { numRuns: 8 },
      );
    // Everything so far waits as pending deltas.
    expect((await db.query<{ n: number }>('select count(*)::int as n from orderkit.rollup_segment where not compacted')).rows[0]!.n).toBeGreaterThan(0);
    expect((await db.query<{ n: number }>('select count(*)::int as n from orderkit.rollup_open where not compacted')).rows[0]!.n).toBeGreaterThan(0);
    await agree(false);
    await openAgree(false);
    // Not vacuous: at the end of the history every stage but payment has open breaches.
    const late = await openBreachesSql(db, { now: new Date(START + 25 * DAY), slaHours: { payment: 1, fulfilment: 1, delivery: 1, confirmation: 1 }, compact: false });
    expect(Object.values(late.byStage).filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
    await compactAnalytics(db);
    expect((await db.query<{ n: number }>('select count(*)::int as n from orderkit.rollup_segment where not compacted')).rows[0]!.n).toBe(0);
    expect((await db.query<{ n: number }>('select count(*)::int as n from orderkit.rollup_open where not compacted')).rows[0]!.n).toBe(0);
    await agree(true);
    await openAgree(true);

    // A rebuild from the facts gives the rows the trigger kept (once zero rows are left aside).
    await db.exec(SEGMENT_TABLE_NAMES.map((t) => `delete from orderkit.${t} where compacted and 0 = all(array[${t === 'rollup_segment' ? 'placed, paid, gmv, refunded, refunded_orders, coupon_orders, coupon_gmv, coupon_discount' : t === 'rollup_segment_sku' ? 'units, revenue, orders, refunded_orders' : t === 'rollup_segment_pair' ? 'n' : 'refunds, amount'}]);`).join('\n'));
    await db.exec('delete from orderkit.rollup_open where compacted and n = 0;');
    const kept = await rows();
    await rebuildAnalyticsSegments(db);
    expect(await rows()).toBe(kept);
    expect(kept.length).toBeGreaterThan(1000);
  });

  it('upgrade of a database migrated before the open-order rollup: built from the facts on the next migrateAnalytics, then kept by the trigger', async () => {
    const schema = 'orderkit_before_open';
    await migrate(db, { schema });
    await migrateAnalytics(db, { schema });
    // The previous version: the trigger without the open-order part, no table, no version key.
    await db.exec(`begin; set local search_path to ${schema}; ${migrationSql(schema, { open: false })};
      drop table rollup_open; delete from analytics_meta where key = 'open_version'; commit;`);
    const store = new PostgresOrderStore({ db, schema });
    const orders = randomOrders(40, 31, START, 20 * DAY, 10);
    await loadThroughStore(store, orders.slice(0, 25));
    expect((await db.query<{ t: string | null }>("select to_regclass('orderkit_before_open.rollup_open')::text as t")).rows[0]!.t).toBeNull();

    await migrateAnalytics(db, { schema });
    const meta = await db.query<{ value: string }>("select value from orderkit_before_open.analytics_meta where key = 'open_version'");
    expect(meta.rows.map((r) => r.value)).toEqual(['1']);
    const built = (await db.query<{ n: number }>('select coalesce(sum(n), 0)::int as n from orderkit_before_open.rollup_open where compacted and width = 3600')).rows[0]!.n;
    expect(built).toBeGreaterThan(0);
    for (const at of [5, 12, 19, 30]) {
      const options = { now: new Date(START + at * DAY), slaHours: SLA, limit: 10 };
      expect(await openBreachesSql(db, { ...options, schema })).toEqual(openBreaches(orders.slice(0, 25), options));
    }

    // From now on the trigger keeps it; a second migrate leaves it as it is.
    await loadThroughStore(store, orders.slice(25));
    await migrateAnalytics(db, { schema });
    for (const at of [5, 12, 19, 30]) {
      const options = { now: new Date(START + at * DAY), slaHours: SLA, limit: 10 };
      const report = await openBreachesSql(db, { ...options, schema });
      expect(report).toEqual(openBreaches(orders, options));
    }
    expect((await openBreachesSql(db, { schema, now: new Date(START + 30 * DAY), slaHours: SLA })).total).toBeGreaterThan(0);
  });
});
