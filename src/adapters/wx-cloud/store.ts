import { OrderkitError } from '../../errors/orderkit-error.js';
import { EffectSchema, type Effect, type Order, type OrderEvent } from '../../order/index.js';
import { checkCommitInput, checkCreateInput, decodeAll, decodeEvent, decodeOrder, encodeCursor, normalizeListQuery } from '../../storage/codec.js';
import { CorruptOrderError, OrderExistsError, OrderNotFoundError, VersionConflictError, invalidCommit } from '../../storage/errors.js';
import type { CommitInput, CreateOptions, FindDueOptions, IdempotencyRecord, ListQuery, OrderPage, OrderStore, OutboxEntry } from '../../storage/port.js';
import { isMissingCollection, type CloudDatabase } from './database.js';
import { DEFAULT_COLLECTIONS, eventFields, numberClaimId, journalOf, orderFields, type CollectionNames, type EventDoc, type IdempotencyDoc, type OrderDoc, type OutboxDoc } from './documents.js';
import { publishQuietly, type StoreContext } from './journal.js';
import { compareAndSet, ensureCreated, readOrderDoc, readReservation, reservationFor, settleReservation } from './writes.js';

function decodeEffect(orderId: string, stored: unknown): Effect {
  const parsed = EffectSchema.safeParse(stored);
  if (!parsed.success) throw new CorruptOrderError(orderId, 'invalid_event', `outbox effect: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

/** The most records one `get()` returns in a cloud function. */
export const CLOUD_PAGE_SIZE = 100;
const DEFAULT_DUE_LEASE_MS = 30_000;

export interface WxCloudOrderStoreOptions {
  /** Collection names; defaults `orders`, `order_events`, `order_outbox`, `order_keys`. */
  collections?: Partial<CollectionNames>;
  /** Told when publishing a commit's journal fails (it is retried later; nothing is lost). */
  onPublishError?: (error: unknown, orderId: string) => void;
  /** `claim` first publishes journals left at least this long (ms). Default 10 000. */
  repairAfterMs?: number;
}

/**
 * `OrderStore` on the WeChat cloud database (wx-server-sdk). Pass `cloud.database()`.
 *
 * - Compare-and-set: `where({ _id, version }).update()` and a check that `stats.updated === 1`.
 * - Each commit is ONE atomic record write (order + journal); events and outbox effects are
 *   published from the journal right after, idempotently, and repaired by readers if a function
 *   died in between (see `journal.ts` and docs/wechat.md for the guarantees).
 * - Reads page through `get()`'s 100-record limit; outbox claims and due-order leases are
 *   conditional updates, one record at a time, so several functions can drain and sweep at once.
 *
 * @example
 * const cloud = require('wx-server-sdk');
 * cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
 * const store = new WxCloudOrderStore(cloud.database());
 * await store.ensureCollections(); // once per cold start
 * const service = createOrderService({ store });
 */
export class WxCloudOrderStore implements OrderStore {
  readonly names: CollectionNames;
  private readonly ctx: StoreContext;
  private readonly repairAfterMs: number;
  private ensured: Promise<void> | null = null;

  constructor(db: CloudDatabase, options: WxCloudOrderStoreOptions = {}) {
    if (!db || typeof db.collection !== 'function' || !db.command) {
      throw new OrderkitError({
        code: 'INVALID_DATABASE',
        message: { 'zh-CN': '请传入 cloud.database() 返回的数据库对象', en: 'pass the database object returned by cloud.database()' },
      });
    }
    this.names = { ...DEFAULT_COLLECTIONS, ...options.collections };
    this.ctx = { db, _: db.command, names: this.names, ...(options.onPublishError ? { onPublishError: options.onPublishError } : {}) };
    this.repairAfterMs = options.repairAfterMs ?? 10_000;
  }

  /** Creates the four collections when missing (cloud functions may; call once per cold start). */
  ensureCollections(): Promise<void> {
    if (!this.ensured) {
      this.ensured = (async () => {
        const { db } = this.ctx;
        for (const name of Object.values(this.names)) {
          try {
            await db.collection(name).limit(1).get();
            continue;
          } catch (error) {
            if (!isMissingCollection(error) || typeof db.createCollection !== 'function') throw error;
          }
          try {
            await db.createCollection(name);
          } catch (error) {
            // Another function may have created it meanwhile.
            await db.collection(name).limit(1).get().catch(() => {
              throw error;
            });
          }
        }
      })();
      this.ensured.catch(() => {
        this.ensured = null;
      });
    }
    return this.ensured;
  }

  private collection(kind: keyof CollectionNames) {
    return this.ctx.db.collection(this.names[kind]);
  }

  private async lastEventVersion(orderId: string): Promise<number | null> {
    const res = await this.collection('events').where({ orderId }).orderBy('version', 'desc').orderBy('ok_index', 'desc').limit(1).get();
    const last = res.data[0] as EventDoc | undefined;
    return last ? Number(last.version) : null;
  }

  private decode(doc: OrderDoc, lastEventVersion?: number | null): Order {
    return decodeOrder(String(doc._id), orderFields(doc as unknown as Record<string, unknown>), doc.version, lastEventVersion);
  }

  async load(id: string): Promise<Order | null> {
    const [doc, last] = await Promise.all([readOrderDoc(this.ctx, id), this.lastEventVersion(id)]);
    return doc ? this.decode(doc, last) : null;
  }

  /**
   * Through the number claim (a record whose `_id` is the number, written before the order): no
   * query index needed. A claim left by a create that crashed before its order was added names
   * an order that does not exist (null), and one whose order carries another number is ignored.
   */
  async findByNumber(number: string): Promise<Order | null> {
    if (typeof number !== 'string' || number === '') return null;
    const claim = (await this.collection('keys').where({ _id: numberClaimId(number) }).limit(1).get()).data[0] as { orderId?: unknown } | undefined;
    if (!claim || typeof claim.orderId !== 'string') return null;
    const order = await this.load(claim.orderId);
    return order !== null && order.number === number ? order : null;
  }

  async create(order: Order, options: CreateOptions): Promise<Order> {
    const key = options.idempotencyKey;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (key !== undefined) {
        const prior = await readReservation(this.ctx, key);
        if (prior && (await settleReservation(this.ctx, prior)) === 'applied') {
          const existing = await this.load(prior.orderId);
          if (existing) return existing;
        }
      }
      checkCreateInput(order, options.events, options.effects);
      let token: string | undefined;
      if (key !== undefined) {
        const reservation = reservationFor(key, order, 0, options.events, options.effects, options.idempotencyRequest);
        try {
          await this.collection('keys').add({ data: reservation as unknown as Record<string, unknown> });
          token = reservation.token;
        } catch {
          continue; // someone reserved the key first: settle theirs on the next turn
        }
      }
      const created = await ensureCreated(this.ctx, order, options.events, options.effects, key, token);
      if (!created.ok) {
        if (key !== undefined) await this.collection('keys').where({ _id: reservationFor(key, order, 0, [], [])._id, token, state: 'reserved' }).remove();
        throw new OrderExistsError(created.holder, created.taken);
      }
      return JSON.parse(JSON.stringify(order)) as Order;
    }
    throw new VersionConflictError(order.id, 0);
  }

  async commit(input: CommitInput): Promise<void> {
    checkCommitInput(input);
    const { order, expectedVersion, events, effects, idempotencyKey: key } = input;
    // Events beyond the expected version mean the stored version went backwards (a restored or
    // hand-edited record): refuse before writing anything, as the SQL adapter's primary key does.
    const last = await this.lastEventVersion(order.id);
    if (last !== null && last > expectedVersion) {
      const doc = await readOrderDoc(this.ctx, order.id);
      if (!doc) throw new OrderNotFoundError(order.id);
      if (doc.version !== expectedVersion) throw new VersionConflictError(order.id, expectedVersion, doc.version);
      this.decode(doc, last);
    }
    let reservation: IdempotencyDoc | undefined;
    if (key !== undefined) {
      reservation = reservationFor(key, order, expectedVersion, events, effects, input.idempotencyRequest);
      try {
        await this.collection('keys').add({ data: reservation as unknown as Record<string, unknown> });
      } catch {
        // The key is taken: by a finished command (a repeat), or by one we may help finish.
        const prior = await readReservation(this.ctx, key);
        if (!prior || (await settleReservation(this.ctx, prior)) === 'applied') throw new VersionConflictError(order.id, expectedVersion);
        try {
          await this.collection('keys').add({ data: reservation as unknown as Record<string, unknown> });
        } catch {
          throw new VersionConflictError(order.id, expectedVersion);
        }
      }
    }
    const journal = journalOf(order, events, effects, key, reservation?.token);
    const cas = await compareAndSet(this.ctx, order, expectedVersion, journal);
    if (cas.ok) {
      await publishQuietly(this.ctx, order.id, journal);
      return;
    }
    if (reservation && (await settleReservation(this.ctx, reservation)) === 'applied') return;
    if (cas.reason === 'missing') throw new OrderNotFoundError(order.id);
    if (cas.reason === 'number_changed') throw invalidCommit(order.id, 'the order number never changes', '订单号不可更改');
    throw new VersionConflictError(order.id, expectedVersion, cas.actualVersion ?? null);
  }

  async history(id: string): Promise<OrderEvent[]> {
    const [doc, published] = await Promise.all([readOrderDoc(this.ctx, id), this.pageAll<EventDoc>(() => this.collection('events').where({ orderId: id }).orderBy('version', 'asc').orderBy('ok_index', 'asc'))]);
    const events = published.map((e) => decodeEvent(id, eventFields(e as unknown as Record<string, unknown>)));
    // A journal not yet published is part of the history already: the commit happened.
    const journal = doc?.ok_journal;
    const lastVersion = events.length > 0 ? events[events.length - 1]!.version : 0;
    if (journal && journal.version > lastVersion) for (const e of journal.events) events.push(decodeEvent(id, e));
    return events;
  }

  private async pageAll<T>(query: () => { skip(n: number): { limit(n: number): { get(): Promise<{ data: unknown[] }> } } }): Promise<T[]> {
    const out: T[] = [];
    for (let skip = 0; ; skip += CLOUD_PAGE_SIZE) {
      const page = await query().skip(skip).limit(CLOUD_PAGE_SIZE).get();
      out.push(...(page.data as T[]));
      if (page.data.length < CLOUD_PAGE_SIZE) return out;
    }
  }

  async list(query: ListQuery): Promise<OrderPage> {
    const q = normalizeListQuery(query);
    const { _ } = this.ctx;
    const cond: Record<string, unknown> = {};
    if (q.customerId !== null) cond.customerId = q.customerId;
    if (q.statuses !== null) cond.status = _.in(q.statuses);
    if (q.from !== null && q.to !== null) cond.ok_created = _.gte(q.from.getTime()).and(_.lt(q.to.getTime()));
    else if (q.from !== null) cond.ok_created = _.gte(q.from.getTime());
    else if (q.to !== null) cond.ok_created = _.lt(q.to.getTime());
    const dir = q.newestFirst ? 'desc' : 'asc';
    const beyond = (t: number, id: string) =>
      q.newestFirst ? _.or([{ ok_created: _.lt(t) }, { ok_created: t, _id: _.lt(id) }]) : _.or([{ ok_created: _.gt(t) }, { ok_created: t, _id: _.gt(id) }]);
    const fetch = (after: { t: number; id: string } | null, n: number) =>
      this.collection('orders')
        .where(after ? _.and([cond, beyond(after.t, after.id)]) : cond)
        .orderBy('ok_created', dir)
        .orderBy('_id', dir)
        .limit(n)
        .get();
    // get() stops at 100: ask for one more than the page when that fits, else probe once.
    const first = await fetch(q.after, Math.min(q.limit + 1, CLOUD_PAGE_SIZE));
    const docs = first.data as OrderDoc[];
    let more = docs.length > q.limit;
    const pageDocs = docs.slice(0, q.limit);
    const items = pageDocs.map((d) => this.decode(d));
    const lastDoc = pageDocs[pageDocs.length - 1];
    if (!more && lastDoc && docs.length === q.limit && q.limit === CLOUD_PAGE_SIZE) {
      more = (await fetch({ t: lastDoc.ok_created, id: String(lastDoc._id) }, 1)).data.length > 0;
    }
    const lastItem = items[items.length - 1];
    return { items, nextCursor: more && lastItem ? encodeCursor(lastItem) : null };
  }

  async findDue(now: Date, limit: number, options: FindDueOptions = {}): Promise<Order[]> {
    const t = now.getTime();
    const leaseMs = options.leaseMs ?? DEFAULT_DUE_LEASE_MS;
    const { _ } = this.ctx;
    const picked: OrderDoc[] = [];
    for (let round = 0; picked.length < limit && round < 20; round++) {
      const page = await this.collection('orders')
        .where({ ok_due: _.lte(t), ok_due_lease: _.lte(t) })
        .orderBy('ok_due', 'asc')
        .orderBy('_id', 'asc')
        .limit(Math.min(CLOUD_PAGE_SIZE, limit - picked.length))
        .get();
      const docs = page.data as OrderDoc[];
      if (docs.length === 0) break;
      // A lease is a conditional update per record: of several sweepers, one wins each order.
      const won = await Promise.all(
        docs.map((d) =>
          this.collection('orders')
            .where({ _id: d._id, version: d.version, ok_due_lease: d.ok_due_lease })
            .update({ data: { ok_due_lease: t + leaseMs } })
            .then((r) => r.stats.updated === 1),
        ),
      );
      docs.forEach((d, i) => {
        if (won[i]) picked.push(d);
      });
    }
    picked.sort((a, b) => (a.ok_due ?? 0) - (b.ok_due ?? 0) || (String(a._id) < String(b._id) ? -1 : 1));
    return decodeAll(picked.map((d) => () => this.decode(d)), options.onCorrupt);
  }

  async findIdempotency(key: string): Promise<IdempotencyRecord | null> {
    const r = await readReservation(this.ctx, key);
    if (!r || (await settleReservation(this.ctx, r)) === 'dead') return null;
    const record: IdempotencyRecord = { key: r.key, orderId: r.orderId, version: r.version, order: r.order, events: r.events, effects: r.effects };
    if (r.request) record.request = r.request;
    return record;
  }

  /** Publishes journals that a dead function left behind (at most `limit` orders per call). */
  async repairJournals(now: Date = new Date(), limit = 20): Promise<number> {
    const { _ } = this.ctx;
    const res = await this.collection('orders').where({ ok_journal_at: _.lte(now.getTime() - this.repairAfterMs) }).limit(limit).get();
    let repaired = 0;
    for (const doc of res.data as OrderDoc[]) {
      if (doc.ok_journal && (await publishQuietly(this.ctx, String(doc._id), doc.ok_journal))) repaired += 1;
    }
    return repaired;
  }

  async claim(limit: number, leaseMs: number, now: Date = new Date()): Promise<OutboxEntry[]> {
    await this.repairJournals(now);
    const t = now.getTime();
    const { _ } = this.ctx;
    const claimed: OutboxEntry[] = [];
    for (let round = 0; claimed.length < limit && round < 50; round++) {
      const page = await this.collection('outbox')
        .where({ done: false, available: _.lte(t), lease: _.lte(t) })
        .orderBy('available', 'asc')
        .orderBy('orderId', 'asc')
        .orderBy('ok_seq', 'asc')
        .limit(Math.min(CLOUD_PAGE_SIZE, limit - claimed.length))
        .get();
      const docs = page.data as OutboxDoc[];
      if (docs.length === 0) break;
      const won = await Promise.all(
        docs.map((d) =>
          this.collection('outbox')
            .where({ _id: d._id, done: false, attempts: d.attempts, lease: d.lease })
            .update({ data: { lease: t + leaseMs, attempts: d.attempts + 1 } })
            .then((r) => r.stats.updated === 1),
        ),
      );
      docs.forEach((d, i) => {
        if (!won[i]) return;
        const entry: OutboxEntry = { effect: decodeEffect(d.orderId, d.effect), attempts: d.attempts, leaseUntil: new Date(t + leaseMs) };
        if (d.last_error !== undefined) entry.lastError = d.last_error;
        claimed.push(entry);
      });
    }
    return claimed;
  }

  async complete(effectId: string, now: Date = new Date()): Promise<void> {
    await this.collection('outbox').where({ _id: effectId, done: false }).update({ data: { done: true, done_at: now.getTime(), lease: 0 } });
  }

  async fail(effectId: string, retryAt: Date, reason?: string): Promise<void> {
    const data: Record<string, unknown> = { available: retryAt.getTime(), lease: 0 };
    if (reason !== undefined) data.last_error = reason.slice(0, 1000);
    await this.collection('outbox').where({ _id: effectId, done: false }).update({ data });
  }

  async close(): Promise<void> {
    // Nothing to release: wx-server-sdk owns its connections.
  }
}
