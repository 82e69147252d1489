import type { Effect, Order, OrderEvent, OrderStatus } from '../order/index.js';
import type { CorruptOrderError } from './errors.js';

/**
 * The storage port (docs/storage.md "The port"). Adapters implement it; the service is written against it only.
 * Every method is async. An adapter proves itself with `runOrderStoreContract` from
 * `orderkit/testing`.
 *
 * Rules every adapter keeps:
 * - Values are copied on the way in and out: a caller never shares a reference with the store.
 * - `commit` is compare-and-set on `version`, and writes the order, its events, its outbox effects
 *   and its idempotency record all together or not at all.
 * - A stored order that fails the `Order` schema, or whose version went backwards, is never handed
 *   out: the read throws `CorruptOrderError` naming the order.
 */
export interface CreateOptions {
  events: OrderEvent[];
  effects: Effect[];
  /** When the same key already created an order, `create` returns that order instead. */
  idempotencyKey?: string;
  /** Kept in the idempotency record beside the result (only with `idempotencyKey`). */
  idempotencyRequest?: IdempotencyRequest;
  /**
   * An open transaction of the store's own database to write in (the PostgreSQL inventory passes
   * one so the stock and the order commit together, docs/inventory.md). A store that cannot write
   * in it refuses with UNSUPPORTED.
   */
  transaction?: unknown;
}

export interface CommitInput {
  /** The order after the change; `order.version` is `expectedVersion + 1`. */
  order: Order;
  /** Compare-and-set: the version the caller loaded. */
  expectedVersion: number;
  events: OrderEvent[];
  effects: Effect[];
  /** Recorded with the commit (with its order, events and effects) so a repeat returns the first result. */
  idempotencyKey?: string;
  /** Kept in the idempotency record beside the result (only with `idempotencyKey`). */
  idempotencyRequest?: IdempotencyRequest;
}

/** One item of `commitMany`'s answer, in input order. */
export type CommitOutcome = { ok: true } | { ok: false; conflict: true };

export interface ListQuery {
  customerId?: string;
  status?: OrderStatus | OrderStatus[];
  /** createdAt ≥ from (inclusive) */
  from?: Date;
  /** createdAt < to (exclusive) */
  to?: Date;
  /** Page size; default 20, clamped to 1…100. */
  limit?: number;
  /** The `nextCursor` of the previous page (opaque). */
  cursor?: string | null;
  /** Default 'newest': createdAt descending, then id descending. 'oldest' is the reverse. */
  order?: 'newest' | 'oldest';
}

