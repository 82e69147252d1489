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
  PostgresOrderStore,
  rebuildAnalyticsSegments,
  refundsSql,
  skuPairsSql,
  topSkusBySegmentSql,
  trendSql,
} from '../../src/adapters/postgres/index.js';
import { rollupPieces, SEGMENT_TABLE_NAMES } from '../../src/adapters/postgres/analytics-segments.js';
import { breakdown, couponEffect, heatmap, refunds, skuPairs, topSkusBySegment, trend } from '../../src/analytics/index.js';
import type { Order } from '../../src/order/index.js';
import { loadEvolving } from './support/load-orders.js';
import { CHANNELS, PROVINCES, randomOrders, START } from './support/random-orders.js';

/**
 * The segment rollups (analytics-segments.ts) under every way an order moves: placed, paid, taken
 * back to just paid and forward again, lines renamed, and moved to another channel and province
 * after payment. The analyses read pending deltas and folded hour and day rows alike, and a rebuild
 * from the facts gives the same rows the trigger kept.
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
    db = await PGlite.create();
    await migrate(db);
    await migrateAnalytics(db);
  });
  afterAll(async () => {
    await db.close();
  });

  const rows = async (): Promise<string> => {
    const out: unknown[] = [];
    for (const t of SEGMENT_TABLE_NAMES) {
      out.push((await db.query(`select * from orderkit.${t} where compacted order by 1, 2, 3, 4, 5, 6, 7`)).rows);
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
    // Everything so far waits as pending deltas.
    expect((await db.query<{ n: number }>('select count(*)::int as n from orderkit.rollup_segment where not compacted')).rows[0]!.n).toBeGreaterThan(0);
    await agree(false);
    await compactAnalytics(db);
    expect((await db.query<{ n: number }>('select count(*)::int as n from orderkit.rollup_segment where not compacted')).rows[0]!.n).toBe(0);
    await agree(true);

    // A rebuild from the facts gives the rows the trigger kept (once zero rows are left aside).
    await db.exec(SEGMENT_TABLE_NAMES.map((t) => `delete from orderkit.${t} where compacted and 0 = all(array[${t === 'rollup_segment' ? 'placed, paid, gmv, refunded, refunded_orders, coupon_orders, coupon_gmv, coupon_discount' : t === 'rollup_segment_sku' ? 'units, revenue, orders, refunded_orders' : t === 'rollup_segment_pair' ? 'n' : 'refunds, amount'}]);`).join('\n'));
    const kept = await rows();
    await rebuildAnalyticsSegments(db);
    expect(await rows()).toBe(kept);
    expect(kept.length).toBeGreaterThan(1000);
  });
});
