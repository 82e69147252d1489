import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, migrateAnalytics, ordersBehindSql, PostgresOrderStore, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { NEW_CUSTOMER_BATCH } from '../../src/adapters/postgres/analytics-drill-sql.js';
import { ordersBehind } from '../../src/analytics/index.js';
import type { Order } from '../../src/order/index.js';
import { freshPGlite } from '../support/pglite.js';
import { loadThroughStore } from './support/load-orders.js';
import { randomOrders, START } from './support/random-orders.js';

const DAY = 86_400_000;

/**
 * The new customers' drill-down reads the range backwards in batches (ordersBehindSql,
 * docs/analytics.md "Drill-down"), 20 × the limit at first (at least 64). Here the first batch is
 * the limit itself, so lists read on through many batches, across orders placed at the same
 * instant (their times cut to the hour): it must list what memory lists.
 */
describe('ordersBehindSql(new_customers) over several batches', () => {
  let db: PostgresDatabase & { close(): Promise<void> };
  let orders: Order[];

  const saved = { ...NEW_CUSTOMER_BATCH };
  beforeAll(async () => {
    Object.assign(NEW_CUSTOMER_BATCH, { factor: 1, min: 1 });
    db = await freshPGlite();
    const schema = 'drill_new';
    await migrate(db, { schema });
    // 400 orders of 12 customers over 40 days, placed on whole hours: many share an instant.
    orders = randomOrders(400, 20261207, START, 40 * DAY, 60).map((o) => {
      const at = new Date(Math.floor(Date.parse(o.createdAt) / 3_600_000) * 3_600_000).toISOString();
      return { ...o, createdAt: at };
    });
    await loadThroughStore(new PostgresOrderStore({ db, schema }), orders);
    await migrateAnalytics(db, { schema });
  }, 120_000);

  afterAll(async () => {
    Object.assign(NEW_CUSTOMER_BATCH, saved);
    await db?.close();
  });

  it('lists exactly the orders memory lists, for small limits and ranges ending anywhere', async () => {
    let past = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 39 }), fc.integer({ min: 1, max: 40 }), fc.constantFrom(1, 2, 3, 5, 200), async (startDay, days, limit) => {
        const from = new Date(START + startDay * DAY);
        const to = new Date(Math.min(START + 40 * DAY, from.getTime() + days * DAY));
        const options = { from, to, timeZone: 'Asia/Shanghai' };
        const want = ordersBehind(orders, options, { figure: 'new_customers' }, limit);
        const got = await ordersBehindSql(db, { ...options, schema: 'drill_new' }, { figure: 'new_customers' }, limit);
        expect(got).toEqual(want);
        if (want.total > 0 && want.orders.length > 0) past++;
      }),
      { numRuns: 60 },
    );
    // The property saw lists, not only empty answers.
    expect(past).toBeGreaterThan(10);
  }, 120_000);
});
