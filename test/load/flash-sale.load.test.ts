import { afterAll, expect, it } from 'vitest';
import { flashSale, type FlashSaleResult } from '../inventory/flash-sale.js';
import { connectRealPg, describeRealPg, REQUIRE_PG } from '../support/pg.js';
import { describeRealRedis, flushPrefix, redisClient, uniquePrefix } from '../support/redis.js';

/**
 * Issue 19 item 4, at full size: 10,000 buyers for 100 units of one SKU through `service.place`,
 * 限购 1, each buyer sending 3 placements at once (30,000 placements), on the real PostgreSQL and
 * on the real Redis with its ledger. Exactly 100 orders hold stock, one per buyer, none oversold;
 * 30 winners do not pay and are expired by the sweeper; exactly 30 of 1,000 later buyers get those
 * units; no buyer ever holds 2.
 */
const BUYERS = Number(process.env.FLASH_BUYERS ?? 10_000);
const UNITS = 100;
const EXPIRE = 30;
const LATER = 1_000;

function report(path: string, r: FlashSaleResult, ms: number): void {
  console.log(`[flash-sale ${path}] ${r.placements} placements by ${BUYERS} buyers in ${(ms / 1000).toFixed(1)} s: ${r.won.length} held stock, refusals ${JSON.stringify(r.refusals)}; ${r.expired} expired, ${r.laterWon} later buyers won`);
}

function expectFair(r: FlashSaleResult): void {
  expect(r.won).toHaveLength(UNITS);
  expect(r.winners.size).toBe(UNITS);
  expect(r.heldInLedger).toBe(UNITS);
  expect(r.maxPerBuyer).toBe(1);
  expect(r.available).toBe(0);
  for (const code of Object.keys(r.refusals)) expect(['OUT_OF_STOCK', 'LIMIT_REACHED']).toContain(code);
  expect(Object.values(r.refusals).reduce((a, b) => a + b, 0)).toBe(r.placements - UNITS);
  expect(r.expired).toBe(EXPIRE);
  expect(r.laterWon).toBe(EXPIRE);
  expect(r.laterWinners.size).toBe(EXPIRE);
  expect(r.afterHeld).toBe(UNITS);
  expect(r.afterMaxPerBuyer).toBe(1);
  expect(r.audit).toEqual([]);
}

await describeRealPg(`flash sale on PostgreSQL (${BUYERS} buyers, ${UNITS} units)`, (real) => {
  const pool = real.pool(24);
  afterAll(() => real.dispose());
  it('exactly 100 hold stock, one per buyer; 30 expire and exactly 30 later buyers get them', async () => {
    const t = Date.now();
    const r = await flashSale({ pool, schema: real.schema, path: 'postgres', buyers: BUYERS, units: UNITS, expire: EXPIRE, later: LATER, concurrency: 48 });
    report('postgres', r, Date.now() - t);
    expectFair(r);
  });
});

const ledger = await connectRealPg('flash sale ledger (load)');
if ('unavailable' in ledger && REQUIRE_PG) throw new Error(`REQUIRE_PG=1 but ${ledger.unavailable}`);
await describeRealRedis(`flash sale on Redis + PostgreSQL ledger (${BUYERS} buyers, ${UNITS} units)`, () => {
  if ('unavailable' in ledger) {
    it.skip('needs PostgreSQL for the ledger', () => undefined);
    return;
  }
  const pool = ledger.pool(24);
  const redis = redisClient();
  const prefix = uniquePrefix('flash-load');
  afterAll(async () => {
    await flushPrefix(redis, prefix);
    redis.disconnect();
    await ledger.dispose();
  });
  it('exactly 100 hold stock, one per buyer; 30 expire and exactly 30 later buyers get them; Redis agrees with the ledger', async () => {
    const t = Date.now();
    const r = await flashSale({ pool, schema: ledger.schema, path: 'redis', redis, prefix, buyers: BUYERS, units: UNITS, expire: EXPIRE, later: LATER, concurrency: 48 });
    report('redis', r, Date.now() - t);
    expectFair(r);
  });
});
