import { afterAll, describe, expect, it } from 'vitest';
import { migrateInventory, toSqlDriver, type SqlDriver } from '../../src/adapters/postgres/index.js';
import { RedisInventory } from '../../src/adapters/redis/index.js';
import { connectRealPg, REQUIRE_PG, uniqueSchema } from '../support/pg.js';
import { describeRealRedis, flushPrefix, redisClient, uniquePrefix } from '../support/redis.js';

/**
 * The Redis inventory when the answer to its ledger transaction's COMMIT is lost after the COMMIT
 * applied (docs/inventory.md, "Redis"): the units the script took stay taken in Redis, so the copy
 * never shows more than the ledger allows; a transaction known to have rolled back still gives
 * them back.
 */
const real = await connectRealPg('RedisInventory lost COMMIT answer');
if ('unavailable' in real && REQUIRE_PG) throw new Error(`REQUIRE_PG=1 but ${real.unavailable}`);

await describeRealRedis('RedisInventory: a lost answer to the ledger COMMIT', () => {
  if ('unavailable' in real) {
    it.skip(`needs PostgreSQL for the ledger (${real.unavailable})`, () => undefined);
    return;
  }
  const pool = real.pool(4);
  const redis = redisClient();
  const schemas: string[] = [];
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const p of prefixes) await flushPrefix(redis, p);
    for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    redis.disconnect();
    await real.dispose();
  });

  /** The pool's driver; while `lose` is set, a transaction that committed answers with a dropped connection. */
  function losing(inner: SqlDriver): SqlDriver & { lose: boolean } {
    const driver = {
      lose: false,
      query: inner.query.bind(inner),
      listen: inner.listen.bind(inner),
      async transaction<T>(body: Parameters<SqlDriver['transaction']>[0]): Promise<T> {
        const result = (await inner.transaction(body)) as T;
        if (driver.lose) throw new Error('Connection terminated unexpectedly');
        return result;
      },
    };
    return driver as SqlDriver & { lose: boolean };
  }

  async function make(): Promise<{ inventory: RedisInventory; driver: SqlDriver & { lose: boolean } }> {
    const schema = uniqueSchema('redislost');
    const prefix = uniquePrefix('lost');
    schemas.push(schema);
    prefixes.push(prefix);
    await migrateInventory(pool, { schema });
    const driver = losing(toSqlDriver(pool));
    return { inventory: new RedisInventory({ redis, ledger: driver, schema, prefix }), driver };
  }

  it('a hold whose COMMIT applied but whose answer was lost keeps its units taken in Redis', async () => {
    const { inventory, driver } = await make();
    await inventory.configure({ sku: 'HOT', available: 5 });
    driver.lose = true;
    await expect(inventory.reserve({ orderId: 'o1', customerId: 'c1', items: [{ sku: 'HOT', quantity: 2 }] })).rejects.toThrow();
    driver.lose = false;
    expect(await inventory.heldBy('o1')).toEqual([{ sku: 'HOT', quantity: 2 }]);
    expect((await inventory.level('HOT'))?.available).toBe(3);
    expect(await inventory.audit()).toEqual([]);
    // The next buyers get exactly what is left.
    await inventory.reserve({ orderId: 'o2', customerId: 'c2', items: [{ sku: 'HOT', quantity: 3 }] });
    await expect(inventory.reserve({ orderId: 'o3', customerId: 'c3', items: [{ sku: 'HOT', quantity: 1 }] })).rejects.toMatchObject({ code: 'OUT_OF_STOCK' });
  });

  it('a hold whose transaction PostgreSQL refused gives its units back', async () => {
    const { inventory } = await make();
    await inventory.configure({ sku: 'HOT', available: 5 });
    await expect(
      inventory.placeWith!({ orderId: 'o1', customerId: 'c1', items: [{ sku: 'HOT', quantity: 2 }] }, async (tx) => {
        await (tx as { query(text: string): Promise<unknown> }).query('SELECT 1/0');
      }),
    ).rejects.toMatchObject({ code: '22012' });
    expect(await inventory.heldBy('o1')).toEqual([]);
    expect((await inventory.level('HOT'))?.available).toBe(5);
    expect(await inventory.audit()).toEqual([]);
  });
});
