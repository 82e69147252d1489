import { randomBytes } from 'node:crypto';
import { OrderkitError } from '../../errors/orderkit-error.js';
import { checkGiveBack, checkHold, checkTake } from '../../inventory/check.js';
import { inventoryUnavailable, limitReached, outOfStock, unknownSku } from '../../inventory/errors.js';
import type { GiveBackRequest, HoldRequest, HoldResult, InventoryPort, SkuSetup, StockItem, StockLevel, StockPolicy, TakeRequest } from '../../inventory/types.js';
import { toSqlDriver } from '../postgres/driver.js';
import { checkSchemaName } from '../postgres/identifiers.js';
import { configureSku, giveBackIn, heldByOrder, inventorySchemaSql, planHold, redactHoldIn, writeHolds, type GivenBack, type HoldPlan, type SkuRow } from '../postgres/inventory-ledger.js';
import type { PostgresDatabase, SqlDriver, SqlExecutor } from '../postgres/sql-types.js';
import type { PersonalDataRedaction } from '../../storage/port.js';
import { GIVE_BACK_LUA, HOLD_LUA, MOVE_LUA, TAKE_LUA } from './scripts.js';

/** The part of an ioredis client the inventory uses. */
export interface RedisLike {
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
  get(key: string): Promise<string | null>;
  hgetall(key: string): Promise<Record<string, string>>;
  multi(): any;
  scan(...args: any[]): Promise<[string, string[]]>;
  unlink(...args: any[]): Promise<number>;
  on(event: any, listener: (...args: any[]) => void): unknown;
  [command: string]: any;
}

export interface RedisInventoryOptions {
  /** An ioredis client (`new Redis(url, { maxRetriesPerRequest: 1 })`, or `connectRedis`). You own it. */
  redis: RedisLike;
  /** The durable ledger: the same `pg.Pool` / PGlite / `SqlDriver` as the order store. */
  ledger: PostgresDatabase;
  /** Default 'orderkit'. */
  schema?: string;
  /** Key prefix in Redis. Default 'orderkit:inventory'. Wrapped in `{}` so every key shares one cluster slot. */
  prefix?: string;
}

/** Both advisory locks of the ledger use this key: holds share it, `reconcile` takes it alone. */
const LEDGER_LOCK = 7_305_119_004;
const ATTEMPTS = 6;

class EpochMoved extends Error {}
/** The order's hold changed owner (a rewrite to a pseudonym, docs/privacy.md) after the script ran. */
class OwnerMoved extends Error {}
class Replayed extends Error {
  constructor(readonly result: HoldResult) {
    super('replayed');
  }
}

/**
 * An error PostgreSQL itself answered with (a SQLSTATE): the statement, or the COMMIT, was refused
 * and the transaction rolled back. A connection lost while the COMMIT's answer was on its way has
 * none, and that COMMIT may have applied (docs/inventory.md, "Redis").
 */
function refusedByServer(error: unknown): boolean {
  const e = error as { severity?: unknown; code?: unknown } | null;
  return e !== null && typeof e === 'object' && typeof e.severity === 'string' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);
}

function unavailable(error: unknown): unknown {
  if (error instanceof OrderkitError || error instanceof EpochMoved || error instanceof OwnerMoved || error instanceof Replayed) return error;
  return inventoryUnavailable(error);
}

/**
 * The Redis inventory (`wx-orderkit/redis`), for hot SKUs in a 秒杀: a Lua script checks stock and
 * 限购 and takes both in one atomic step, and a durable ledger of holds in PostgreSQL (written in
 * the order's own transaction) is the truth Redis is rebuilt from. A Redis restart or FLUSHDB
 * loses only the copy: the next call finds no epoch, `reconcile` rebuilds it from the ledger
 * under an exclusive lock, and a hold taken in the old copy is refused by the ledger (its epoch
 * moved) and taken again (docs/inventory.md "What happens when Redis restarts").
 *
 * @example
 * import { Redis } from 'ioredis';
 * const inventory = new RedisInventory({ redis: new Redis('redis://127.0.0.1:6379/0', { maxRetriesPerRequest: 1 }), ledger: pool });
 */
export class RedisInventory implements InventoryPort {
  readonly schema: string;
  readonly prefix: string;
  private readonly redis: RedisLike;
  private readonly driver: SqlDriver;
  private readonly epochKey: string;
  private stale = true;
  private reconciling: Promise<void> | null = null;

