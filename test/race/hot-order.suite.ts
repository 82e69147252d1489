import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { createOrderService } from '../../src/service/index.js';
import { describeRealPg } from '../support/pg.js';
import { line, quote } from '../service/fixtures.js';
import { giveUps as countGiveUps } from './give-ups.js';
import { checkNoLostUpdate, prng } from './invariants.js';
import { worker, type Seen } from './hot-order-mix.js';

const WORKERS = 16;

/**
 * 16 workers sending `commands` mixed commands each to one hot order. `npm test` runs 120 each;
 * test/load/hot-order.load.test.ts runs 500 each (CI's `npm run test:load`).
 */
export async function hotOrderRace(commands: number): Promise<void> {
await describeRealPg(`race: 16 workers × ${commands} mixed commands on one hot order (real PostgreSQL)`, (real) => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = real.pool(WORKERS + 4);
    await migrate(pool, { schema: real.schema });
  });
  afterAll(async () => {
    await real.dispose();
  });

  // Separate instances are separate processes; one shared instance is the Express example's shape
  // (every request of a process goes through one service). Both with the service's defaults.
  it.each(['separate instances', 'one shared instance'] as const)('through %s: loses no update, gives up no callback and at most 0.1 percent of the rest', async (mode) => {
    const id = mode === 'separate instances' ? 'hot-a' : 'hot-b';
    const shared = createOrderService({ store: new PostgresOrderStore({ db: pool, schema: real.schema }) });
    const services = Array.from({ length: WORKERS }, () =>
      mode === 'separate instances' ? createOrderService({ store: new PostgresOrderStore({ db: pool, schema: real.schema }) }) : shared,
    );
    const placed = await services[0]!.place({ id, customerId: 'u1', quote: quote([line('a', 80, 100), line('b', 1, 500)]) });
    if (!placed.ok) throw placed.error;
    const total = placed.order.pricing.total;
    const seen: Seen = { refunds: [], afterSales: [] };
    const all = await Promise.all(services.map((s, i) => worker(s, id, total, commands, prng(1000 + i), seen)));
    const outcomes = all.flat();
    const final = (await services[0]!.get(id))!;
    const history = await services[0]!.history(id);
    const summary = checkNoLostUpdate(final, history, outcomes);
    const giveUps = countGiveUps(final, outcomes);
    console.log(
      `hot order (${mode}): ${JSON.stringify(summary)}; final v${final.version} ${final.status}, paid ${final.payment.paidAmount}, refunds ${final.refunds.length}; ` +
        `gave up: ${giveUps.callbacks} callbacks, ${giveUps.others} others (${(giveUps.othersRate * 100).toFixed(3)} %); ` +
        `latency p50 ${giveUps.p50.toFixed(1)} ms, p99 ${giveUps.p99.toFixed(1)} ms, max ${giveUps.max.toFixed(0)} ms`,
    );
    expect(outcomes).toHaveLength(WORKERS * commands);
    expect(giveUps.callbacks).toBe(0);
    expect(giveUps.missing).toEqual([]);
    expect(giveUps.othersRate).toBeLessThanOrEqual(0.001);
    // The mix really raced: payments, shipments and refunds were all accepted.
    expect(summary.byType['PAYMENT_SUCCEEDED']).toBe(1);
    expect(summary.byType['SHIP'] ?? 0).toBeGreaterThan(0);
    expect(summary.byType['REQUEST_AFTER_SALE'] ?? 0).toBeGreaterThan(0);
    expect(summary.byType['REFUND_SUCCEEDED'] ?? 0).toBeGreaterThan(0);
    // Outbox: every accepted change's effects, exactly once.
    const effects = outcomes.flatMap((o) => (o.result.ok && o.result.changed ? o.result.effects.map((e) => e.id) : []));
    const stored = await pool.query(`SELECT id FROM "${real.schema}".outbox WHERE order_id = $1`, [id]);
    expect(stored.rows.map((r: { id: string }) => r.id).sort()).toEqual([...effects, ...placed.effects.map((e) => e.id)].sort());
  }, 300_000);
});
}
