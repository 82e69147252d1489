/**
 * Real Redis for tests, like ./pg.ts: `REDIS_URL` (default redis://127.0.0.1:6379/1, the DB this
 * project's tests use). Unreachable, the suites are skipped, each named on the console and in a
 * file (`ORDERKIT_REDIS_SKIPS`, listed at the end of `npm test`); with REQUIRE_REDIS=1 (CI) they fail.
 * Tests never flush the database: each works under a key prefix of its own and deletes only that.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { describe, it } from 'vitest';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/1';
export const REQUIRE_REDIS = process.env.REQUIRE_REDIS === '1';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SKIP_FILE = join(ROOT, process.env.ORDERKIT_REDIS_SKIPS ?? join('.cache', 'redis-skipped.txt'));

let counter = 0;
/** A key prefix no other test (or process) uses. */
export function uniquePrefix(label: string): string {
  counter += 1;
  return `okt:${label}:${process.pid}:${counter}:${Math.random().toString(36).slice(2, 8)}`;
}

/** A client that fails fast when Redis is down (the inventory then answers INVENTORY_UNAVAILABLE). */
export function redisClient(): Redis {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: false });
  client.on('error', () => undefined);
  return client;
}

/** Deletes every key under `prefix` (the test's own FLUSHDB). */
export async function flushPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
    if (keys.length > 0) n += await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  return n;
}

async function reachable(): Promise<string | null> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null, lazyConnect: true });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    client.disconnect();
  }
}

/** Declares a suite that needs the real Redis: skipped (and recorded) without it, failed under REQUIRE_REDIS=1. */
export async function describeRealRedis(name: string, body: () => void): Promise<void> {
  const problem = await reachable();
  if (problem === null) {
    describe(name, body);
    return;
  }
  const why = `cannot reach ${REDIS_URL} (${problem})`;
  if (REQUIRE_REDIS) {
    describe(name, () => {
      it('needs a real Redis (REQUIRE_REDIS=1)', () => {
        throw new Error(`REQUIRE_REDIS=1 but ${why}: "${name}" cannot run`);
      });
    });
    return;
  }
  console.warn(`[skipped: needs Redis] ${name} — ${why}`);
  try {
    mkdirSync(dirname(SKIP_FILE), { recursive: true });
    appendFileSync(SKIP_FILE, `${name} — ${why}\n`);
  } catch {
    // the console line above already names the suite
  }
  describe.skip(`${name} (skipped: ${why})`, () => {
    it('needs Redis', () => undefined);
  });
}
