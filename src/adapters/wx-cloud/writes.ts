import { randomBytes } from 'node:crypto';
import { isOrderkitError } from '../../errors/orderkit-error.js';
import type { Effect, Order, OrderEvent } from '../../order/index.js';
import { decodeRecordOrder } from '../../storage/codec.js';
import type { IdempotencyRequest } from '../../storage/port.js';
import { storedOrderDocument } from '../../storage/schema-version.js';
import { backoff } from './concurrency.js';
import { txRead, type CloudTransaction } from './database.js';
import {
  changeDoc,
  commitUpdate,
  FEED_COUNTER_ID,
  idempotencyDocId,
  journalOf,
  newOrderDoc,
  numberClaimId,
  type ChangeDoc,
  type IdempotencyDoc,
  type Journal,
  type NumberClaimDoc,
  type OrderDoc,
} from './documents.js';
import { classifyCloudError, CloudDatabaseError } from './errors.js';
import { insertIfAbsent, publishJournal, publishQuietly, typed, type StoreContext } from './journal.js';
import { ok } from '../../errors/result.js';

/**
 * The write paths of `WxCloudOrderStore`: creating an order (with its number claim), the
 * compare-and-set of a commit, and idempotency reservations.
 *
 * Commits and creates run in a transaction ("Database.runTransaction", see docs/wechat.md,
 * "Transactions"): read the order record, check its version, take the next change-feed position
 * from the counter record, write the order (with its journal) and a change record. Reads see a
 * snapshot and a write to a record someone changed meanwhile fails, so the version check and the
 * write are one compare-and-set, and positions are handed out in commit order with no gaps.
 *
 * A reservation is written BEFORE the change it guards and holds the whole intended result, so
 * whoever finds it later (a retry with the same key, `findIdempotency`) can settle it: finish the
 * change if it can still happen exactly as recorded, or delete it if the order has moved on.
 *
 * Every write carries a token; when an answer is lost (a timeout after the write applied) the
 * store reads back and recognises its own write instead of reporting a failure or a conflict.
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

/** Writes a reservation; 'taken' when another one holds the key (a lost answer to our own write is recognised). */
export async function reserve(ctx: StoreContext, reservation: IdempotencyDoc): Promise<'reserved' | 'taken'> {
  const outcome = await insertIfAbsent(
    ctx.db.collection(ctx.names.keys),
    reservation as unknown as { _id: string } & Record<string, unknown>,
    (found) => found.token === reservation.token,
  );
  return outcome === 'inserted' ? 'reserved' : 'taken';
}

async function dropReservation(ctx: StoreContext, r: IdempotencyDoc): Promise<void> {
  await ctx.db.collection(ctx.names.keys).where({ _id: r._id, token: r.token, state: 'reserved' }).remove();
}


/** Takes the next change-feed position: read the counter, write it back one higher (a conflict if another commit did). */
async function nextPosition(ctx: StoreContext, tx: CloudTransaction): Promise<number> {
  const counter = await txRead<{ seq?: unknown }>(tx, ctx.names.keys, FEED_COUNTER_ID);
  const seq = (typeof counter?.seq === 'number' ? counter.seq : 0) + 1;
  await tx.collection(ctx.names.keys).doc(FEED_COUNTER_ID).set({ data: { kind: 'counter', seq } });
  return seq;
}

/** The change record a commit wrote, found by order and version. */
async function changeOf(ctx: StoreContext, orderId: string, version: number): Promise<ChangeDoc | null> {
  const res = await ctx.db.collection(ctx.names.changes).where({ orderId, version }).limit(1).get();
  return (res.data[0] as ChangeDoc | undefined) ?? null;
}

/** How long a commit keeps retrying write conflicts and quota refusals: the transaction limit. */
const CONTENDED_FOR_MS = 30_000;

/** Thrown out of a transaction's body to roll it back with an answer (nothing it wrote is kept). */
class Abandon<T> {
  constructor(readonly outcome: T) {}
}

/**
 * Runs one commit transaction. The body takes the counter FIRST (so, once it holds it, no other
 * commit can overtake it), then checks the order; an outcome that writes nothing is returned by
 * rolling back (`Abandon`), so no position is ever taken without its change record.
 *
 * A write conflict (another commit holds or took the counter, or wrote the order) and a refusal
 * over the quota applied nothing: they are retried after a jittered pause, for up to 30 s. A
 * failure before the body finished applied nothing either and is retried a few times. A failure
 * while committing is explained by `recognise` (did our write land?) and otherwise thrown as a
 * typed error saying whether it may still have applied.
 */
