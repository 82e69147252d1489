import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { PostgresOrderStore } from '../../src/adapters/postgres/index.js';
import { WxCloudOrderStore } from '../../src/adapters/wx-cloud/index.js';
import { numberClaimId } from '../../src/adapters/wx-cloud/documents.js';
import { createCloudDatabaseStandIn, type CloudDatabaseStandIn } from '../../src/testing/index.js';
import type { Actor, Order } from '../../src/order/index.js';
import { MemoryOrderStore, createMemoryOrderData, type MemoryOrderData } from '../../src/storage/index.js';
import { upgradeStoredOrder } from '../../src/storage/schema-version.js';
import type { StoredFixture } from '../../scripts/gen-order-fixtures.js';
import { truncateAll } from './pg-helpers.js';

/**
 * The stored-order fixtures (test/fixtures/orders/v<N>/, docs/storage.md "Stored order versions")
 * put back into each store exactly as that version left them, for tests of every read path.
 */

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'orders');

export interface LoadedFixture {
  /** The version directory, e.g. 'v1'. */
  dir: string;
  file: string;
  fixture: StoredFixture;
}

export function loadFixtures(): LoadedFixture[] {
  const dirs = readdirSync(FIXTURES)
    .filter((d) => /^v\d+$/.test(d))
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  const out: LoadedFixture[] = [];
  for (const dir of dirs) {
    for (const file of readdirSync(join(FIXTURES, dir)).filter((f) => f.endsWith('.json')).sort()) {
      out.push({ dir, file, fixture: JSON.parse(readFileSync(join(FIXTURES, dir, file), 'utf8')) as StoredFixture });
    }
  }
  return out;
}

/** The fixture's order as this code reads it: its memory document upgraded (the reference). */
export function upgradedOrder(f: StoredFixture): Order {
  return upgradeStoredOrder(f.postgres.order.id, JSON.parse(f.memory.doc), { owned: true }).doc as Order;
}

/**
 * The same fixture under another order id, number and customer (every fixture is order `fx`,
 * number NFX000001, of customer u1), so that fixtures of several versions can be stored side by side. The stored texts
 * are rewritten where they name the id or the number; the checksum no longer matches and is
 * dropped (a row without one is read and checked in full).
 */
export function renamed(f: StoredFixture, id: string, number: string, customerId = f.postgres.order.customer_id): StoredFixture {
  const text = (s: string) =>
    s.replaceAll('"fx"', JSON.stringify(id)).replaceAll(f.postgres.order.number, number).replaceAll(JSON.stringify(f.postgres.order.customer_id), JSON.stringify(customerId));
  const out = JSON.parse(text(JSON.stringify(f))) as StoredFixture;
  out.memory = { doc: text(f.memory.doc), events: f.memory.events.map(text) };
  out.postgres.order = { ...out.postgres.order, doc: text(f.postgres.order.doc), doc_md5: null };
  out.postgres.events = f.postgres.events.map((e) => ({ ...e, order_id: id, doc: text(e.doc) }));
  return out;
}

