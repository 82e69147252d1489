import { afterAll, describe, expect, it } from 'vitest';
import { migrateInventory, PostgresInventory } from '../../src/adapters/postgres/index.js';
import { RedisInventory } from '../../src/adapters/redis/index.js';
import { WxCloudInventory } from '../../src/adapters/wx-cloud/index.js';
import type { InventoryPort } from '../../src/inventory/index.js';
import type { PersonalDataRedaction } from '../../src/storage/port.js';
import { createCloudDatabaseStandIn, type StandInOperation } from '../../src/testing/index.js';
import { connectRealPg, REQUIRE_PG, uniqueSchema } from '../support/pg.js';
import { pgSchemaRaw, redisRaw } from '../support/raw.js';
import { describeRealRedis, flushPrefix, redisClient, uniquePrefix } from '../support/redis.js';

/**
 * docs/privacy.md "Limits": a rewrite to a pseudonym that lands in the middle of a hold or a
 * give-back of the SAME order. The hold then counts against the owner its hold names when it is
 * recorded, the give-back lowers the pseudonym's count, and no record keeps the old id. Each race
 * is made to happen at one exact point (the stand-in's `beforeOperation`, a wrapped Redis script).
 */

const SECRET = 'wx-openid-race-1';
const PSEUDONYM = 'anon-race-1';
const redaction = (orderId: string): PersonalDataRedaction => ({ orderId, customerId: SECRET, pseudonym: PSEUDONYM, redact: (d) => d, text: (t) => t });
const SETUP = [
  { sku: 'R', available: 10, limit: { perCustomer: 3 } },
  { sku: 'S', available: 10, policy: 'take_on_payment' as const, limit: { perCustomer: 3 } },
];

