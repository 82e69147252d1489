import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { createOrderService } from '../../src/service/index.js';
import { describeRealPg } from '../support/pg.js';
import { line, quote } from '../service/fixtures.js';
import { checkNoLostUpdate, prng } from './invariants.js';
import { worker, type Seen } from './hot-order-mix.js';

const WORKERS = 16;
const COMMANDS = 500;

await describeRealPg('race: 16 workers × 500 conflicting commands on one hot order (real PostgreSQL)', (real) => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = real.pool(WORKERS + 4);
    await migrate(pool, { schema: real.schema });
  });
  afterAll(async () => {
    await real.dispose();
  });

  it('loses no update: versions, history and money add up', async () => {
    // Every worker is its own service instance with its own store, as separate processes would be.
    const services = Array.from({ length: WORKERS }, () =>
      createOrderService({ store: new PostgresOrderStore({ db: pool, schema: real.schema }), maxRetries: 50 }),
    );
    const placed = await services[0]!.place({ id: 'hot', customerId: 'u1', quote: quote([line('a', 80, 100), line('b', 1, 500)]) });
    if (!placed.ok) throw placed.error;
    const total = placed.order.pricing.total;
    const seen: Seen = { refunds: [], afterSales: [] };
    const all = await Promise.all(services.map((s, i) => worker(s, 'hot', total, COMMANDS, prng(1000 + i), seen)));
    const outcomes = all.flat();
    const final = (await services[0]!.get('hot'))!;
    const history = await services[0]!.history('hot');
    const summary = checkNoLostUpdate(final, history, outcomes);
    console.log(`hot order: ${JSON.stringify(summary)}; final v${final.version} ${final.status}, paid ${final.payment.paidAmount}, refunds ${final.refunds.length}`);
    expect(outcomes).toHaveLength(WORKERS * COMMANDS);
    expect(summary.exhausted).toBe(0);
    // The mix really raced: payments, shipments and refunds were all accepted.
    expect(summary.byType['PAYMENT_SUCCEEDED']).toBe(1);
    expect(summary.byType['SHIP'] ?? 0).toBeGreaterThan(0);
    expect(summary.byType['REQUEST_AFTER_SALE'] ?? 0).toBeGreaterThan(0);
    expect(summary.byType['REFUND_SUCCEEDED'] ?? 0).toBeGreaterThan(0);
    // Outbox: every accepted change's effects, exactly once.
    const effects = outcomes.flatMap((o) => (o.result.ok && o.result.changed ? o.result.effects.map((e) => e.id) : []));
    const stored = await pool.query(`SELECT id FROM "${real.schema}".outbox WHERE order_id = 'hot'`);
    expect(stored.rows.map((r: { id: string }) => r.id).sort()).toEqual([...effects, ...placed.effects.map((e) => e.id)].sort());
  }, 180_000);
});
