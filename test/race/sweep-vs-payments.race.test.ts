import { beforeEach, expect, it } from 'vitest';
import { PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { createOrderService } from '../../src/service/index.js';
import { describeRealPg, migratedPool } from '../support/pg.js';
import { manualClock } from '../service/fixtures.js';
import { truncateAll } from '../storage/pg-helpers.js';
import { prng } from './prng.js';
import { seedUnpaidOrders } from './seed.js';

const PLACED = new Date('2026-11-25T04:00:00.000Z');
const AFTER_DEADLINE = new Date(PLACED.getTime() + 31 * 60_000);
const ORDERS = 1500;
const PAYMENTS = 200;

// Sweepers claim their batches with row locks (sweepDue, docs/storage.md "Sweeping") while payment
// notifications for the same orders arrive through other instances: every order ends either paid or
// expired exactly once, and every acknowledged payment is in its order (applied, or recorded as a
// stray payment to refund when the sweep closed the order first).
await describeRealPg('race: 4 claiming sweepers against payment notifications (real PostgreSQL)', (real) => {
  const s = real.schema;
  const migrated = migratedPool(real, 12);
  beforeEach(async () => {
    await truncateAll(migrated(), s);
  });

  it('each order is expired at most once, never both expired and paid, and no acknowledged payment is lost', async () => {
    await seedUnpaidOrders(migrated(), s, ORDERS, PLACED);
    const instance = () => createOrderService({ store: new PostgresOrderStore({ db: migrated(), schema: s }), clock: manualClock(AFTER_DEADLINE), retryDelayMs: 1 });
    const sweepers = [0, 1, 2, 3].map(() => instance());
    const payer = instance();
    const random = prng(7);
    const targets = [...new Set(Array.from({ length: PAYMENTS }, () => `s${Math.floor(random() * ORDERS)}`))];
    const total = (await payer.get('s0'))!.pricing.total;
    const [reports, payments] = await Promise.all([
      Promise.all(sweepers.map((sw) => sw.sweep(AFTER_DEADLINE, { batchSize: 100 }))),
      Promise.all(
        targets.map((id) => payer.dispatch(id, { type: 'PAYMENT_SUCCEEDED', amount: total, transactionId: `tx-${id}` }, { type: 'payment', gateway: 'wechat' })),
      ),
    ]);
    expect(payments.every((p) => p.ok)).toBe(true);
    const { rows } = await migrated().query<{ id: string; status: string; expires: number; paid: number; stray: number }>(
      `SELECT o.id, o.status,
              count(*) FILTER (WHERE e.type = 'EXPIRE')::int AS expires,
              count(*) FILTER (WHERE e.type = 'PAYMENT_SUCCEEDED')::int AS paid,
              count(*) FILTER (WHERE e.type = 'RECORD_STRAY_PAYMENT')::int AS stray
       FROM "${s}".orders o JOIN "${s}".order_events e ON e.order_id = o.id GROUP BY o.id, o.status`,
    );
    expect(rows).toHaveLength(ORDERS);
    const expiredEvents = rows.reduce((n, r) => n + r.expires, 0);
    expect(reports.reduce((n, r) => n + r.expired, 0)).toBe(expiredEvents);
    let late = 0;
    for (const r of rows) {
      // expired exactly once, or paid in time and never expired
      expect(r.status === 'closed' ? r.expires : r.status === 'paid' ? 1 - r.expires : -1, r.id).toBe(1);
      // a payment is in its order exactly once: it paid the order, or it came after the sweep
      // closed it and was taken as a payment after close (to refund)
      expect(r.paid + r.stray, r.id).toBe(targets.includes(r.id) ? 1 : 0);
      if (r.status === 'closed' && r.paid === 1) late += 1;
    }
    const closedPaid = await migrated().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${s}".orders WHERE status = 'closed' AND jsonb_array_length(doc->'refunds') > 0`,
    );
    expect(closedPaid.rows[0]!.n).toBe(late);
    expect(reports.filter((r) => r.expired > 0).length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
