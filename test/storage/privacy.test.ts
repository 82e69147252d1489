import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactAnalytics, migrate, migrateAnalytics, PostgresOrderStore, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { migrateInventory, PostgresInventory } from '../../src/adapters/postgres/index.js';
import { INLINE_ENTRIES } from '../../src/adapters/postgres/tails.js';
import { WxCloudInventory, WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { MemoryInventory, type InventoryPort } from '../../src/inventory/index.js';
import type { Actor, Command, Line } from '../../src/order/index.js';
import type { Quote } from '../../src/pricing/quote.js';
import { anonymizeCustomer, anonymizeFinishedOrders, createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore, type OrderStore } from '../../src/storage/index.js';
import { createCloudDatabaseStandIn } from '../../src/testing/index.js';
import { describeRealPg } from '../support/pg.js';
import { freshPGlite } from '../support/pglite.js';
import { memoryInventoryRaw } from '../support/raw.js';

/**
 * PIPL (docs/privacy.md): one customer's personal data anonymised everywhere a store keeps it, and
 * the retention rule, on every order store, with the inventory beside it (its holds and 限购 counters
 * name the customer too). After the rewrite every raw row of the store and the inventory is searched
 * for the customer id, the phone, the street and the name; the other customer's data stays.
 */

const SECRET = 'wx-openid-secret-1';
const PHONE = '13912345678';
const STREET = '人民路 88 号';
const NAME = '王小明';
const REMARK = '放门口，别打电话';
const OTHER_PHONE = '13700000000';
const DAY = 86_400_000;

const gateway: Actor = { type: 'payment', gateway: 'wechatpay' };
const merchant: Actor = { type: 'merchant', id: 'staff-1' };

function quote(unit: number): Quote {
  const line: Line = { id: 'a', sku: 'SKU-A', title: 'Tea 茶', fulfillment: 'physical', listPrice: unit, unitPrice: unit, quantity: 1, subtotal: unit, allocations: [], payable: unit };
  return { lines: [line], adjustments: [], itemsTotal: unit, discountTotal: 0, freight: 0, pointsUsed: 0, pointsDeduction: 0, total: unit, savings: 0, couponIds: [], rejectedCoupons: [] };
}

const address = (phone: string, detail: string, name: string) => ({ name, phone, province: '上海市', city: '上海市', district: '黄浦区', detail });

class Clock {
  constructor(public t: number) {}
  now(): Date {
    return new Date(this.t);
  }
}

/** The SKU every order holds: with a 限购, so the inventory keeps a count per customer. */
const SKU_SETUP = { sku: 'SKU-A', available: 100, limit: { perCustomer: 10 } };

/** Two orders of the secret customer (one paid, its address changed; one cancelled) and one of another. */
async function play(store: OrderStore, clock: Clock, inventory?: InventoryPort) {
  if (inventory) await inventory.configure(SKU_SETUP);
  const service = createOrderService({ store, clock, ...(inventory ? { inventory } : {}) });
  const customer: Actor = { type: 'customer', id: SECRET };
  const send = async (id: string, command: Command, actor: Actor) => {
    const r = await service.dispatch(id, command, actor, { idempotencyKey: `k-${id}-${command.type}` });
    if (!r.ok) throw r.error;
  };
  const a = await service.place({ customerId: SECRET, quote: quote(1000), address: address('13800000000', '旧地址 1 号', NAME), buyerRemark: REMARK }, { idempotencyKey: 'place-a' });
  if (!a.ok) throw a.error;
  await send(a.order.id, { type: 'CHANGE_ADDRESS', address: address(PHONE, STREET, NAME) }, customer);
  await send(a.order.id, { type: 'PAYMENT_SUCCEEDED', amount: 1000, transactionId: 'tx-a' }, gateway);
  // A merchant's note that names the customer, and on PostgreSQL enough others that the notes are
  // rows of their own (past INLINE_ENTRIES, docs/storage.md).
  await send(a.order.id, { type: 'ADD_REMARK', text: `回访 ${SECRET}` }, merchant);
  for (let i = 0; store instanceof PostgresOrderStore && i < INLINE_ENTRIES; i++) {
    const r = await service.dispatch(a.order.id, { type: 'ADD_REMARK', text: `note ${i}` }, merchant);
    if (!r.ok) throw r.error;
  }
  const b = await service.place({ customerId: SECRET, quote: quote(500), address: address(PHONE, STREET, NAME) });
  if (!b.ok) throw b.error;
  await send(b.order.id, { type: 'CANCEL' }, customer);
  const c = await service.place({ customerId: 'u-other', quote: quote(700), address: address(OTHER_PHONE, '南京路 2 号', '李四') });
  if (!c.ok) throw c.error;
  return { service, a: a.order.id, b: b.order.id, c: c.order.id };
}

interface Rig {
  store: OrderStore;
  /** The inventory beside the store (the same database where it can be). */
  inventory: InventoryPort;
  /** Every row the store and the inventory keep, as one text. */
  raw(): Promise<string>;
  /** Brings derived rows up to date before anonymising (PostgreSQL: the analytics fold, so the customer chains hold the id). */
  settle?(): Promise<void>;
}

function scenarios(name: string, make: () => Promise<Rig>) {
  describe(`anonymising personal data: ${name}`, () => {
    it("one customer's data is gone from every row; the other's stays; the orders still load and move", async () => {
      const rig = await make();
      const clock = new Clock(Date.parse('2026-11-25T04:00:00.000Z'));
      const { service, a, b, c } = await play(rig.store, clock, rig.inventory);
      await rig.settle?.();
      const before = await rig.raw();
      for (const secret of [SECRET, PHONE, STREET, NAME, REMARK]) expect(before).toContain(secret);
      const r = await anonymizeCustomer(rig.store, SECRET, { random: () => 'r1', inventory: rig.inventory });
      if (!r.ok) throw r.error;
      expect([r.orders, r.pseudonym]).toEqual([2, 'anon-r1']);
      const after = await rig.raw();
      for (const secret of [SECRET, PHONE, STREET, NAME, REMARK, '13800000000', '旧地址 1 号']) expect(after, secret).not.toContain(secret);
      expect(r.holds).toBe(2);
      expect(await rig.inventory.heldBy(a)).toEqual([{ sku: 'SKU-A', quantity: 1 }]);
      expect(await rig.inventory.heldBy(b)).toEqual([]);
      expect(after).toContain(OTHER_PHONE);
      expect(after).toContain('u-other');
      const listed = await rig.store.list({ customerId: 'anon-r1' });
      expect(listed.items.map((o) => o.id).sort()).toEqual([a, b].sort());
      expect((await rig.store.list({ customerId: SECRET })).items).toEqual([]);
      const order = (await rig.store.load(a))!;
      expect(order.address).toMatchObject({ name: '*', phone: '***', detail: '***', province: '上海市' });
      expect(order.buyerRemark).toBeUndefined();
      expect(order.pricing.total).toBe(1000);
      expect((await rig.store.history(a)).length).toBeGreaterThan(2);
      // The order keeps working: the shop can still ship it.
      const shipped = await service.dispatch(a, { type: 'SHIP', trackingNo: 'SF1', expressCompany: 'SF' }, merchant);
      expect(shipped.ok).toBe(true);
      expect((await rig.store.load(c))!.address?.phone).toBe(OTHER_PHONE);
      // Again: nothing left under that id.
      const again = await anonymizeCustomer(rig.store, SECRET, { inventory: rig.inventory });
      expect(again.ok && again.orders).toBe(0);
      // The shop refunds the shipped order's return later: the pseudonym's count goes down, the
      // customer (placing again under their OPENID) counts from zero: 10 fit.
      await rig.inventory.release({ orderId: a, key: 'return', items: [{ sku: 'SKU-A', quantity: 1 }] });
      const next = await rig.inventory.reserve({ orderId: 'after', customerId: SECRET, items: [{ sku: 'SKU-A', quantity: 10 }] });
      expect(next.held).toEqual([{ sku: 'SKU-A', quantity: 10 }]);
    });

    it('a call cut short between the inventory and the store is finished by running it again (docs/privacy.md "Order of the two rewrites")', async () => {
      const rig = await make();
      const clock = new Clock(Date.parse('2026-11-25T04:00:00.000Z'));
      const { a, b } = await play(rig.store, clock, rig.inventory);
      await rig.settle?.();
      const store = rig.store as OrderStore & { redactPersonalData: NonNullable<OrderStore['redactPersonalData']> };
      Object.defineProperty(store, 'redactPersonalData', { configurable: true, value: async () => Promise.reject(new Error('crashed before the store')) });
      await expect(anonymizeCustomer(store, SECRET, { random: () => 'r1', inventory: rig.inventory })).rejects.toThrow('crashed before the store');
      delete (store as { redactPersonalData?: unknown }).redactPersonalData;
      // The orders still list under the old id: the run again finds them.
      expect((await rig.store.list({ customerId: SECRET })).items).toHaveLength(2);
      const r = await anonymizeCustomer(rig.store, SECRET, { random: () => 'r2', inventory: rig.inventory });
      if (!r.ok) throw r.error;
      // The holds moved in the first run (to anon-r1): nothing left to move, the store finishes.
      expect([r.orders, r.holds, r.pseudonym]).toEqual([2, 0, 'anon-r2']);
      const after = await rig.raw();
      for (const secret of [SECRET, PHONE, STREET, NAME, REMARK]) expect(after, secret).not.toContain(secret);
      expect(await rig.inventory.heldBy(a)).toEqual([{ sku: 'SKU-A', quantity: 1 }]);
      expect(await rig.inventory.heldBy(b)).toEqual([]);
    });

    it('retention: only orders finished more than N days ago are anonymised, each under its own pseudonym', async () => {
      const rig = await make();
      const clock = new Clock(Date.parse('2026-10-01T04:00:00.000Z'));
      const { a, b, c } = await play(rig.store, clock, rig.inventory);
      // b closed (cancelled) on day 0; a paid (open); c unpaid (open).
      const early = await anonymizeFinishedOrders(rig.store, { days: 30, now: new Date(clock.t + 29 * DAY), inventory: rig.inventory });
      expect(early.ok && early.orders).toBe(0);
      let n = 0;
      const late = await anonymizeFinishedOrders(rig.store, { days: 30, now: new Date(clock.t + 31 * DAY), random: () => `p${++n}`, inventory: rig.inventory });
      expect(late.ok && [late.orders, late.holds]).toEqual([1, 1]);
      // a is still open: its hold names the customer; b's names its pseudonym.
      const raw = await rig.raw();
      expect(raw).toContain(SECRET);
      expect(raw).toContain('anon-p1');
      expect((await rig.store.load(b))!.customerId).toBe('anon-p1');
      expect((await rig.store.load(a))!.customerId).toBe(SECRET);
      expect((await rig.store.load(c))!.address?.phone).toBe(OTHER_PHONE);
      const repeat = await anonymizeFinishedOrders(rig.store, { days: 30, now: new Date(clock.t + 31 * DAY) });
      expect(repeat.ok && repeat.orders).toBe(0);
    });
  });
}

scenarios('MemoryOrderStore + MemoryInventory', async () => {
  const store = new MemoryOrderStore();
  const inventory = new MemoryInventory();
  return {
    store,
    inventory,
    raw: async () =>
      JSON.stringify([...store.data.orders.values(), ...store.data.events.values(), ...store.data.outbox.values(), ...store.data.idempotency.entries(), store.data.changes]) + memoryInventoryRaw(inventory),
  };
});

async function pgRaw(db: PostgresDatabase & { query(text: string): Promise<{ rows: unknown[] }> }, schema: string): Promise<string> {
  // Every table of the schema, those added later included (the analytics rollups and customer chains).
  const { rows: tables } = (await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}' AND table_type = 'BASE TABLE' ORDER BY 1`)) as { rows: Array<{ table_name: string }> };
  const parts: unknown[] = [];
  for (const { table_name } of tables) parts.push(table_name, (await db.query(`SELECT * FROM "${schema}"."${table_name}"`)).rows);
  return JSON.stringify(parts);
}

describe('PostgresOrderStore on PGlite', () => {
  let db: PGlite;
  let n = 0;
  beforeAll(async () => {
    db = await freshPGlite();
  }, 60_000);
  afterAll(() => db.close());
  scenarios('PostgresOrderStore + PostgresInventory (PGlite, with the analytics facts)', async () => {
    const schema = `priv${++n}`;
    await migrate(db, { schema });
    await migrateAnalytics(db, { schema });
    await migrateInventory(db, { schema });
    return {
      store: new PostgresOrderStore({ db, schema }),
      inventory: new PostgresInventory({ db, schema }),
      raw: () => pgRaw(db as never, schema),
      settle: () => compactAnalytics(db, { schema }).then(() => undefined),
    };
  });
});

await describeRealPg('PostgresOrderStore on the real server (privacy)', (real) => {
  let n = 0;
  scenarios('PostgresOrderStore + PostgresInventory (PostgreSQL, with the analytics facts)', async () => {
    const pool = real.pool(4);
    const schema = `${real.schema}_p${++n}`;
    await migrate(pool, { schema });
    await migrateAnalytics(pool, { schema });
    await migrateInventory(pool, { schema });
    return {
      store: new PostgresOrderStore({ db: pool, schema }),
      inventory: new PostgresInventory({ db: pool, schema }),
      raw: () => pgRaw(pool as never, schema),
      settle: () => compactAnalytics(pool, { schema }).then(() => undefined),
    };
  });
});

scenarios('WxCloudOrderStore + WxCloudInventory (stand-in)', async () => {
  const db = createCloudDatabaseStandIn();
  const store = new WxCloudOrderStore(db);
  await store.ensureCollections();
  const inventory = new WxCloudInventory(db);
  await inventory.ensureCollections();
  return { store, inventory, raw: async () => JSON.stringify([...Object.values(store.names), ...Object.values(inventory.names)].map((c) => db.dump(c))) };
});

describe('anonymising personal data: bad input', () => {
  it('an empty or too long customer id, a retention of 0 or 1.5 days: INVALID_INPUT in both languages; a store without the capability: UNSUPPORTED', async () => {
    const store = new MemoryOrderStore();
    for (const id of ['', 'x'.repeat(129)]) {
      const r = await anonymizeCustomer(store, id);
      expect(!r.ok && [r.error.code, r.error.path]).toEqual(['INVALID_INPUT', ['customerId']]);
      expect(!r.ok && r.error.messages['zh-CN'].length).toBeGreaterThan(0);
    }
    for (const days of [0, 1.5, -3]) {
      const r = await anonymizeFinishedOrders(store, { days, now: new Date() });
      expect(!r.ok && [r.error.code, r.error.path]).toEqual(['INVALID_INPUT', ['days']]);
    }
    const bare: OrderStore = Object.assign(Object.create(null) as OrderStore, { list: store.list.bind(store) });
    const r = await anonymizeCustomer(bare, SECRET);
    expect(!r.ok && r.error.code).toBe('UNSUPPORTED');
  });

  it('an inventory without the capability: UNSUPPORTED (path inventory) in both languages, and nothing is rewritten, neither store nor inventory', async () => {
    const store = new MemoryOrderStore();
    const inventory = new MemoryInventory();
    await play(store, new Clock(Date.parse('2026-10-01T04:00:00.000Z')), inventory);
    const bare: InventoryPort = Object.assign(Object.create(null) as InventoryPort, { heldBy: inventory.heldBy.bind(inventory) });
    for (const run of [() => anonymizeCustomer(store, SECRET, { inventory: bare }), () => anonymizeFinishedOrders(store, { days: 1, now: new Date('2027-01-01'), inventory: bare })]) {
      const r = await run();
      expect(!r.ok && [r.error.code, r.error.path]).toEqual(['UNSUPPORTED', ['inventory']]);
      expect(!r.ok && r.error.messages['zh-CN']).toContain('库存');
    }
    expect((await store.list({ customerId: SECRET })).items).toHaveLength(2);
    expect(memoryInventoryRaw(inventory)).toContain(SECRET);
    // A store without it is refused first: the inventory is not touched either.
    const noStore: OrderStore = Object.assign(Object.create(null) as OrderStore, { list: store.list.bind(store) });
    const r = await anonymizeCustomer(noStore, SECRET, { inventory });
    expect(!r.ok && [r.error.code, r.error.path]).toEqual(['UNSUPPORTED', ['store']]);
    expect(memoryInventoryRaw(inventory)).toContain(SECRET);
  });
});

describe('retention in the sweep', () => {
  it("createOrderService({ retention }) anonymises finished orders at sweep time and says how many; without the store's capability the sweep refuses", async () => {
    const store = new MemoryOrderStore();
    const clock = new Clock(Date.parse('2026-10-01T04:00:00.000Z'));
    const { b } = await play(store, clock);
    const service = createOrderService({ store, clock, retention: { days: 30 } });
    const first = await service.sweep(new Date(clock.t + 10 * DAY));
    expect(first.anonymized).toBe(0);
    const later = await service.sweep(new Date(clock.t + 31 * DAY));
    expect(later.anonymized).toBe(1);
    expect((await store.load(b))!.customerId.startsWith('anon-')).toBe(true);
    const bare = new MemoryOrderStore();
    Object.defineProperty(bare, 'redactPersonalData', { value: undefined });
    const refused = createOrderService({ store: bare, clock, retention: { days: 30 } });
    await expect(refused.sweep()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it("the sweep passes the service's inventory: the finished order's hold names its pseudonym; an inventory without the capability is refused", async () => {
    const store = new MemoryOrderStore();
    const inventory = new MemoryInventory();
    const clock = new Clock(Date.parse('2026-10-01T04:00:00.000Z'));
    const { b } = await play(store, clock, inventory);
    const service = createOrderService({ store, clock, inventory, retention: { days: 30 } });
    const later = await service.sweep(new Date(clock.t + 31 * DAY));
    expect(later.anonymized).toBe(1);
    const pseudonym = (await store.load(b))!.customerId;
    const holds = JSON.parse(memoryInventoryRaw(inventory)) as { holds: Array<[string, string, unknown]> };
    expect(holds.holds.find(([id]) => id === b)?.[1]).toBe(pseudonym);
    const bare = Object.assign(Object.create(null) as InventoryPort, { reconcile: undefined });
    const refused = createOrderService({ store: new MemoryOrderStore(), clock, inventory: bare, retention: { days: 30 } });
    await expect(refused.sweep()).rejects.toMatchObject({ code: 'UNSUPPORTED', path: ['inventory'] });
  });
});
