import { EffectSchema, type Effect, type Order, type OrderEvent } from '../../order/index.js';
import { CheckedDocuments, checkCommitInput, checkCreateInput, decodeAll, decodeEvent, decodeOrder, encodeCursor, normalizeListQuery } from '../../storage/codec.js';
import { OrderkitError } from '../../errors/orderkit-error.js';
import { CorruptOrderError, OrderExistsError, OrderNotFoundError, STORAGE_ERROR_CODES, VersionConflictError, invalidCommit, transactionUnsupported } from '../../storage/errors.js';
import { storedOrderText } from '../../storage/schema-version.js';
import type {
  CommitInput,
  CreateOptions,
  FindDueOptions,
  IdempotencyRecord,
  ListQuery,
  OrderChange,
  OrderChangeListener,
  OrderPage,
  OrderStore,
  OutboxEntry,
  SubscribeOptions,
  Unsubscribe,
  PersonalDataRedaction,
} from '../../storage/port.js';
import { mapSettled } from './concurrency.js';
import { checkDatabase, checkWriteShape, isMissingCollection, type CloudDatabase } from './database.js';
import { DEFAULT_COLLECTIONS, eventFields, FREE, journalOf, numberClaimId, orderFields, type CollectionNames, type EventDoc, type IdempotencyDoc, type OrderDoc, type OutboxDoc } from './documents.js';
import { changesSince, subscribeByPolling } from './feed.js';
import { invalidFieldName } from './field-names.js';
import { insertIfAbsent, publishQuietly, typed, type StoreContext } from './journal.js';
import { compareAndSet, ensureCreated, newToken, readOrderDoc, readReservation, reservationFor, reserve, settleReservation } from './writes.js';

