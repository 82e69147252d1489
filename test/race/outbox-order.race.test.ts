import { expect, it } from 'vitest';
import { PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import type { Effect } from '../../src/order/index.js';
import { createOrderService } from '../../src/service/index.js';
import { describeRealPg, migratedPool } from '../support/pg.js';
import { manualClock } from '../service/fixtures.js';
import { prng } from './invariants.js';

const ORDERS = 40;
const PER_ORDER = 8;
const START = new Date('2026-11-25T04:00:00.000Z');
const LEASE_MS = 60_000;

await describeRealPg('race: outbox order per order across redelivery (real PostgreSQL)', (real) => {
  const s = real.schema;
  const migrated = migratedPool(real, 12);

  it('4 workers, one killed mid-delivery, one that abandons its claim, flaky handlers: each order\'s effects are delivered in the order written', async () => {
    // Effects written round-robin (k outer): an order's effects lie between other orders' ones.
    const effects: Effect[] = [];
    for (let k = 0; k < PER_ORDER; k++) {
      for (let i = 0; i < ORDERS; i++) effects.push({ id: `r${i}:2:${k}`, orderId: `r${i}`, type: 'notify', to: 'customer', template: 't', data: { k } });
    }
    await migrated().query(
      `INSERT INTO "${s}".outbox (id, order_id, type, doc, available_at)
       SELECT e->>'id', e->>'orderId', e->>'type', e, $2 FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n`,
      [JSON.stringify(effects), START.toISOString()],
    );
    const clock = manualClock(START);

    // A worker that claims a batch and dies without delivering or failing anything.
    const abandoned = await new PostgresOrderStore({ db: migrated(), schema: s }).claim(30, LEASE_MS, clock.now());
    expect(abandoned.length).toBeGreaterThan(0);

    /** Per order: the k of each handler call, and the k of each successful delivery. */
    const calls = new Map<string, number[]>();
    const done = new Map<string, number[]>();
    const violations: string[] = [];
    const random = prng(42);
    let killed = 0;
    const handler = (worker: number) => async (effect: Effect) => {
      const k = (effect as Extract<Effect, { type: 'notify' }>).data!['k'] as number;
      const delivered = done.get(effect.orderId) ?? [];
      // Order: effect k of an order is only ever tried after 0…k-1 were delivered.
      if (delivered.length !== k) violations.push(`${effect.id} tried after ${JSON.stringify(delivered)}`);
      calls.set(effect.orderId, [...(calls.get(effect.orderId) ?? []), k]);
      await new Promise((r) => setImmediate(r));
      // Worker 0 is killed in the middle of its 5th delivery: this call never returns.
      if (worker === 0 && ++killed === 5) await new Promise(() => undefined);
      if (random() < 0.15) throw new Error('gateway down');
      done.set(effect.orderId, [...delivered, k]);
    };
    const workers = [0, 1, 2, 3].map((w) => ({
      w,
      service: createOrderService({ store: new PostgresOrderStore({ db: migrated(), schema: s }), clock }),
    }));
    // Worker 0 runs once and is never awaited again (it hangs in its handler, holding its lease).
    void workers[0]!.service.drainOutbox({ notify: handler(0) }, { limit: 10, leaseMs: LEASE_MS, retryBaseMs: 1000, maxBatches: 1000 });
    const rest = workers.slice(1);
    for (let round = 0; round < 200; round++) {
      await Promise.all(rest.map(({ w, service }) => service.drainOutbox({ notify: handler(w) }, { limit: 10, leaseMs: LEASE_MS, retryBaseMs: 1000, maxBatches: 50 })));
      const open = await migrated().query(`SELECT count(*)::int AS n FROM "${s}".outbox WHERE completed_at IS NULL`);
      if (open.rows[0].n === 0) break;
      // Time passes: retries come due, and after a while the dead workers' leases run out.
      clock.advance(5_000);
    }
    const open = await migrated().query(`SELECT count(*)::int AS n FROM "${s}".outbox WHERE completed_at IS NULL`);

    expect(open.rows[0].n).toBe(0);
    expect(violations).toEqual([]);
    for (let i = 0; i < ORDERS; i++) expect(done.get(`r${i}`), `r${i}`).toEqual(Array.from({ length: PER_ORDER }, (_, k) => k));
    // The race really raced: retries happened, the killed worker stopped mid-delivery.
    const tries = [...calls.values()].reduce((n, list) => n + list.length, 0);
    expect(tries).toBeGreaterThan(ORDERS * PER_ORDER);
    expect(killed).toBeGreaterThanOrEqual(5);
    console.log(`outbox order: ${ORDERS * PER_ORDER} effects, ${tries} handler calls, ${abandoned.length} abandoned in a claim`);
  }, 180_000);
});
