import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, migrateBalance, migrateInventory, PostgresBalance, PostgresInventory, PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { WxCloudBalance, WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { MemoryBalance } from '../../src/balance/index.js';
import type { BalancePort } from '../../src/balance/index.js';
import { MemoryOrderStore, type OrderStore } from '../../src/storage/index.js';
import { anonymizeCustomer, anonymizeFinishedOrders, createOrderService } from '../../src/service/index.js';
import { createCloudDatabaseStandIn, runBalanceContract } from '../../src/testing/index.js';
import { describeRealPg, uniqueSchema } from '../support/pg.js';
import { customer, DAY, gateway, manualClock, merchant, quote, sequentialIds } from '../service/fixtures.js';

/** The balance port's contract on every adapter, and the service on each store with its balance. */

const api = { describe, it, expect, beforeEach, afterEach };

runBalanceContract('MemoryBalance', () => new MemoryBalance(), api, { numRuns: 40 });

runBalanceContract(
  'WxCloudBalance on the stand-in',
  async () => {
    const balance = new WxCloudBalance(createCloudDatabaseStandIn());
    await balance.ensureCollections();
    return balance;
  },
  api,
  { numRuns: 15 },
);

describe('WxCloudBalance: an order record a failed placement left at zero', () => {
  it('goes with the undo, and one an earlier version left behind does not refuse another customer’s debit', async () => {
    const db = createCloudDatabaseStandIn();
    const balance = new WxCloudBalance(db);
    await balance.ensureCollections();
    await balance.topUp({ customerId: 'c0', key: 'card', amount: 500 });
    await expect(balance.placeWith({ customerId: 'c0', orderId: 'o-failed', key: 'N1-B', amount: 200 }, () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    expect(db.dump(balance.names.orders).map((d) => d._id)).toEqual([]);
    // What an undo before this fix wrote: the order's record at zero, still naming c0.
    await db.collection(balance.names.orders).doc('o-legacy').set({ data: { customerId: 'c0', debited: 0, credited: 0 } });
    await balance.topUp({ customerId: 'c1', key: 'card-c1', amount: 300 });
    expect(await balance.debit({ customerId: 'c1', orderId: 'o-legacy', key: 'N2-B', amount: 300 })).toEqual({ balance: 0, replayed: false });
    expect(await balance.orderBalance('o-legacy')).toEqual({ debited: 300, credited: 0 });
    // Its credits now go back to c1, the customer it was debited from.
    expect(await balance.credit({ customerId: 'anon-x', orderId: 'o-legacy', key: 'refund', amount: 300 })).toEqual({ balance: 300, replayed: false });
    expect([await balance.balanceOf('c0'), await balance.balanceOf('c1')]).toEqual([500, 300]);
  });
});

/** Place with the balance, refuse an over-spend, pay, cancel: the money ends where it started. */
function serviceScenario(label: string, make: () => Promise<{ store: OrderStore; balance: BalancePort }>, sharesTransaction = false): void {
  it(`${label}: a debit with the order, nothing on a refusal, everything back after a merchant cancel`, async () => {
    const { store, balance } = await make();
    const service = createOrderService({ store, balance, clock: manualClock(), ids: sequentialIds(), retryDelayMs: 0 });
    await balance.topUp({ customerId: 'u1', key: 'card', amount: 3000 });
    const over = await service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 3001 } });
    expect(over.ok ? 'ok' : over.error.code).toBe('INSUFFICIENT_BALANCE');
    expect((await store.list({})).items).toHaveLength(0);
    const placed = await service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 2000 } });
    if (!placed.ok) throw placed.error;
    const id = placed.order.id;
    expect(await balance.balanceOf('u1')).toBe(1000);
    await service.dispatch(id, { type: 'PAYMENT_SUCCEEDED', amount: 3500, transactionId: 'wx1' }, gateway);
    const cancelled = await service.dispatch(id, { type: 'CANCEL', reason: '缺货' }, merchant);
    expect(cancelled.ok).toBe(true);
    expect(await balance.balanceOf('u1')).toBe(3000);
    const order = (await store.load(id))!;
    expect(order.refunds.map((r) => [r.amount, r.status])).toEqual([
      [3500, 'pending'],
      [2000, 'succeeded'],
    ]);
    expect(await balance.orderBalance(id)).toEqual({ debited: 2000, credited: 2000 });
    // A customer's cancel of an unpaid order gives the balance back too.
    const second = await service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 1000 } });
    if (!second.ok) throw second.error;
    await service.dispatch(second.order.id, { type: 'CANCEL' }, customer);
    expect(await balance.balanceOf('u1')).toBe(3000);
  });

  it(`${label}: a placement whose create failed, placed again with the same id and number, is debited once; the id once more debits nothing`, async () => {
    const { store, balance } = await make();
    // The store refuses the first create (unreachable for a moment), then works.
    let failures = 1;
    const create = store.create.bind(store);
    const flaky = Object.assign(Object.create(Object.getPrototypeOf(store) as object) as OrderStore, store, {
      create: (...args: Parameters<OrderStore['create']>) => (failures-- > 0 ? Promise.reject(new Error('store unreachable')) : create(...args)),
    });
    const service = createOrderService({ store: flaky, balance, clock: manualClock(), ids: sequentialIds(), retryDelayMs: 0 });
    await balance.topUp({ customerId: 'u1', key: 'card', amount: 3000 });
    const input = { id: 'o-retried', number: 'N20260001', customerId: 'u1', quote: quote(), payWith: { balance: 2000 } };
    await expect(service.place(input)).rejects.toThrow('store unreachable');
    expect(await balance.balanceOf('u1')).toBe(3000);
    const retried = await service.place(input);
    if (!retried.ok) throw retried.error;
    expect(await balance.balanceOf('u1')).toBe(1000);
    expect(await balance.orderBalance('o-retried')).toEqual({ debited: 2000, credited: 0 });
    // The same id once more (a duplicate request): refused, and the first order's debit stays.
    const again = await service.place(input);
    expect(again.ok ? 'placed' : again.error.code).toBe('ORDER_EXISTS');
    expect(await balance.balanceOf('u1')).toBe(1000);
    // Its cancel gives the 2000 back, once.
    expect((await service.dispatch('o-retried', { type: 'CANCEL' }, customer)).ok).toBe(true);
    expect(await balance.balanceOf('u1')).toBe(3000);
  });

  it(`${label}: a create that wrote the order and then lost its answer keeps the debit with the order (with and without an idempotency key)`, async () => {
    const { store, balance } = await make();
    // The store writes the order, then its answer is lost (a connection reset after the commit).
    const create = store.create.bind(store);
    const lossy = Object.assign(Object.create(Object.getPrototypeOf(store) as object) as OrderStore, store, {
      create: async (...args: Parameters<OrderStore['create']>) => {
        await create(...args);
        throw Object.assign(new Error('connection reset after the write'), { code: 'ECONNRESET' });
      },
    });
    const service = createOrderService({ store: lossy, balance, clock: manualClock(), ids: sequentialIds(), retryDelayMs: 0 });
    await balance.topUp({ customerId: 'u1', key: 'card', amount: 3000 });
    for (const [id, key] of [['o-lost', undefined], ['o-lost-key', 'tap-1']] as const) {
      const before = await balance.balanceOf('u1');
      const input = { id, customerId: 'u1', quote: quote(), payWith: { balance: 1000 } };
      let answer: Awaited<ReturnType<typeof service.place>> | undefined;
      try {
        answer = await service.place(input, key === undefined ? {} : { idempotencyKey: key });
      } catch {
        // In one transaction with the order (PostgreSQL) the error rolled both back.
      }
      const order = await store.load(id);
      if (order !== null) {
        // The order stands, paid partly from the balance: that part stays debited, once.
        if (!sharesTransaction) expect(answer?.ok).toBe(true);
        expect(await balance.balanceOf('u1')).toBe(before - 1000);
        expect(await balance.orderBalance(id)).toEqual({ debited: 1000, credited: 0 });
      } else {
        expect(sharesTransaction).toBe(true);
        expect(await balance.balanceOf('u1')).toBe(before);
        expect(await balance.orderBalance(id)).toEqual({ debited: 0, credited: 0 });
      }
    }
    if (sharesTransaction) return;
    // The same key again answers with the order and debits nothing more.
    const again = await service.place({ id: 'o-lost-key', customerId: 'u1', quote: quote(), payWith: { balance: 1000 } }, { idempotencyKey: 'tap-1' });
    expect(again.ok && again.order.id).toBe('o-lost-key');
    expect(await balance.balanceOf('u1')).toBe(1000);
    // Cancelled, each order gives its part back once: the money ends where it started.
    for (const id of ['o-lost', 'o-lost-key']) expect((await service.dispatch(id, { type: 'CANCEL' }, customer)).ok).toBe(true);
    expect(await balance.balanceOf('u1')).toBe(3000);
    for (const id of ['o-lost', 'o-lost-key']) expect(await balance.orderBalance(id)).toEqual({ debited: 1000, credited: 1000 });
  });

  it(`${label}: a refund approved after the order was anonymised (by the retention rule, by the customer's request) goes back to the original account`, async () => {
    const { store, balance } = await make();
    const clock = manualClock();
    const service = createOrderService({ store, balance, clock, ids: sequentialIds(), retryDelayMs: 0 });
    await balance.topUp({ customerId: 'u1', key: 'card', amount: 5000 });
    /** An order paying `part` from the balance and the rest by WeChat Pay, received, then everything asked back. */
    const receivedAndAsked = async (part: number) => {
      const placed = await service.place({ customerId: 'u1', quote: quote(), payWith: { balance: part } });
      if (!placed.ok) throw placed.error;
      const id = placed.order.id;
      for (const [command, actor] of [
        [{ type: 'PAYMENT_SUCCEEDED', amount: 5500 - part, transactionId: `wx-${id}` }, gateway],
        [{ type: 'SHIP', logisticsType: 'express' }, merchant],
        [{ type: 'CONFIRM_RECEIPT' }, customer],
      ] as const) {
        const r = await service.dispatch(id, command, actor);
        if (!r.ok) throw r.error;
      }
      const r = await service.dispatch(id, { type: 'REQUEST_AFTER_SALE', kind: 'refund_only', items: [{ lineId: 'a', quantity: 5 }, { lineId: 'b', quantity: 1 }], reason: 'damaged' }, customer);
      if (!r.ok) throw r.error;
      return { id, afterSaleId: r.order.afterSales[0]!.id };
    };
    const approve = async (o: { id: string; afterSaleId: string }) => {
      const before = (await store.load(o.id))!;
      expect(before.customerId.startsWith('anon-')).toBe(true);
      const r = await service.dispatch(o.id, { type: 'APPROVE_AFTER_SALE', afterSaleId: o.afterSaleId }, merchant);
      if (!r.ok) throw r.error;
      expect(r.effects.flatMap((e) => (e.type === 'balance.credit' ? [e.customerId] : []))).toEqual([before.customerId]);
      const after = (await store.load(o.id))!;
      expect(after.refunds.filter((x) => x.transactionId?.startsWith('balance:')).map((x) => x.status)).toEqual(['succeeded']);
      expect(await balance.balanceOf(before.customerId)).toBe(0);
    };
    const first = await receivedAndAsked(2000);
    clock.advance(2 * DAY);
    const second = await receivedAndAsked(1000);
    expect(await balance.balanceOf('u1')).toBe(2000);
    // The retention rule: the first order, finished two days ago, now names a pseudonym.
    const retained = await anonymizeFinishedOrders(store, { days: 1, now: clock.now() });
    expect(retained.ok && retained.orders).toBe(1);
    await approve(first);
    expect(await balance.balanceOf('u1')).toBe(4000);
    expect(await balance.orderBalance(first.id)).toEqual({ debited: 2000, credited: 2000 });
    // The customer asks to be forgotten: the second order too.
    const forgotten = await anonymizeCustomer(store, 'u1');
    expect(forgotten.ok && forgotten.orders).toBe(1);
    await approve(second);
    expect(await balance.balanceOf('u1')).toBe(5000);
    expect(await balance.orderBalance(second.id)).toEqual({ debited: 1000, credited: 1000 });
  });
}

