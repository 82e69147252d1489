import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, PostgresOrderStore, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { firedOn, runAutomations } from '../../src/analytics/index.js';
import { createOrderService } from '../../src/service/index.js';
import { describeRealPg } from '../support/pg.js';
import { RULES, shop } from '../analytics/support/automation-shop.js';

/*
 * At most once per order and rule on the SQL store: workers on their own services (on a real
 * server, their own connections) run the automatic actions at the same moments; each (order, rule)
 * fires once, whoever wins.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

async function race(dbs: PostgresDatabase[], schema: string): Promise<void> {
  const { clock, service, ids } = await shop(new PostgresOrderStore({ db: dbs[0]!, schema }));
  const workers = dbs.map((db) => createOrderService({ store: new PostgresOrderStore({ db, schema }), clock, retryDelayMs: 0 }));
  const start = clock.now().getTime();
  const fired: string[] = [];
  for (const at of [25 * MINUTE, 26 * MINUTE, 43 * HOUR, 44 * HOUR]) {
    const now = new Date(start + at);
    clock.set(now);
    const reports = await Promise.all(workers.flatMap((w) => [runAutomations(w, { now, rules: RULES }), runAutomations(w, { now, rules: RULES })]));
    for (const r of reports) fired.push(...r.fired.map((f) => `${f.orderId}:${f.rule}`));
  }
  // Every due rule fired, and none twice: 2 reminders, 2 shipping alerts, 2 fast refunds.
  expect(fired.sort()).toEqual([...new Set(fired)].sort());
  expect(fired.map((f) => f.split(':')[1]).sort()).toEqual(['fast_refund', 'fast_refund', 'payment_reminder', 'payment_reminder', 'shipping_alert', 'shipping_alert']);
  for (const id of ids) {
    const rules = firedOn(await service.history(id)).map((f) => f.rule);
    expect(new Set(rules).size).toBe(rules.length);
  }
}

describe('automatic actions race on PGlite', () => {
  let db: PGlite;
  afterAll(async () => {
    await db?.close();
  });
  it('fire once per order and rule with eight concurrent runs', async () => {
    db = await PGlite.create();
    await migrate(db);
    await race([db, db], 'orderkit');
  }, 60_000);
});

await describeRealPg('automatic actions race on a PostgreSQL server', (pg) => {
  afterAll(() => pg.dispose());
  it('fire once per order and rule with workers on their own connections', async () => {
    const pools = [pg.pool(2), pg.pool(2), pg.pool(2)];
    await migrate(pools[0]!, { schema: pg.schema });
    await race(pools, pg.schema);
  }, 60_000);
});