function decodeEffect(orderId: string, stored: unknown): Effect {
  const parsed = EffectSchema.safeParse(stored);
  if (!parsed.success) throw new CorruptOrderError(orderId, 'invalid_event', `outbox effect: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

/** The most records one `get()` returns in a cloud function (page "Collection.limit"). */
export const CLOUD_PAGE_SIZE = 100;
const DEFAULT_DUE_LEASE_MS = 30_000;

export interface WxCloudOrderStoreOptions {
  /** Collection names; defaults `orders`, `order_events`, `order_outbox`, `order_keys`, `order_changes`. */
  collections?: Partial<CollectionNames>;
  /** Told when publishing a commit's journal fails (it is retried later; nothing is lost). */
  onPublishError?: (error: unknown, orderId: string) => void;
  /** `claim` first publishes journals left at least this long (ms). Default 10 000. */
  repairAfterMs?: number;
  /**
   * Most requests one call keeps in flight (lease updates, event records). Default 5: the basic
   * plan allows about 20 concurrent connections for the whole environment (docs/wechat.md, "Quotas").
   */
  maxParallel?: number;
  /** Records asked per `get()`. Default 100; never above the environment's cap. */
  pageSize?: number;
  /** How often `subscribe` polls for changes (ms). Default 1000. */
  pollMs?: number;
  /** Told when a `subscribe` poll fails (it is retried from the same position). */
  onFeedError?: (error: unknown) => void;
}

/** Refuses, before anything is written, a name the cloud database cannot store (see field-names.ts). */
function checkFieldNames(orderId: string, input: object): void {
  const bad = invalidFieldName(JSON.parse(JSON.stringify(input)));
  if (bad === null) return;
  throw new OrderkitError({
    code: STORAGE_ERROR_CODES.invalidCommit,
    message: {
      'zh-CN': `订单 ${orderId} 含有云数据库无法保存的字段名 ${String(bad[bad.length - 1])}（不能为空、不能包含 “.”、不能以 “$” 开头）`,
      en: `order ${orderId} holds a field name the cloud database cannot store: ${String(bad[bad.length - 1])} (empty, containing ".", or starting with "$")`,
    },
    path: bad,
    details: { orderId },
  });
}

type Query = { skip(n: number): { limit(n: number): { get(): Promise<{ data: unknown[] }> } } };

/**
 * `OrderStore` on the WeChat cloud database (wx-server-sdk). Pass `cloud.database()`.
 *
 * - Compare-and-set: a transaction reads the order record, checks its version and writes the new
 *   order with a journal of the commit's events and effects, the next change-feed position and a
 *   change record (see `writes.ts` and docs/wechat.md, "Transactions").
 * - Events and outbox effects are published from the journal right after, idempotently, and
 *   repaired by readers if a function died in between (`journal.ts`).
 * - Failures: only an E11000 answer is a duplicate; any other failure is read back and either
 *   recognised as our own write or thrown as a typed error saying whether it may have applied.
 * - Leases (`claim`, `findDue`) run on the server's clock (`db.serverDate()`), with at most
 *   `maxParallel` requests in flight; leases won are kept when others fail.
 * - `changesSince` / `subscribe`: the change feed, by polling the change records.
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
  private readonly pageSize: number;
  private readonly pollMs: number;
  private readonly onFeedError: ((error: unknown) => void) | undefined;
  private readonly subscriptions = new Set<() => void>();
  private ensured: Promise<void> | null = null;
  /**
   * Per order, the stored text of the document this store last wrote. A document read back with
   * exactly that text is the store's own write and skips the schema check, as a PostgreSQL row
   * whose checksum matches does (docs/storage.md); anything else is checked in full.
   */
  private readonly written = new CheckedDocuments();
  private shaped: Promise<void> | null = null;

  constructor(db: CloudDatabase, options: WxCloudOrderStoreOptions = {}) {
    checkDatabase(db);
    this.names = { ...DEFAULT_COLLECTIONS, ...options.collections };
    this.ctx = {
      db,
      _: db.command,
      names: this.names,
      parallel: Math.max(1, Math.floor(options.maxParallel ?? 5)),
      ...(options.onPublishError ? { onPublishError: options.onPublishError } : {}),
    };
    this.repairAfterMs = options.repairAfterMs ?? 10_000;
    this.pageSize = Math.max(1, Math.min(1000, Math.floor(options.pageSize ?? CLOUD_PAGE_SIZE)));
    this.pollMs = options.pollMs ?? 1000;
    this.onFeedError = options.onFeedError;
  }

  /** Creates the collections when missing (cloud functions may; call once per cold start) and checks the SDK. */
  ensureCollections(): Promise<void> {
    if (!this.ensured) {
      this.ensured = (async () => {
        const { db } = this.ctx;
        for (const name of Object.values(this.names)) {
          try {
            await db.collection(name).limit(1).get();
            continue;
          } catch (error) {
            if (!isMissingCollection(error) || typeof db.createCollection !== 'function') throw typed(`read ${name}`, error, false);
          }
          try {
            await db.createCollection(name);
          } catch (error) {
            // Another function may have created it meanwhile.
            await db
              .collection(name)
              .limit(1)
              .get()
              .catch(() => {
                throw typed(`create collection ${name}`, error, true);
              });
          }
        }
        await this.ready().catch((error) => {
          throw typed('check the database (sdk probe)', error, true);
        });
      })();
      this.ensured.catch(() => {
        this.ensured = null;
      });
    }
    return this.ensured;
  }

  /** Proves once, before the first write, that the database writes records as wx-server-sdk does. */
  private ready(): Promise<void> {
    if (!this.shaped) {
      this.shaped = checkWriteShape(this.collection('keys'), this.ctx.db.serverDate());
      this.shaped.catch(() => {
        this.shaped = null;
      });
    }
    return this.shaped;
  }

  /** Runs a public method: raw SDK errors leave it only as typed errors. */
  private async guard<T>(operation: string, writes: boolean, body: () => Promise<T>): Promise<T> {
    try {
      if (writes) await this.ready();
      return await body();
    } catch (error) {
      throw typed(operation, error, writes ? undefined : false);
    }
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
    const id = String(doc._id);
    const fields = orderFields(doc as unknown as Record<string, unknown>);
    return decodeOrder(id, fields, doc.version, lastEventVersion, undefined, this.written.has(id, JSON.stringify(fields)));
  }

  /**
   * See `OrderStore.redactPersonalData` (docs/privacy.md). The order's events, outbox records and
   * idempotency records first, record by record, then the order record in a transaction (a commit
   * in between makes it retry): a call cut short leaves the order under its customer id, so
   * running the anonymisation again finishes it.
   */
  redactPersonalData(redactions: readonly PersonalDataRedaction[]): Promise<number> {
    return this.guard('redactPersonalData', true, async () => {
      let done = 0;
      for (const r of redactions) {
        if (!(await readOrderDoc(this.ctx, r.orderId))) continue;
        for (const kind of ['events', 'outbox', 'keys'] as const) {
          const docs = await this.pageAll<Record<string, unknown>>(() => this.collection(kind).where({ orderId: r.orderId }).orderBy('_id', 'asc'));
          for (const d of docs) await this.redactRecord(kind, d, r);
        }
        await this.ctx.db.runTransaction(async (tx) => {
          const { data } = (await tx.collection(this.names.orders).doc(r.orderId).get()) as { data: Record<string, unknown> };
          const { _id, ...rest } = data;
          await tx.collection(this.names.orders).doc(r.orderId).set({ data: r.redact(rest) as object });
        });
        done += 1;
      }
      return done;
    });
  }

  /**
   * Rewrites the fields of one record that hold personal data, and only those: a worker may
   * complete, fail or lease an outbox effect, and a publish may confirm an idempotency record,
   * between the read and this write, and writing the whole record back as it was read would undo
   * that (a delivered effect delivered again, a lease taken from its worker). Each changed field
   * is replaced as a whole (`set`), a field the redaction dropped is removed; a record replaced
   * meanwhile (another token) is left alone.
   */
  private async redactRecord(kind: 'events' | 'outbox' | 'keys', d: Record<string, unknown>, r: PersonalDataRedaction): Promise<void> {
    const { _ } = this.ctx;
    const { _id, ...rest } = d;
    const redacted = r.redact(rest) as Record<string, unknown>;
    const data: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(redacted)) {
      if (JSON.stringify(value) !== JSON.stringify(rest[field])) data[field] = _.set(value);
    }
    for (const field of Object.keys(rest)) if (!(field in redacted)) data[field] = _.remove();
    if (Object.keys(data).length === 0) return;
    const where: Record<string, unknown> = { _id };
    if (typeof rest['token'] === 'string') where['token'] = rest['token'];
    await this.collection(kind).where(where).update({ data });
  }

  load(id: string): Promise<Order | null> {
    return this.guard('load', false, async () => {
      const [doc, last] = await Promise.all([readOrderDoc(this.ctx, id), this.lastEventVersion(id)]);
      return doc ? this.decode(doc, last) : null;
    });
  }

  /**
   * Through the number claim (a record whose `_id` is the number, written before the order): no
   * query index needed. A claim left by a create that crashed before its order was added names
   * an order that does not exist (null), and one whose order carries another number is ignored.
   */
  findByNumber(number: string): Promise<Order | null> {
    return this.guard('findByNumber', false, async () => {
      if (typeof number !== 'string' || number === '') return null;
      const claim = (await this.collection('keys').where({ _id: numberClaimId(number) }).limit(1).get()).data[0] as { orderId?: unknown } | undefined;
      if (!claim || typeof claim.orderId !== 'string') return null;
      const order = await this.load(claim.orderId);
      return order !== null && order.number === number ? order : null;
    });
  }

  create(order: Order, options: CreateOptions): Promise<Order> {
    if (options.transaction !== undefined) return Promise.reject(transactionUnsupported('WxCloudOrderStore'));
    return this.guard(`create ${order?.id}`, true, async () => {
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
        checkFieldNames(order.id, { order, events: options.events, effects: options.effects });
        let token: string | undefined;
        let reservation: IdempotencyDoc | undefined;
        if (key !== undefined) {
          reservation = reservationFor(key, order, 0, options.events, options.effects, options.idempotencyRequest);
          // Taken: someone reserved the key first; settle theirs on the next turn.
          if ((await reserve(this.ctx, reservation)) === 'taken') continue;
          token = reservation.token;
        }
        const created = await ensureCreated(this.ctx, order, options.events, options.effects, key, token);
        if (!created.ok) {
          if (reservation) await this.collection('keys').where({ _id: reservation._id, token, state: 'reserved' }).remove();
          throw new OrderExistsError(created.holder, created.taken);
        }
        this.written.add(order.id, storedOrderText(order));
        return JSON.parse(JSON.stringify(order)) as Order;
      }
      throw new VersionConflictError(order.id, 0);
    });
  }

  commit(input: CommitInput): Promise<void> {
    return this.guard(`commit ${input?.order?.id}`, true, async () => {
      checkCommitInput(input);
      const { order, expectedVersion, events, effects, idempotencyKey: key } = input;
      checkFieldNames(order.id, { order, events, effects });
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
        if ((await reserve(this.ctx, reservation)) === 'taken') {
          // The key is taken: by a finished command (a repeat), or by one we may help finish.
          const prior = await readReservation(this.ctx, key);
          if (!prior || (await settleReservation(this.ctx, prior)) === 'applied') throw new VersionConflictError(order.id, expectedVersion);
          if ((await reserve(this.ctx, reservation)) === 'taken') throw new VersionConflictError(order.id, expectedVersion);
        }
      }
      const journal = journalOf(order, events, effects, key, reservation?.token, newToken());
      const cas = await compareAndSet(this.ctx, order, expectedVersion, journal);
      if (cas.ok) {
        this.written.add(order.id, storedOrderText(order));
        await publishQuietly(this.ctx, order.id, journal);
        return;
      }
      if (reservation && (await settleReservation(this.ctx, reservation)) === 'applied') return;
      if (cas.reason === 'missing') throw new OrderNotFoundError(order.id);
      if (cas.reason === 'number_changed') throw invalidCommit(order.id, 'the order number never changes', '订单号不可更改');
      throw new VersionConflictError(order.id, expectedVersion, cas.actualVersion ?? null);
    });
  }

  history(id: string): Promise<OrderEvent[]> {
    return this.guard('history', false, async () => {
      const [doc, published] = await Promise.all([
        readOrderDoc(this.ctx, id),
        this.pageAll<EventDoc>(() => this.collection('events').where({ orderId: id }).orderBy('version', 'asc').orderBy('ok_index', 'asc')),
      ]);
      const events = published.map((e) => decodeEvent(id, eventFields(e as unknown as Record<string, unknown>)));
      // A journal not yet published is part of the history already: the commit happened.
      const journal = doc?.ok_journal;
      const lastVersion = events.length > 0 ? events[events.length - 1]!.version : 0;
      if (journal && journal.version > lastVersion) for (const e of journal.events) events.push(decodeEvent(id, e));
      return events;
    });
  }

  private async pageAll<T>(query: () => Query): Promise<T[]> {
    const out: T[] = [];
    for (let skip = 0; ; skip += this.pageSize) {
      const page = await query().skip(skip).limit(this.pageSize).get();
      out.push(...(page.data as T[]));
      if (page.data.length < this.pageSize) return out;
    }
  }

  list(query: ListQuery): Promise<OrderPage> {
    return this.guard('list', false, async () => {
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
      // get() stops at the page cap: read up to one more than the page, a cap-sized piece at a time.
      const docs: OrderDoc[] = [];
      let after = q.after;
      while (docs.length < q.limit + 1) {
        const want = Math.min(q.limit + 1 - docs.length, this.pageSize);
        const piece = (await fetch(after, want)).data as OrderDoc[];
        docs.push(...piece);
        const tail = piece[piece.length - 1];
        if (piece.length < want || !tail) break;
        after = { t: tail.ok_created, id: String(tail._id) };
      }
      const more = docs.length > q.limit;
      const pageDocs = docs.slice(0, q.limit);
      const items = pageDocs.map((d) => this.decode(d));
      const lastItem = items[items.length - 1];
      return { items, nextCursor: more && lastItem ? encodeCursor(lastItem) : null };
    });
  }

  /** A lease field that is free now: a date on the server's clock, or (records before 0.2) a number on the caller's. */
  private leaseFree(t: number): unknown {
    const { _, db } = this.ctx;
    return _.lte(db.serverDate()).or(_.lte(t));
  }

  findDue(now: Date, limit: number, options: FindDueOptions = {}): Promise<Order[]> {
    return this.guard('findDue', true, async () => {
      const t = now.getTime();
      const leaseMs = options.leaseMs ?? DEFAULT_DUE_LEASE_MS;
      const { _, db } = this.ctx;
      const picked: OrderDoc[] = [];
      let firstError: unknown = null;
      for (let round = 0; picked.length < limit && round < 20; round++) {
        const page = await this.collection('orders')
          .where({ ok_due: _.lte(t), ok_due_lease: this.leaseFree(t) })
          .orderBy('ok_due', 'asc')
          .orderBy('_id', 'asc')
          .limit(Math.min(this.pageSize, limit - picked.length))
          .get();
        const docs = page.data as OrderDoc[];
        if (docs.length === 0) break;
        // A lease is a conditional update per record: of several sweepers, one wins each order.
        // Bounded, and each on its own: a refused update never drops a lease already won.
        const won = await mapSettled(docs, this.ctx.parallel, async (d) => {
          const res = await this.collection('orders')
            .where({ _id: d._id, version: d.version, ok_due_lease: d.ok_due_lease })
            .update({ data: { ok_due_lease: db.serverDate({ offset: leaseMs }) } });
          return res.stats.updated === 1;
        });
        let answered = 0;
        docs.forEach((d, i) => {
          const w = won[i]!;
          if (w.ok) {
            answered += 1;
            if (w.value) picked.push(d);
          } else firstError = firstError ?? w.error;
        });
        if (answered === 0) break;
      }
      if (picked.length === 0 && firstError !== null) throw typed('findDue (lease)', firstError, true);
      picked.sort((a, b) => (a.ok_due ?? 0) - (b.ok_due ?? 0) || (String(a._id) < String(b._id) ? -1 : 1));
      return decodeAll(
        picked.map((d) => () => this.decode(d)),
        options.onCorrupt,
      );
    });
  }

  findIdempotency(key: string): Promise<IdempotencyRecord | null> {
    return this.guard('findIdempotency', true, async () => {
      const r = await readReservation(this.ctx, key);
      if (!r || (await settleReservation(this.ctx, r)) === 'dead') return null;
      const record: IdempotencyRecord = { key: r.key, orderId: r.orderId, version: r.version, order: r.order, events: r.events, effects: r.effects };
      if (r.request) record.request = r.request;
      return record;
    });
  }

  /** Publishes journals that a dead function left behind (at most `limit` orders per call). */
  repairJournals(now: Date = new Date(), limit = 20): Promise<number> {
    return this.guard('repairJournals', true, async () => {
      const { _ } = this.ctx;
      const res = await this.collection('orders').where({ ok_journal_at: _.lte(now.getTime() - this.repairAfterMs) }).limit(limit).get();
      let repaired = 0;
      for (const doc of res.data as OrderDoc[]) {
        if (doc.ok_journal && (await publishQuietly(this.ctx, String(doc._id), doc.ok_journal))) repaired += 1;
      }
      return repaired;
    });
  }

  /**
   * See `OrderStore.enqueueEffects`. Each effect is one unique-key insert into the outbox (its id is
   * the record's `_id`), so an id the outbox holds, pending or delivered, is never written again,
   * whichever instance asks. An insert whose answer was lost is recognised by this call's token.
   * Effects of one call keep their order within their `orderId` (`ok_seq` from `now`).
   */
  enqueueEffects(effects: Effect[], now: Date = new Date()): Promise<string[]> {
    return this.guard('enqueueEffects', true, async () => {
      const checked = effects.map((effect) => {
        const parsed = EffectSchema.safeParse(effect);
        if (!parsed.success) throw invalidCommit(String(effect?.orderId ?? ''), `effect: ${parsed.error.issues[0]?.message ?? ''}`, `副作用无效：${parsed.error.issues[0]?.message ?? ''}`);
        return parsed.data;
      });
      for (const effect of checked) checkFieldNames(effect.orderId, effect);
      const outbox = this.collection('outbox');
      const token = newToken();
      const t = now.getTime();
      const written: string[] = [];
      for (let index = 0; index < checked.length; index++) {
        const effect = checked[index]!;
        if (written.includes(effect.id)) continue;
        const doc: OutboxDoc & { ok_token: string } = {
          _id: effect.id,
          orderId: effect.orderId,
          effect,
          available: t,
          lease: FREE(),
          attempts: 0,
          done: false,
          ok_seq: t * 1000 + index,
          ok_token: token,
        };
        const outcome = await insertIfAbsent(outbox, doc as unknown as { _id: string } & Record<string, unknown>, (found) => found.ok_token === token);
        if (outcome === 'inserted') written.push(effect.id);
      }
      return written;
    });
  }

  /**
   * Leases effects oldest first, and per order in the order they were written: an effect is
   * handed out only when every earlier effect of its order is done, or handed out in this same
   * call ahead of it (a later effect waits while an earlier one is leased or failed).
   */
  claim(limit: number, leaseMs: number, now: Date = new Date()): Promise<OutboxEntry[]> {
    return this.guard('claim', true, async () => {
      await this.repairJournals(now).catch((error) => this.ctx.onPublishError?.(typed('repair journals', error, true), ''));
      const t = now.getTime();
      const { _ } = this.ctx;
      const outbox = this.collection('outbox');
      const claimed: OutboxEntry[] = [];
      const token = newToken();
      const mine = new Map<string, number>();
      let skip = 0;
      let firstError: unknown = null;
      for (let round = 0; claimed.length < limit && round < 50; round++) {
        const page = await outbox
          .where({ done: false, available: _.lte(t), lease: this.leaseFree(t) })
          .orderBy('available', 'asc')
          .orderBy('orderId', 'asc')
          .orderBy('ok_seq', 'asc')
          .skip(skip)
          .limit(this.pageSize)
          .get();
        const docs = page.data as OutboxDoc[];
        if (docs.length === 0) break;
        const candidates = new Map(docs.map((d) => [String(d._id), d]));
        const orders: string[] = [];
        for (const d of docs) if (!orders.includes(d.orderId)) orders.push(d.orderId);
        // Per order, the run of its earliest unfinished effects that are claimable now.
        const heads = await mapSettled(orders, this.ctx.parallel, async (orderId) => {
          // Effects of this order up to the last one this call leased are all ours (anything
          // unfinished before them would have stopped the run): look beyond them only.
          const after = mine.get(orderId);
          const cond = after === undefined ? { orderId, done: false } : { orderId, done: false, ok_seq: _.gt(after) };
          const head = await outbox.where(cond).orderBy('ok_seq', 'asc').limit(this.pageSize).get();
          const run: OutboxDoc[] = [];
          for (const d of head.data as OutboxDoc[]) {
            const c = candidates.get(String(d._id));
            if (!c) break;
            run.push(c);
          }
          return run;
        });
        let room = limit - claimed.length;
        const runs: OutboxDoc[][] = [];
        for (const h of heads) {
          if (!h.ok) {
            firstError = firstError ?? h.error;
            continue;
          }
          if (room <= 0) break;
          const run = h.value.slice(0, room);
          room -= run.length;
          if (run.length > 0) runs.push(run);
        }
        const results = await mapSettled(runs, this.ctx.parallel, async (run) => {
          const won: OutboxDoc[] = [];
          for (const d of run) {
            let ok = false;
            try {
              ok = await this.leaseOne(d, leaseMs, token);
            } catch (error) {
              firstError = firstError ?? error;
            }
            if (!ok) break; // the rest of this order waits behind it
            won.push(d);
          }
          return won;
        });
        const wonDocs = results.flatMap((r) => (r.ok ? r.value : []));
        let until = new Map<string, Date>();
        try {
          until = await this.leasesOf(wonDocs.map((d) => String(d._id)));
        } catch {
          // The leases are ours either way; the caller's clock gives the end instead.
        }
        for (const d of wonDocs) {
          mine.set(d.orderId, Math.max(mine.get(d.orderId) ?? -1, d.ok_seq));
          const entry: OutboxEntry = { effect: decodeEffect(d.orderId, d.effect), attempts: d.attempts, leaseUntil: until.get(String(d._id)) ?? new Date(t + leaseMs), leaseToken: token };
          if (d.last_error !== undefined) entry.lastError = d.last_error;
          claimed.push(entry);
        }
        // What is left of this page (blocked, or taken by another worker) still sorts first.
        skip += docs.length - wonDocs.length;
        if (docs.length < this.pageSize) break;
      }
      if (claimed.length === 0 && firstError !== null) throw typed('claim (lease)', firstError, true);
      return claimed;
    });
  }

  /** One conditional lease on the server's clock; a lost answer is recognised by the lease token. */
  private async leaseOne(d: OutboxDoc, leaseMs: number, token: string): Promise<boolean> {
    const { db } = this.ctx;
    const outbox = this.collection('outbox');
    try {
      const res = await outbox
        .where({ _id: d._id, done: false, attempts: d.attempts, lease: d.lease })
        .update({ data: { lease: db.serverDate({ offset: leaseMs }), attempts: d.attempts + 1, lease_token: token } });
      return res.stats.updated === 1;
    } catch (error) {
      const back = (await outbox.where({ _id: d._id }).limit(1).get()).data[0] as OutboxDoc | undefined;
      if (back && back.lease_token === token && back.attempts === d.attempts + 1) return true;
      throw error;
    }
  }

  private async leasesOf(ids: string[]): Promise<Map<string, Date>> {
    const out = new Map<string, Date>();
    const { _ } = this.ctx;
    for (let i = 0; i < ids.length; i += this.pageSize) {
      const chunk = ids.slice(i, i + this.pageSize);
      const res = await this.collection('outbox').where({ _id: _.in(chunk) }).limit(this.pageSize).get();
      for (const d of res.data as OutboxDoc[]) if (d.lease instanceof Date) out.set(String(d._id), d.lease);
    }
    return out;
  }

  complete(effectId: string, now: Date = new Date(), leaseToken?: string): Promise<void> {
    return this.guard(`complete ${effectId}`, true, async () => {
      await this.collection('outbox').where({ _id: effectId, done: false, ...heldBy(leaseToken) }).update({ data: { done: true, done_at: now.getTime(), lease: FREE() } });
    });
  }

  /**
   * Hands claimed effects back untried: the lease is released and the claim not counted. Only
   * records still leased and unfinished change (`attempts > 0` guards the count); bounded like
   * every fan-out, each on its own. A token given must still be the record's `lease_token`.
   */
  release(effectIds: string[], leaseTokens?: ReadonlyArray<string | undefined>): Promise<void> {
    return this.guard('release', true, async () => {
      const { _ } = this.ctx;
      const outbox = this.collection('outbox');
      const results = await mapSettled([...effectIds.entries()], this.ctx.parallel, ([i, id]) =>
        outbox.where({ _id: id, done: false, attempts: _.gt(0), lease: _.gt(FREE()), ...heldBy(leaseTokens?.[i]) }).update({ data: { lease: FREE(), attempts: _.inc(-1) } }),
      );
      const failed = results.find((r) => !r.ok);
      if (failed && !failed.ok) throw typed('release', failed.error, true);
    });
  }

  fail(effectId: string, retryAt: Date, reason?: string, leaseToken?: string): Promise<void> {
    return this.guard(`fail ${effectId}`, true, async () => {
      const data: Record<string, unknown> = { available: retryAt.getTime(), lease: FREE() };
      if (reason !== undefined) data.last_error = reason.slice(0, 1000);
      await this.collection('outbox').where({ _id: effectId, done: false, ...heldBy(leaseToken) }).update({ data });
    });
  }

  changesSince(since: string | null, limit: number): Promise<OrderChange[]> {
    return this.guard('changesSince', false, () => changesSince(this.ctx, this.pageSize, since, limit));
  }

  subscribe(listener: OrderChangeListener, options: SubscribeOptions = {}): Promise<Unsubscribe> {
    return this.guard('subscribe', false, () =>
      subscribeByPolling(
        this.ctx,
        listener,
        options,
        { pollMs: this.pollMs, pageSize: this.pageSize, ...(this.onFeedError ? { onError: this.onFeedError } : {}) },
        this.subscriptions,
      ),
    );
  }

  async close(): Promise<void> {
    // wx-server-sdk owns its connections; only the feed's polling timers are ours.
    for (const stop of [...this.subscriptions]) stop();
  }
}

/**
 * The condition that an outbox record is still leased under `leaseToken` (the `lease_token` its
 * latest claim wrote; records never claimed have none); no condition without a token.
 */
function heldBy(leaseToken: string | undefined): { lease_token?: string } {
  return leaseToken === undefined ? {} : { lease_token: leaseToken };
}
