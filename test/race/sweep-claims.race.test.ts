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
const ORDERS = 2000;
const REMARKS = 300;

// A sweep batch claims the ids of due orders with FOR UPDATE SKIP LOCKED and then reads the locked
// orders in a statement of its own (docs/storage.md "Sweeping"). Here 3 sweepers, each with its own
// pool as separate processes have, run 3 loops each with small batches, so that nearly every claim
// passes over batches other loops hold; meanwhile other instances add remarks to due orders (a new
// version that stays due), and one transaction holds the first due orders locked and then rolls
// back. Every order must be expired exactly once, none skipped or leased: a batch that read an
// order older than the version it locked would fail its compare-and-set and lease the order.
await describeRealPg('race: sweepers with their own pools claiming past each other (real PostgreSQL)', (real) => {
  const s = real.schema;
  const migrated = migratedPool(real, 6);
  beforeEach(async () => {
    await truncateAll(migrated(), s);
  });

  it('3 sweepers × 3 loops, concurrent remarks, a held batch rolled back: every due order expired exactly once, none skipped', async () => {
    await seedUnpaidOrders(migrated(), s, ORDERS, PLACED);
    const pools = [0, 1, 2].map(() => real.pool(4));
    const sweepers = pools.map((db) => createOrderService({ store: new PostgresOrderStore({ db, schema: s }), clock: manualClock(AFTER_DEADLINE), retryDelayMs: 1 }));
    const editor = createOrderService({ store: new PostgresOrderStore({ db: migrated(), schema: s }), clock: manualClock(AFTER_DEADLINE), retryDelayMs: 1 });
    const random = prng(18);
    const targets = [...new Set(Array.from({ length: REMARKS }, () => `s${Math.floor(random() * ORDERS)}`))];

    // Another batch in flight: the first 200 due orders locked until after the sweepers started.
    const holder = await migrated().connect();
    await holder.query('BEGIN');
    const held = await holder.query<{ id: string }>(
      `SELECT id FROM "${s}".orders WHERE due_at IS NOT NULL ORDER BY due_at, id LIMIT 200 FOR UPDATE`,
    );
    expect(held.rows).toHaveLength(200);
    let released = false;
    try {
      const sweeps = Promise.all(sweepers.map((sw) => sw.sweep(AFTER_DEADLINE, { batchSize: 40, concurrency: 3 })));
      const remarks = Promise.all(targets.map((id) => editor.dispatch(id, { type: 'ADD_REMARK', text: `called ${id}` }, { type: 'merchant', id: 'm1' })));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await holder.query('ROLLBACK');
      released = true;
      const [reports, edits] = await Promise.all([sweeps, remarks]);
      // A remark that met a closed order is refused or is no change; one before the sweep moved it on.
      const remarked = new Set(targets.filter((_, i) => edits[i]!.ok && edits[i]!.changed));
      // Claims skip the held orders while they are locked; a sweep that ended before the rollback
      // left them due, and the next sweep takes them (a sweep that ended after it took them itself).
      const again = await sweepers[0]!.sweep(AFTER_DEADLINE, { batchSize: 40 });
      const expired = reports.reduce((n, r) => n + r.expired, 0) + again.expired;
      expect(reports.reduce((n, r) => n + r.skipped + r.corrupt.length, 0)).toBe(0);
      expect(reports.filter((r) => r.expired > 0).length).toBeGreaterThanOrEqual(2);
      const { rows } = await migrated().query<{ id: string; status: string; expires: number; remarks: number }>(
        `SELECT o.id, o.status,
                count(*) FILTER (WHERE e.type = 'EXPIRE')::int AS expires,
                count(*) FILTER (WHERE e.type = 'ADD_REMARK')::int AS remarks
         FROM "${s}".orders o JOIN "${s}".order_events e ON e.order_id = o.id GROUP BY o.id, o.status`,
      );
      expect(rows).toHaveLength(ORDERS);
      for (const r of rows) {
        expect([r.id, r.status, r.expires]).toEqual([r.id, 'closed', 1]);
        expect([r.id, r.remarks]).toEqual([r.id, remarked.has(r.id) ? 1 : 0]);
      }
      expect(expired).toBe(ORDERS);
      const leases = await migrated().query<{ n: number }>(`SELECT count(*)::int AS n FROM "${s}".due_leases`);
      expect(leases.rows[0]!.n).toBe(0);
    } finally {
      if (!released) await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
      await Promise.all(pools.map((p) => p.end()));
    }
  }, 120_000);
});
