import { afterAll, describe, expect, it } from 'vitest';
import { connectRealPg, REQUIRE_PG, uniqueSchema } from '../support/pg.js';
import { describeRealRedis, flushPrefix, redisClient, uniquePrefix } from '../support/redis.js';
import { describeRealPg } from '../support/pg.js';
import { flashSale, type FlashSaleResult } from './flash-sale.js';

/**
 * The 秒杀 race, small (300 buyers × 3 placements for 10 units; 3 expire, 40 later buyers) on the
 * real PostgreSQL and the real Redis; the 10,000-buyer version is test/load/flash-sale.load.test.ts.
 */
function expectFair(r: FlashSaleResult, units: number, expire: number): void {
  expect(r.won).toHaveLength(units);
  expect(r.winners.size).toBe(units);
  expect(r.heldInLedger).toBe(units);
  expect(r.maxPerBuyer).toBe(1);
  expect(r.available).toBe(0);
  expect(Object.keys(r.refusals).sort()).toEqual(expect.arrayContaining(['OUT_OF_STOCK']));
  for (const code of Object.keys(r.refusals)) expect(['OUT_OF_STOCK', 'LIMIT_REACHED']).toContain(code);
  expect(r.refusals['OUT_OF_STOCK']! + (r.refusals['LIMIT_REACHED'] ?? 0)).toBe(r.placements - units);
  expect(r.expired).toBe(expire);
  expect(r.laterWon).toBe(expire);
  expect(r.laterWinners.size).toBe(expire);
  expect(r.afterHeld).toBe(units);
  expect(r.afterMaxPerBuyer).toBe(1);
  expect(r.audit).toEqual([]);
}

await describeRealPg('flash sale on PostgreSQL (300 buyers, 10 units)', (real) => {
  const pool = real.pool(16);
  afterAll(() => real.dispose());
  it('exactly 10 orders hold stock, one per buyer; 3 expire and exactly 3 later buyers get them', async () => {
    expectFair(await flashSale({ pool, schema: real.schema, path: 'postgres', buyers: 300, units: 10, expire: 3, later: 40 }), 10, 3);
  }, 60_000);
});

const ledger = await connectRealPg('flash sale ledger');
if ('unavailable' in ledger && REQUIRE_PG) throw new Error(`REQUIRE_PG=1 but ${ledger.unavailable}`);
await describeRealRedis('flash sale on Redis + PostgreSQL ledger (300 buyers, 10 units)', () => {
  if ('unavailable' in ledger) {
    it.skip('needs PostgreSQL for the ledger', () => undefined);
    return;
  }
  const pool = ledger.pool(16);
  const redis = redisClient();
  const prefix = uniquePrefix('flash');
  afterAll(async () => {
    await flushPrefix(redis, prefix);
    redis.disconnect();
    await ledger.dispose();
  });
  it('exactly 10 orders hold stock, one per buyer; 3 expire and exactly 3 later buyers get them; Redis agrees with the ledger', async () => {
    expectFair(await flashSale({ pool, schema: ledger.schema, path: 'redis', redis, prefix, buyers: 300, units: 10, expire: 3, later: 40 }), 10, 3);
  }, 60_000);
});

void uniqueSchema;
void describe;
