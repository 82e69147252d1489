import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { compactAnalytics, migrateAnalytics, rebuildAnalyticsSegments, summarizeSql } from '../../src/adapters/postgres/analytics-sql.js';
import { breakdownSql, couponEffectSql, customersSql, refundsSql, trendSql } from '../../src/adapters/postgres/analytics-insights-sql.js';
import { migrate, PostgresOrderStore, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { breakdown, couponEffect, customers, refunds, summarize, trend } from '../../src/analytics/index.js';
import { MemoryBalance } from '../../src/balance/memory.js';
import { succeededRefundTotal } from '../../src/refund/ledger.js';
import type { Order } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { describeRealPg } from '../support/pg.js';
import { gateway, manualClock, merchant, quote, sequentialIds } from '../service/fixtures.js';

/**
 * The figures in memory and in SQL agree on orders that went through the real lifecycle (placed,
 * paid from the balance and WeChat Pay, paid twice, refunded in part or in full, by hand on a stray
 * transaction, refunds succeeding days later), for random ranges and zones (a DST one too), before
 * and after folding and rebuilding the rollups. And revenue.refunded is what the ledger says.
 */
const HOUR = 3_600_000;
const T0 = Date.parse('2026-10-24T15:10:00.000Z');
const orderArb = fc.record({
  customer: fc.constantFrom('c1', 'c2', 'c3'),
  afterHours: fc.integer({ min: 0, max: 30 }),
  balance: fc.constantFrom(0, 0, 1000, 3000),
  fate: fc.constantFrom('unpaid', 'cancelled', 'paid', 'paid', 'shipped'),
  stray: fc.constantFrom('none', 'none', 'refunded', 'manual', 'pending'),
  refund: fc.constantFrom('none', 'partial', 'cancel'),
  settleAfterHours: fc.integer({ min: 0, max: 50 }),
});
const rangeArb = fc
  .tuple(fc.integer({ min: -24, max: 200 }), fc.integer({ min: 1, max: 300 }), fc.constantFrom('Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/London'))
  .map(([offset, span, timeZone]) => ({ from: new Date(T0 + offset * HOUR + 23 * 60_000), to: new Date(T0 + (offset + span) * HOUR), timeZone }));

let run = 0;

async function settle(service: ReturnType<typeof createOrderService>, id: string): Promise<void> {
  const o = (await service.get(id))!;
  for (const r of o.refunds) {
    if (r.status !== 'pending') continue;
    const s = await service.dispatch(id, { type: 'REFUND_SUCCEEDED', refundId: r.id }, gateway);
    if (!s.ok) throw s.error;
  }
}

await describeRealPg('the figures agree in memory and in SQL on lifecycle orders (PostgreSQL server)', (pg) => {
  afterAll(() => pg.dispose());
  it('for random shops, ranges and zones', async () => {
    const db: PostgresDatabase = pg.pool(4);
    await fc.assert(
      fc.asyncProperty(fc.array(orderArb, { minLength: 1, maxLength: 8 }), fc.array(rangeArb, { minLength: 3, maxLength: 3 }), async (plans, ranges) => {
        const schema = `${pg.schema}_${++run}`;
        await migrate(db, { schema });
        await migrateAnalytics(db, { schema });
        const store = new PostgresOrderStore({ db, schema });
        const clock = manualClock(new Date(T0));
        const balance = new MemoryBalance();
        for (const c of ['c1', 'c2', 'c3']) await balance.topUp({ customerId: c, key: `card-${c}`, amount: 1_000_000 });
        const service = createOrderService({ store, clock, balance, ids: sequentialIds(`p${run}x`), retryDelayMs: 0 });
        let n = 0;
        for (const plan of plans) {
          n++;
          clock.advance(plan.afterHours * HOUR);
          const q = quote();
          const placed = await service.place({ customerId: plan.customer, quote: q, ...(plan.balance > 0 ? { payWith: { balance: plan.balance } } : {}) });
          if (!placed.ok) throw placed.error;
          const id = placed.order.id;
          const customer = { type: 'customer' as const, id: plan.customer };
          if (plan.fate === 'unpaid') continue;
          if (plan.fate === 'cancelled') {
            const c = await service.dispatch(id, { type: 'CANCEL' }, customer);
            if (!c.ok) throw c.error;
            continue;
          }
          clock.advance(11 * 60_000);
          const due = q.total - plan.balance;
          const paid = await service.dispatch(id, { type: 'PAYMENT_SUCCEEDED', amount: due, transactionId: `TP-${run}-${n}` }, gateway);
          if (!paid.ok) throw paid.error;
          if (plan.stray !== 'none') {
            clock.advance(5 * 60_000);
            const second = await service.dispatch(id, { type: 'PAYMENT_SUCCEEDED', amount: due, transactionId: `TS-${run}-${n}` }, gateway);
            if (!second.ok) throw second.error;
            const strayRefund = second.order.payment.stray[0]!.refundId;
            clock.advance(plan.settleAfterHours * HOUR);
            if (plan.stray === 'refunded') {
              const s = await service.dispatch(id, { type: 'REFUND_SUCCEEDED', refundId: strayRefund }, gateway);
              if (!s.ok) throw s.error;
            } else if (plan.stray === 'manual') {
              const c = await service.dispatch(id, { type: 'REFUND_FAILED', refundId: strayRefund, reason: 'CLOSED', gatewayStatus: 'CLOSED' }, gateway);
              if (!c.ok) throw c.error;
              const m = await service.dispatch(id, { type: 'RECORD_GATEWAY_REFUND', refundId: `M-${run}-${n}`, amount: due, transactionId: `TS-${run}-${n}` }, gateway);
              if (!m.ok) throw m.error;
            }
          }
          if (plan.fate === 'shipped') {
            const s = await service.dispatch(id, { type: 'SHIP' }, merchant);
            if (!s.ok) throw s.error;
          }
          if (plan.refund === 'partial') {
            const r = await service.dispatch(id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 1 }], reason: '买多了' }, customer);
            if (!r.ok) throw r.error;
            if (plan.fate === 'shipped') {
              const a = await service.dispatch(id, { type: 'APPROVE_AFTER_SALE', afterSaleId: r.order.afterSales[0]!.id }, merchant);
              if (!a.ok) throw a.error;
            }
          } else if (plan.refund === 'cancel' && plan.fate !== 'shipped') {
            const c = await service.dispatch(id, { type: 'CANCEL', reason: '缺货' }, merchant);
            if (!c.ok) throw c.error;
          }
          clock.advance(plan.settleAfterHours * HOUR);
          if (plan.stray !== 'pending') await settle(service, id);
          else {
            // Only the order's own refunds settle: the stray one stays pending.
            const o = (await service.get(id))!;
            for (const r of o.refunds) if (r.status === 'pending' && r.reason !== 'stray_payment') {
              const s = await service.dispatch(id, { type: 'REFUND_SUCCEEDED', refundId: r.id }, gateway);
              if (!s.ok) throw s.error;
            }
          }
        }
        const orders: Order[] = [];
        let cursor: string | null = null;
        do {
          const page = await store.list({ limit: 100, cursor, order: 'oldest' });
          orders.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor !== null);
        const all = { from: new Date(T0 - 24 * HOUR), to: new Date(T0 + 1000 * HOUR), timeZone: 'Asia/Shanghai' };
        const ledger = orders.filter((o) => o.paidAt !== undefined || o.payment.paidAt !== undefined).reduce((s, o) => s + succeededRefundTotal(o), 0);
        expect(summarize(orders, all).revenue.refunded).toBe(ledger);
        const check = async () => {
          for (const options of [all, ...ranges]) {
            const o = { ...options, schema };
            expect(await summarizeSql(db, o)).toEqual(summarize(orders, options));
            expect(await breakdownSql(db, o, 'province')).toEqual(breakdown(orders, options, 'province'));
            expect(await trendSql(db, o)).toEqual(trend(orders, options));
            expect(await refundsSql(db, o)).toEqual(refunds(orders, options));
            expect(await couponEffectSql(db, o)).toEqual(couponEffect(orders, options));
            expect(await customersSql(db, o)).toEqual(customers(orders, options));
          }
        };
        await check();
        await compactAnalytics(db, { schema });
        await check();
        await rebuildAnalyticsSegments(db, { schema });
        await check();
        await db.query(`drop schema ${schema} cascade`);
      }),
      { numRuns: 15, endOnFailure: true },
    );
  }, 300_000);
});
