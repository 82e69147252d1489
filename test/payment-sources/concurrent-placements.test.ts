import { afterAll, describe, expect, it } from 'vitest';
import { migrate, migrateBalance, PostgresBalance, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { WxCloudBalance, WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { MemoryBalance, type BalancePort } from '../../src/balance/index.js';
import { MemoryInventory, type InventoryPort } from '../../src/inventory/index.js';
import { MemoryOrderStore, type OrderStore } from '../../src/storage/index.js';
import { createOrderService } from '../../src/service/index.js';
import { createCloudDatabaseStandIn } from '../../src/testing/index.js';
import { describeRealPg, uniqueSchema } from '../support/pg.js';
import { manualClock, quote, sequentialIds } from '../service/fixtures.js';

/**
 * Placements of one customer at once (Promise.all), paying from the balance: every created order
 * is debited exactly once, every refused or duplicate placement leaves nothing debited, and the
 * balance never goes below zero (docs/payment-sources.md "How the service uses it").
 */

type Make = () => Promise<{ store: OrderStore; balance: BalancePort; inventory?: InventoryPort }>;

async function settle(store: OrderStore, balance: BalancePort, ids: string[]): Promise<{ created: string[]; net: number }> {
  const created: string[] = [];
  let net = 0;
  for (const id of ids) {
    const o = await balance.orderBalance(id);
    const order = await store.load(id);
    if (order) created.push(id);
    // An order that does not exist took nothing net; one that exists took its balance part once.
    expect(o.debited - o.credited).toBe(order ? order.payment.sources!.find((s) => s.kind === 'balance')!.amount : 0);
    net += o.debited - o.credited;
  }
  return { created, net };
}

function scenarios(label: string, make: Make): void {
  describe(label, () => {
    it('many orders at once: as many as the balance pays are placed and debited once each; the rest refused, nothing taken', async () => {
      const { store, balance, inventory } = await make();
      const service = createOrderService({ store, balance, ...(inventory ? { inventory } : {}), clock: manualClock(), ids: sequentialIds(), retryDelayMs: 0 });
      await balance.topUp({ customerId: 'u1', key: 'card', amount: 5000 });
      const results = await Promise.all(Array.from({ length: 8 }, () => service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 2000 } }).catch((e: unknown) => ({ ok: false as const, error: e as { code?: string } }))));
      const placed = results.filter((r) => r.ok).length;
      for (const r of results) if (!r.ok) expect(['INSUFFICIENT_BALANCE', 'BALANCE_UNAVAILABLE']).toContain(r.error.code);
      expect(placed).toBeLessThanOrEqual(2);
      if (results.every((r) => r.ok || r.error.code === 'INSUFFICIENT_BALANCE')) expect(placed).toBe(2);
      const { created, net } = await settle(store, balance, Array.from({ length: 8 }, (_, i) => `o${i + 1}`));
      expect(created).toHaveLength(placed);
      expect(await balance.balanceOf('u1')).toBe(5000 - net);
      expect(net).toBe(2000 * placed);
    });

    it('the same idempotency key at once: one order, one debit, every answer the same order', async () => {
      const { store, balance, inventory } = await make();
      const service = createOrderService({ store, balance, ...(inventory ? { inventory } : {}), clock: manualClock(), ids: sequentialIds(), retryDelayMs: 0 });
      await balance.topUp({ customerId: 'u1', key: 'card', amount: 10_000 });
      const results = await Promise.all(Array.from({ length: 4 }, () => service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 2000 } }, { idempotencyKey: 'tap-1' })));
      const ids = new Set(results.map((r) => (r.ok ? r.order.id : r.error.code)));
      expect(ids.size).toBe(1);
      const { created, net } = await settle(store, balance, ['o1', 'o2', 'o3', 'o4']);
      expect(created).toHaveLength(1);
      expect(net).toBe(2000);
      expect(await balance.balanceOf('u1')).toBe(8000);
    });

    it('the same idempotency key at once with a balance for one order only: every answer is that order', async () => {
      const { store, balance, inventory } = await make();
      const service = createOrderService({ store, balance, ...(inventory ? { inventory } : {}), clock: manualClock(), ids: sequentialIds(), retryDelayMs: 0 });
      await balance.topUp({ customerId: 'u1', key: 'card', amount: 3000 });
      const results = await Promise.all(Array.from({ length: 4 }, () => service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 2000 } }, { idempotencyKey: 'tap-2' })));
      expect(results.map((r) => (r.ok ? r.order.id : r.error.code))).toEqual(['o1', 'o1', 'o1', 'o1']);
      await settle(store, balance, ['o1', 'o2', 'o3', 'o4']);
      expect(await balance.balanceOf('u1')).toBe(1000);
    });

    it('the same id and number at once (a double tap without a key): one order, one debit', async () => {
      const { store, balance, inventory } = await make();
      const service = createOrderService({ store, balance, ...(inventory ? { inventory } : {}), clock: manualClock(), ids: sequentialIds(), retryDelayMs: 0 });
      await balance.topUp({ customerId: 'u1', key: 'card', amount: 10_000 });
      const input = { id: 'o-tap', number: 'N20260099', customerId: 'u1', quote: quote(), payWith: { balance: 2000 } };
      const results = await Promise.all(Array.from({ length: 4 }, () => service.place(input)));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      for (const r of results) if (!r.ok) expect(r.error.code).toBe('ORDER_EXISTS');
      await settle(store, balance, ['o-tap']);
      expect(await balance.balanceOf('u1')).toBe(8000);
    });

    it('the same id with other numbers at once: one order, one debit', async () => {
      const { store, balance, inventory } = await make();
      const service = createOrderService({ store, balance, ...(inventory ? { inventory } : {}), clock: manualClock(), ids: sequentialIds(), retryDelayMs: 0 });
      await balance.topUp({ customerId: 'u1', key: 'card', amount: 10_000 });
      const results = await Promise.all(Array.from({ length: 4 }, () => service.place({ id: 'o-same', customerId: 'u1', quote: quote(), payWith: { balance: 2000 } })));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      await settle(store, balance, ['o-same']);
      expect(await balance.balanceOf('u1')).toBe(8000);
    });
  });
}

scenarios('MemoryOrderStore + MemoryBalance', async () => ({ store: new MemoryOrderStore(), balance: new MemoryBalance() }));
scenarios('MemoryOrderStore + MemoryBalance + MemoryInventory', async () => {
  const inventory = new MemoryInventory();
  await inventory.configure({ sku: 'SKU-a', available: 1000 });
  await inventory.configure({ sku: 'SKU-b', available: 1000 });
  return { store: new MemoryOrderStore(), balance: new MemoryBalance(), inventory };
});
scenarios('WxCloudOrderStore + WxCloudBalance (stand-in)', async () => {
  const db = createCloudDatabaseStandIn();
  const store = new WxCloudOrderStore(db);
  await store.ensureCollections();
  const balance = new WxCloudBalance(db);
  await balance.ensureCollections();
  return { store, balance };
});

await describeRealPg('concurrent placements on PostgreSQL', (real) => {
  const pool = real.pool(8);
  const schemas: string[] = [];
  afterAll(async () => {
    for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await real.dispose();
  });
  scenarios('PostgresOrderStore + PostgresBalance', async () => {
    const schema = uniqueSchema('conc');
    schemas.push(schema);
    await migrate(pool, { schema });
    await migrateBalance(pool, { schema });
    return { store: new PostgresOrderStore({ db: pool, schema }), balance: new PostgresBalance({ db: pool, schema }) };
  });
});