async function inTransaction<T>(ctx: StoreContext, operation: string, body: (tx: CloudTransaction) => Promise<T>, recognise: () => Promise<T | null>): Promise<T> {
  let last: unknown = null;
  const started = Date.now();
  let transient = 0;
  for (let attempt = 0; ; attempt++) {
    let bodyDone = false;
    try {
      return await ctx.db.runTransaction(async (tx) => {
        bodyDone = false;
        const result = await body(tx);
        bodyDone = true;
        return result;
      }, 1);
    } catch (error) {
      if (error instanceof Abandon) return error.outcome as T;
      if (isOrderkitError(error)) throw error;
      last = error;
      const { kind } = classifyCloudError(error);
      if (kind === 'conflict' || kind === 'quota') {
        if (Date.now() - started > CONTENDED_FOR_MS) break;
        await backoff(attempt);
        continue;
      }
      if (!bodyDone) {
        if (++transient <= 3) {
          await backoff(attempt);
          continue;
        }
        throw typed(operation, error, false);
      }
      let mine: T | null;
      try {
        mine = await recognise();
      } catch {
        throw typed(operation, error, true);
      }
      if (mine !== null) return mine;
      throw typed(operation, error, kind === 'timeout');
    }
  }
  throw new CloudDatabaseError(`${operation} (still contended after ${CONTENDED_FOR_MS} ms)`, last, false);
}

export type CreateOutcome = { ok: true } | { ok: false; taken: 'id' | 'number'; holder: string };

/**
 * Writes a new order: claim its number (a record whose `_id` is the number), then, in one
 * transaction, the order record with its creation journal and its change record; then publish.
 * A crash after the claim leaves a claimed number and no order: retrying the same order finishes
 * it. A record already there counts as this create when this call wrote it (its token: an answer
 * lost after the write applied) or it was created with the same idempotency key.
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
  const claimed = await insertIfAbsent(keys, claim as unknown as { _id: string }, (found) => found.orderId === order.id);
  if (claimed === 'present') {
    const holder = (await keys.where({ _id: claim._id }).limit(1).get()).data[0] as NumberClaimDoc | undefined;
    if (holder && holder.orderId !== order.id) return { ok: false, taken: 'number', holder: holder.orderId };
  }
  const commit = newToken();
  const journal = journalOf(order, events, effects, key, token, commit);
  const outcome = await inTransaction<{ ok: true } | { present: OrderDoc }>(
    ctx,
    `create ${order.id}`,
    async (tx) => {
      const seq = await nextPosition(ctx, tx);
      const existing = await txRead<OrderDoc>(tx, ctx.names.orders, order.id);
      if (existing) throw new Abandon({ present: existing });
      const { _id, ...data } = newOrderDoc(order, journal, key, seq);
      await tx.collection(ctx.names.orders).doc(_id).set({ data });
      const change = changeDoc(seq, order, commit);
      await tx.collection(ctx.names.changes).add({ data: change });
      return ok();
    },
    async () => ((await changeOf(ctx, order.id, order.version))?.token === commit ? ok() : null),
  );
  if ('present' in outcome) {
    const existing = outcome.present;
    const ours = (key !== undefined && existing.ok_create_key === key) || (existing.ok_token !== undefined && existing.ok_token === commit);
    if (!ours) {
      if (claimed === 'inserted') await keys.where({ _id: claim._id, orderId: order.id }).remove();
      return { ok: false, taken: 'id', holder: order.id };
    }
    // Our own create, finished by someone else (or by us before a crash or a lost answer): publish what is left.
    if (existing.ok_journal) await publishQuietly(ctx, order.id, existing.ok_journal);
    return ok();
  }
  await publishQuietly(ctx, order.id, journal);
  return ok();
}

export type CasOutcome = { ok: true } | { ok: false; reason: 'missing' | 'conflict' | 'number_changed'; actualVersion?: number };

/**
 * The compare-and-set of a commit, in a transaction: the order record must exist at the expected
 * version with the same number and no unpublished journal; then the new order, its journal, the
 * next feed position and the change record are written together. A journal left by an earlier
 * commit is published first, then the transaction is tried again.
 */
export async function compareAndSet(ctx: StoreContext, order: Order, expectedVersion: number, journal: Journal): Promise<CasOutcome> {
  const { _, names } = ctx;
  const commit = journal.commit ?? newToken();
  const stamped: Journal = { ...journal, commit };
  for (let attempt = 0; attempt < 5; attempt++) {
    const outcome = await inTransaction<CasOutcome | { ok: false; reason: 'journal'; journal: Journal }>(
      ctx,
      `commit ${order.id} v${order.version}`,
      async (tx) => {
        const seq = await nextPosition(ctx, tx);
        const current = await txRead<OrderDoc>(tx, names.orders, order.id);
        if (!current) throw new Abandon({ ok: false, reason: 'missing' });
        if (current.version !== expectedVersion) throw new Abandon({ ok: false, reason: 'conflict', actualVersion: current.version });
        if (current.number !== order.number) throw new Abandon({ ok: false, reason: 'number_changed' });
        if (current.ok_journal) throw new Abandon({ ok: false, reason: 'journal', journal: current.ok_journal });
        await tx.collection(names.orders).doc(order.id).update({ data: commitUpdate(_, order, stamped, seq) });
        await tx.collection(names.changes).add({ data: changeDoc(seq, order, commit) });
        return ok();
      },
      async () => ((await changeOf(ctx, order.id, order.version))?.token === commit ? ok() : null),
    );
    if (outcome.ok || outcome.reason !== 'journal') return outcome;
    await publishJournal(ctx, order.id, outcome.journal);
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
      const journal = journalOf(r.order, r.events, r.effects, r.key, r.token, newToken());
      const cas = await compareAndSet(ctx, r.order, r.expectedVersion, journal);
      if (cas.ok) {
        await publishQuietly(ctx, r.orderId, journal);
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
