import type { Effect, Order, OrderEvent } from '../order/index.js';
import {
  CheckedDocuments,
  checkCommitInput,
  checkCreateInput,
  decodeAll,
  decodeEvent,
  decodeOrder,
  decodeRecordOrder,
  encodeCursor,
  normalizeListQuery,
} from './codec.js';
import { nextDueAt } from '../lifecycle/due.js';
import { storedOrderDocument, storedOrderText, upgradeStoredOrder } from './schema-version.js';
import { OrderExistsError, OrderNotFoundError, VersionConflictError, invalidCommit, invalidFeedPosition, transactionUnsupported } from './errors.js';
import type {
  CommitInput,
  CommitOutcome,
  CreateOptions,
  FindDueOptions,
  IdempotencyRecord,
  IdempotencyRequest,
  ListQuery,
  OrderChange,
  OrderChangeListener,
  OrderPage,
  OrderStore,
  OutboxEntry,
  PersonalDataRedaction,
  SubscribeOptions,
  Unsubscribe,
} from './port.js';
import { ok } from '../errors/result.js';

/** A subscriber of the memory feed and the last position it was given (a change-log index). */
interface MemorySubscriber {
  listener: OrderChangeListener;
  delivered: number;
}

/** One stored order: the JSON text plus the columns that queries read, as a SQL table would hold. */
export interface MemoryOrderRow {
  doc: string;
  version: number;
  number: string;
  customerId: string;
  status: Order['status'];
  createdAt: number;
  dueAt: number | null;
  dueLeaseUntil: number;
}

export interface MemoryOutboxRow {
  id: string;
  orderId: string;
  doc: string;
  seq: number;
  availableAt: number;
  leaseUntil: number | null;
  attempts: number;
  completedAt: number | null;
  lastError?: string;
  /** How many times it was claimed, never decreasing (`release` does not undo it): the latest claim's lease token is made of it. Absent in rows from before lease tokens: 0. */
  leases?: number;
}

/**
 * Everything a `MemoryOrderStore` holds, as plain maps of JSON text. Pass your own to inspect or
 * snapshot the rows in a test (or to damage one on purpose and watch the store refuse it).
 */
export interface MemoryOrderData {
  orders: Map<string, MemoryOrderRow>;
  /** order number → order id */
  numbers: Map<string, string>;
  /** order id → event JSON texts in version order */
  events: Map<string, string[]>;
  outbox: Map<string, MemoryOutboxRow>;
  /** ids of outbox rows not completed yet, in insertion order */
  openOutbox: Set<string>;
  /** idempotency key → IdempotencyRecord JSON */
  idempotency: Map<string, string>;
  /** The change feed: one OrderChange JSON per committed create or commit, position i + 1 at index i. */
  changes: string[];
}

export interface MemoryOrderStoreOptions {
  data?: MemoryOrderData;
  /** Called when a change-feed listener throws; the commit itself has already succeeded. */
  onListenerError?: (error: unknown) => void;
}

/**
 * Empty rows for a `MemoryOrderStore`; keep a reference to inspect them in a test.
 *
 * @example
 * const data = createMemoryOrderData();
 * const store = new MemoryOrderStore({ data });
 * data.orders.size // 0
 */
export function createMemoryOrderData(): MemoryOrderData {
  return { orders: new Map(), numbers: new Map(), events: new Map(), outbox: new Map(), openOutbox: new Set(), idempotency: new Map(), changes: [] };
}

const DEFAULT_DUE_LEASE_MS = 30_000;

/**
 * The in-process `OrderStore`: for tests, demos and single-process tools. It keeps JSON text, so
 * nothing you pass in or get back is shared with the store, and it behaves like the SQL adapter in
 * every rule of the contract (compare-and-set, atomic commits, leases, the change feed).
 *
 * @example
 * const store = new MemoryOrderStore();
 * const service = createOrderService({ store });
 */
export class MemoryOrderStore implements OrderStore {
  readonly data: MemoryOrderData;
  private readonly subscribers = new Set<MemorySubscriber>();
  private readonly onListenerError: ((error: unknown) => void) | undefined;
  private seq = 0;
  private readonly checked = new CheckedDocuments();

  constructor(options: MemoryOrderStoreOptions = {}) {
    this.data = options.data ?? createMemoryOrderData();
    // Data made before the change feed had a log starts an empty one.
    if (!Array.isArray(this.data.changes)) this.data.changes = [];
    this.onListenerError = options.onListenerError;
    for (const row of this.data.outbox.values()) this.seq = Math.max(this.seq, row.seq);
  }

