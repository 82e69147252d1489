import type { OrderkitError } from '../errors/orderkit-error.js';
import type { PermissionTable } from '../lifecycle/permissions.js';
import type { Policy } from '../order/policy.js';
import type { PlaceOrderInput } from '../lifecycle/place-order.js';
import type { TransitionContext } from '../lifecycle/types.js';
import type { Actor, Command, CommandInput, Effect, EffectType, Order, OrderEvent, PaymentAttempt } from '../order/index.js';
import type { InventoryPort } from '../inventory/types.js';
import type { BalancePort } from '../balance/types.js';
import type { ListQuery, OrderChangeListener, OrderPage, OrderStore, SubscribeOptions, Unsubscribe } from '../storage/port.js';
import type { Failure } from '../errors/result.js';

/** Where the service reads the time. Tests pass a fixed or stepping clock. */
export interface Clock {
  now(): Date;
}

/** Where new ids come from. The defaults use random UUIDs and `createOrderNumber`. */
export interface IdSource {
  orderId(): string;
  /** An order number for an order placed at `now` (≤ 28 characters, `[0-9A-Za-z_-]`). */
  orderNumber(now: Date): string;
  /**
   * A pickup order's code, drawn when `place` gets none (docs/delivery.md "Store pickup"). Default:
   * 6 digits from `globalThis.crypto`; where there is none, `place` refuses a pickup order without
   * a code (PICKUP_CODE_SOURCE_MISSING) until this is given.
   */
  pickupCode?(): string | undefined;
}

/**
 * Asked before an unpaid order is expired: did the money for its open attempt arrive after all?
 * `attempt` is the attempt that could still pay (query the gateway by its `outTradeNo`). Answer
 * null (or throw) when the gateway could not be asked: the order then stays open and is asked
 * about again at the next sweep, until `OrderServiceOptions.unreachableGatewayLimitMs` past its
 * pay-by time; then it expires with the reason `gateway_unreachable`, and a payment that turns up
 * later is refunded as a stray payment.
 */
export interface PaymentQuery {
  query(order: Order, attempt: PaymentAttempt): Promise<
    | { paid: true; amount: number; transactionId: string; outTradeNo?: string; paidAt?: string }
    | { paid: false }
    | null
  >;
}

/**
 * The part of a lifecycle the service runs; `createLifecycle(...)` results fit. `parse` checks a
 * command against the lifecycle's own list (a shop's own commands included); without it the
 * service uses orderkit's `parseCommand`.
 */
export interface ServiceLifecycle {
  transition(order: Order, command: any, ctx: TransitionContext): ServiceTransitionResult;
  parse?(input: unknown): { ok: true; command: { type: string } } | Failure;
  /** Who may send what; a replayed idempotent command is checked against it again. Default `COMMAND_ACTORS`. */
  permissions?: PermissionTable<string>;
}

/** A command as a caller writes it: one of orderkit's, or one a shop's lifecycle defines. */
export type AnyCommandInput = CommandInput | Command | { type: string; [field: string]: unknown };
export type ServiceTransitionResult =
  | { ok: true; changed?: boolean; order: Omit<Order, 'status'> & { status: string }; events: OrderEvent[]; effects: Effect[] }
  | Failure;