  constructor(options: RedisInventoryOptions) {
    this.schema = checkSchemaName(options.schema ?? 'orderkit');
    this.prefix = `{${options.prefix ?? 'orderkit:inventory'}}`;
    this.epochKey = `${this.prefix}:epoch`;
    this.redis = options.redis;
    this.driver = toSqlDriver(options.ledger);
    if (typeof this.redis.orderkitHold !== 'function') {
      this.redis.defineCommand('orderkitHold', { numberOfKeys: 1, lua: HOLD_LUA });
      this.redis.defineCommand('orderkitGiveBack', { numberOfKeys: 1, lua: GIVE_BACK_LUA });
    }
    if (typeof this.redis.orderkitMove !== 'function') this.redis.defineCommand('orderkitMove', { numberOfKeys: 1, lua: MOVE_LUA });
    if (typeof this.redis.orderkitTake !== 'function') this.redis.defineCommand('orderkitTake', { numberOfKeys: 1, lua: TAKE_LUA });
    // A (re)connection may be to a restarted server, even one that loaded an old snapshot.
    this.redis.on('ready', () => {
      this.stale = true;
    });
  }

  /** Creates the ledger tables (the same as `migrateInventory`). */
  async migrate(): Promise<void> {
    await this.driver.transaction((tx) => tx.exec(inventorySchemaSql(this.schema)));
  }