interface Queryable {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

/** Adds a fixture's PostgreSQL rows as they were stored (`keepChecksum: false` drops doc_md5). */
export async function insertPostgresRows(db: Queryable, schema: string, f: StoredFixture, keepChecksum = true): Promise<void> {
  const o = f.postgres.order;
  await db.query(
    `INSERT INTO "${schema}".orders (id, number, customer_id, status, version, created_at, updated_at, due_at, doc, doc_md5) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)`,
    [o.id, o.number, o.customer_id, o.status, o.version, o.created_at, o.updated_at, o.due_at, o.doc, keepChecksum ? o.doc_md5 : null],
  );
  for (const e of f.postgres.events) {
    await db.query(`INSERT INTO "${schema}".order_events (order_id, version, seq, at, type, doc) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`, [e.order_id, e.version, e.seq, e.at, e.type, e.doc]);
  }
}

/** A PostgresOrderStore holding only this fixture. */
export async function postgresWith(db: Queryable & ConstructorParameters<typeof PostgresOrderStore>[0]['db'], schema: string, f: StoredFixture): Promise<PostgresOrderStore> {
  await truncateAll(db, schema);
  await insertPostgresRows(db, schema, f);
  return new PostgresOrderStore({ db, schema });
}

/** Memory rows holding this fixture, with its stored text as `doc` (or another text of the same order). */
export function memoryDataWith(f: StoredFixture, doc: string = f.memory.doc): MemoryOrderData {
  const data = createMemoryOrderData();
  const o = f.postgres.order;
  data.orders.set(o.id, {
    doc,
    version: o.version,
    number: o.number,
    customerId: o.customer_id,
    status: o.status as Order['status'],
    createdAt: Date.parse(o.created_at),
    dueAt: o.due_at === null ? null : Date.parse(o.due_at),
    dueLeaseUntil: 0,
  });
  data.numbers.set(o.number, o.id);
  data.events.set(o.id, f.memory.events.slice());
  return data;
}

export function memoryWith(f: StoredFixture, doc?: string): MemoryOrderStore {
  return new MemoryOrderStore({ data: memoryDataWith(f, doc) });
}

/**
 * The order record as the cloud database holds it. The fixture files are JSON, where the due lease
 * (a date in the database since version 2; a number in version 1) became an ISO string: it is a
 * date again here, or a sweep would never find the order.
 */
export function cloudOrderRecord(f: StoredFixture): Record<string, unknown> {
  const record = { ...f.wxCloud.order };
  if (typeof record['ok_due_lease'] === 'string') record['ok_due_lease'] = new Date(record['ok_due_lease']);
  return record;
}

/** A WxCloudOrderStore on a fresh stand-in holding this fixture: its record, events and number claim. */
export async function wxCloudWith(f: StoredFixture): Promise<{ store: WxCloudOrderStore; db: CloudDatabaseStandIn }> {
  const db = createCloudDatabaseStandIn();
  const store = new WxCloudOrderStore(db);
  await store.ensureCollections();
  await db.collection(store.names.orders).add({ data: cloudOrderRecord(f) });
  for (const e of f.wxCloud.events) await db.collection(store.names.events).add({ data: e });
  const o = f.postgres.order;
  await db.collection(store.names.keys).add({ data: { _id: numberClaimId(o.number), kind: 'number', number: o.number, orderId: o.id } });
  return { store, db };
}

export const CUSTOMER: Actor = { type: 'customer', id: 'u1' };
export const MERCHANT: Actor = { type: 'merchant', id: 'staff-1' };
export const PAYMENT: Actor = { type: 'payment', gateway: 'wechatpay' };
export const SYSTEM: Actor = { type: 'system', id: 'sweeper' };

export interface CommandStep {
  command: { type: string } & Record<string, unknown>;
  actor: Actor;
}

/**
 * Commands any actor might send to this order, drawn with the order's own line, after-sale and
 * refund ids (and a few that name nothing): most are refused in most states, which is part of
 * what is compared.
 */
export function commandStepArb(o: Order): fc.Arbitrary<CommandStep> {
  const afterSaleId = fc.constantFrom(...o.afterSales.map((a) => a.id), `${o.number}-AS9`);
  const refundId = fc.constantFrom(...o.refunds.map((r) => r.id), `${o.number}R9`);
  const lineId = fc.constantFrom(...o.lines.map((l) => l.id));
  const items = fc.array(fc.record({ lineId, quantity: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 2 });
  const step = (command: fc.Arbitrary<CommandStep['command']>, ...actors: Actor[]) => fc.record({ command, actor: fc.constantFrom(...actors) });
  const k = <T extends string>(type: T) => fc.constant(type);
  return fc.oneof(
    step(fc.record({ type: k('PAYMENT_SUCCEEDED'), amount: fc.constantFrom(o.pricing.total, 1), transactionId: fc.constantFrom('tx-1', 'tx-9'), outTradeNo: fc.constant(o.payment.outTradeNo ?? o.number) }), PAYMENT),
    step(fc.record({ type: k('CANCEL') }), CUSTOMER, MERCHANT),
    step(fc.record({ type: k('SHIP'), items, trackingNo: fc.constant('SF9'), expressCompany: fc.constant('SF') }, { requiredKeys: ['type', 'trackingNo'] }), MERCHANT),
    step(fc.record({ type: k('DELIVER') }), MERCHANT, SYSTEM),
    step(fc.record({ type: k('CONFIRM_RECEIPT') }), CUSTOMER),
    step(
      fc.record({ type: k('REQUEST_AFTER_SALE'), kind: fc.constantFrom('refund_only', 'return_and_refund'), items, reason: fc.constant('坏了'), includeShipping: fc.boolean() }, { requiredKeys: ['type', 'kind', 'reason'] }),
      CUSTOMER,
    ),
    step(fc.record({ type: k('APPROVE_AFTER_SALE'), afterSaleId }), MERCHANT),
    step(fc.record({ type: k('REJECT_AFTER_SALE'), afterSaleId, reason: fc.constant('no') }), MERCHANT),
    step(fc.record({ type: k('CANCEL_AFTER_SALE'), afterSaleId }), CUSTOMER),
    step(fc.record({ type: k('RETURN_SHIPPED'), afterSaleId, trackingNo: fc.constant('YT1'), expressCompany: fc.constant('YTO') }), CUSTOMER),
    step(fc.record({ type: k('RETURN_RECEIVED'), afterSaleId }), MERCHANT),
    step(fc.record({ type: k('REFUND_SUCCEEDED'), refundId }), PAYMENT),
    step(fc.record({ type: k('REFUND_FAILED'), refundId, reason: fc.constant('closed'), gatewayStatus: fc.constantFrom('CLOSED', 'ABNORMAL') }, { requiredKeys: ['type', 'refundId', 'reason'] }), PAYMENT),
    step(fc.record({ type: k('RETRY_REFUND'), refundId }), MERCHANT),
    step(fc.record({ type: k('ADJUST_PRICE'), newTotal: fc.integer({ min: 1, max: 5000 }), reason: fc.constant('议价') }), MERCHANT),
    step(fc.record({ type: k('ADD_REMARK'), text: fc.constant('备注') }), CUSTOMER, MERCHANT),
    step(fc.record({ type: k('RECORD_STRAY_PAYMENT'), amount: fc.constant(500), transactionId: fc.constant('tx-s'), outTradeNo: fc.constant(`${o.number}X`) }), PAYMENT),
    step(fc.record({ type: k('RECORD_GATEWAY_REFUND'), refundId: fc.constant('gw-x'), amount: fc.integer({ min: 1, max: 500 }), transactionId: fc.constant('tx-1') }), PAYMENT),
    step(fc.record({ type: k('REQUEST_FREIGHT_REFUND'), reason: fc.constant('运费') }), CUSTOMER),
    step(
      fc.record({
        type: k('REQUEST_EXCHANGE'),
        items: fc.array(fc.record({ lineId, quantity: fc.integer({ min: 1, max: 2 }), sku: fc.constantFrom('SKU-a', 'SKU-z') }, { requiredKeys: ['lineId', 'quantity'] }), { minLength: 1, maxLength: 2 }),
        reason: fc.constant('换尺码'),
      }),
      CUSTOMER,
    ),
    step(fc.record({ type: k('PROPOSE_REFUND'), afterSaleId, amount: fc.integer({ min: 1, max: 3000 }) }), MERCHANT),
    step(fc.record({ type: k('ACCEPT_REFUND_PROPOSAL'), afterSaleId }), CUSTOMER),
    step(fc.record({ type: k('DECLINE_REFUND_PROPOSAL'), afterSaleId }), CUSTOMER),
    step(fc.record({ type: k('SET_RETURN_SHIPPING_FEE'), afterSaleId, fee: fc.integer({ min: 1, max: 1000 }), treatment: fc.constantFrom('refund', 'deduct') }), MERCHANT),
    step(fc.record({ type: k('SHIP_EXCHANGE'), afterSaleId, trackingNo: fc.constant('SF3'), expressCompany: fc.constant('SF') }), MERCHANT),
    step(fc.record({ type: k('DISPATCH_RIDER'), rider: fc.constant({ name: '李四', phone: '13900000000' }) }), MERCHANT),
    step(fc.record({ type: k('VERIFY_PICKUP_CODE'), code: fc.constantFrom('482913', '000000') }), MERCHANT),
  );
}