async function code(run: () => Promise<unknown>): Promise<string | null> {
  try {
    await run();
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

/** The pseudonym counts `pseudonym` units of `sku`'s limit, the customer `customer`: checked by what each may still hold. */
async function expectCounts(inventory: InventoryPort, sku: 'R' | 'S', counts: { customer: number; pseudonym: number }, tag: string): Promise<void> {
  const take = (orderId: string, customerId: string, quantity: number) =>
    code(() => (sku === 'R' ? inventory.reserve({ orderId, customerId, items: [{ sku, quantity }] }) : inventory.commit({ orderId, customerId, attempt: `${orderId}-a`, items: [{ sku, quantity }] })));
  for (const [who, id, n] of [['customer', SECRET, counts.customer], ['pseudonym', PSEUDONYM, counts.pseudonym]] as const) {
    if (n < 3) expect(await take(`${tag}-${who}-over`, id, 3 - n + 1), `${who} over`).toBe('LIMIT_REACHED');
    if (n < 3) expect(await take(`${tag}-${who}-fit`, id, 3 - n), `${who} fit`).toBeNull();
  }
}

describe('WxCloudInventory (stand-in): a rewrite in the middle of the same order', () => {
  async function rig(at: (op: StandInOperation) => boolean) {
    let armed = false;
    let inventory: WxCloudInventory | null = null;
    const db = createCloudDatabaseStandIn({
      beforeOperation: async (op) => {
        if (!armed || !at(op)) return;
        armed = false;
        expect(await inventory!.redactPersonalData([redaction('x')])).toBe(1);
      },
    });
    inventory = new WxCloudInventory(db);
    await inventory.ensureCollections();
    for (const s of SETUP) await inventory.configure(s);
    const raw = () => JSON.stringify(Object.values(inventory!.names).map((c) => db.dump(c)));
    return { inventory, raw, arm: () => (armed = true) };
  }

  it('a payment hold (付款减库存) cut across by the rewrite is given back and taken again against the pseudonym', async () => {
    const { inventory, raw, arm } = await rig((op) => op.collection === 'inventory_skus' && op.kind === 'update');
    await inventory.reserve({ orderId: 'x', customerId: SECRET, items: [{ sku: 'R', quantity: 1 }] });
    arm();
    // The service commits with the customer id the order had when it loaded it.
    await inventory.commit({ orderId: 'x', customerId: SECRET, attempt: 'x-a', items: [{ sku: 'S', quantity: 1 }] });
    expect(await inventory.heldBy('x')).toEqual([{ sku: 'R', quantity: 1 }, { sku: 'S', quantity: 1 }]);
    expect(raw().indexOf(SECRET)).toBe(-1);
    await expectCounts(inventory, 'S', { customer: 0, pseudonym: 1 }, 's');
    await expectCounts(inventory, 'R', { customer: 0, pseudonym: 1 }, 'r');
  });

  // The give-back's transaction writes the hold (a rewrite then conflicts with it, and it runs
  // again on the rewritten hold); the counts go down after it, each in a transaction of its own
  // (the rewrite moved only what was left).
  const cuts: Array<[string, (op: StandInOperation) => boolean]> = [
    ['at the hold, inside its transaction', (op) => op.collection === 'inventory_holds' && op.kind === 'transaction.write'],
    ['between the hold and the 限购 count', (op) => op.collection === 'inventory_limits' && op.kind === 'transaction.write'],
    ['between the 限购 count and the stock', (op) => op.collection === 'inventory_skus' && op.kind === 'transaction.write'],
  ];
  for (const [where, at] of cuts) {
    it(`a release cut across by the rewrite ${where} lowers the pseudonym's count`, async () => {
      const { inventory, raw, arm } = await rig(at);
      await inventory.reserve({ orderId: 'x', customerId: SECRET, items: [{ sku: 'R', quantity: 2 }] });
      arm();
      expect(await inventory.release({ orderId: 'x', key: 'cancel', items: [{ sku: 'R', quantity: 1 }] })).toEqual([{ sku: 'R', quantity: 1 }]);
      expect(await inventory.heldBy('x')).toEqual([{ sku: 'R', quantity: 1 }]);
      expect(raw().indexOf(SECRET)).toBe(-1);
      await expectCounts(inventory, 'R', { customer: 0, pseudonym: 1 }, 'r');
    });
  }
});

const real = await connectRealPg('RedisInventory ledger (redaction races)');
if ('unavailable' in real && REQUIRE_PG) throw new Error(`REQUIRE_PG=1 but ${real.unavailable}`);

await describeRealRedis('RedisInventory: a rewrite in the middle of the same order', () => {
  if ('unavailable' in real) {
    it.skip(`needs PostgreSQL for the ledger (${real.unavailable})`, () => undefined);
    return;
  }
  const pool = real.pool(4);
  const redis = redisClient();
  const schema = uniqueSchema('redact');
  const prefix = uniquePrefix('redact');
  afterAll(async () => {
    await flushPrefix(redis, prefix);
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    redis.disconnect();
    await real.dispose();
  });

  it('a payment hold whose script ran before the rewrite committed is given back and taken again against the pseudonym', async () => {
    await migrateInventory(pool, { schema });
    const inventory = new RedisInventory({ redis, ledger: pool, schema, prefix });
    for (const s of SETUP) await inventory.configure(s);
    await inventory.reserve({ orderId: 'x', customerId: SECRET, items: [{ sku: 'R', quantity: 1 }] });
    const client = redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const script = client['orderkitHold']!;
    let armed = true;
    client['orderkitHold'] = async (...args: unknown[]) => {
      const out = await script.apply(redis, args);
      if (armed) {
        armed = false;
        expect(await inventory.redactPersonalData([redaction('x')])).toBe(1);
      }
      return out;
    };
    try {
      await inventory.commit({ orderId: 'x', customerId: SECRET, attempt: 'x-a', items: [{ sku: 'S', quantity: 1 }] });
    } finally {
      client['orderkitHold'] = script;
    }
    expect(armed).toBe(false);
    expect(await inventory.heldBy('x')).toEqual([{ sku: 'R', quantity: 1 }, { sku: 'S', quantity: 1 }]);
    expect(await inventory.audit()).toEqual([]);
    expect(`${await redisRaw(redis, inventory.prefix)}${await pgSchemaRaw(pool, schema)}`.indexOf(SECRET)).toBe(-1);
    await expectCounts(inventory, 'S', { customer: 0, pseudonym: 1 }, 's');
    await expectCounts(inventory, 'R', { customer: 0, pseudonym: 1 }, 'r');
    expect(await inventory.audit()).toEqual([]);
  });
});

const realPg = await connectRealPg('PostgresInventory (redaction races)');

describe('PostgresInventory on the real server: rewrites racing a payment hold and a release of the same order', () => {
  if ('unavailable' in realPg) {
    it.skip(`needs PostgreSQL (${realPg.unavailable})`, () => undefined);
    return;
  }
  const pool = realPg.pool(6);
  const schema = uniqueSchema('redactpg');
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await realPg.dispose();
  });

  it('every count ends on the pseudonym, once, and no record keeps the old id', async () => {
    await migrateInventory(pool, { schema });
    const inventory = new PostgresInventory({ db: pool, schema });
    await inventory.configure({ sku: 'R', available: 100, limit: { perCustomer: 100 } });
    await inventory.configure({ sku: 'S', available: 100, policy: 'take_on_payment', limit: { perCustomer: 100 } });
    const orders = Array.from({ length: 24 }, (_, i) => `x${i}`);
    for (const orderId of orders) await inventory.reserve({ orderId, customerId: SECRET, items: [{ sku: 'R', quantity: 2 }] });
    // Each order: the payment hold, a release of one unit and the rewrite, all at once, in a rotating order.
    await Promise.all(
      orders.map(async (orderId, i) => {
        const steps = [
          () => inventory.commit({ orderId, customerId: SECRET, attempt: `${orderId}-a`, items: [{ sku: 'S', quantity: 1 }] }),
          () => inventory.release({ orderId, key: 'cancel-one', items: [{ sku: 'R', quantity: 1 }] }),
          () => inventory.redactPersonalData([redaction(orderId)]),
        ];
        const order = [steps[i % 3]!, steps[(i + 1) % 3]!, steps[(i + 2) % 3]!];
        await Promise.all(order.map((step) => step()));
      }),
    );
    for (const orderId of orders) expect(await inventory.heldBy(orderId)).toEqual([{ sku: 'R', quantity: 1 }, { sku: 'S', quantity: 1 }]);
    const { rows } = await pool.query<{ limit_key: string; customer_id: string; held: string }>(`SELECT limit_key, customer_id, held FROM "${schema}".inventory_limits ORDER BY limit_key, customer_id`);
    expect(rows.map((r) => [r.limit_key, r.customer_id, Number(r.held)])).toEqual([
      ['R', PSEUDONYM, 24],
      ['S', PSEUDONYM, 24],
    ]);
    expect((await pgSchemaRaw(pool, schema)).indexOf(SECRET)).toBe(-1);
    expect({ ...(await inventory.level('R')), limit: undefined }).toMatchObject({ available: 100 - 24, held: 24 });
    expect({ ...(await inventory.level('S')), limit: undefined }).toMatchObject({ available: 100 - 24, held: 24 });
  });
});