  async load(id: string): Promise<Order | null> {
    return this.loadSync(id);
  }

  async findByNumber(number: string): Promise<Order | null> {
    if (typeof number !== 'string') return null;
    const id = this.data.numbers.get(number);
    return id === undefined ? null : this.loadSync(id);
  }

  /** See `OrderStore.redactPersonalData` (docs/privacy.md): synchronous, so each order is all or nothing. */
  async redactPersonalData(redactions: readonly PersonalDataRedaction[]): Promise<number> {
    let done = 0;
    for (const r of redactions) {
      const row = this.data.orders.get(r.orderId);
      if (!row) continue;
      const rewrite = (text: string) => JSON.stringify(r.redact(JSON.parse(text)));
      const doc = rewrite(row.doc);
      const events = (this.data.events.get(r.orderId) ?? []).map(rewrite);
      const outbox = [...this.data.outbox.values()].filter((o) => o.orderId === r.orderId).map((o) => [o, rewrite(o.doc)] as const);
      const keys = [...this.data.idempotency.entries()].filter(([, text]) => (JSON.parse(text) as IdempotencyRecord).orderId === r.orderId).map(([key, text]) => [key, rewrite(text)] as const);
      // Every rewrite is computed: now the writes, which cannot fail.
      row.doc = doc;
      row.customerId = r.pseudonym;
      if (this.data.events.has(r.orderId)) this.data.events.set(r.orderId, events);
      for (const [o, text] of outbox) o.doc = text;
      for (const [key, text] of keys) this.data.idempotency.set(key, text);
      done += 1;
    }
    return done;
  }

  private loadSync(id: string): Order | null {
    const row = this.data.orders.get(id);
    if (!row) return null;
    const events = this.data.events.get(id);
    return decodeOrder(id, row.doc, row.version, events ? lastEventVersion(id, events) : null, this.checked);
  }

  async create(order: Order, options: CreateOptions): Promise<Order> {
    if (options.transaction !== undefined) throw transactionUnsupported('MemoryOrderStore');
    const key = options.idempotencyKey;
    if (key !== undefined) {
      const prior = this.data.idempotency.get(key);
      if (prior !== undefined) {
        const record = JSON.parse(prior) as IdempotencyRecord;
        const existing = this.loadSync(record.orderId);
        if (existing) return existing;
      }
    }
    checkCreateInput(order, options.events, options.effects);
    if (this.data.orders.has(order.id)) throw new OrderExistsError(order.id, 'id');
    const holder = this.data.numbers.get(order.number);
    if (holder !== undefined) throw new OrderExistsError(holder, 'number');
    this.checkEffectIds(order.id, options.effects);
    const doc = storedOrderText(order);
    this.data.orders.set(order.id, {
      doc,
      version: order.version,
      number: order.number,
      customerId: order.customerId,
      status: order.status,
      createdAt: Date.parse(order.createdAt),
      dueAt: toMs(nextDueAt(order)),
      dueLeaseUntil: 0,
    });
    this.data.numbers.set(order.number, order.id);
    this.data.events.set(order.id, options.events.map((e) => JSON.stringify(e)));
    this.writeEffects(order, options.effects);
    if (key !== undefined) this.writeIdempotency(key, order, options.events, options.effects, options.idempotencyRequest);
    this.notify(order);
    return upgradeStoredOrder(order.id, JSON.parse(doc), { owned: true }).doc as Order;
  }

  async commit(input: CommitInput): Promise<void> {
    const outcome = this.commitSync(input);
    if (!outcome.ok) {
      const row = this.data.orders.get(input.order.id);
      throw new VersionConflictError(input.order.id, input.expectedVersion, row ? row.version : null);
    }
  }

  async commitMany(inputs: CommitInput[]): Promise<CommitOutcome[]> {
    const seen = new Set<string>();
    for (const input of inputs) {
      checkCommitInput(input);
      if (seen.has(input.order.id)) throw invalidCommit(input.order.id, 'the same order twice in one commitMany', 'commitMany 中同一订单出现两次');
      seen.add(input.order.id);
    }
    // Checked all first, then applied: a bad input fails the whole batch and writes nothing, as
    // the SQL adapter's single statement does.
    // A key is taken by the first input that would write it: a later input with the same key is a
    // conflict, as if the earlier one had committed first (never a second record for the key).
    const keys = new Set<string>();
    const prepared = inputs.map((input) => {
      const apply = this.data.orders.has(input.order.id) ? this.prepare(input) : null;
      const key = input.idempotencyKey;
      if (apply === null || key === undefined) return apply;
      if (keys.has(key)) return null;
      keys.add(key);
      return apply;
    });
    return prepared.map((apply) => (apply === null ? { ok: false, conflict: true } : apply()));
  }

