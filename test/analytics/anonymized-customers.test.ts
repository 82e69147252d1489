import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { compactAnalytics, migrateAnalytics } from '../../src/adapters/postgres/analytics-sql.js';
import { cohortsSql, customersSql } from '../../src/adapters/postgres/analytics-insights-sql.js';
import { migrate, PostgresOrderStore, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { cohorts, customers } from '../../src/analytics/index.js';
import type { Order } from '../../src/order/index.js';
import { anonymizeCustomer, anonymizeFinishedOrders } from '../../src/service/privacy.js';
import { createOrderService } from '../../src/service/index.js';
import { describeRealPg } from '../support/pg.js';
import { gateway, manualClock, merchant, quote, sequentialIds } from '../service/fixtures.js';

/**
 * 复购 and cohorts count per customer: after `anonymizeCustomer` every order of the customer is
 * under one pseudonym, so the customer still counts once, with all their orders; after the
 * retention rule each finished order is a customer of its own. In memory and in SQL alike, over
 * orders placed through the real lifecycle and stored in PostgreSQL.
 */
const HOUR = 3_600_000;
const T0 = Date.parse('2026-10-30T15:30:00.000Z');
const stepArb = fc.record({
  customer: fc.constantFrom('c1', 'c1', 'c2', 'c3'),
  afterHours: fc.integer({ min: 0, max: 40 }),
  fate: fc.constantFrom('unpaid', 'paid', 'completed', 'refunded', 'cancelled'),
});
const scenarioArb = fc.record({
  steps: fc.array(stepArb, { minLength: 1, maxLength: 7 }),
  anonymizeAt: fc.integer({ min: 0, max: 7 }),
  retention: fc.boolean(),
  compactBefore: fc.boolean(),
});
const optionsArb = fc
  .tuple(fc.integer({ min: -48, max: 300 }), fc.integer({ min: 1, max: 400 }), fc.constantFrom('Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/London'))
  .map(([offset, span, timeZone]) => ({ from: new Date(T0 + offset * HOUR + 17 * 60_000), to: new Date(T0 + (offset + span) * HOUR), timeZone }));

let run = 0;

await describeRealPg('customers and cohorts after anonymising (PostgreSQL server)', (pg) => {
  afterAll(() => pg.dispose());
  it('agree in memory and in SQL, before and after folding', async () => {
    const db: PostgresDatabase = pg.pool(4);
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.array(optionsArb, { minLength: 3, maxLength: 3 }), async (scenario, ranges) => {
        const schema = `${pg.schema}_${++run}`;
        await migrate(db, { schema });
        await migrateAnalytics(db, { schema });
        const store = new PostgresOrderStore({ db, schema });
        const clock = manualClock(new Date(T0));
        const service = createOrderService({ store, clock, ids: sequentialIds(`r${run}x`), retryDelayMs: 0 });
        let i = 0;
        // Who each paid order belongs to as a person: c1 before the anonymising call is one customer
        // (its pseudonym), c1 after it another (the OPENID buying again).
        const paidBy: string[] = [];
        for (const step of scenario.steps) {
          if (i++ === scenario.anonymizeAt) {
            if (scenario.compactBefore) await compactAnalytics(db, { schema });
            const r = await anonymizeCustomer(store, 'c1');
            if (!r.ok) throw r.error;
          }
          clock.advance(step.afterHours * HOUR);
          const placed = await service.place({ customerId: step.customer, quote: quote() });
          if (!placed.ok) throw placed.error;
          const id = placed.order.id;
          if (step.fate === 'unpaid') continue;
          if (step.fate === 'cancelled') {
            const c = await service.dispatch(id, { type: 'CANCEL' }, { type: 'customer', id: step.customer });
            if (!c.ok) throw c.error;
            continue;
          }
          clock.advance(7 * 60_000);
          const paid = await service.dispatch(id, { type: 'PAYMENT_SUCCEEDED', amount: placed.order.pricing.total, transactionId: `tx-${id}` }, gateway);
          if (!paid.ok) throw paid.error;
          paidBy.push(step.customer === 'c1' && i <= scenario.anonymizeAt ? 'c1-before' : step.customer);
          if (step.fate === 'refunded') {
            const r = await service.dispatch(id, { type: 'CANCEL', reason: '缺货' }, merchant);
            if (!r.ok) throw r.error;
          }
          if (step.fate === 'completed') {
            const s = await service.dispatch(id, { type: 'SHIP' }, merchant);
            if (!s.ok) throw s.error;
            const c = await service.dispatch(id, { type: 'CONFIRM_RECEIPT' }, { type: 'customer', id: step.customer });
            if (!c.ok) throw c.error;
          }
        }
        if (scenario.retention) {
          clock.advance(3 * 24 * HOUR);
          const r = await anonymizeFinishedOrders(store, { days: 1, now: clock.now() });
          if (!r.ok) throw r.error;
        }
        const orders: Order[] = [];
        let cursor: string | null = null;
        do {
          const page = await store.list({ limit: 100, cursor, order: 'oldest' });
          orders.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor !== null);
        if (!scenario.retention) {
          const all = { from: new Date(T0 - 24 * HOUR), to: new Date(T0 + 1000 * HOUR), timeZone: 'Asia/Shanghai' };
          const people = new Set(paidBy);
          const repeat = [...people].filter((p) => paidBy.filter((q) => q === p).length >= 2).length;
          const report = customers(orders, all);
          expect([report.customers, report.repeatCustomers]).toEqual([people.size, repeat]);
          expect(await customersSql(db, { ...all, schema })).toEqual(report);
        }
        for (const options of ranges) {
          const o = { ...options, schema };
          expect(await customersSql(db, { ...o, compact: false })).toEqual(customers(orders, options));
          expect(await cohortsSql(db, { ...o, compact: false }, 'week')).toEqual(cohorts(orders, options, 'week'));
          expect(await customersSql(db, o)).toEqual(customers(orders, options));
          expect(await cohortsSql(db, o, 'month')).toEqual(cohorts(orders, options, 'month'));
          expect(await cohortsSql(db, o, 'week')).toEqual(cohorts(orders, options, 'week'));
        }
        await db.query(`drop schema ${schema} cascade`);
      }),
      {
        numRuns: 20,
        endOnFailure: true,
        // The case the rule is about: a customer with two paid orders, anonymised, buying again.
        examples: [
          [
            {
              steps: [
                { customer: 'c1', afterHours: 0, fate: 'paid' },
                { customer: 'c1', afterHours: 20, fate: 'completed' },
                { customer: 'c1', afterHours: 5, fate: 'paid' },
              ],
              anonymizeAt: 2,
              retention: false,
              compactBefore: true,
            },
            [
              { from: new Date(T0 - HOUR), to: new Date(T0 + 100 * HOUR), timeZone: 'Asia/Shanghai' },
              { from: new Date(T0 + 10 * HOUR), to: new Date(T0 + 100 * HOUR), timeZone: 'America/New_York' },
              { from: new Date(T0 - HOUR), to: new Date(T0 + 10 * HOUR), timeZone: 'UTC' },
            ],
          ],
        ],
      },
    );
  }, 240_000);
});