  async configure(setup: SkuSetup): Promise<void> {
    await this.driver.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LEDGER_LOCK]);
      await configureSku(tx, this.schema, setup);
      await tx.query(
        `UPDATE "${this.schema}".inventory_skus SET on_hand = $2 + (SELECT coalesce(sum(quantity), 0) FROM "${this.schema}".inventory_holds WHERE sku = $1) WHERE sku = $1`,
        [setup.sku, setup.available],
      );
    });
    await this.reconcile();
  }

  async level(sku: string): Promise<StockLevel | null> {
    await this.ready();
    const epoch = await this.call(() => this.redis.get(this.epochKey));
    if (epoch === null) {
      this.stale = true;
      return this.level(sku);
    }
    const h = await this.call(() => this.redis.hgetall(`${this.prefix}:${epoch}:sku:${sku}`));
    if (!h || h['available'] === undefined) return null;
    const level: StockLevel = { sku, available: Number(h['available']), held: Number(h['held']), policy: h['policy'] as StockPolicy, restockOnReturn: h['restock'] === '1' };
    if (h['perCustomer'] !== undefined) level.limit = { perCustomer: Number(h['perCustomer']), key: h['limitKey'] ?? sku };
    return level;
  }

  heldBy(orderId: string): Promise<StockItem[]> {
    return heldByOrder(this.driver, this.schema, String(orderId));
  }

  reserve(request: HoldRequest): Promise<HoldResult> {
    return this.hold(checkHold(request), 'reserve');
  }

  commit(request: HoldRequest & { attempt: string }): Promise<HoldResult> {
    return this.hold(checkHold(request), 'commit');
  }

  async placeWith<T>(request: HoldRequest, create: (transaction?: unknown) => Promise<T>): Promise<T> {
    let made: T | undefined;
    await this.hold(checkHold(request), 'reserve', async (tx) => {
      made = await create(tx);
    });
    return made as T;
  }

  release(request: GiveBackRequest): Promise<StockItem[]> {
    return this.giveBack(checkGiveBack(request), false);
  }

  restock(request: GiveBackRequest): Promise<StockItem[]> {
    return this.giveBack(checkGiveBack(request), true);
  }

  /**
   * Personal data (docs/privacy.md "The inventory"): per order, one ledger transaction (the shared
   * ledger lock, the hold rows locked) rewrites the hold to the pseudonym; once committed, one
   * script moves its 限购 units in Redis, like a give-back follows the ledger. Should the script not
   * run (a crash, Redis unreachable), Redis keeps the customer's count too high, never too low, until
   * the next reconcile (every sweep) rebuilds it from the ledger.
   */
  async redactPersonalData(redactions: readonly PersonalDataRedaction[]): Promise<number> {
    await this.ready();
    let done = 0;
    for (const r of redactions) {
      if (r.pseudonym === r.customerId) continue;
      let epoch = '';
      const units = await this.driver.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock_shared($1)', [LEDGER_LOCK]);
        const { rows } = await tx.query<{ epoch: string }>(`SELECT epoch FROM "${this.schema}".inventory_epoch WHERE id = 1`);
        epoch = rows[0]?.epoch ?? '';
        return redactHoldIn(tx, this.schema, r, false);
      });
      if (units === null) continue;
      done += 1;
      if (units.size === 0) continue;
      const args: Array<string | number> = [this.prefix, epoch, r.customerId, r.pseudonym, units.size];
      for (const [key, n] of units) args.push(key, n);
      try {
        await this.redis.orderkitMove(this.epochKey, ...args);
      } catch {
        this.stale = true;
      }
    }
    return done;
  }

  /**
   * Rebuilds Redis from the ledger under the exclusive ledger lock: a new epoch with every SKU's
   * available = on hand − held and every customer's 限购 count, switched to in one MULTI, then the
   * old epoch's keys are deleted. Holds wait for the lock and then find their epoch moved.
   */
  reconcile(): Promise<void> {
    this.reconciling ??= this.rebuild().finally(() => {
      this.reconciling = null;
    });
    return this.reconciling;
  }

  /**
   * Compares Redis with the ledger: the differences, none when they agree. Run it after tests and
   * in monitoring; `reconcile` repairs any it finds.
   */
  async audit(): Promise<string[]> {
    const expected = await this.fromLedger(this.driver);
    const epoch = await this.call(() => this.redis.get(this.epochKey));
    if (epoch === null) return ['no epoch in Redis'];
    const out: string[] = [];
    for (const [sku, want] of expected.skus) {
      const h = await this.call(() => this.redis.hgetall(`${this.prefix}:${epoch}:sku:${sku}`));
      if (Number(h['available']) !== want.available || Number(h['held']) !== want.held) out.push(`${sku}: redis ${h['available']}/${h['held']}, ledger ${want.available}/${want.held}`);
    }
    for (const [key, customers] of expected.limits) {
      const h = await this.call(() => this.redis.hgetall(`${this.prefix}:${epoch}:lim:${key}`));
      for (const [customer, n] of customers) if (Number(h[customer] ?? 0) !== n) out.push(`limit ${key}/${customer}: redis ${h[customer] ?? 0}, ledger ${n}`);
      for (const [customer, n] of Object.entries(h)) if (!customers.has(customer) && Number(n) !== 0) out.push(`limit ${key}/${customer}: redis ${n}, ledger 0`);
    }
    return out;
  }

  /**
   * Before a call after a (re)connection or a doubt: rebuild unless Redis still has the epoch the
   * ledger names AND is the same server process (`run_id`) that epoch was built in. A restarted
   * Redis has a new run_id, even when it loaded an old snapshot with the old epoch in it.
   */
  private async ready(): Promise<void> {
    if (!this.stale) return;
    this.stale = false;
    try {
      if (await this.current()) return;
    } catch (error) {
      this.stale = true;
      throw unavailable(error);
    }
    await this.reconcile();
  }

  /** Whether Redis and the ledger name the same epoch, in the same Redis process. */
  private async current(): Promise<boolean> {
    const ledger = await this.driver.transaction(async (tx) => {
      // Shared: a rebuild in progress finishes first, so both sides are read settled.
      await tx.query('SELECT pg_advisory_xact_lock_shared($1)', [LEDGER_LOCK]);
      const { rows } = await tx.query<{ epoch: string; redis_run_id: string | null }>(`SELECT epoch, redis_run_id FROM "${this.schema}".inventory_epoch WHERE id = 1`);
      return rows[0];
    });
    if (!ledger) return false;
    const [epoch, runId] = await Promise.all([this.redis.get(this.epochKey), this.runId()]);
    return epoch === ledger.epoch && runId === ledger.redis_run_id;
  }

  private async runId(): Promise<string> {
    const info = String(await this.redis.info('server'));
    return /run_id:(\w+)/.exec(info)?.[1] ?? '';
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw unavailable(error);
    }
  }

  private async hold(request: HoldRequest, phase: 'reserve' | 'commit', create?: (tx: SqlExecutor) => Promise<void>): Promise<HoldResult> {
    const policy: StockPolicy = phase === 'reserve' ? 'reserve_on_place' : 'take_on_payment';
    let moved = 0;
    // A repeat of a hold the ledger already has answers from the ledger, whatever Redis says now;
    // an order that already holds units counts against the customer its hold names (one query).
    const known = await this.driver.query<{ done: boolean; owner: string | null }>(
      `SELECT EXISTS (SELECT 1 FROM "${this.schema}".inventory_ops WHERE order_id = $1 AND key = $2) AS done,
        (SELECT customer_id FROM "${this.schema}".inventory_holds WHERE order_id = $1 ORDER BY sku LIMIT 1) AS owner`,
      [request.orderId, `hold:${phase}`],
    );
    let customer = known.rows[0]?.owner ?? request.customerId;
    if (known.rows[0]?.done) {
      const plan = await this.driver.transaction((tx) => planHold(tx, this.schema, request, phase));
      if (plan.replay) {
        // placeWith of an order id that already holds its units: the store still decides (it
        // refuses an id that exists), and nothing moves here.
        if (create) await this.driver.transaction((tx) => create(tx));
        return plan.replay;
      }
    }
    for (let attempt = 0; ; attempt++) {
      await this.ready();
      const args: Array<string | number> = [this.prefix, customer, policy, request.items.length];
      for (const item of request.items) args.push(item.sku, item.quantity);
      const answer = (await this.call(() => this.redis.orderkitHold(this.epochKey, ...args))) as string[];
      if (answer[0] === 'NOT_LOADED') {
        this.stale = true;
        if (attempt < ATTEMPTS) continue;
        throw inventoryUnavailable('Redis has no inventory loaded');
      }
      if (answer[0] !== 'OK') throw this.refusal(answer, request);
      const epoch = answer[1]!;
      const taken: GivenBack[] = [];
      for (let i = 2; i < answer.length; i += 3) taken.push({ sku: answer[i]!, quantity: Number(answer[i + 1]), limitKey: answer[i + 2] || null, customerId: customer });
      const counted = customer;
      // Set once the transaction's body has run to its end: only its COMMIT was left.
      let bodyDone = false;
      try {
        return await this.driver.transaction(async (tx) => {
          await this.sameEpoch(tx, epoch);
          if (create) await create(tx);
          const plan = await planHold(tx, this.schema, request, phase);
          if (plan.replay) throw new Replayed(plan.replay);
          if (plan.customerId !== counted) throw new OwnerMoved();
          // The ledger records exactly what the script took.
          const recorded: HoldPlan = { replay: null, customerId: counted, taking: taken.map((t) => ({ sku: t.sku, quantity: t.quantity, limitKey: t.limitKey, perCustomer: null })) };
          const written = await writeHolds(tx, this.schema, request.orderId, recorded);
          bodyDone = true;
          return written;
        });
      } catch (error) {
        // The units go back to the copy unless the COMMIT may have applied: then the copy keeps
        // them, too few until the next reconcile if it did not, never more than the ledger allows.
        if (!bodyDone || refusedByServer(error)) await this.undo(epoch, counted, taken);
        if (error instanceof Replayed) return error.result;
        if (error instanceof OwnerMoved) {
          // Taken again, against the owner the ledger names now.
          const { rows } = await this.driver.query<{ customer_id: string }>(`SELECT customer_id FROM "${this.schema}".inventory_holds WHERE order_id = $1 ORDER BY sku LIMIT 1`, [request.orderId]);
          customer = rows[0]?.customer_id ?? request.customerId;
          if (attempt < ATTEMPTS) continue;
          throw inventoryUnavailable('the hold changed owner meanwhile');
        }
        if (error instanceof EpochMoved) {
          // Twice in a row: check whether the copy and the ledger disagree about the epoch itself.
          if (++moved >= 2) this.stale = true;
          if (attempt < ATTEMPTS) continue;
          throw inventoryUnavailable('the Redis epoch kept moving');
        }
        throw error;
      }
    }
  }

  /**
   * 换货 (docs/inventory.md "Exchanges"): the script takes the units in Redis, then the ledger
   * records the key and the hold rows in one transaction of the same epoch; a key the ledger
   * already has takes nothing (and gives back what the script took), as a hold's replay does.
   */
  async take(request: TakeRequest): Promise<StockItem[]> {
    const r = checkTake(request);
    const opKey = `take:${r.key}`;
    let moved = 0;
    for (let attempt = 0; ; attempt++) {
      const done = await this.driver.query<{ done: boolean }>(`SELECT EXISTS (SELECT 1 FROM "${this.schema}".inventory_ops WHERE order_id = $1 AND key = $2) AS done`, [r.orderId, opKey]);
      if (done.rows[0]?.done) return [];
      const { rows: held } = await this.driver.query<{ sku: string; customer_id: string; limit_key: string | null }>(
        `SELECT sku, customer_id, limit_key FROM "${this.schema}".inventory_holds WHERE order_id = $1 ORDER BY sku`,
        [r.orderId],
      );
      const customer = held[0]?.customer_id ?? r.customerId;
      await this.ready();
      const args: Array<string | number> = [this.prefix, customer, r.items.length];
      for (const item of r.items) {
        const row = held.find((h) => h.sku === item.sku);
        args.push(item.sku, item.quantity, row === undefined ? '\u0001' : (row.limit_key ?? ''));
      }
      const answer = (await this.call(() => this.redis.orderkitTake(this.epochKey, ...args))) as string[];
      if (answer[0] === 'NOT_LOADED') {
        this.stale = true;
        if (attempt < ATTEMPTS) continue;
        throw inventoryUnavailable('Redis has no inventory loaded');
      }
      if (answer[0] !== 'OK') throw this.refusal(answer, { orderId: r.orderId, customerId: customer, items: r.items });
      const epoch = answer[1]!;
      const taken: GivenBack[] = [];
      for (let i = 2; i < answer.length; i += 3) taken.push({ sku: answer[i]!, quantity: Number(answer[i + 1]), limitKey: answer[i + 2] || null, customerId: customer });
      let bodyDone = false;
      try {
        await this.driver.transaction(async (tx) => {
          await this.sameEpoch(tx, epoch);
          const op = await tx.query(`INSERT INTO "${this.schema}".inventory_ops (order_id, key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [r.orderId, opKey]);
          if (op.rows.length === 0) throw new Replayed({ orderId: r.orderId, held: [], replayed: true });
          const owner = await tx.query<{ customer_id: string }>(`SELECT customer_id FROM "${this.schema}".inventory_holds WHERE order_id = $1 ORDER BY sku LIMIT 1 FOR UPDATE`, [r.orderId]);
          if ((owner.rows[0]?.customer_id ?? customer) !== customer) throw new OwnerMoved();
          const recorded: HoldPlan = { replay: null, customerId: customer, taking: taken.map((t) => ({ sku: t.sku, quantity: t.quantity, limitKey: t.limitKey, perCustomer: null })) };
          await writeHolds(tx, this.schema, r.orderId, recorded);
          bodyDone = true;
        });
        return taken.map(({ sku, quantity }) => ({ sku, quantity }));
      } catch (error) {
        // As in `hold`: kept when the COMMIT may have applied.
        if (!bodyDone || refusedByServer(error)) await this.undo(epoch, customer, taken);
        if (error instanceof Replayed) return [];
        if (error instanceof OwnerMoved || error instanceof EpochMoved) {
          if (error instanceof EpochMoved && ++moved >= 2) this.stale = true;
          if (attempt < ATTEMPTS) continue;
          throw inventoryUnavailable('the take kept meeting a moved epoch or owner');
        }
        throw error;
      }
    }
  }

  private refusal(answer: string[], request: HoldRequest): OrderkitError {
    const index = Number(answer[1]);
    const item = request.items[index] ?? { sku: String(answer[2] ?? ''), quantity: 0 };
    if (answer[0] === 'UNKNOWN_SKU') return unknownSku(item.sku, index);
    if (answer[0] === 'OUT_OF_STOCK') return outOfStock(item.sku, item.quantity, Number(answer[2]), index);
    if (answer[0] === 'LIMIT_REACHED') return limitReached(item.sku, String(answer[3]), Number(answer[4]), Number(answer[2]), index);
    return inventoryUnavailable(`unexpected answer ${answer[0]}`);
  }

  /** Inside a ledger transaction: the shared lock, and the epoch the script ran in must still be current. */
  private async sameEpoch(tx: SqlExecutor, epoch: string): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock_shared($1)', [LEDGER_LOCK]);
    const { rows } = await tx.query<{ epoch: string }>(`SELECT epoch FROM "${this.schema}".inventory_epoch WHERE id = 1`);
    if (rows[0]?.epoch !== epoch) throw new EpochMoved();
  }

  private async undo(epoch: string, customerId: string, items: GivenBack[]): Promise<void> {
    if (items.length === 0) return;
    const args: Array<string | number> = [this.prefix, epoch, customerId, items.length];
    for (const i of items) args.push(i.sku, i.quantity, i.limitKey ?? '');
    try {
      await this.redis.orderkitGiveBack(this.epochKey, ...args);
    } catch {
      // Redis keeps too little until the next reconcile: never too much.
      this.stale = true;
    }
  }

  private async giveBack(request: GiveBackRequest, restock: boolean): Promise<StockItem[]> {
    await this.ready();
    let epoch = '';
    const out = await this.driver.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock_shared($1)', [LEDGER_LOCK]);
      const { rows } = await tx.query<{ epoch: string }>(`SELECT epoch FROM "${this.schema}".inventory_epoch WHERE id = 1`);
      epoch = rows[0]?.epoch ?? '';
      return giveBackIn(tx, this.schema, request, restock, false);
    });
    // Committed in the ledger: Redis follows if still in the same epoch (else the rebuild counted it).
    const byCustomer = new Map<string, GivenBack[]>();
    for (const o of out) byCustomer.set(o.customerId, (byCustomer.get(o.customerId) ?? []).concat(o));
    for (const [customer, items] of byCustomer) await this.undo(epoch, customer, items);
    return out.map(({ sku, quantity }) => ({ sku, quantity }));
  }

  private async fromLedger(tx: SqlExecutor): Promise<{ rows: SkuRow[]; skus: Map<string, { available: number; held: number }>; limits: Map<string, Map<string, number>> }> {
    const { rows } = await tx.query<SkuRow>(`SELECT * FROM "${this.schema}".inventory_skus ORDER BY sku`);
    const held = await tx.query<{ sku: string; n: string }>(`SELECT sku, sum(quantity) AS n FROM "${this.schema}".inventory_holds WHERE quantity > 0 GROUP BY sku`);
    const heldOf = new Map(held.rows.map((r) => [r.sku, Number(r.n)]));
    const skus = new Map<string, { available: number; held: number }>();
    for (const r of rows) {
      const h = heldOf.get(r.sku) ?? 0;
      skus.set(r.sku, { available: Math.max(0, Number(r.on_hand) - h), held: h });
    }
    const lim = await tx.query<{ limit_key: string; customer_id: string; n: string }>(
      `SELECT limit_key, customer_id, sum(quantity) AS n FROM "${this.schema}".inventory_holds WHERE limit_key IS NOT NULL AND quantity > 0 GROUP BY 1, 2`,
    );
    const limits = new Map<string, Map<string, number>>();
    for (const r of lim.rows) {
      const m = limits.get(r.limit_key) ?? new Map<string, number>();
      m.set(r.customer_id, Number(r.n));
      limits.set(r.limit_key, m);
    }
    return { rows, skus, limits };
  }

  private async rebuild(): Promise<void> {
    const epoch = randomBytes(8).toString('hex');
    let old: string | null = null;
    await this.driver.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LEDGER_LOCK]);
      const ledger = await this.fromLedger(tx);
      old = await this.call(() => this.redis.get(this.epochKey));
      const multi = this.redis.multi();
      for (const r of ledger.rows) {
        const s = ledger.skus.get(r.sku)!;
        const fields: Record<string, string | number> = { available: s.available, held: s.held, policy: r.policy, restock: r.restock ? '1' : '0' };
        if (r.limit_per_customer !== null) {
          fields['perCustomer'] = Number(r.limit_per_customer);
          fields['limitKey'] = r.limit_key ?? r.sku;
        }
        multi.hset(`${this.prefix}:${epoch}:sku:${r.sku}`, fields);
      }
      for (const [key, customers] of ledger.limits) multi.hset(`${this.prefix}:${epoch}:lim:${key}`, Object.fromEntries(customers));
      multi.set(this.epochKey, epoch);
      await this.call(() => multi.exec());
      const runId = await this.call(() => this.runId());
      await tx.query(
        `INSERT INTO "${this.schema}".inventory_epoch (id, epoch, redis_run_id) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET epoch = EXCLUDED.epoch, redis_run_id = EXCLUDED.redis_run_id`,
        [epoch, runId],
      );
    });
    this.stale = false;
    if (old !== null && old !== epoch) await this.dropEpoch(old).catch(() => undefined);
  }

  private async dropEpoch(epoch: string): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:${epoch}:*`, 'COUNT', 500);
      if (keys.length > 0) await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}