  private commitSync(input: CommitInput): CommitOutcome {
    const apply = this.prepare(input);
    return apply === null ? { ok: false, conflict: true } : apply();
  }

  /** Every check of a commit; returns the write to perform, or null for a version conflict. */
  private prepare(input: CommitInput): (() => CommitOutcome) | null {
    checkCommitInput(input);
    const { order, expectedVersion, effects, idempotencyKey } = input;
    const row = this.data.orders.get(order.id);
    if (!row) throw new OrderNotFoundError(order.id);
    if (row.version !== expectedVersion) return null;
    if (idempotencyKey !== undefined && this.data.idempotency.has(idempotencyKey)) return null;
    const log = this.data.events.get(order.id) ?? [];
    // Same damage the SQL adapter detects through its primary key: events beyond this version.
    const last = lastEventVersion(order.id, log);
    if (last !== null && last > expectedVersion) {
      decodeOrder(order.id, row.doc, row.version, last);
    }
    this.checkEffectIds(order.id, effects);
    if (order.number !== row.number) throw invalidCommit(order.id, 'the order number never changes', '订单号不可更改');
    // Every check is done: from here on nothing can fail, so the commit is all or nothing.
    return () => this.apply(row, log, input);
  }

  private apply(row: MemoryOrderRow, log: string[], input: CommitInput): CommitOutcome {
    const { order, events, effects, idempotencyKey, idempotencyRequest } = input;
    if (row.version !== input.expectedVersion) return { ok: false, conflict: true };
    const doc = storedOrderText(order);
    row.doc = doc;
    row.version = order.version;
    row.status = order.status;
    row.customerId = order.customerId;
    row.dueAt = toMs(nextDueAt(order));
    row.dueLeaseUntil = 0;
    for (const e of events) log.push(JSON.stringify(e));
    this.data.events.set(order.id, log);
    this.writeEffects(order, effects);
    if (idempotencyKey !== undefined) this.writeIdempotency(idempotencyKey, order, events, effects, idempotencyRequest);
    this.notify(order);
    return ok();
  }

  async history(id: string): Promise<OrderEvent[]> {
    return (this.data.events.get(id) ?? []).map((text) => decodeEvent(id, text));
  }

  async list(query: ListQuery): Promise<OrderPage> {
    const q = normalizeListQuery(query);
    const sign = q.newestFirst ? -1 : 1;
    const rows: Array<[string, MemoryOrderRow]> = [];
    for (const entry of this.data.orders) {
      const row = entry[1];
      if (q.customerId !== null && row.customerId !== q.customerId) continue;
      if (q.statuses !== null && !q.statuses.includes(row.status)) continue;
      if (q.from !== null && row.createdAt < q.from.getTime()) continue;
      if (q.to !== null && row.createdAt >= q.to.getTime()) continue;
      if (q.after !== null && sign * comparePosition(row.createdAt, entry[0], q.after.t, q.after.id) <= 0) continue;
      rows.push(entry);
    }
    rows.sort((a, b) => sign * comparePosition(a[1].createdAt, a[0], b[1].createdAt, b[0]));
    const page = rows.slice(0, q.limit + 1);
    const items = page.slice(0, q.limit).map(([id]) => this.loadSync(id) as Order);
    const lastItem = items[items.length - 1];
    return { items, nextCursor: page.length > q.limit && lastItem ? encodeCursor(lastItem) : null };
  }

  async findDue(now: Date, limit: number, options: FindDueOptions = {}): Promise<Order[]> {
    const t = now.getTime();
    const leaseMs = options.leaseMs ?? DEFAULT_DUE_LEASE_MS;
    const due: Array<[string, MemoryOrderRow]> = [];
    for (const entry of this.data.orders) {
      const row = entry[1];
      if (row.dueAt !== null && row.dueAt <= t && row.dueLeaseUntil <= t) due.push(entry);
    }
    due.sort((a, b) => (a[1].dueAt as number) - (b[1].dueAt as number) || compareText(a[0], b[0]));
    const picked = due.slice(0, Math.max(0, limit));
    // Leased before decoding, as the SQL adapter does in one statement: a corrupt row stays leased
    // too, so the next call moves past it.
    for (const [, row] of picked) row.dueLeaseUntil = t + leaseMs;
    return decodeAll(picked.map(([id]) => () => this.loadSync(id) as Order), options.onCorrupt);
  }