describe('service with a balance', () => {
  serviceScenario('MemoryOrderStore + MemoryBalance', async () => ({ store: new MemoryOrderStore(), balance: new MemoryBalance() }));
  serviceScenario('WxCloudOrderStore + WxCloudBalance (stand-in)', async () => {
    const db = createCloudDatabaseStandIn();
    const store = new WxCloudOrderStore(db);
    await store.ensureCollections();
    const balance = new WxCloudBalance(db);
    await balance.ensureCollections();
    return { store, balance };
  });
});

await describeRealPg('PostgresBalance on the real server', (real) => {
  let shared: ReturnType<RealPool> | undefined;
  type RealPool = typeof real.pool;
  const db = () => (shared ??= real.pool(12));
  const schemas: string[] = [];
  const fresh = (label: string): string => {
    const schema = uniqueSchema(label);
    schemas.push(schema);
    return schema;
  };
  afterAll(async () => {
    for (const schema of schemas) await db().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await real.dispose();
  });
  runBalanceContract(
    'PostgresBalance on PostgreSQL',
    async () => {
      const schema = fresh('bal');
      await migrateBalance(db(), { schema });
      return new PostgresBalance({ db: db(), schema });
    },
    api,
    { numRuns: 8 },
  );
  describe('service on PostgreSQL', () => {
    serviceScenario('PostgresOrderStore + PostgresBalance', async () => {
      const schema = fresh('balsvc');
      await migrate(db(), { schema });
      await migrateBalance(db(), { schema });
      return { store: new PostgresOrderStore({ db: db(), schema }), balance: new PostgresBalance({ db: db(), schema }) };
    }, true);

    it('the debit and the order are one transaction: a debit refused inside it leaves no order row, with the inventory’s transaction too', async () => {
      const schema = fresh('balatomic');
      await migrate(db(), { schema });
      await migrateBalance(db(), { schema });
      await migrateInventory(db(), { schema });
      const store = new PostgresOrderStore({ db: db(), schema });
      const balance = new PostgresBalance({ db: db(), schema });
      const inventory = new PostgresInventory({ db: db(), schema });
      await inventory.configure({ sku: 'SKU-a', available: 10 });
      await inventory.configure({ sku: 'SKU-b', available: 10 });
      const service = createOrderService({ store, balance, inventory, clock: manualClock(), ids: sequentialIds(), retryDelayMs: 0 });
      await balance.topUp({ customerId: 'u1', key: 'card', amount: 1000 });
      const r = await service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 2000 } });
      expect(r.ok ? 'ok' : r.error.code).toBe('INSUFFICIENT_BALANCE');
      const rows = await db().query(`SELECT count(*)::int AS n FROM "${schema}".orders`);
      expect(rows.rows[0].n).toBe(0);
      expect((await inventory.level('SKU-a'))?.available).toBe(10);
      const ok = await service.place({ customerId: 'u1', quote: quote(), payWith: { balance: 1000 } });
      expect(ok.ok).toBe(true);
      expect((await inventory.level('SKU-a'))?.available).toBe(5);
      expect(await balance.balanceOf('u1')).toBe(0);
    });
  });
});
