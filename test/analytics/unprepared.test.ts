import { afterAll, describe, expect, it } from 'vitest';
import { customersSql, migrate, migrateAnalytics, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { analysisDriver } from '../../src/adapters/postgres/driver.js';
import { describeRealPg } from '../support/pg.js';
import { loadThroughStore } from './support/load-orders.js';
import { randomOrders, START } from './support/random-orders.js';

const DAY = 86_400_000;

/**
 * The analyses plan each statement for its own range: on a pg.Pool they send no named statement
 * (docs/analytics.md "Speed at scale"), where the store keeps preparing its own.
 */
describe('analysisDriver on a pg pool', () => {
  it('sends statements unnamed, in and out of a transaction; toSqlDriver keeps naming them', async () => {
    const sent: unknown[] = [];
    const client = { query: async (q: unknown) => (sent.push(q), { rows: [], rowCount: 0 }), release: () => undefined };
    const pool = { query: async (q: unknown) => (sent.push(q), { rows: [], rowCount: 0 }), connect: async () => client, on: () => undefined };
    const driver = analysisDriver(pool as never);
    await driver.query('select $1::int', [1]);
    await driver.transaction(async (tx) => {
      await tx.query('select $1::int', [2]);
    });
    expect(sent.filter((q) => typeof q === 'object' && q !== null && 'name' in q)).toEqual([]);
    expect(sent).toContain('select $1::int');
  });
});

await describeRealPg('analyses leave no prepared statement behind (PostgreSQL server)', (pg) => {
  afterAll(() => pg.dispose());
  it('customersSql run ten times on one connection prepares nothing, where a store commit does', async () => {
    const pool = pg.pool(1);
    await migrate(pool, { schema: pg.schema });
    const store = new PostgresOrderStore({ db: pool, schema: pg.schema });
    await loadThroughStore(store, randomOrders(40, 7, START, 10 * DAY, 8));
    await migrateAnalytics(pool, { schema: pg.schema });
    const prepared = async () => (await pool.query("select count(*)::int as n from pg_prepared_statements where name like 'orderkit_%'")).rows[0].n as number;
    const before = await prepared();
    expect(before).toBeGreaterThan(0); // the store's own statements are named
    for (let i = 0; i < 10; i++) await customersSql(pool, { schema: pg.schema, from: new Date(START), to: new Date(START + 10 * DAY), timeZone: 'Asia/Shanghai', compact: false });
    expect(await prepared()).toBe(before);
  });
});