  async findIdempotency(key: string): Promise<IdempotencyRecord | null> {
    const text = this.data.idempotency.get(key);
    if (text === undefined) return null;
    const record = JSON.parse(text) as IdempotencyRecord;
    record.order = decodeRecordOrder(record.orderId, record.order);
    return record;
  }

  /**
   * Effects of one order leave in the order they were written: an effect is claimed only together
   * with every earlier open effect of its order, so a later one waits while an earlier one is
   * leased or failed (docs/storage.md, "Outbox").
   */
  async claim(limit: number, leaseMs: number, now: Date = new Date()): Promise<OutboxEntry[]> {
    const t = now.getTime();
    // Per order, the run of open effects from its earliest one that are free to go right now.
    const runs = new Map<string, MemoryOutboxRow[]>();
    const blocked = new Set<string>();
    for (const id of this.data.openOutbox) {
      const row = this.data.outbox.get(id);
      if (!row || row.completedAt !== null || blocked.has(row.orderId)) continue;
      if (row.availableAt <= t && (row.leaseUntil === null || row.leaseUntil <= t)) {
        const run = runs.get(row.orderId);
        if (run) run.push(row);
        else runs.set(row.orderId, [row]);
      } else {
        blocked.add(row.orderId);
      }
    }
    // Oldest first by the order's earliest open effect, then in the order written: the limit keeps
    // a later effect only with the earlier ones of its order.
    const ready = [...runs.values()].flat();
    const headAt = (row: MemoryOutboxRow) => runs.get(row.orderId)![0]!.availableAt;
    ready.sort((a, b) => headAt(a) - headAt(b) || a.seq - b.seq);
    const picked = ready.slice(0, Math.max(0, limit));
    return picked.map((row) => {
      const entry: OutboxEntry = { effect: JSON.parse(row.doc) as Effect, attempts: row.attempts, leaseUntil: new Date(t + leaseMs) };
      if (row.lastError !== undefined) entry.lastError = row.lastError;
      row.attempts += 1;
      row.leaseUntil = t + leaseMs;
      row.leases = (row.leases ?? 0) + 1;
      entry.leaseToken = leaseTokenOf(row);
      return entry;
    });
  }

  async complete(effectId: string, now: Date = new Date(), leaseToken?: string): Promise<void> {
    const row = this.data.outbox.get(effectId);
    if (!row || row.completedAt !== null || !holds(row, leaseToken)) return;
    row.completedAt = now.getTime();
    row.leaseUntil = null;
    this.data.openOutbox.delete(effectId);
  }

  async release(effectIds: string[], leaseTokens?: ReadonlyArray<string | undefined>): Promise<void> {
    for (const [i, id] of effectIds.entries()) {
      const row = this.data.outbox.get(id);
      if (!row || row.completedAt !== null || row.leaseUntil === null || !holds(row, leaseTokens?.[i])) continue;
      row.leaseUntil = null;
      row.attempts = Math.max(0, row.attempts - 1);
    }
  }

  async fail(effectId: string, retryAt: Date, reason?: string, leaseToken?: string): Promise<void> {
    const row = this.data.outbox.get(effectId);
    if (!row || row.completedAt !== null || !holds(row, leaseToken)) return;
    row.availableAt = retryAt.getTime();
    row.leaseUntil = null;
    if (reason !== undefined) row.lastError = reason;
    // Its order's later open effects wait for it anyway: none becomes available before it (as the
    // SQL adapter does, where this keeps claim's oldest-first order prefix-closed per order).
    for (const id of this.data.openOutbox) {
      const later = this.data.outbox.get(id);
      if (later && later.orderId === row.orderId && later.seq > row.seq && later.availableAt < row.availableAt) later.availableAt = row.availableAt;
    }
  }

  /**
   * Live from the current end of the log, or from `since`: the changes after it are replayed
   * first (in a microtask, like every delivery). A memory store never loses its connection, so
   * `onReconnect` is never called.
   */
  subscribe(listener: OrderChangeListener, options: SubscribeOptions = {}): Unsubscribe {
    const start = options.since === undefined ? this.data.changes.length : this.indexOf(options.since);
    const subscriber: MemorySubscriber = { listener, delivered: Math.min(start, this.data.changes.length) };
    this.subscribers.add(subscriber);
    if (subscriber.delivered < this.data.changes.length) queueMicrotask(() => this.pump(subscriber));
    return () => {
      this.subscribers.delete(subscriber);
    };
  }

  async changesSince(since: string | null, limit: number): Promise<OrderChange[]> {
    const from = since === null ? 0 : this.indexOf(since);
    return this.data.changes.slice(from, from + Math.max(0, Math.floor(limit))).map((text) => JSON.parse(text) as OrderChange);
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }

