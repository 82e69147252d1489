import { createHash } from 'node:crypto';
import type { Effect, Order, OrderEvent } from '../../order/index.js';
import { nextDueAt } from '../../lifecycle/due.js';
import { ORDER_SCHEMA_VERSION, SCHEMA_VERSION_FIELD, storedOrderText } from '../../storage/schema-version.js';
import type { IdempotencyRequest } from '../../storage/port.js';
import type { CloudCommand } from './database.js';

/**
 * How orders live in the cloud database. An order record IS the order (its fields at the top
 * level, `_id` = order id), so the mini program can read and `watch()` it directly and a security
 * rule such as `doc.customerId == auth.openid` can guard it. Next to the order fields sit the
 * store's own fields, all prefixed `ok_`:
 *
 * - `ok_created`, `ok_due`: numbers (epoch ms) that `list` and `findDue` query.
 * - `ok_due_lease`: until when a sweeper holds the order, a date on the SERVER's clock
 *   (`db.serverDate()`); `new Date(0)` when free (a number in records written before 0.2).
 * - `ok_journal`: the commit that is not yet copied into the events and outbox collections (see
 *   `journal.ts`), with `ok_journal_at`; absent once it is published.
 * - `ok_create_key`: the idempotency key that created the order, if any; `ok_token`: the token of
 *   the commit that wrote the record last, so an answer lost after the write is recognised.
 * - `ok_pos`: the change-feed position of the last commit.
 */
export interface CollectionNames {
  orders: string;
  events: string;
  outbox: string;
  /** Idempotency records, order-number claims and the change-feed counter (unique by `_id`). */
  keys: string;
  /** One record per committed change, `_id` = its position (the change feed, `changesSince`). */
  changes: string;
}

export const DEFAULT_COLLECTIONS: CollectionNames = {
  orders: 'orders',
  events: 'order_events',
  outbox: 'order_outbox',
  keys: 'order_keys',
  changes: 'order_changes',
};

/** The counter record of the change feed, in the keys collection, incremented inside every commit transaction. */
export const FEED_COUNTER_ID = 'feed:seq';

/** A free lease: the epoch, as a date (leases are compared with `db.serverDate()`, a date). */
export const FREE = (): Date => new Date(0);

/** A position as the feed hands it out: fixed width, so string order is delivery order. */
export function positionOf(seq: number): string {
  return String(seq).padStart(15, '0');
}

export interface ChangeDoc {
  _id: string;
  seq: number;
  orderId: string;
  version: number;
  status: string;
  at: string;
  /** The token of the commit that made the change: lets a retry recognise its own write. */
  token: string;
}

/** A commit written into the order record itself, atomically with the compare-and-set. */
export interface Journal {
  version: number;
  events: OrderEvent[];
  effects: Effect[];
  /** When its effects become claimable (the order's `updatedAt`, epoch ms). */
  available: number;
  /** The idempotency key of the commit and the token of its reservation. */
  key?: string;
  token?: string;
  /** The token of this commit (every commit has one). */
  commit?: string;
}

export type OrderDoc = Order & {
  _id: string;
  ok_created: number;
  ok_due: number | null;
  ok_due_lease: Date | number;
  ok_journal?: Journal;
  ok_journal_at?: number;
  ok_create_key?: string;
  ok_token?: string;
  ok_pos?: number;
};

export interface IdempotencyDoc {
  _id: string;
  kind: 'idempotency';
  key: string;
  orderId: string;
  version: number;
  /** 0 for a create. */
  expectedVersion: number;
  order: Order;
  events: OrderEvent[];
  effects: Effect[];
  state: 'reserved' | 'done';
  token: string;
  /** The request the record answers (`IdempotencyRequest`); absent in records of older versions. */
  request?: IdempotencyRequest;
}

export interface NumberClaimDoc {
  _id: string;
  kind: 'number';
  number: string;
  orderId: string;
}

export interface EventDoc extends OrderEvent {
  _id: string;
  ok_index: number;
}

export interface OutboxDoc {
  _id: string;
  orderId: string;
  effect: Effect;
  available: number;
  /** Leased until, on the server's clock; `new Date(0)` when free (a number in older records). */
  lease: Date | number;
  attempts: number;
  done: boolean;
  done_at?: number;
  last_error?: string;
  /** Position within its order: version × 1000 + index, for a stable claim order. */
  ok_seq: number;
  /**
   * Written by every claim (one per `claim` call) and handed out as the entry's `leaseToken`:
   * `complete`, `fail` and `release` given a token act only while it is still this. Absent until
   * the record's first claim.
   */
  lease_token?: string;
}

