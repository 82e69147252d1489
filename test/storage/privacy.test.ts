import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactAnalytics, migrate, migrateAnalytics, PostgresOrderStore, type PostgresDatabase } from '../../src/adapters/postgres/index.js';
import { WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import type { Actor, Command, Line } from '../../src/order/index.js';
import type { Quote } from '../../src/pricing/quote.js';
import { anonymizeCustomer, anonymizeFinishedOrders, createOrderService } from '../../src/service/index.js';
import { MemoryOrderStore, type OrderStore } from '../../src/storage/index.js';
import { createCloudDatabaseStandIn } from '../../src/testing/index.js';
import { describeRealPg } from '../support/pg.js';
import { freshPGlite } from '../support/pglite.js';

/**
 * PIPL (docs/privacy.md): one customer's personal data anonymised everywhere a store keeps it, and
 * the retention rule, on every order store. After the rewrite every raw row of the store is
 * searched for the customer id, the phone, the street and the name; the other customer's data stays.
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

/** Two orders of the secret customer (one paid, its address changed; one cancelled) and one of another. */
async function play(store: OrderStore, clock: Clock) {
  const service = createOrderService({ store, clock });
  const customer: Actor = { type: 'customer', id: SECRET };
  const send = async (id: string, command: Command, actor: Actor) => {
    const r = await service.dispatch(id, command, actor, { idempotencyKey: `k-${id}-${command.type}` });
    if (!r.ok) throw r.error;
  };
  const a = await service.place({ customerId: SECRET, quote: quote(1000), address: address('13800000000', '旧地址 1 号', NAME), buyerRemark: REMARK }, { idempotencyKey: 'place-a' });
  if (!a.ok) throw a.error;
  await send(a.order.id, { type: 'CHANGE_ADDRESS', address: address(PHONE, STREET, NAME) }, customer);
  await send(a.order.id, { type: 'PAYMENT_SUCCEEDED', amount: 1000, transactionId: 'tx-a' }, gateway);
  const b = await service.place({ customerId: SECRET, quote: quote(500), address: address(PHONE, STREET, NAME) });
  if (!b.ok) throw b.error;
  await send(b.order.id, { type: 'CANCEL' }, customer);
  const c = await service.place({ customerId: 'u-other', quote: quote(700), address: address(OTHER_PHONE, '南京路 2 号', '李四') });
  if (!c.ok) throw c.error;
  return { service, a: a.order.id, b: b.order.id, c: c.order.id };
}

interface Rig {
  store: OrderStore;
  /** Every row the store keeps, as one text. */
  raw(): Promise<string>;
  /** Brings derived rows up to date before anonymising (PostgreSQL: the analytics fold, so the customer chains hold the id). */
  settle?(): Promise<void>;
}

function scenarios(name: string, make: () => Promise<Rig>) {
  describe(`anonymising personal data: ${name}`, () => {
    it("one customer's data is gone from every row; the other's stays; the orders still load and move", async () => {
      const rig = await make();
      const clock = new Clock(Date.parse('2026-11-25T04:00:00.000Z'));
      const { service, a, b, c } = await play(rig.store, clock);
      await rig.settle?.();
      const before = await rig.raw();
      for (const secret of [SECRET, PHONE, STREET, NAME, REMARK]) expect(before).toContain(secret);
      const r = await anonymizeCustomer(rig.store, SECRET, { random: () => 'r1' });
      if (!r.ok) throw r.error;
      expect([r.orders, r.pseudonym]).toEqual([2, 'anon-r1']);
      const after = await rig.raw();
      for (const secret of [SECRET, PHONE, STREET, NAME, REMARK, '13800000000', '旧地址 1 号']) expect(after, secret).not.toContain(secret);
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
      const again = await anonymizeCustomer(rig.store, SECRET);
      expect(again.ok && again.orders).toBe(0);
    });

    it('retention: only orders finished more than N days ago are anonymised, each under its own pseudonym', async () => {
      const rig = await make();
      const clock = new Clock(Date.parse('2026-10-01T04:00:00.000Z'));
      const { a, b, c } = await play(rig.store, clock);
      // b closed (cancelled) on day 0; a paid (open); c unpaid (open).
      const early = await anonymizeFinishedOrders(rig.store, { days: 30, now: new Date(clock.t + 29 * DAY) });
      expect(early.ok && early.orders).toBe(0);
      let n = 0;
      const late = await anonymizeFinishedOrders(rig.store, { days: 30, now: new Date(clock.t + 31 * DAY), random: () => `p${++n}` });
      expect(late.ok && late.orders).toBe(1);
      expect((await rig.store.load(b))!.customerId).toBe('anon-p1');
      expect((await rig.store.load(a))!.customerId).toBe(SECRET);
      expect((await rig.store.load(c))!.address?.phone).toBe(OTHER_PHONE);
      const repeat = await anonymizeFinishedOrders(rig.store, { days: 30, now: new Date(clock.t + 31 * DAY) });
      expect(repeat.ok && repeat.orders).toBe(0);
    });
  });
}

scenarios('MemoryOrderStore', async () => {
  const store = new MemoryOrderStore();
  return {
    store,
    raw: async () => JSON.stringify([...store.data.orders.values(), ...store.data.events.values(), ...store.data.outbox.values(), ...store.data.idempotency.entries(), store.data.changes]),
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
  scenarios('PostgresOrderStore (PGlite, with the analytics facts)', async () => {
    const schema = `priv${++n}`;
    await migrate(db, { schema });
    await migrateAnalytics(db, { schema });
    return { store: new PostgresOrderStore({ db, schema }), raw: () => pgRaw(db as never, schema), settle: () => compactAnalytics(db, { schema }).then(() => undefined) };
  });
});

await describeRealPg('PostgresOrderStore on the real server (privacy)', (real) => {
  let n = 0;
  scenarios('PostgresOrderStore (PostgreSQL, with the analytics facts)', async () => {
    const pool = real.pool(4);
    const schema = `${real.schema}_p${++n}`;
    await migrate(pool, { schema });
    await migrateAnalytics(pool, { schema });
    return { store: new PostgresOrderStore({ db: pool, schema }), raw: () => pgRaw(pool as never, schema), settle: () => compactAnalytics(pool, { schema }).then(() => undefined) };
  });
});

scenarios('WxCloudOrderStore (stand-in)', async () => {
  const db = createCloudDatabaseStandIn();
  const store = new WxCloudOrderStore(db);
  await store.ensureCollections();
  return { store, raw: async () => JSON.stringify(Object.values(store.names).map((c) => db.dump(c))) };
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
});
