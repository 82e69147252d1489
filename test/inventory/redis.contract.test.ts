import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, migrateInventory, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { RedisInventory } from '../../src/adapters/redis/index.js';
import { runInventoryContract } from '../../src/testing/index.js';
import { connectRealPg, REQUIRE_PG, uniqueSchema } from '../support/pg.js';
import { describeRealRedis, flushPrefix, redisClient, uniquePrefix } from '../support/redis.js';
import { pgSchemaRaw, redisRaw } from '../support/raw.js';
import { serviceScenarios } from './service-scenarios.js';

/**
 * The Redis inventory: the contract (Redis and its PostgreSQL ledger agreeing after every run and
 * every test), the service scenarios, and what a FLUSHDB of its keys does: nothing oversold.
 */
const real = await connectRealPg('RedisInventory ledger');
if ('unavailable' in real && REQUIRE_PG) throw new Error(`REQUIRE_PG=1 but ${real.unavailable}`);

await describeRealRedis('RedisInventory (Redis + PostgreSQL ledger)', () => {
  if ('unavailable' in real) {
    it.skip(`needs PostgreSQL for the ledger (${real.unavailable})`, () => undefined);
    return;
  }
  const pool = real.pool(12);
  const redis = redisClient();
  const schemas: string[] = [];
  const prefixes: string[] = [];
  async function make(withStore = false): Promise<{ inventory: RedisInventory; schema: string; prefix: string }> {
    const schema = uniqueSchema('redis');
    const prefix = uniquePrefix('inv');
    schemas.push(schema);
    prefixes.push(prefix);
    if (withStore) await migrate(pool, { schema });
    await migrateInventory(pool, { schema });
    return { inventory: new RedisInventory({ redis, ledger: pool, schema, prefix }), schema, prefix };
  }
  afterAll(async () => {
    for (const p of prefixes) await flushPrefix(redis, p);
    for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    redis.disconnect();
    await real.dispose();
  });

  runInventoryContract('RedisInventory', async () => (await make()).inventory, { describe, it, expect, beforeEach, afterEach }, {
    numRuns: 8,
    verify: async (inventory) => expect(await inventory.audit()).toEqual([]),
    // Redis (every key under the prefix) and the ledger tables.
    raw: async (inventory) => `${await redisRaw(redis, inventory.prefix)}${await pgSchemaRaw(pool, inventory.schema)}`,
  });

  describe('service with PostgresOrderStore + RedisInventory', () => {
    serviceScenarios(async () => {
      const { inventory, schema } = await make(true);
      return { store: new PostgresOrderStore({ db: pool, schema }), inventory };
    });
  });

  it('a FLUSHDB of its keys loses nothing: the ledger rebuilds Redis and nothing is oversold', async () => {
    const { inventory, prefix } = await make();
    await inventory.configure({ sku: 'HOT', available: 5, limit: { perCustomer: 1 } });
    for (let i = 0; i < 3; i++) await inventory.reserve({ orderId: `a${i}`, customerId: `c${i}`, items: [{ sku: 'HOT', quantity: 1 }] });
    expect(await flushPrefix(redis, prefix)).toBeGreaterThan(0);
    // c0 already holds its one: the rebuilt limit refuses it again.
    await expect(inventory.reserve({ orderId: 'b0', customerId: 'c0', items: [{ sku: 'HOT', quantity: 1 }] })).rejects.toMatchObject({ code: 'LIMIT_REACHED' });
    const more = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => inventory.reserve({ orderId: `b${i + 1}`, customerId: `d${i}`, items: [{ sku: 'HOT', quantity: 1 }] })));
    expect(more.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(await inventory.level('HOT')).toMatchObject({ available: 0, held: 5 });
    expect(await inventory.audit()).toEqual([]);
  });

  it('flushes in the middle of concurrent holds and releases: never oversold, Redis and ledger agree after a reconcile', async () => {
    const { inventory, prefix } = await make();
    await inventory.configure({ sku: 'HOT', available: 10, limit: { perCustomer: 1 } });
    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < 60; i++) {
      work.push(
        inventory
          .reserve({ orderId: `o${i}`, customerId: `c${i % 25}`, items: [{ sku: 'HOT', quantity: 1 }] })
          .then((r): Promise<unknown> | unknown => (i % 4 === 0 && r.held.length > 0 ? inventory.release({ orderId: `o${i}`, key: 'cancel', items: [{ sku: 'HOT', quantity: 1 }] }) : r)),
      );
      if (i % 15 === 7) work.push(flushPrefix(redis, prefix));
    }
    await Promise.allSettled(work);
    const { rows } = await pool.query<{ n: string }>(`SELECT coalesce(sum(quantity), 0) AS n FROM "${inventory.schema}".inventory_holds WHERE sku = 'HOT'`);
    expect(Number(rows[0]!.n)).toBeLessThanOrEqual(10);
    const perCustomer = await pool.query<{ n: string }>(`SELECT max(s) AS n FROM (SELECT sum(quantity) AS s FROM "${inventory.schema}".inventory_holds GROUP BY customer_id) x`);
    expect(Number(perCustomer.rows[0]!.n)).toBeLessThanOrEqual(1);
    await inventory.reconcile();
    expect(await inventory.audit()).toEqual([]);
    expect((await inventory.level('HOT'))!.available + Number(rows[0]!.n)).toBe(10);
  });

  it('Redis unreachable: a typed INVENTORY_UNAVAILABLE, and nothing held', async () => {
    const { inventory: good, schema } = await make();
    await good.configure({ sku: 'HOT', available: 5 });
    const { default: Redis } = await import('ioredis');
    const dead = new Redis('redis://127.0.0.1:1/1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    dead.on('error', () => undefined);
    const inventory = new RedisInventory({ redis: dead, ledger: pool, schema, prefix: 'unused' });
    const error = await inventory.reserve({ orderId: 'x1', customerId: 'c1', items: [{ sku: 'HOT', quantity: 1 }] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVENTORY_UNAVAILABLE' });
    expect((error as { messages: Record<string, string> }).messages['zh-CN']).toContain('库存服务暂不可用');
    expect(await good.heldBy('x1')).toEqual([]);
    dead.disconnect();
  });
});