  /** A position's index in the change log (the number of changes up to and including it). */
  private indexOf(position: string): number {
    if (typeof position !== 'string' || !POSITION.test(position)) throw invalidFeedPosition(position);
    return parseInt(position, 16);
  }

  /** Hands a subscriber every change of the log it has not had yet, in order. */
  private pump(subscriber: MemorySubscriber): void {
    const log = this.data.changes;
    while (this.subscribers.has(subscriber) && subscriber.delivered < log.length) {
      const change = JSON.parse(log[subscriber.delivered]!) as OrderChange;
      subscriber.delivered += 1;
      try {
        subscriber.listener(change);
      } catch (error) {
        this.onListenerError?.(error);
      }
    }
  }

  async enqueueEffects(effects: Effect[], now: Date = new Date()): Promise<string[]> {
    const written: string[] = [];
    for (const effect of effects) {
      if (this.data.outbox.has(effect.id)) continue;
      for (const row of this.data.outbox.values()) this.seq = Math.max(this.seq, row.seq);
      this.addToOutbox(effect.orderId, effect, now.getTime());
      written.push(effect.id);
    }
    return written;
  }

  private checkEffectIds(orderId: string, effects: Effect[]): void {
    const ids = new Set<string>();
    for (const e of effects) {
      if (ids.has(e.id) || this.data.outbox.has(e.id)) {
        throw invalidCommit(orderId, `effect id ${e.id} is already in the outbox`, `副作用 id ${e.id} 已在发件箱中`);
      }
      ids.add(e.id);
    }
  }

  private writeEffects(order: Order, effects: Effect[]): void {
    const availableAt = Date.parse(order.updatedAt);
    for (const effect of effects) this.addToOutbox(order.id, effect, availableAt);
  }

  /** One new outbox row, open, after every row written so far. */
  private addToOutbox(orderId: string, effect: Effect, availableAt: number): void {
    this.seq += 1;
    this.data.outbox.set(effect.id, {
      id: effect.id,
      orderId,
      doc: JSON.stringify(effect),
      seq: this.seq,
      availableAt,
      leaseUntil: null,
      attempts: 0,
      completedAt: null,
    });
    this.data.openOutbox.add(effect.id);
  }

  private writeIdempotency(key: string, order: Order, events: OrderEvent[], effects: Effect[], request: IdempotencyRequest | undefined): void {
    const record: IdempotencyRecord = { key, orderId: order.id, version: order.version, order: storedOrderDocument(order), events, effects };
    if (request !== undefined) record.request = request;
    this.data.idempotency.set(key, JSON.stringify(record));
  }

  /** Appends the change to the log (part of the write) and wakes the subscribers. */
  private notify(order: Order): void {
    const position = memoryPosition(this.data.changes.length + 1);
    const change: OrderChange = { orderId: order.id, version: order.version, status: order.status, at: order.updatedAt, position };
    this.data.changes.push(JSON.stringify(change));
    if (this.subscribers.size === 0) return;
    const subscribers = [...this.subscribers];
    // After the write, never inside it: a slow or throwing listener cannot undo or delay a commit.
    queueMicrotask(() => {
      for (const subscriber of subscribers) this.pump(subscriber);
    });
  }
}

/** Memory positions: the log index in 16 hex digits, so that they also sort as strings. */
const POSITION = /^[0-9a-f]{16}$/;
function memoryPosition(index: number): string {
  return index.toString(16).padStart(16, '0');
}

function toMs(iso: string | null): number | null {
  return iso === null ? null : Date.parse(iso);
}

function lastEventVersion(orderId: string, log: string[]): number | null {
  const last = log[log.length - 1];
  if (last === undefined) return null;
  // Only the version is needed here; `history` checks whole events.
  let version: unknown;
  try {
    version = (JSON.parse(last) as { version?: unknown }).version;
  } catch {
    version = undefined;
  }
  if (typeof version !== 'number') return decodeEvent(orderId, last).version;
  return version;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ascending by createdAt, then id: the same order the SQL adapter's index gives. */
function comparePosition(t1: number, id1: string, t2: number, id2: string): number {
  return t1 - t2 || compareText(id1, id2);
}

/** The lease token of a row's latest claim (unique per row: its claims are counted). */
function leaseTokenOf(row: MemoryOutboxRow): string {
  return `lease-${row.leases ?? 0}`;
}

/** True when a caller may act on the row: it gave no token, or the token of the row's latest claim. */
function holds(row: MemoryOutboxRow, leaseToken: string | undefined): boolean {
  return leaseToken === undefined || leaseToken === leaseTokenOf(row);
}
