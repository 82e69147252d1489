import type { Effect, Order, OrderEvent, OrderStatus } from '../order/index.js';

/**
 * The storage port (DESIGN.md §7). Adapters implement it; the service is written against it only.
 * Every method is async. An adapter proves itself with `runOrderStoreContract` from
 * `orderkit/testing`.
 */
export interface CreateOptions {
  events: OrderEvent[];
  effects: Effect[];
  /** When the same key already created this order, `create` returns the stored one. */
  idempotencyKey?: string;
}

export interface CommitInput {
  /** The order after the change; `order.version` is `expectedVersion + 1`. */
  order: Order;
  /** Compare-and-set: the version the caller loaded. */
  expectedVersion: number;
  events: OrderEvent[];
  effects: Effect[];
  /** Recorded with the commit so that a repeated command returns the first result. */
  idempotencyKey?: string;
}

export interface ListQuery {
  customerId?: string;
  status?: OrderStatus | OrderStatus[];
  /** createdAt ≥ from (inclusive) */
  from?: Date;
  /** createdAt < to (exclusive) */
  to?: Date;
  /** Page size; default 20, at most 100. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
}

export interface OrderPage {
  items: Order[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/** An effect in the outbox, as handed to a worker. */
export interface OutboxEntry {
  effect: Effect;
  /** How many times it has been claimed before (0 on the first delivery). */
  attempts: number;
  /** The lease ends here; after it another worker may claim the effect again. */
  leaseUntil: Date;
}

/** What the idempotency record remembers: which order and which version the first call made. */
export interface IdempotencyRecord {
  key: string;
  orderId: string;
  version: number;
}

export interface OrderChange {
  orderId: string;
  version: number;
  status: OrderStatus;
  at: string;
}
export type OrderChangeListener = (change: OrderChange) => void;
export type Unsubscribe = () => void | Promise<void>;

export interface OrderStore {
  load(id: string): Promise<Order | null>;
  create(order: Order, options: CreateOptions): Promise<Order>;
  commit(input: CommitInput): Promise<void>;
  history(id: string): Promise<OrderEvent[]>;
  list(query: ListQuery): Promise<OrderPage>;
  /** Orders whose next deadline (pay-by while unpaid, auto-confirm while shipped) is ≤ now. */
  findDue(now: Date, limit: number): Promise<Order[]>;
  /** Idempotency records written by `create`/`commit`. */
  findIdempotency(key: string): Promise<IdempotencyRecord | null>;
  claim(limit: number, leaseMs: number, now?: Date): Promise<OutboxEntry[]>;
  complete(effectId: string): Promise<void>;
  fail(effectId: string, retryAt: Date, reason?: string): Promise<void>;
  /** Optional capability: the change feed. */
  subscribe?(listener: OrderChangeListener): Promise<Unsubscribe> | Unsubscribe;
  close?(): Promise<void>;
}