export interface OrderServiceOptions {
  store: OrderStore;
  /** Default `defaultPolicy`. */
  policy?: Policy;
  /** Default: the system clock. */
  clock?: Clock;
  ids?: Partial<IdSource>;
  /**
   * Reload-and-retry rounds after a `VersionConflictError` (another process committed the order
   * first) for commands of people and timers. Default 32. Commands of one order never conflict
   * with each other inside one service instance: they queue.
   */
  maxRetries?: number;
  /** Upper bound of the first retry's random delay, doubled each round up to `retryMaxDelayMs`. Default 2 ms. */
  retryDelayMs?: number;
  /** The longest random delay of one retry round. Default 100 ms. */
  retryMaxDelayMs?: number;
  /**
   * How long a gateway callback (the `payment` actor, or PAYMENT_SUCCEEDED, REFUND_SUCCEEDED,
   * REFUND_FAILED, RECORD_STRAY_PAYMENT) keeps retrying conflicts before it answers `ORDER_BUSY`
   * (nothing written: do not acknowledge it, the gateway delivers it again). Default 30 000 ms.
   */
  callbackRetryMs?: number;
  /** Default: the built-in lifecycle. Pass one from `createLifecycle` for an extended chart. */
  lifecycle?: ServiceLifecycle;
  /** Optional gateway check that `sweep` runs before it expires an unpaid order. */
  payments?: PaymentQuery;
  /**
   * How long past an unpaid order's pay-by time `sweep` keeps it open while `payments.query`
   * cannot reach the gateway (answers null or throws), asking again at every sweep. After it the
   * order expires all the same, with `reason: 'gateway_unreachable'` on its EXPIRE (in the close
   * event's `data.reason`). Default 2 hours; 0 expires at once, as without `payments`.
   */
  unreachableGatewayLimitMs?: number;
  /**
   * A verified PAYMENT_SUCCEEDED that cannot pay the order (superseded attempt, wrong amount,
   * already paid, closed) is recorded with RECORD_STRAY_PAYMENT and refunded. Default true.
   */
  recordStrayPayments?: boolean;
  /**
   * Stock (docs/inventory.md): given, `place` holds the order's units with the order (both or
   * neither), closes and refunds give them back, returned goods restock, and `sweep` reconciles
   * the port. Without it the service only emits `inventory.release` effects, as before.
   */
  inventory?: InventoryPort;
  /**
   * Personal data retention (PIPL, docs/privacy.md): each `sweep` anonymises up to `perSweep`
   * (default 200) orders finished more than `days` days ago, through the store's
   * `redactPersonalData`, and with `inventory` the port's too (their holds and 限购 units). A store
   * or an inventory without it is refused by `sweep` with UNSUPPORTED.
   */
  retention?: { days: number; perSweep?: number };
  /**
   * The stored balance (余额, docs/payment-sources.md): given, `place` debits an order's balance
   * part with its creation (both or neither), and `balance.credit` effects are applied after each
   * commit (and by `drainOutbox`), each marking its ledger entry succeeded. Without it an order
   * with `payWith` is refused (BALANCE_NOT_CONFIGURED).
   */
  balance?: BalancePort;
  /**
   * Placements left in doubt (docs/inventory.md "Placements left in doubt"): how long after a
   * placement answered INVENTORY_PLACEMENT_UNKNOWN or BALANCE_PLACEMENT_UNKNOWN `sweep` waits
   * before it gives its units and its debit back, when no order has the id. Longer than any create
   * can take to land (your function's time limit). Default 15 minutes; a whole number of
   * milliseconds of at least 60 000, else `createOrderService` throws INVALID_SERVICE_OPTIONS.
   */
  placementGraceMs?: number;
}

/** What `place` and `dispatch` answer: domain rejections are results, never throws. */
export type ServiceResult =
  | {
      ok: true;
      order: Order;
      events: OrderEvent[];
      effects: Effect[];
      /** False for an accepted no-op (nothing was written). */
      changed: boolean;
      /** True when an idempotency key returned the first call's result. */
      replayed: boolean;
      /**
       * Set when a PAYMENT_SUCCEEDED could not pay the order and was recorded as a stray payment
       * instead (refunded in full); `code` is why the payment was refused (AMOUNT_MISMATCH, …).
       */
      strayPayment?: { code: string };
      /**
       * Set when a payment found no stock for a 'take_on_payment' SKU (docs/inventory.md): the
       * payment was recorded, then the order closed (a CANCEL with reason `out_of_stock`) and
       * refunded in full; `code` is OUT_OF_STOCK, LIMIT_REACHED or UNKNOWN_SKU.
       */
      outOfStock?: { code: string };
    }
  | Failure;

/** Input of `place`: like `placeOrder`'s, but `id` and `number` are made up when left out. */
export type PlaceInput = PlaceOrderInput extends infer T
  ? T extends PlaceOrderInput
    ? Omit<T, 'id' | 'number'> & { id?: string; number?: string }
    : never
  : never;

export interface PlaceOptions {
  /**
   * A repeated place with the same key, by the same actor and with the same input (its `id` and
   * `number` aside), returns the first order instead of making another; the same key with other
   * input is refused with `IDEMPOTENCY_KEY_REUSED`. Keys of different actors never meet.
   */
  idempotencyKey?: string;
  /** Who places the order; default the customer. */
  actor?: Actor;
}

export interface DispatchOptions {
  /**
   * A repeated command with the same key (e.g. `pay:${transactionId}`), by the same actor, to the
   * same order and with the same payload, returns the first result after checking the actor's
   * permission again; the same key with another command or payload is refused with
   * `IDEMPOTENCY_KEY_REUSED`. Keys are scoped to (actor, order): other actors and orders never
   * reach the record.
   */
  idempotencyKey?: string;
  /**
   * The order this service's `get` just returned, when the caller read it for its own checks (who
   * may act on it, defaults of the command): the first attempt starts from that order as `get`
   * read it (a change the caller made to the object since is not used) instead of reading it
   * again. A copy that went stale meanwhile costs a version conflict and a fresh read, as any
   * conflict does. Anything else (another service's order, another id) is ignored and the order
   * is read as usual (docs/storage.md, "The service").
   */
  loaded?: Order;
}

