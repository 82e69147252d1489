import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compactAnalytics, migrateAnalytics, rebuildAnalyticsSegments, summarizeSql } from '../../src/adapters/postgres/analytics-sql.js';
import { breakdownSql, refundsSql, trendSql } from '../../src/adapters/postgres/analytics-insights-sql.js';
import { migrate, PostgresOrderStore, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { breakdown, customerHistory, ordersBehind, refunds, summarize, trend } from '../../src/analytics/index.js';
import type { Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore, type OrderStore } from '../../src/storage/index.js';
import { describeRealPg } from '../support/pg.js';
import { customer, gateway, manualClock, merchant, quote, sequentialIds } from '../service/fixtures.js';

/**
 * A second payment of a paid order is stray money: it never counted as paid, so giving it back
 * must not count as a refund of the order. That holds for the stray payment's own refund (reason
 * `stray_payment`) and for a refund of the stray transaction made by hand in the merchant platform,
 * which the reconciliation records with reason `gateway` (docs/analytics.md).
 */
async function doublePaidWithManualStrayRefund(store: OrderStore, orderRefund = 700): Promise<{ orders: Order[]; options: { from: Date; to: Date; timeZone: string } }> {
  const clock = manualClock(new Date('2026-11-25T04:00:00.000Z'));
  const service = createOrderService({ store, clock, ids: sequentialIds('s'), retryDelayMs: 0 });
  const placed = await service.place({ customerId: customer.type === 'customer' ? customer.id : 'u1', quote: quote() });
  if (!placed.ok) throw placed.error;
  const id = placed.order.id;
  const total = placed.order.pricing.total;
  const paid = await service.dispatch(id, { type: 'PAYMENT_SUCCEEDED', amount: total, transactionId: 'TP-1' }, gateway);
  if (!paid.ok) throw paid.error;
  clock.advance(60_000);
  const second = await service.dispatch(id, { type: 'PAYMENT_SUCCEEDED', amount: total, transactionId: 'TS-1' }, gateway);
  if (!second.ok) throw second.error;
  const strayRefund = second.order.payment.stray[0]!.refundId!;
  const closed = await service.dispatch(id, { type: 'REFUND_FAILED', refundId: strayRefund, reason: 'CLOSED', gatewayStatus: 'CLOSED' }, gateway);
  if (!closed.ok) throw closed.error;
  clock.advance(3_600_000);
  // Given back by hand in the merchant platform; the daily bill records it.
  const manual = await service.dispatch(id, { type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-1', amount: total, transactionId: 'TS-1' }, gateway);
  if (!manual.ok) throw manual.error;
  // A real partial refund of the order's own payment, so the figures are not all zero.
  if (orderRefund > 0) {
    const partial = await service.dispatch(id, { type: 'RECORD_GATEWAY_REFUND', refundId: 'MANUAL-2', amount: orderRefund, transactionId: 'TP-1' }, gateway);
    if (!partial.ok) throw partial.error;
  }
  void merchant;
  const order = (await service.get(id))!;
  expect(order.status).toBe('paid');
  return { orders: [order], options: { from: new Date('2026-11-24T16:00:00.000Z'), to: new Date('2026-11-26T16:00:00.000Z'), timeZone: 'Asia/Shanghai' } };
}

describe('a stray payment given back by hand (reason gateway on the stray transaction)', () => {
  it('is not a refund of the order in the summary, the breakdown, the trend or the refund report', async () => {
    const { orders, options } = await doublePaidWithManualStrayRefund(new MemoryOrderStore());
    const total = orders[0]!.payment.paidAmount;
    const s = summarize(orders, options);
    expect(s.revenue.gmv).toBe(total);
    expect(s.revenue.refunded).toBe(700);
    expect(s.revenue.netRevenue).toBe(total - 700);
    expect(breakdown(orders, options, 'channel').rows.map((r) => r.refunded)).toEqual([700]);
    expect(trend(orders, options).figures.refunded.current).toBe(700);
    expect(refunds(orders, options).reasons).toEqual([{ kind: 'gateway', reason: null, refunds: 1, amount: 700 }]);
  });

  it('leaves an order refunded only on its stray transaction unrefunded: rates, drill-down and 极速退款 history', async () => {
    const { orders, options } = await doublePaidWithManualStrayRefund(new MemoryOrderStore(), 0);
    const s = summarize(orders, options);
    expect([s.revenue.refunded, s.rates.refundRate]).toEqual([0, 0]);
    const report = refunds(orders, options);
    expect(report.reasons).toEqual([]);
    expect(report.skus.map((k) => [k.refundedOrders, k.refundRate])).toEqual(report.skus.map(() => [0, 0]));
    expect(ordersBehind(orders, options, { figure: 'refunded' }).total).toBe(0);
    expect(customerHistory(orders, 'another')).toEqual({ paidOrders: 1, refundedOrders: 0 });
  });
});

const DAY = 86_400_000;
const rangeArb = fc
  .tuple(fc.integer({ min: -2 * DAY, max: 2 * DAY }), fc.integer({ min: 1, max: 4 * DAY }), fc.constantFrom('Asia/Shanghai', 'UTC', 'America/New_York'))
  .map(([offset, span, timeZone]) => ({ from: new Date(Date.parse('2026-11-25T04:00:00.000Z') + offset), to: new Date(Date.parse('2026-11-25T04:00:00.000Z') + offset + span), timeZone }));

async function agree(db: PostgresDatabase, schema: string, orders: Order[]): Promise<void> {
  await fc.assert(
    fc.asyncProperty(rangeArb, async (options) => {
      const o = { ...options, schema };
      expect(await summarizeSql(db, o)).toEqual(summarize(orders, options));
      expect(await breakdownSql(db, o, 'channel')).toEqual(breakdown(orders, options, 'channel'));
      expect(await trendSql(db, o)).toEqual(trend(orders, options));
      expect(await refundsSql(db, o)).toEqual(refunds(orders, options));
    }),
    { numRuns: 8 },
  );
}

await describeRealPg('a stray payment given back by hand, in SQL (PostgreSQL server)', (pg) => {
  afterAll(() => pg.dispose());
  it('agrees with the figures in memory, before and after folding', async () => {
    const db: PostgresDatabase = pg.pool(4);
    const schema = pg.schema;
    await migrate(db, { schema });
    await migrateAnalytics(db, { schema });
    const { orders, options } = await doublePaidWithManualStrayRefund(new PostgresOrderStore({ db, schema }));
    const o = { ...options, schema };
    expect((await summarizeSql(db, o)).revenue.refunded).toBe(700);
    expect((await refundsSql(db, o)).reasons).toEqual([{ kind: 'gateway', reason: null, refunds: 1, amount: 700 }]);
    await agree(db, schema, orders);
    await compactAnalytics(db, { schema });
    await agree(db, schema, orders);
    await rebuildAnalyticsSegments(db, { schema });
    await agree(db, schema, orders);
  });

  it('migrateAnalytics rebuilds the facts an earlier version wrote with the stray refund counted', async () => {
    const db: PostgresDatabase = pg.pool(4);
    const schema = `${pg.schema}_up`;
    await migrate(db, { schema });
    await migrateAnalytics(db, { schema });
    const { orders, options } = await doublePaidWithManualStrayRefund(new PostgresOrderStore({ db, schema }));
    await compactAnalytics(db, { schema });
    // What facts version 7 stored: the manual refund of the stray transaction counted as the order's.
    const stray = orders[0]!.payment.stray[0]!.amount;
    await db.query(`update ${schema}.order_facts set refunded = refunded + $1`, [stray]);
    await db.query(`update ${schema}.rollup_paid set refunded = refunded + $1 where refunded_any and n > 0`, [stray]);
    await db.query(`update ${schema}.rollup_segment set refunded = refunded + $1 where refunded_orders > 0`, [stray]);
    await db.query(`update ${schema}.analytics_meta set value = '7' where key = 'facts_version'`);
    expect((await summarizeSql(db, { ...options, schema })).revenue.refunded).not.toBe(700);
    await migrateAnalytics(db, { schema });
    expect((await summarizeSql(db, { ...options, schema })).revenue.refunded).toBe(700);
    await agree(db, schema, orders);
    await db.query(`drop schema ${schema} cascade`);
  });
});
