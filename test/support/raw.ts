/**
 * Every record a store or an inventory keeps, as one text, for the personal-data tests
 * (docs/privacy.md): they search it for a customer id, a phone, a street.
 */
import type Redis from 'ioredis';
import type { MemoryInventory } from '../../src/inventory/index.js';

interface Queryable {
  query(text: string): Promise<{ rows: unknown[] }>;
}

/** Every table of a PostgreSQL schema, those added later included. */
export async function pgSchemaRaw(db: unknown, schema: string): Promise<string> {
  const q = db as Queryable;
  const { rows: tables } = (await q.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}' AND table_type = 'BASE TABLE' ORDER BY 1`)) as { rows: Array<{ table_name: string }> };
  const parts: unknown[] = [];
  for (const { table_name } of tables) parts.push(table_name, (await q.query(`SELECT * FROM "${schema}"."${table_name}"`)).rows);
  return JSON.stringify(parts);
}

/** Every key under the inventory's prefix (the prefix as `RedisInventory.prefix` has it, braces included), with its value. */
export async function redisRaw(redis: Redis, prefix: string): Promise<string> {
  const out: unknown[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    for (const key of keys.sort()) {
      const type = await redis.type(key);
      out.push(key, type === 'hash' ? await redis.hgetall(key) : type === 'string' ? await redis.get(key) : type);
    }
    cursor = next;
  } while (cursor !== '0');
  return JSON.stringify(out);
}

/** The in-memory inventory's private maps: its holds (with their customer) and its 限购 counters. */
export function memoryInventoryRaw(inventory: MemoryInventory): string {
  const inner = inventory as unknown as { holds: Map<string, { customerId: string; items: Map<string, unknown> }>; limits: Map<string, number> };
  return JSON.stringify({
    holds: [...inner.holds].map(([id, h]) => [id, h.customerId, [...h.items]]),
    limits: [...inner.limits],
  }).replace(/\\u0000/g, '|');
}
