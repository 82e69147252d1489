import { randomBytes } from 'node:crypto';
import type { Effect, Order, OrderEvent } from '../../order/index.js';
import type { IdempotencyRequest } from '../../storage/port.js';
import {
  commitUpdate,
  idempotencyDocId,
  journalOf,
  newOrderDoc,
  numberClaimId,
  type IdempotencyDoc,
  type Journal,
  type NumberClaimDoc,
  type OrderDoc,
} from './documents.js';
import { decodeRecordOrder } from '../../storage/codec.js';
import { storedOrderDocument } from '../../storage/schema-version.js';
import { insertIfAbsent, publishJournal, publishQuietly, type StoreContext } from './journal.js';

/**
 * The write paths of `WxCloudOrderStore`: creating an order (with its number claim), the
 * compare-and-set of a commit, and idempotency reservations. A reservation is written BEFORE the
 * change it guards and holds the whole intended result, so that whoever finds it later (a retry
 * with the same key, `findIdempotency`) can settle it: finish the change if it can still happen
 * exactly as recorded, or delete the reservation if the order has moved on without it. No timer
 * decides, so a slow function and a dead one are treated the same, correctly.
 */

export function newToken(): string {
  return randomBytes(12).toString('hex');
}

export async function readOrderDoc(ctx: StoreContext, orderId: string): Promise<OrderDoc | null> {
  const res = await ctx.db.collection(ctx.names.orders).where({ _id: orderId }).limit(1).get();
  return (res.data[0] as OrderDoc | undefined) ?? null;
}

export async function readReservation(ctx: StoreContext, key: string): Promise<IdempotencyDoc | null> {
  const res = await ctx.db.collection(ctx.names.keys).where({ _id: idempotencyDocId(key) }).limit(1).get();
  const record = (res.data[0] as IdempotencyDoc | undefined) ?? null;
  if (record !== null) record.order = decodeRecordOrder(record.orderId, record.order);
  return record;
}

export function reservationFor(
  key: string,
  order: Order,
  expectedVersion: number,
  events: OrderEvent[],
  effects: Effect[],
  request?: IdempotencyRequest,
): IdempotencyDoc {
  const doc: IdempotencyDoc = {
    _id: idempotencyDocId(key),
    kind: 'idempotency',
    key,
    orderId: order.id,
    version: order.version,
    expectedVersion,
    order: storedOrderDocument(order),
    events,
    effects,
    state: 'reserved',
    token: newToken(),
  };
  if (request !== undefined) doc.request = request;
  return doc;
}

async function dropReservation(ctx: StoreContext, r: IdempotencyDoc): Promise<void> {
  await ctx.db.collection(ctx.names.keys).where({ _id: r._id, token: r.token, state: 'reserved' }).remove();
}

export type CreateOutcome = { ok: true } | { ok: false; taken: 'id' | 'number'; holder: string };

/**
 * Writes a new order: claim its number (a record whose `_id` is the number), then add the order
 * record with its creation journal, then publish. A crash after the claim leaves a claimed number
 * and no order: harmless, the number is simply not reused. Re-running with the same idempotency
 * key finishes a half-done create.
 */
export async function ensureCreated(
  ctx: StoreContext,
  order: Order,
  events: OrderEvent[],
  effects: Effect[],
  key?: string,
  token?: string,
): Promise<CreateOutcome> {
  const keys = ctx.db.collection(ctx.names.keys);
  const claim: NumberClaimDoc = { _id: numberClaimId(order.number), kind: 'number', number: order.number, orderId: order.id };
  const claimed = await insertIfAbsent(keys, claim as unknown as { _id: string });
  if (claimed === 'present') {
    const holder = (await keys.where({ _id: claim._id }).limit(1).get()).data[0] as NumberClaimDoc | undefined;
    if (holder && holder.orderId !== order.id) return { ok: false, taken: 'number', holder: holder.orderId };
  }
  const journal = journalOf(order, events, effects, key, token);
  const added = await insertIfAbsent(ctx.db.collection(ctx.names.orders), newOrderDoc(order, journal, key) as unknown as { _id: string });
  if (added === 'present') {
    const existing = await readOrderDoc(ctx, order.id);
    if (!(key !== undefined && existing?.ok_create_key === key)) {
      if (claimed === 'inserted') await keys.where({ _id: claim._id, orderId: order.id }).remove();
      return { ok: false, taken: 'id', holder: order.id };
    }
    // Our own create, finished by someone else (or by us before a crash): publish what is left.
    if (existing.ok_journal) await publishQuietly(ctx, order.id, existing.ok_journal);
    return { ok: true };
  }
  await publishQuietly(ctx, order.id, journal);
  return { ok: true };
}

export type CasOutcome = { ok: true } | { ok: false; reason: 'missing' | 'conflict' | 'number_changed'; actualVersion?: number };

/**
 * The compare-and-set: one conditional update of the order record, matching its id, the expected
 * version, the unchanged number and the absence of an unpublished journal. `stats.updated === 1`
 * means it happened; anything else is explained by reading the record. A journal left by an
 * earlier commit is published first, then the update is tried again.
 */
export async function compareAndSet(ctx: StoreContext, order: Order, expectedVersion: number, journal: Journal): Promise<CasOutcome> {
  const { db, _, names } = ctx;
  for (let attempt = 0; attempt < 5; attempt++) {
    const res = await db
      .collection(names.orders)
      .where({ _id: order.id, version: expectedVersion, number: order.number, ok_journal_at: _.exists(false) })
      .update({ data: commitUpdate(_, order, journal) });
    if (res.stats.updated === 1) return { ok: true };
    const current = await readOrderDoc(ctx, order.id);
    if (!current) return { ok: false, reason: 'missing' };
    if (current.version !== expectedVersion) return { ok: false, reason: 'conflict', actualVersion: current.version };
    if (current.number !== order.number) return { ok: false, reason: 'number_changed' };
    if (current.ok_journal) await publishJournal(ctx, order.id, current.ok_journal);
  }
  return { ok: false, reason: 'conflict' };
}

/**
 * Brings a reservation to its end: 'applied' when the change it records happened (now or before),
 * 'dead' when it can no longer happen (the reservation is then removed, freeing the key).
 */
export async function settleReservation(ctx: StoreContext, r: IdempotencyDoc): Promise<'applied' | 'dead'> {
  if (r.state === 'done') return 'applied';
  if (r.expectedVersion === 0) {
    const created = await ensureCreated(ctx, r.order, r.events, r.effects, r.key, r.token);
    if (created.ok) return 'applied';
    await dropReservation(ctx, r);
    return 'dead';
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const doc = await readOrderDoc(ctx, r.orderId);
    if (doc?.ok_journal && doc.ok_journal.version === r.version && doc.ok_journal.token === r.token) {
      await publishQuietly(ctx, r.orderId, doc.ok_journal);
      return 'applied';
    }
    if (doc && doc.version === r.expectedVersion) {
      // The change can still happen exactly as recorded: finish it.
      const cas = await compareAndSet(ctx, r.order, r.expectedVersion, journalOf(r.order, r.events, r.effects, r.key, r.token));
      if (cas.ok) {
        await publishQuietly(ctx, r.orderId, journalOf(r.order, r.events, r.effects, r.key, r.token));
        return 'applied';
      }
      continue;
    }
    // The order moved on (or is gone). If our change was among the moves, the reservation says so.
    const fresh = await readReservation(ctx, r.key);
    if (fresh && fresh.token === r.token && fresh.state === 'done') return 'applied';
    await dropReservation(ctx, r);
    return 'dead';
  }
  return 'dead';
}
