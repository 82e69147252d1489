import type { PersonalDataRedaction, PlacementInDoubt, PlacementOutcome } from '../storage/port.js';

/**
 * The inventory port (docs/inventory.md): stock per SKU, held per order. The service reserves at
 * placement (下单减库存) or takes at payment (付款减库存), and gives back on close, expiry, refunds
 * before shipping and returns. Every operation is keyed by its order, so one order can never give
 * back another's units, and a repeated call never moves stock twice.
 */

/**
 * When a SKU's stock is taken: 'reserve_on_place' (下单减库存: at placement, given back when the
 * order closes unpaid or is refunded before shipping) or 'take_on_payment' (付款减库存: at payment;
 * a payment that finds none closes the order `out_of_stock` and refunds it in full).
 */
export type StockPolicy = 'reserve_on_place' | 'take_on_payment';

/** Units of one SKU. `quantity` is a positive integer. */
export interface StockItem {
  sku: string;
  quantity: number;
}

/** 限购: how many units of a SKU (or of every SKU sharing `key`, an activity) one customer may hold. */
export interface PurchaseLimit {
  perCustomer: number;
  /** Default the SKU itself; SKUs of one activity share a key (e.g. 'double11'). */
  key?: string;
}

/** How a SKU is set up: its stock available for sale now, its policy and its limit. */
export interface SkuSetup {
  sku: string;
  /** Units available for sale from now on (units held by orders come on top). */
  available: number;
  /** Default 'reserve_on_place'. */
  policy?: StockPolicy;
  limit?: PurchaseLimit;
  /** Whether returned goods (退货 received) go back to stock. Default true. */
  restockOnReturn?: boolean;
}

/** What a SKU has: free units, units held by orders, and its setup. */
export interface StockLevel {
  sku: string;
  available: number;
  held: number;
  policy: StockPolicy;
  limit?: PurchaseLimit;
  restockOnReturn: boolean;
}

/** Units an order takes: `items` are the order's lines, summed per SKU by the service. */
export interface HoldRequest {
  orderId: string;
  customerId: string;
  items: StockItem[];
}

/** Units an order gives back under `key` (the effect id, `expired`, …): a key is applied once. */
export interface GiveBackRequest {
  orderId: string;
  key: string;
  items: StockItem[];
}

/**
 * Units an order takes after placement under `key` (换货: `exchange:<afterSaleId>`): a key is
 * applied once per order (docs/inventory.md "Exchanges").
 */
export interface TakeRequest {
  orderId: string;
  /** Whom a hold made now names (an order that holds units keeps the customer of its hold). */
  customerId: string;
  key: string;
  items: StockItem[];
}

/** What a hold answers: the units this order now holds per SKU (SKUs of the other policy left out). */
export interface HoldResult {
  orderId: string;
  held: StockItem[];
  /** True when the same order had already taken them (nothing moved this time). */
  replayed: boolean;
}

/**
 * The port. Adapters: `MemoryInventory` (here), `PostgresInventory` (`wx-orderkit/postgres`),
 * `RedisInventory` (`wx-orderkit/redis`), `WxCloudInventory` (`wx-orderkit/wx-cloud`); each passes
 * `runInventoryContract` from `wx-orderkit/testing`.
 *
 * Errors are `OrderkitError`s: UNKNOWN_SKU, OUT_OF_STOCK, LIMIT_REACHED, INVALID_STOCK_QUANTITY,
 * INVENTORY_UNAVAILABLE. A refused hold moves nothing.
 */
export interface InventoryPort {
  /** Sets a SKU's available stock, policy and limit (creates it when new). */
  configure(setup: SkuSetup): Promise<void>;
  /** The SKU's level, or null when it is not set up. */
  level(sku: string): Promise<StockLevel | null>;
  /** The units an order holds, per SKU. */
  heldBy(orderId: string): Promise<StockItem[]>;
  /**
   * 下单减库存: holds the order's units of 'reserve_on_place' SKUs, all or nothing, with the
   * limits checked in the same atomic step. SKUs of the other policy are only checked to exist.
   * Idempotent by order id.
   */
  reserve(request: HoldRequest): Promise<HoldResult>;
  /**
   * At payment (`attempt`: the payment attempt's out-trade-no): takes the order's units of
   * 'take_on_payment' SKUs, all or nothing, limits included. Idempotent by order id: a second
   * attempt of an order that already took its units moves nothing.
   */
  commit(request: HoldRequest & { attempt: string }): Promise<HoldResult>;
  /** Gives back up to `items` of what the order holds (never more). Idempotent by (order, key). */
  release(request: GiveBackRequest): Promise<StockItem[]>;
  /** Returned goods back on the shelf, for SKUs that restock on return. Idempotent by (order, key). */
  restock(request: GiveBackRequest): Promise<StockItem[]>;
  /**
   * 换货: takes units for an order that already exists (the replacement of an exchange, at
   * SHIP_EXCHANGE), whatever the SKU's policy, all or nothing: UNKNOWN_SKU or OUT_OF_STOCK and
   * nothing moves. The units join the order's hold (a later return gives them back) and count
   * against its customer's 限购 counters, but a limit never refuses them: they stand in for units
   * already counted and given back. Idempotent by (order, key): answers what this call took, `[]`
   * on a repeat. Optional: without it the service takes nothing (docs/inventory.md "Exchanges").
   */
  take?(request: TakeRequest): Promise<StockItem[]>;
  /**
   * Reserves and runs `create` so that both happen or neither. A store and inventory sharing one
   * database pass `create` their open transaction; others reserve, create, and give back when
   * `create` fails, unless its error says the order may have been written (`mayHaveApplied: true`,
   * INVENTORY_PLACEMENT_UNKNOWN, BALANCE_PLACEMENT_UNKNOWN): those units stay.
   */
  placeWith?<T>(request: HoldRequest, create: (transaction?: unknown) => Promise<T>): Promise<T>;
  /**
   * The order ids whose placements all ended in doubt at or before `before` (their units kept by
   * `placeWith` because the create may have written the order), for `service.sweep`
   * (docs/inventory.md "Placements left in doubt"). Only for a port whose `placeWith` holds outside
   * the store's transaction.
   */
  placementsInDoubt?(before: Date): Promise<PlacementInDoubt[]>;
  /**
   * What the sweep found: `created` forgets the doubt (the units stay with the order); `absent`
   * gives the units back and forgets the reservation, as a failed placement leaving, but only when
   * every placement of the id still holding them ended in doubt at or before `before` (one in
   * flight keeps them). Answers whether units went back; a second call moves nothing.
   */
  settleInDoubt?(orderId: string, outcome: PlacementOutcome, before: Date): Promise<boolean>;
  /** Brings a fast copy (Redis) back in line with its durable ledger. The service calls it at every sweep. */
  reconcile?(): Promise<void>;
  /**
   * Personal data (docs/privacy.md "The inventory"): for each redaction, atomically per order, the
   * order's hold that names `customerId` is rewritten to name `pseudonym`, and the units it counts
   * against the customer's 限购 counters move to the pseudonym's counters (a later give-back of
   * that order lowers the pseudonym's counter; the customer's other orders still count against
   * theirs); a counter of the customer left at zero is deleted. A hold that names another id (one
   * already rewritten) is left alone, so a second call moves nothing. Answers how many holds were
   * rewritten. `anonymizeCustomer` and `anonymizeFinishedOrders` call it when given `inventory`.
   */
  redactPersonalData?(redactions: readonly PersonalDataRedaction[]): Promise<number>;
}