/**
 * The order's fields, in `OrderSchema`'s order. Written out rather than read from the schema's
 * shape: reading it built the whole order schema on a cloud function's first commit, which nothing
 * else on that call needs (docs/benchmarks.md, "Cold start"). The type below fails to compile when
 * `Order` gains a field this list lacks; test/wx-cloud/store.test.ts compares it with the schema.
 */
export const ORDER_FIELDS = [
  'id', 'number', 'version', 'status', 'closeReason', 'customerId', 'currency', 'fulfillment', 'lines', 'address', 'buyerRemark',
  'merchantNotes', 'pricing', 'payment', 'shipments', 'afterSales', 'refunds', 'deadlines', 'createdAt', 'updatedAt', 'paidAt',
  'shippedAt', 'deliveredAt', 'completedAt', 'closedAt', 'points', 'metadata', 'channel', 'deletedByCustomerAt', 'delivery',
] as const satisfies ReadonlyArray<keyof Order>;
const everyOrderField: [Exclude<keyof Order, (typeof ORDER_FIELDS)[number]>] extends [never] ? true : never = true;
void everyOrderField;

/** Keys are hashed: any idempotency key the caller chooses becomes a safe, fixed-length `_id`. */
export function idempotencyDocId(key: string): string {
  return `idem:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

export function numberClaimId(orderNumber: string): string {
  return `num:${orderNumber}`;
}

export function eventDocId(event: OrderEvent, index: number): string {
  return `${event.orderId}:${event.version}:${index}`;
}

function toMs(iso: string | null | undefined): number | null {
  if (iso === null || iso === undefined) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** The fields `list` and `findDue` query, derived from the order. */
export function indexFields(order: Order): { ok_created: number; ok_due: number | null } {
  return { ok_created: toMs(order.createdAt) ?? 0, ok_due: toMs(nextDueAt(order)) };
}

export function journalOf(order: Order, events: OrderEvent[], effects: Effect[], key?: string, token?: string, commit?: string): Journal {
  const journal: Journal = { version: order.version, events, effects, available: toMs(order.updatedAt) ?? 0 };
  if (key !== undefined) journal.key = key;
  if (token !== undefined) journal.token = token;
  if (commit !== undefined) journal.commit = commit;
  return journal;
}

/** The record written for a new order. */
export function newOrderDoc(order: Order, journal: Journal, createKey: string | undefined, pos: number): OrderDoc {
  const doc = {
    ...JSON.parse(storedOrderText(order)),
    _id: order.id,
    ...indexFields(order),
    ok_due_lease: FREE(),
    ok_journal: journal,
    ok_journal_at: journal.available,
    ok_pos: pos,
  } as OrderDoc;
  if (journal.commit !== undefined) doc.ok_token = journal.commit;
  if (createKey !== undefined) doc.ok_create_key = createKey;
  return doc;
}

export function changeDoc(seq: number, order: Order, token: string): ChangeDoc {
  return { _id: positionOf(seq), seq, orderId: order.id, version: order.version, status: order.status, at: order.updatedAt, token };
}

/**
 * The `update({ data })` of a commit: every order field replaced with `_.set` (a plain object would
 * merge and keep stale nested fields), fields the new order lacks removed, the index fields
 * recomputed, the due lease released, and the journal written.
 */
export function commitUpdate(_: CloudCommand, order: Order, journal: Journal, pos: number): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  const plain = JSON.parse(JSON.stringify(order)) as Record<string, unknown>;
  for (const key of ORDER_FIELDS) {
    if (key === 'id') continue;
    data[key] = plain[key] === undefined ? _.remove() : _.set(plain[key]);
  }
  data[SCHEMA_VERSION_FIELD] = ORDER_SCHEMA_VERSION;
  const index = indexFields(order);
  data.ok_created = index.ok_created;
  data.ok_due = _.set(index.ok_due);
  data.ok_due_lease = _.set(FREE());
  data.ok_journal = _.set(journal);
  data.ok_journal_at = journal.available;
  data.ok_pos = pos;
  data.ok_token = journal.commit ?? _.remove();
  return data;
}

/** The order fields of a record, without `_id`, `_openid` and the store's `ok_` fields. */
export function orderFields(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(doc)) {
    if (key === '_id' || key === '_openid' || key.startsWith('ok_')) continue;
    out[key] = doc[key];
  }
  return out;
}

/** An event record back to the event. */
export function eventFields(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(doc)) if (key !== '_id' && key !== '_openid' && key !== 'ok_index') out[key] = doc[key];
  return out;
}