export interface OrderPage {
  items: Order[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export interface FindDueOptions {
  /**
   * How long the orders returned stay hidden from other `findDue` callers (default 30 000 ms), so
   * that several sweepers split the due orders between them instead of racing for the same ones.
   * A sweeper that dies simply lets the lease run out.
   */
  leaseMs?: number;
  /**
   * Given, a due order whose stored row is corrupt is reported here and skipped (it stays leased
   * like the rest) instead of failing the whole call, so one bad row cannot stall a sweeper.
   */
  onCorrupt?: (error: CorruptOrderError) => void;
}

/** An effect in the outbox, as handed to a worker. */
export interface OutboxEntry {
  effect: Effect;
  /** How many times it was claimed before this delivery (0 on the first one). */
  attempts: number;
  /** The lease ends here; after it another worker may claim the effect again. */
  leaseUntil: Date;
  /** The reason given to the last `fail`, if any. */
  lastError?: string;
  /**
   * Names this claim of the effect (docs/storage.md, "Outbox"). Passed back to `complete`, `fail`
   * or `release`, it makes them act only while this claim is the effect's latest: once another
   * worker claimed the effect again (this lease ran out), they change nothing. Every adapter of
   * this package sets it; an adapter written before it may not.
   */
  leaseToken?: string;
}

/**
 * What the service keeps about the request an idempotency record answers (docs/storage.md,
 * "Idempotency"): a store saves it as given and hands it back, it never reads it.
 */
export interface IdempotencyRequest {
  /** The command type and a hash of its canonical payload: a repeat must match it to be replayed. */
  fingerprint: string;
  /** Set when the first call recorded a verified payment as a stray payment (its refusal code). */
  strayPayment?: { code: string };
}

/**
 * What an idempotency key remembers: the order and version the first call produced, and that
 * call's result, so a repeated command returns exactly the first answer.
 */
export interface IdempotencyRecord {
  key: string;
  orderId: string;
  version: number;
  /** The order as the first call left it (version `version`). */
  order: Order;
  events: OrderEvent[];
  effects: Effect[];
  /** The request it answers; absent in records written before scoped keys (never replayed). */
  request?: IdempotencyRequest;
}

/**
 * One committed change, as the change feed reports it. `at` is the order's `updatedAt`.
 * `position` is where the change sits in the store's feed (docs/storage.md, "Change feed").
 */
export interface OrderChange {
  orderId: string;
  version: number;
  status: OrderStatus;
  at: string;
  /** Opaque, strictly increasing in delivery order per store; pass back as `since`. */
  position: string;
}
export type OrderChangeListener = (change: OrderChange) => void;

export interface SubscribeOptions {
  /** Replay every change after this position first, then go live. */
  since?: string;
  /** Called after the feed lost its connection and caught up again. */
  onReconnect?: (info: { since: string | null }) => void;
  /**
   * Early word of committed changes, as their notifications arrive, before the feed has placed
   * them in position order (docs/storage.md, "Change feed"). Changes of different orders may come
   * in any order, one may come twice or never (a lost notification), and one may be older than
   * the subscription. The listener above still gets every change once, in position order: a
   * consumer that acts on early word keeps its own order per order by version. Stores without
   * notifications never call it.
   */
  onNotified?: OrderChangeListener;
}
export type Unsubscribe = () => void | Promise<void>;

/**
 * How to rewrite one order's stored documents without its customer's personal data (built by
 * `personalDataRedaction`, docs/privacy.md): `redact` for every JSON document of the order (the
 * order, its events, outbox effects and idempotency records), `text` for a plain string column.
 */
export interface PersonalDataRedaction {
  orderId: string;
  customerId: string;
  /** What the customer id becomes. */
  pseudonym: string;
  redact(doc: unknown): unknown;
  text(value: string): string;
}

/**
 * An order id whose placement ended in doubt (INVENTORY_PLACEMENT_UNKNOWN,
 * BALANCE_PLACEMENT_UNKNOWN, docs/inventory.md "Placements left in doubt"): a port that took units
 * or a debit outside the store's transaction lists it from `placementsInDoubt`, and `service.sweep`
 * settles it (`settleInDoubt`) once it has read the store.
 */
export interface PlacementInDoubt {
  orderId: string;
  /** When the latest of its placements ended in doubt. */
  since: Date;
  /** The idempotency keys its order may still be created from (settled before the order is read). */
  idempotencyKeys: string[];
}

/**
 * What the sweep found of an order id in doubt: `created` (an order has the id: what was taken
 * stays with it, and the doubt is forgotten) or `absent` (no order, and no key left to create it).
 */
export type PlacementOutcome = 'created' | 'absent';

export interface OrderStore {
  /** The order, or null when there is none. Throws `CorruptOrderError` for a bad row. */
  load(id: string): Promise<Order | null>;
  /**
   * The order with this order number (`order.number`, WeChat Pay's first `out_trade_no`), or
   * null. Numbers are unique per store, so at most one order matches; stores answer from an index
   * (PostgreSQL: the `number` UNIQUE constraint; wx-cloud: the number claim record). Throws
   * `CorruptOrderError` for a bad row, like `load`.
   */
  findByNumber(number: string): Promise<Order | null>;
  /**
   * Stores a new order (version 1) with its events and effects. Throws `OrderExistsError` for a
   * taken id or number, unless `idempotencyKey` already created an order: then that order is
   * returned (whatever its id), and nothing is written.
   */
  create(order: Order, options: CreateOptions): Promise<Order>;
  /**
   * Compare-and-set. Throws `VersionConflictError` (and writes nothing) when the stored version is
   * not `expectedVersion`, or when `idempotencyKey` was taken meanwhile; `OrderNotFoundError` when
   * the order does not exist.
   */
  commit(input: CommitInput): Promise<void>;
  /**
   * Optional capability: many independent commits in one round trip (used by `sweep`). Each input
   * is compare-and-set on its own; a conflicting one (its order moved, or its idempotency key is
   * taken, by an earlier commit or by an earlier input of the same call) is reported and writes
   * nothing, the others commit. Every input is for a different order.
   */
  commitMany?(inputs: CommitInput[]): Promise<CommitOutcome[]>;
  /**
   * Optional capability (used by the service for a busy order): consecutive commits of ONE order,
   * each input's `expectedVersion` being the previous input's `order.version`, written all or
   * nothing with one compare-and-set on the first input's `expectedVersion`. Every step keeps its
   * own events, effects, idempotency record and change-feed entry; readers see the last order.
   * Errors as `commit`'s (a conflict writes none of the steps).
   */
  commitChain?(inputs: CommitInput[]): Promise<void>;
  /** Events in version order (1…n). */
  history(id: string): Promise<OrderEvent[]>;
  list(query: ListQuery): Promise<OrderPage>;
  /**
   * Orders whose next deadline (pay-by while `pending_payment`, auto-confirm while `shipped` or
   * `delivered`) is ≤ now, earliest first, at most `limit`, skipping orders another caller leased.
   */
  findDue(now: Date, limit: number, options?: FindDueOptions): Promise<Order[]>;
  /**
   * Optional capability (used by `sweep` when no payment query is configured): claims up to
   * `limit` due orders as `findDue` would, hands them to `decide`, and writes the commits it
   * returns (each for one of those orders, at the version it was handed) atomically with the
   * claim. Claims of concurrent callers are disjoint and no order moves between the claim and its
   * commit, so every commit succeeds; the due orders `decide` did not commit, and corrupt ones,
   * stay leased for `leaseMs` as after `findDue`. Resolves with how many orders were claimed
   * (0: nothing left that is due and free) and the ids committed.
   */
  sweepDue?(now: Date, limit: number, decide: (due: Order[]) => CommitInput[], options?: FindDueOptions): Promise<{ claimed: number; committed: string[] }>;
  /** Idempotency records written by `create`/`commit`. */
  findIdempotency(key: string): Promise<IdempotencyRecord | null>;
  /**
   * Writes effects that belong to no order's commit (a shop-wide alert, docs/analytics.md
   * "Automatic actions") into the outbox, available from `now`. An effect whose id the outbox
   * already holds, pending or delivered, is left alone: a stable id makes the write happen at most
   * once, across instances and restarts. Answers the ids written now, in input order.
   */
  enqueueEffects?(effects: Effect[], now?: Date): Promise<string[]>;
  /**
   * Leases up to `limit` effects that are available (not completed, `available` ≤ now, not leased
   * or lease expired), oldest first; each stays invisible to other claims for `leaseMs`.
   */
  claim(limit: number, leaseMs: number, now?: Date): Promise<OutboxEntry[]>;
  /**
   * Marks an effect delivered. Idempotent; unknown ids are ignored. With `leaseToken` (the
   * entry's, from `claim`), only while that claim is the effect's latest: a worker whose lease ran
   * out and was claimed by another since changes nothing. Without it, whoever holds the lease.
   */
  complete(effectId: string, now?: Date, leaseToken?: string): Promise<void>;
  /**
   * Releases the lease and makes the effect available again at `retryAt`. With `leaseToken`, only
   * while that claim is the effect's latest (as `complete`); a stale token changes nothing.
   */
  fail(effectId: string, retryAt: Date, reason?: string, leaseToken?: string): Promise<void>;
  /**
   * Optional: hands claimed effects back untried (an earlier effect of their order failed): the
   * lease is released and the claim is not counted in `attempts`. Unknown or completed ids are
   * ignored. `leaseTokens[i]`, when given, is the token of `effectIds[i]` (as `complete`: a stale
   * one leaves that effect alone; an undefined one acts as before). Without it, `drainOutbox`
   * uses `fail(id, now)`.
   */
  release?(effectIds: string[], leaseTokens?: ReadonlyArray<string | undefined>): Promise<void>;
  /**
   * Optional capability: the change feed. Every committed create or commit is delivered once, in
   * position order; with `since`, the changes after that position are replayed first. A `since`
   * this store did not hand out is refused with `INVALID_FEED_POSITION`.
   */
  subscribe?(listener: OrderChangeListener, options?: SubscribeOptions): Promise<Unsubscribe> | Unsubscribe;
  /** Committed changes after `since` (null: from the start), in position order, at most `limit`. */
  changesSince?(since: string | null, limit: number): Promise<OrderChange[]>;
  /**
   * Optional capability (PIPL, docs/privacy.md): rewrites every stored document of each named order
   * — the order (and the columns and projections read from it), its events, outbox effects and
   * idempotency records — through its redaction, each order in one transaction. The order's
   * version does not change and no change-feed entry is written (the feed carries no personal
   * data). Unknown ids are skipped. Resolves with how many orders were rewritten.
   */
  redactPersonalData?(redactions: readonly PersonalDataRedaction[]): Promise<number>;
  /** Optional: releases connections and listeners the store opened itself. */
  close?(): Promise<void>;
}
