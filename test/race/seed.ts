import { placeOrder } from '../../src/lifecycle/index.js';
import type { Effect, Order, OrderEvent } from '../../src/order/index.js';
import { storedOrderDocument } from '../../src/storage/schema-version.js';
import { line, quote } from '../service/fixtures.js';

interface Queryable {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Writes `count` unpaid orders placed at `placedAt` (so they are due at placedAt + 30 min) with
 * their placement events, straight into the tables in multi-row statements (each document with its
 * schema version and checksum, as the store itself writes it): seeding 100,000 orders through the service would measure the
 * seeding, not the sweep.
 */
export async function seedUnpaidOrders(db: Queryable, schema: string, count: number, placedAt: Date, prefix = 's'): Promise<void> {
  const placed = placeOrder({ id: 'tpl', number: 'TPL', customerId: 'u1', quote: quote([line('a', 2, 1000), line('b', 1, 500)]) }, { now: placedAt });
  if (!placed.ok) throw placed.error;
  const template = placed.order;
  const event = placed.events[0]!;
  const chunk = 2500;
  for (let start = 0; start < count; start += chunk) {
    const rows: Array<{ id: string; number: string; customer_id: string; created_at: string; due_at: string; doc: Order & { schemaVersion: number }; event: OrderEvent }> = [];
    for (let i = start; i < Math.min(count, start + chunk); i++) {
      const id = `${prefix}${i}`;
      const number = `${prefix.toUpperCase()}${String(i).padStart(9, '0')}`;
      const doc: Order = {
        ...template,
        id,
        number,
        customerId: `u${i % 500}`,
        payment: { ...template.payment, attempts: template.payment.attempts.map((a) => ({ ...a, outTradeNo: number })) },
      };
      rows.push({ id, number, customer_id: doc.customerId, created_at: doc.createdAt, due_at: doc.deadlines.payBy!, doc: storedOrderDocument(doc), event: { ...event, orderId: id } });
    }
    await db.query(
      `WITH x AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id text, number text, customer_id text, created_at timestamptz, due_at timestamptz, doc jsonb, event jsonb)
       ), o AS (
         INSERT INTO "${schema}".orders (id, number, customer_id, status, version, created_at, updated_at, due_at, doc, doc_md5)
         SELECT id, number, customer_id, 'pending_payment', 1, created_at, created_at, due_at, doc, md5(doc::text) FROM x
       )
       INSERT INTO "${schema}".order_events (order_id, version, seq, at, type, doc)
       SELECT id, 1, 0, created_at, event->>'type', event FROM x`,
      [JSON.stringify(rows)],
    );
  }
}

/** Writes `count` notify effects into the outbox, available from `availableAt`. */
export async function seedEffects(db: Queryable, schema: string, count: number, availableAt: Date): Promise<string[]> {
  const effects: Effect[] = [];
  for (let i = 0; i < count; i++) {
    effects.push({ id: `e${i}:2:0`, orderId: `e${i}`, type: 'notify', to: 'customer', template: 'order_paid', data: { i } });
  }
  await db.query(
    `INSERT INTO "${schema}".outbox (id, order_id, type, doc, available_at)
     SELECT e->>'id', e->>'orderId', e->>'type', e, $2 FROM jsonb_array_elements($1::jsonb) AS e`,
    [JSON.stringify(effects), availableAt.toISOString()],
  );
  return effects.map((e) => e.id);
}

/** Writes ready-made orders (any status) with one event each, in multi-row statements, as the store writes them. */
export async function seedOrders(db: Queryable, schema: string, orders: Order[]): Promise<void> {
  const chunk = 2000;
  for (let start = 0; start < orders.length; start += chunk) {
    const rows = orders.slice(start, start + chunk).map((doc) => ({
      id: doc.id,
      number: doc.number,
      customer_id: doc.customerId,
      status: doc.status,
      version: doc.version,
      created_at: doc.createdAt,
      updated_at: doc.updatedAt,
      doc: storedOrderDocument(doc),
    }));
    await db.query(
      `WITH x AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id text, number text, customer_id text, status text, version int, created_at timestamptz, updated_at timestamptz, doc jsonb)
       ), o AS (
         INSERT INTO "${schema}".orders (id, number, customer_id, status, version, created_at, updated_at, due_at, doc, doc_md5)
         SELECT id, number, customer_id, status, version, created_at, updated_at, NULL, doc, md5(doc::text) FROM x
       )
       INSERT INTO "${schema}".order_events (order_id, version, seq, at, type, doc)
       SELECT id, version, 0, updated_at, 'SEEDED', jsonb_build_object('orderId', id, 'version', version, 'type', 'SEEDED', 'actor', jsonb_build_object('type', 'system'), 'from', NULL, 'to', status, 'at', updated_at)
       FROM x`,
      [JSON.stringify(rows)],
    );
  }
}
