import * as z from '../zod.js';
import { OrderEventSchema, OrderSchema, isStorableString } from '../order/index.js';
import type { Effect, Order, OrderEvent } from '../order/index.js';
import { CorruptOrderError, invalidCommit, invalidQuery } from './errors.js';
import { upgradeStoredOrder } from './schema-version.js';
import type { CommitInput, ListQuery } from './port.js';

/**
 * Reading and checking what adapters store. Every adapter keeps orders as JSON text or documents;
 * these helpers turn a stored value back into a trusted `Order` or refuse it with
 * `CorruptOrderError`, so each adapter fails the same way for the same damage.
 */

/**
 * What a store accepts back: the `Order` schema, except that a status (and an event's from/to)
 * may be any short name, because `createLifecycle` lets a shop add statuses such as
 * `ready_for_pickup`. The lifecycle, not the store, decides which statuses make sense.
 */
const StoredOrderSchema = z.lazySchema(() => z.extend(OrderSchema, { status: z.string().check(z.minLength(1), z.maxLength(64)) }));
const StoredEventSchema = z.lazySchema(() => z.extend(OrderEventSchema, { from: z.nullable(z.string().check(z.minLength(1), z.maxLength(64))), to: z.string().check(z.minLength(1), z.maxLength(64)) }));

/**
 * Remembers, per order id, the last stored text that passed the schema. A hot order is loaded
 * again and again between two commits; when its text is unchanged, checking it once is enough.
 * Any change to the text (a new version, or damage) misses the cache and is checked in full.
 */
export class CheckedDocuments {
  private readonly texts = new Map<string, string>();
  constructor(private readonly max = 1000) {}

  has(orderId: string, text: string): boolean {
    return this.texts.get(orderId) === text;
  }

  add(orderId: string, text: string): void {
    this.texts.delete(orderId);
    this.texts.set(orderId, text);
    if (this.texts.size > this.max) {
      const oldest = this.texts.keys().next().value;
      if (oldest !== undefined) this.texts.delete(oldest);
    }
  }
}

/**
 * Parses a stored order document and checks it against the schema and the row's own columns.
 * `lastEventVersion` is the highest event version written for the order: an order older than its
 * own log went backwards. `intact` is the store's word that the text is exactly what it wrote
 * itself (a checksum it stored beside the document still matches): such a document skips the
 * schema check, which is by far the most expensive part of a read; anything edited outside the
 * store is checked in full.
 */
export function decodeOrder(
  orderId: string,
  stored: string | unknown,
  rowVersion?: number,
  lastEventVersion?: number | null,
  checked?: CheckedDocuments,
  intact?: boolean,
): Order {
  let value: unknown = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored);
    } catch {
      throw new CorruptOrderError(orderId, 'invalid_json');
    }
  }
  // Every store reads through here, so every store upgrades older documents the same way
  // (docs/storage.md "Stored order versions"). An upgraded document is always checked in full.
  const upgrade = upgradeStoredOrder(orderId, value, { owned: typeof stored === 'string' });
  value = upgrade.doc;
  let order: Order;
  if (!upgrade.upgraded && (intact === true || (checked !== undefined && typeof stored === 'string' && checked.has(orderId, stored)))) {
    order = value as Order;
  } else {
    const parsed = StoredOrderSchema.safeParse(value);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new CorruptOrderError(orderId, 'invalid_order', first ? `${first.path.join('.') || '(root)'}: ${first.message}` : undefined);
    }
    order = parsed.data as Order;
    if (checked !== undefined && typeof stored === 'string' && !upgrade.upgraded) checked.add(orderId, stored);
  }
  if (order.id !== orderId) throw new CorruptOrderError(orderId, 'id_mismatch', `document id ${order.id}`);
  if (rowVersion !== undefined && order.version !== rowVersion) {
    throw new CorruptOrderError(orderId, 'version_mismatch', `row ${rowVersion}, document ${order.version}`);
  }
  if (lastEventVersion !== undefined && lastEventVersion !== null && lastEventVersion > order.version) {
    throw new CorruptOrderError(orderId, 'version_went_backwards', `version ${order.version}, last event ${lastEventVersion}`);
  }
  return order;
}

/**
 * The order inside a stored idempotency record, brought to the current version like a stored
 * order (the record is a first call's answer, replayed as it was).
 */
export function decodeRecordOrder(orderId: string, stored: unknown): Order {
  const upgrade = upgradeStoredOrder(orderId, stored, { owned: true });
  if (!upgrade.upgraded) return upgrade.doc as Order;
  const parsed = StoredOrderSchema.safeParse(upgrade.doc);
  if (!parsed.success) throw new CorruptOrderError(orderId, 'invalid_order', parsed.error.issues[0]?.message);
  return parsed.data as Order;
}

