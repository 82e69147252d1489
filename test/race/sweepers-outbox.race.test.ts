import { beforeEach, expect, it } from 'vitest';
import { PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import type { Effect } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { describeRealPg, migratedPool } from '../support/pg.js';
import { manualClock } from '../service/fixtures.js';
import { truncateAll } from '../storage/pg-helpers.js';
import { seedEffects, seedUnpaidOrders } from './seed.js';

const PLACED = new Date('2026-11-25T04:00:00.000Z');
const AFTER_DEADLINE = new Date(PLACED.getTime() + 31 * 60_000);

await describeRealPg('race: sweepers and outbox workers sharing one PostgreSQL', (real) => {
  const s = real.schema;
  const migrated = migratedPool(real, 12);
  beforeEach(async () => {
    await truncateAll(migrated(), s);
  });

  const instance = (clock = manualClock(AFTER_DEADLINE)) =>
    createOrderService({ store: new PostgresOrderStore({ db: migrated(), schema: s }), clock, retryDelayMs: 1 });

  it('4 sweepers over 10,000 expired orders: each order expires exactly once', async () => {
    await seedUnpaidOrders(migrated(), s, 10_000, PLACED);
    const sweepers = [0, 1, 2, 3].map(() => instance());
    const reports = await Promise.all(sweepers.map((sw) => sw.sweep(AFTER_DEADLINE, { batchSize: 250 })));
    const expired = reports.map((r) => r.expired);
    console.log(`sweepers expired ${JSON.stringify(expired)}`);
    expect(expired.reduce((a, b) => a + b, 0)).toBe(10_000);
    // Leases split the work: no sweeper took an order another was already holding.
    expect(reports.reduce((n, r) => n + r.skipped, 0)).toBe(0);
    expect(expired.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    const check = await migrated().query(
      `SELECT (SELECT count(*)::int FROM "${s}".orders WHERE status = 'closed' AND version = 2) AS closed,
              (SELECT count(*)::int FROM "${s}".order_events WHERE version = 2) AS expire_events,
              (SELECT count(*)::int FROM (SELECT order_id FROM "${s}".order_events GROUP BY order_id HAVING count(*) <> 2) x) AS odd`,
    );
    expect(check.rows[0]).toEqual({ closed: 10_000, expire_events: 10_000, odd: 0 });
    const again = await sweepers[0]!.sweep(new Date(AFTER_DEADLINE.getTime() + 3_600_000));
    expect(again.expired).toBe(0);
  }, 120_000);

  it('4 outbox workers: each effect completed exactly once; a worker killed mid-lease has its effects redelivered after the lease', async () => {
    const ids = await seedEffects(migrated(), s, 2000, PLACED);
    const clock = manualClock(AFTER_DEADLINE);
    // The doomed worker claims a batch and dies without completing or failing anything.
    const doomed = new PostgresOrderStore({ db: migrated(), schema: s });
    const stranded = (await doomed.claim(100, 60_000, clock.now())).map((e) => e.effect.id);
    expect(stranded).toHaveLength(100);

    const delivered: string[][] = [[], [], [], []];
    const redeliveries: number[] = [];
    const workers = delivered.map((mine) =>
      createOrderService({ store: new PostgresOrderStore({ db: migrated(), schema: s }), clock }).drainOutbox.bind(null, {
        notify: async (effect: Effect, delivery: { attempts: number }) => {
          mine.push(effect.id);
          if (delivery.attempts > 0) redeliveries.push(delivery.attempts);
          await new Promise((r) => setImmediate(r));
        },
      }),
    );
    const first = await Promise.all(workers.map((drain) => drain({ limit: 25, leaseMs: 60_000, maxBatches: 1000 })));
    const once = delivered.flat();
    expect(once).toHaveLength(1900);
    expect(new Set(once).size).toBe(1900);
    expect(once.some((id) => stranded.includes(id))).toBe(false);
    expect(delivered.filter((d) => d.length > 0).length).toBeGreaterThanOrEqual(2);
    expect(first.reduce((n, r) => n + r.delivered, 0)).toBe(1900);

    clock.advance(59_999);
    expect((await Promise.all(workers.map((drain) => drain({ limit: 25 })))).reduce((n, r) => n + r.claimed, 0)).toBe(0);
    clock.advance(1);
    await Promise.all(workers.map((drain) => drain({ limit: 25, maxBatches: 1000 })));
    const all = delivered.flat();
    expect(all.sort()).toEqual([...ids].sort());
    expect(redeliveries).toEqual(stranded.map(() => 1));
    const open = await migrated().query(`SELECT count(*)::int AS n FROM "${s}".outbox WHERE completed_at IS NULL`);
    expect(open.rows[0].n).toBe(0);
  }, 120_000);
});