export interface SweepOptions {
  /** Orders per findDue batch. Default 200. */
  batchSize?: number;
  /** How long this sweeper holds the orders it took. Default 30 000 ms. */
  leaseMs?: number;
  /** Stop after this many orders. Default: until nothing is due. */
  maxOrders?: number;
  /** Batches in flight at once within this sweeper. Default 2. */
  concurrency?: number;
}

export interface SweepReport {
  expired: number;
  autoConfirmed: number;
  /** Unpaid orders found paid by `payments.query` and applied as PAYMENT_SUCCEEDED. */
  paidLate: number;
  /**
   * Unpaid orders left open because `payments.query` could not reach the gateway: they are asked
   * about again at the next sweep (until `unreachableGatewayLimitMs`).
   */
  gatewayUnreachable: number;
  /** Of `expired`, those closed after `unreachableGatewayLimitMs` without the gateway's word (reason `gateway_unreachable`). */
  expiredUnverified: number;
  /** Due orders the lifecycle refused (already moved on, not yet due by its own reckoning…). */
  skipped: number;
  /** Orders whose stored row is corrupt, by id (they stay leased and are reported each sweep). */
  corrupt: string[];
  /**
   * With an inventory or a balance that records placements left in doubt (`placementsInDoubt`):
   * order ids whose kept units or debit this sweep gave back, counted per port.
   */
  placementsRecovered?: number;
  /** With `retention`: orders whose personal data this sweep anonymised. */
  anonymized?: number;
}

/** Receives one effect; throw (or reject) to have it retried later with backoff. */
export type EffectHandler<T extends EffectType = EffectType> = (
  effect: Extract<Effect, { type: T }>,
  delivery: { attempts: number },
) => Promise<void> | void;
export type EffectHandlers = { [T in EffectType]?: EffectHandler<T> };

export interface DrainOptions {
  /** Effects per claim. Default 50. */
  limit?: number;
  /** How long a claimed effect is this worker's. Default 30 000 ms. */
  leaseMs?: number;
  /** Claim rounds at most. Default 20. */
  maxBatches?: number;
  /** First retry delay after a failure, doubled per attempt. Default 1000 ms. */
  retryBaseMs?: number;
  /** Longest retry delay. Default one hour. */
  retryMaxMs?: number;
}

export interface DrainReport {
  claimed: number;
  delivered: number;
  failed: number;
  /**
   * Effects without a handler: `schedule` is completed (sweep does its job), others wait and retry,
   * and hold the later effects of their order (give every effect type you produce a handler).
   */
  unhandled: number;
  /** Effects handed back untried because an earlier effect of their order failed in the same batch. */
  deferred: number;
}

export interface OrderService {
  readonly store: OrderStore;
  place(input: PlaceInput, options?: PlaceOptions): Promise<ServiceResult>;
  dispatch(orderId: string, command: AnyCommandInput, actor: Actor, options?: DispatchOptions): Promise<ServiceResult>;
  get(orderId: string): Promise<Order | null>;
  history(orderId: string): Promise<OrderEvent[]>;
  list(query?: ListQuery): Promise<OrderPage>;
  sweep(now?: Date, options?: SweepOptions): Promise<SweepReport>;
  drainOutbox(handlers: EffectHandlers, options?: DrainOptions): Promise<DrainReport>;
  /** The store's change feed (with `since`, replayed from a position first); an `UNSUPPORTED` error when the store has none. */
  subscribe(listener: OrderChangeListener, options?: SubscribeOptions): Promise<Unsubscribe>;
}

/** Everything the service's parts share, resolved once from the options. */
export interface ServiceCore {
  options: OrderServiceOptions;
  lifecycle: ServiceLifecycle;
  /** `dispatch` at a given moment (a sweep runs at its own `now`). */
  dispatchAt: (now: Date | undefined, orderId: string, command: AnyCommandInput, actor: Actor) => Promise<ServiceResult>;
  /** Run after a sweep's own commit with its effects (the balance credits an expiry asks for). */
  afterCommit?: (now: Date, effects: readonly Effect[]) => Promise<void>;
}
