import type { PlacementInDoubt, PlacementOutcome } from '../storage/port.js';

/**
 * The stored-balance port (余额/储值卡, docs/payment-sources.md "The balance port"): money a
 * shopper keeps with the shop, spent on orders alone or beside WeChat Pay. Every movement is
 * keyed by its order and a key of the order's (the balance part's out-trade-no for a debit, the
 * refund id or `<out-trade-no>:undo` for a credit back): the same (order, key) again moves nothing
 * and answers as the first time. A balance never goes below zero, and an order never gets back
 * more than it took.
 */

/** One movement of an order: `amount` fen (a positive integer) for `customerId`. */
export interface BalanceMovement {
  customerId: string;
  orderId: string;
  /** Idempotency key within the order (the attempt). */
  key: string;
  amount: number;
}

/** What a movement answers: the balance after it, and whether it had happened before. */
export interface BalanceResult {
  balance: number;
  /** True when this (order, key) had already moved the money: nothing moved this time. */
  replayed: boolean;
}

/** What an order took and got back so far. */
export interface OrderBalance {
  debited: number;
  credited: number;
}

/**
 * The port. Adapters: `MemoryBalance` (`wx-orderkit/advanced`), `PostgresBalance`
 * (`wx-orderkit/postgres`, the debit in the transaction that creates the order),
 * `WxCloudBalance` (`wx-orderkit/wx-cloud`); each passes `runBalanceContract` from
 * `wx-orderkit/testing`.
 *
 * Errors are `OrderkitError`s: INSUFFICIENT_BALANCE, INVALID_BALANCE_MOVEMENT,
 * BALANCE_KEY_REUSED, BALANCE_CREDIT_EXCEEDS_DEBIT, BALANCE_UNAVAILABLE. A refused movement moves
 * nothing.
 */
export interface BalancePort {
  /** The customer's balance in fen (0 for one never seen). */
  balanceOf(customerId: string): Promise<number>;
  /** 充值: adds `amount` to the balance, once per `key` (a top-up's own id). */
  topUp(request: { customerId: string; key: string; amount: number }): Promise<BalanceResult>;
  /** Takes `amount` from the balance for an order; INSUFFICIENT_BALANCE when it has less. */
  debit(request: BalanceMovement): Promise<BalanceResult>;
  /**
   * Gives `amount` back to the customer the order took it from; `customerId` is that customer or,
   * for an anonymised order, its pseudonym (`anon-…`: the money still goes to the account debited,
   * and `balance` is that account's). BALANCE_CREDIT_EXCEEDS_DEBIT when the order's credits would
   * pass its debits, or the customer is another one (docs/payment-sources.md "Credits after
   * anonymisation").
   */
  credit(request: BalanceMovement): Promise<BalanceResult>;
  /** What an order took and got back. */
  orderBalance(orderId: string): Promise<OrderBalance>;
  /**
   * Debits and runs `create` so that both happen or neither. A store sharing the database passes
   * `create` the open transaction (or joins `transaction`, one the caller already holds); others
   * debit, create, and credit back when `create` fails, unless its error says the order may have
   * been written (`mayHaveApplied: true`, BALANCE_PLACEMENT_UNKNOWN): that debit stays.
   */
  placeWith?<T>(request: BalanceMovement, create: (transaction?: unknown) => Promise<T>, transaction?: unknown): Promise<T>;
  /**
   * The order ids whose debits were kept by `placeWith` because every placement of the id ended in
   * doubt at or before `before` (docs/payment-sources.md "Placements left in doubt"), for
   * `service.sweep`. Only for a port whose `placeWith` debits outside the store's transaction.
   */
  placementsInDoubt?(before: Date): Promise<PlacementInDoubt[]>;
  /**
   * What the sweep found: `created` forgets the doubt (the debit stays with the order); `absent`
   * takes the debit back as a failed placement leaving, but only when every placement of the id
   * still holding it ended in doubt at or before `before`. Answers whether money went back; a
   * second call moves nothing.
   */
  settleInDoubt?(orderId: string, outcome: PlacementOutcome, before: Date): Promise<boolean>;
}