export function decodeEvent(orderId: string, stored: string | unknown): OrderEvent {
  let value: unknown = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored);
    } catch {
      throw new CorruptOrderError(orderId, 'invalid_event', 'not JSON');
    }
  }
  const parsed = StoredEventSchema.safeParse(value);
  if (!parsed.success) throw new CorruptOrderError(orderId, 'invalid_event', parsed.error.issues[0]?.message);
  return parsed.data as OrderEvent;
}

/** Decodes each row; a corrupt one goes to `onCorrupt` when given, else it throws. */
export function decodeAll(decoders: Array<() => Order>, onCorrupt?: (error: CorruptOrderError) => void): Order[] {
  const orders: Order[] = [];
  for (const decode of decoders) {
    try {
      orders.push(decode());
    } catch (error) {
      if (onCorrupt && error instanceof CorruptOrderError) onCorrupt(error);
      else throw error;
    }
  }
  return orders;
}

/** Checks a commit input before anything is written: a wrong step is a bug in the caller. */
export function checkCommitInput(input: CommitInput): void {
  const { order, expectedVersion } = input;
  if (!Number.isInteger(expectedVersion) || expectedVersion < 1) {
    throw invalidCommit(order.id, `expectedVersion must be a positive integer, got ${String(expectedVersion)}`, `expectedVersion 必须是正整数`);
  }
  if (order.version !== expectedVersion + 1) {
    throw invalidCommit(
      order.id,
      `order.version must be expectedVersion + 1 (${expectedVersion + 1}), got ${order.version}`,
      `order.version 必须等于 expectedVersion + 1（${expectedVersion + 1}），实际为 ${order.version}`,
    );
  }
  for (const e of input.events) {
    if (e.orderId !== order.id) throw invalidCommit(order.id, `event for another order (${e.orderId})`, `事件属于其他订单（${e.orderId}）`);
  }
  for (const e of input.effects) {
    if (e.orderId !== order.id) throw invalidCommit(order.id, `effect for another order (${e.orderId})`, `副作用属于其他订单（${e.orderId}）`);
  }
}

/** Checks a new order for `create`. */
export function checkCreateInput(order: Order, events: OrderEvent[], effects: Effect[]): void {
  if (order.version !== 1) {
    throw invalidCommit(order.id, `a new order has version 1, got ${order.version}`, `新订单的版本必须为 1，实际为 ${order.version}`);
  }
  for (const e of events) {
    if (e.orderId !== order.id) throw invalidCommit(order.id, `event for another order (${e.orderId})`, `事件属于其他订单（${e.orderId}）`);
  }
  for (const e of effects) {
    if (e.orderId !== order.id) throw invalidCommit(order.id, `effect for another order (${e.orderId})`, `副作用属于其他订单（${e.orderId}）`);
  }
}

/** A `ListQuery` with defaults applied and every field checked. */
export interface NormalizedListQuery {
  customerId: string | null;
  statuses: string[] | null;
  from: Date | null;
  to: Date | null;
  limit: number;
  after: ListCursor | null;
  newestFirst: boolean;
}

/** Position after the last item of a page: its createdAt (epoch ms) and id. */
export interface ListCursor {
  t: number;
  id: string;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

function checkDate(name: string, d: Date | undefined): Date | null {
  if (d === undefined) return null;
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw invalidQuery(name, 'must be a valid Date', '必须是有效的日期');
  return d;
}

export function normalizeListQuery(query: ListQuery): NormalizedListQuery {
  let limit = DEFAULT_PAGE_SIZE;
  if (query.limit !== undefined) {
    if (!Number.isInteger(query.limit)) throw invalidQuery('limit', 'must be an integer', '必须是整数');
    limit = Math.min(MAX_PAGE_SIZE, Math.max(1, query.limit));
  }
  const statuses = query.status === undefined ? null : Array.isArray(query.status) ? [...query.status] : [query.status];
  if (query.customerId !== undefined && (typeof query.customerId !== 'string' || !isStorableString(query.customerId))) {
    throw invalidQuery('customerId', 'must be text without U+0000 or lone surrogates', '须为不含 U+0000 或不成对代理字符的文本');
  }
  if (statuses !== null && statuses.some((status) => typeof status !== 'string' || !isStorableString(status))) {
    throw invalidQuery('status', 'must be text without U+0000 or lone surrogates', '须为不含 U+0000 或不成对代理字符的文本');
  }
  return {
    customerId: query.customerId ?? null,
    statuses,
    from: checkDate('from', query.from),
    to: checkDate('to', query.to),
    limit,
    after: query.cursor ? decodeCursor(query.cursor) : null,
    newestFirst: (query.order ?? 'newest') === 'newest',
  };
}

export function encodeCursor(order: Order): string {
  return Buffer.from(JSON.stringify([Date.parse(order.createdAt), order.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): ListCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isFinite(value[0]) && typeof value[1] === 'string' && isStorableString(value[1])) {
      return { t: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through to the typed error
  }
  throw invalidQuery('cursor', 'is not a cursor returned by list()', '不是 list() 返回的游标');
}
