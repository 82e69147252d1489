import { checkGiveBack, checkHold, checkTake } from '../../inventory/check.js';
import type { GiveBackRequest, HoldRequest, HoldResult, InventoryPort, SkuSetup, StockItem, StockLevel, TakeRequest } from '../../inventory/types.js';
import type { PersonalDataRedaction } from '../../storage/port.js';
import { toSqlDriver, type PostgresDatabase, type SqlDriver } from './driver.js';
import { checkSchemaName } from './identifiers.js';
import { addLimits, configureSku, giveBackIn, heldByOrder, inventorySchemaSql, levelOf, planHold, planTake, redactHoldIn, skuRows, takeLimits, takeStock, writeHolds } from './inventory-ledger.js';
import type { SqlTransaction } from './sql-types.js';

export interface PostgresInventoryOptions {
  /** The same `pg.Pool` / PGlite / `SqlDriver` as the `PostgresOrderStore`, so both write in one transaction. */
  db: PostgresDatabase;
  /** Default 'orderkit' (the store's schema). */
  schema?: string;
}

/**
 * Creates the inventory tables (idempotent). Run it once beside `migrate(db)`.
 *
 * @example
 * await migrate(pool);
 * await migrateInventory(pool);
 */
export async function migrateInventory(db: PostgresDatabase, options: { schema?: string } = {}): Promise<void> {
  const schema = checkSchemaName(options.schema ?? 'orderkit');
  await toSqlDriver(db).transaction((tx) => tx.exec(inventorySchemaSql(schema)));
}

/**
 * The PostgreSQL inventory (`wx-orderkit/postgres`): stock counters, holds and 限购 counts in
 * tables of the store's schema. A hold is a conditional UPDATE (`available >= n`) and a limit an
 * upsert that adds only while the sum stays within the limit, both in the transaction that
 * creates the order (`placeWith`), so an order never exists without its stock or stock without
 * its order (docs/inventory.md).
 *
 * @example
 * const inventory = new PostgresInventory({ db: pool });
 * const service = createOrderService({ store: new PostgresOrderStore({ db: pool }), inventory });
 */
export class PostgresInventory implements InventoryPort {
  readonly schema: string;
  private readonly driver: SqlDriver;

  constructor(options: PostgresInventoryOptions) {
    this.schema = checkSchemaName(options.schema ?? 'orderkit');
    this.driver = toSqlDriver(options.db);
  }

  async configure(setup: SkuSetup): Promise<void> {
    await configureSku(this.driver, this.schema, setup);
  }

  async level(sku: string): Promise<StockLevel | null> {
    const row = (await skuRows(this.driver, this.schema, [String(sku)])).get(sku);
    return row ? levelOf(row) : null;
  }

  heldBy(orderId: string): Promise<StockItem[]> {
    return heldByOrder(this.driver, this.schema, String(orderId));
  }

  reserve(request: HoldRequest): Promise<HoldResult> {
    const r = checkHold(request);
    return this.driver.transaction((tx) => this.holdIn(tx, r, 'reserve'));
  }

  commit(request: HoldRequest & { attempt: string }): Promise<HoldResult> {
    const r = checkHold(request);
    return this.driver.transaction((tx) => this.holdIn(tx, r, 'commit'));
  }

  async release(request: GiveBackRequest): Promise<StockItem[]> {
    const r = checkGiveBack(request);
    const out = await this.driver.transaction((tx) => giveBackIn(tx, this.schema, r, false, true));
    return out.map(({ sku, quantity }) => ({ sku, quantity }));
  }

  async restock(request: GiveBackRequest): Promise<StockItem[]> {
    const r = checkGiveBack(request);
    const out = await this.driver.transaction((tx) => giveBackIn(tx, this.schema, r, true, true));
    return out.map(({ sku, quantity }) => ({ sku, quantity }));
  }

  /**
   * 换货 (docs/inventory.md "Exchanges"): one transaction, keyed by (order, key) in
   * `inventory_ops`; limits first, then the hold rows, the SKU rows last, as a hold locks them. No
   * stock for one SKU rolls everything back, the key included.
   */
  take(request: TakeRequest): Promise<StockItem[]> {
    const r = checkTake(request);
    return this.driver.transaction(async (tx) => {
      const plan = await planTake(tx, this.schema, r);
      if (plan === null) return [];
      await addLimits(tx, this.schema, plan);
      await writeHolds(tx, this.schema, r.orderId, plan);
      await takeStock(tx, this.schema, plan);
      return plan.taking.map(({ sku, quantity }) => ({ sku, quantity }));
    });
  }

  /**
   * Personal data (docs/privacy.md "The inventory"): one transaction per order, its hold rows
   * locked first, then the 限购 rows: the hold and its units move to the pseudonym.
   */
  async redactPersonalData(redactions: readonly PersonalDataRedaction[]): Promise<number> {
    let done = 0;
    for (const r of redactions) {
      if (r.pseudonym === r.customerId) continue;
      if ((await this.driver.transaction((tx) => redactHoldIn(tx, this.schema, r, true))) !== null) done += 1;
    }
    return done;
  }

  /**
   * One transaction: `create` writes the order in it (`CreateOptions.transaction`), then the hold;
   * the hot SKU row is updated last, so its lock lives only until the commit.
   */
  placeWith<T>(request: HoldRequest, create: (transaction?: unknown) => Promise<T>): Promise<T> {
    const r = checkHold(request);
    return this.driver.transaction(async (tx) => {
      const made = await create(tx);
      // An idempotent replay answered with an earlier order: that one holds its own stock.
      const id = (made as { id?: unknown } | null)?.id;
      if (id !== undefined && id !== r.orderId) return made;
      await this.holdIn(tx, r, 'reserve');
      return made;
    });
  }

  /** Limits first, the hot SKU row last: its lock is held for the shortest time. */
  private async holdIn(tx: SqlTransaction, request: HoldRequest, phase: 'reserve' | 'commit'): Promise<HoldResult> {
    const plan = await planHold(tx, this.schema, request, phase);
    if (plan.replay) return plan.replay;
    await takeLimits(tx, this.schema, plan);
    const result = await writeHolds(tx, this.schema, request.orderId, plan);
    await takeStock(tx, this.schema, plan);
    return result;
  }
}
