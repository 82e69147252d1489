import { checkSetup, limitKeyOf } from '../../inventory/check.js';
import { limitReached, outOfStock, unknownSku } from '../../inventory/errors.js';
import type { GiveBackRequest, HoldRequest, HoldResult, SkuSetup, StockItem, StockLevel, StockPolicy, TakeRequest } from '../../inventory/types.js';
import type { PersonalDataRedaction } from '../../storage/port.js';
import type { SqlExecutor } from './sql-types.js';

/**
 * The inventory's tables and statements in PostgreSQL (docs/inventory.md "PostgreSQL"), shared by
 * `PostgresInventory` (counters kept here, in the same transaction as the order) and
 * `RedisInventory` (counters in Redis; here only the durable ledger of holds it is rebuilt from).
 * Every function runs inside the caller's transaction; rows are locked limits first, then SKUs in
 * name order, so two transactions never wait for each other in a circle.
 */

export function inventorySchemaSql(schema: string): string {
  const s = `"${schema}"`;
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.inventory_skus (
  sku text PRIMARY KEY,
  available bigint NOT NULL CHECK (available >= 0),
  held bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
  on_hand bigint NOT NULL DEFAULT 0,
  policy text NOT NULL,
  limit_per_customer integer,
  limit_key text,
  restock boolean NOT NULL DEFAULT true
);
CREATE TABLE IF NOT EXISTS ${s}.inventory_holds (
  order_id text NOT NULL,
  sku text NOT NULL,
  customer_id text NOT NULL,
  quantity bigint NOT NULL CHECK (quantity >= 0),
  limit_key text,
  PRIMARY KEY (order_id, sku)
);
CREATE INDEX IF NOT EXISTS inventory_holds_sku ON ${s}.inventory_holds (sku) WHERE quantity > 0;
CREATE TABLE IF NOT EXISTS ${s}.inventory_limits (
  limit_key text NOT NULL,
  customer_id text NOT NULL,
  held bigint NOT NULL CHECK (held >= 0),
  PRIMARY KEY (limit_key, customer_id)
);
CREATE TABLE IF NOT EXISTS ${s}.inventory_ops (
  order_id text NOT NULL,
  key text NOT NULL,
  PRIMARY KEY (order_id, key)
);
CREATE TABLE IF NOT EXISTS ${s}.inventory_epoch (
  id integer PRIMARY KEY CHECK (id = 1),
  epoch text NOT NULL,
  redis_run_id text
);`;
}

export interface SkuRow {
  sku: string;
  available: string | number;
  held: string | number;
  on_hand: string | number;
  policy: StockPolicy;
  limit_per_customer: number | null;
  limit_key: string | null;
  restock: boolean;
}

export function levelOf(row: SkuRow): StockLevel {
  const level: StockLevel = { sku: row.sku, available: Number(row.available), held: Number(row.held), policy: row.policy, restockOnReturn: row.restock };
  if (row.limit_per_customer !== null) level.limit = { perCustomer: Number(row.limit_per_customer), key: row.limit_key ?? row.sku };
  return level;
}

/** Sets a SKU up. `counters`: the PostgreSQL path keeps `available` here; the ledger path only `on_hand`. */
export async function configureSku(tx: SqlExecutor, schema: string, setup: SkuSetup): Promise<void> {
  const s = checkSetup(setup);
  await tx.query(
    `INSERT INTO "${schema}".inventory_skus AS k (sku, available, held, on_hand, policy, limit_per_customer, limit_key, restock)
     VALUES ($1, $2, 0, $2, $3, $4, $5, $6)
     ON CONFLICT (sku) DO UPDATE SET available = EXCLUDED.available, on_hand = EXCLUDED.available + k.held,
       policy = EXCLUDED.policy, limit_per_customer = EXCLUDED.limit_per_customer, limit_key = EXCLUDED.limit_key, restock = EXCLUDED.restock`,
    [s.sku, s.available, s.policy, s.limit?.perCustomer ?? null, s.limit ? limitKeyOf(s.sku, s.limit) : null, s.restockOnReturn],
  );
}

export async function skuRows(tx: SqlExecutor, schema: string, skus: string[]): Promise<Map<string, SkuRow>> {
  const { rows } = await tx.query<SkuRow>(`SELECT * FROM "${schema}".inventory_skus WHERE sku = ANY($1::text[])`, [skus]);
  return new Map(rows.map((r) => [r.sku, r]));
}

export async function heldByOrder(tx: SqlExecutor, schema: string, orderId: string): Promise<StockItem[]> {
  const { rows } = await tx.query<{ sku: string; quantity: string }>(`SELECT sku, quantity FROM "${schema}".inventory_holds WHERE order_id = $1 AND quantity > 0 ORDER BY sku`, [orderId]);
  return rows.map((r) => ({ sku: r.sku, quantity: Number(r.quantity) }));
}

/** What a hold will take: its SKUs checked (UNKNOWN_SKU), the ones of `policy`, and whether it already ran. */
export interface HoldPlan {
  replay: HoldResult | null;
  customerId: string;
  taking: Array<StockItem & { limitKey: string | null; perCustomer: number | null }>;
}

export async function planHold(tx: SqlExecutor, schema: string, request: HoldRequest, phase: 'reserve' | 'commit'): Promise<HoldPlan> {
  const rows = await skuRows(tx, schema, request.items.map((i) => i.sku));
  request.items.forEach((item, i) => {
    if (!rows.has(item.sku)) throw unknownSku(item.sku, i);
  });
  const policy: StockPolicy = phase === 'reserve' ? 'reserve_on_place' : 'take_on_payment';
  const mine = request.items.filter((i) => rows.get(i.sku)!.policy === policy);
  const op = await tx.query(`INSERT INTO "${schema}".inventory_ops (order_id, key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [request.orderId, `hold:${phase}`]);
  if (op.rows.length === 0) {
    const held = await heldByOrder(tx, schema, request.orderId);
    return { replay: { orderId: request.orderId, held: held.filter((h) => mine.some((m) => m.sku === h.sku)), replayed: true }, customerId: request.customerId, taking: [] };
  }
  // The owner's first row locked (rows in SKU order, as redactHoldIn and giveBackIn lock them): a
  // rewrite of the owner to a pseudonym (docs/privacy.md) is either before this hold or after it.
  const owner = await tx.query<{ customer_id: string }>(`SELECT customer_id FROM "${schema}".inventory_holds WHERE order_id = $1 ORDER BY sku LIMIT 1 FOR UPDATE`, [request.orderId]);
  const customerId = owner.rows[0]?.customer_id ?? request.customerId;
  const taking = mine.map((i) => {
    const r = rows.get(i.sku)!;
    return { ...i, limitKey: r.limit_per_customer === null ? null : r.limit_key ?? r.sku, perCustomer: r.limit_per_customer };
  });
  return { replay: null, customerId, taking };
}

/** 限购 in one statement per key: the row is added to only while the sum stays within the limit. */
export async function takeLimits(tx: SqlExecutor, schema: string, plan: HoldPlan): Promise<void> {
  const byKey = new Map<string, { quantity: number; perCustomer: number; sku: string; index: number }>();
  plan.taking.forEach((t, index) => {
    if (t.limitKey === null || t.perCustomer === null) return;
    const had = byKey.get(t.limitKey);
    if (had) {
      had.quantity += t.quantity;
      had.perCustomer = Math.min(had.perCustomer, t.perCustomer);
    } else byKey.set(t.limitKey, { quantity: t.quantity, perCustomer: t.perCustomer, sku: t.sku, index });
  });
  for (const key of Array.from(byKey.keys()).sort()) {
    const want = byKey.get(key)!;
    const { rows } = await tx.query(
      `INSERT INTO "${schema}".inventory_limits AS l (limit_key, customer_id, held)
       SELECT $1::text, $2::text, $3::bigint WHERE $3::bigint <= $4::bigint
       ON CONFLICT (limit_key, customer_id) DO UPDATE SET held = l.held + EXCLUDED.held WHERE l.held + EXCLUDED.held <= $4::bigint
       RETURNING held`,
      [key, plan.customerId, want.quantity, want.perCustomer],
    );
    if (rows.length === 0) {
      const had = await tx.query<{ held: string }>(`SELECT held FROM "${schema}".inventory_limits WHERE limit_key = $1 AND customer_id = $2`, [key, plan.customerId]);
      throw limitReached(want.sku, key, want.perCustomer, Number(had.rows[0]?.held ?? 0), want.index);
    }
  }
}

/** The conditional decrement: the row changes only while enough is available. */
export async function takeStock(tx: SqlExecutor, schema: string, plan: HoldPlan): Promise<void> {
  const order = plan.taking.map((t, index) => ({ t, index })).sort((a, b) => (a.t.sku < b.t.sku ? -1 : 1));
  for (const { t, index } of order) {
    const { rows } = await tx.query(
      `UPDATE "${schema}".inventory_skus SET available = available - $2, held = held + $2 WHERE sku = $1 AND available >= $2 RETURNING available`,
      [t.sku, t.quantity],
    );
    if (rows.length === 0) {
      const now = await tx.query<{ available: string }>(`SELECT available FROM "${schema}".inventory_skus WHERE sku = $1`, [t.sku]);
      throw outOfStock(t.sku, t.quantity, Number(now.rows[0]?.available ?? 0), index);
    }
  }
}

/** The hold rows of the ledger: one per (order, SKU). Answers what the order holds of `plan.taking` now. */
export async function writeHolds(tx: SqlExecutor, schema: string, orderId: string, plan: HoldPlan): Promise<HoldResult> {
  if (plan.taking.length === 0) return { orderId, held: [], replayed: false };
  const { rows } = await tx.query<{ sku: string; quantity: string }>(
    `INSERT INTO "${schema}".inventory_holds AS h (order_id, sku, customer_id, quantity, limit_key)
     SELECT $1, x.sku, $2, x.quantity, x.limit_key FROM jsonb_to_recordset($3::jsonb) AS x(sku text, quantity bigint, limit_key text)
     ON CONFLICT (order_id, sku) DO UPDATE SET quantity = h.quantity + EXCLUDED.quantity
     RETURNING sku, quantity`,
    [orderId, plan.customerId, JSON.stringify(plan.taking.map((t) => ({ sku: t.sku, quantity: t.quantity, limit_key: t.limitKey })))],
  );
  return { orderId, held: rows.map((r) => ({ sku: r.sku, quantity: Number(r.quantity) })), replayed: false };
}

/**
 * 换货 (docs/inventory.md "Exchanges"): the plan of a take under `key`, or null when the key was
 * applied already. Every SKU must exist (UNKNOWN_SKU); every item is taken, whatever its policy.
 * A unit joins the order's row of its SKU, which keeps the limit key it had; a new row takes the
 * SKU's.
 */
export async function planTake(tx: SqlExecutor, schema: string, request: TakeRequest): Promise<HoldPlan | null> {
  const rows = await skuRows(tx, schema, request.items.map((i) => i.sku));
  request.items.forEach((item, i) => {
    if (!rows.has(item.sku)) throw unknownSku(item.sku, i);
  });
  const op = await tx.query(`INSERT INTO "${schema}".inventory_ops (order_id, key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [request.orderId, `take:${request.key}`]);
  if (op.rows.length === 0) return null;
  // The order's rows locked in SKU order (as every path locks them); the first names the owner.
  const held = await tx.query<{ sku: string; customer_id: string; limit_key: string | null }>(
    `SELECT sku, customer_id, limit_key FROM "${schema}".inventory_holds WHERE order_id = $1 ORDER BY sku FOR UPDATE`,
    [request.orderId],
  );
  const customerId = held.rows[0]?.customer_id ?? request.customerId;
  const taking = request.items.map((i) => {
    const mine = held.rows.find((h) => h.sku === i.sku);
    const r = rows.get(i.sku)!;
    const limitKey = mine !== undefined ? mine.limit_key : r.limit_per_customer === null ? null : r.limit_key ?? r.sku;
    return { ...i, limitKey, perCustomer: r.limit_per_customer };
  });
  return { replay: null, customerId, taking };
}

/** The 限购 counts of a take go up without a check: the units stand in for units already counted and given back. */
export async function addLimits(tx: SqlExecutor, schema: string, plan: HoldPlan): Promise<void> {
  const byKey = new Map<string, number>();
  for (const t of plan.taking) if (t.limitKey !== null) byKey.set(t.limitKey, (byKey.get(t.limitKey) ?? 0) + t.quantity);
  for (const key of Array.from(byKey.keys()).sort()) {
    await tx.query(
      `INSERT INTO "${schema}".inventory_limits AS l (limit_key, customer_id, held) VALUES ($1, $2, $3)
       ON CONFLICT (limit_key, customer_id) DO UPDATE SET held = l.held + EXCLUDED.held`,
      [key, plan.customerId, byKey.get(key)!],
    );
  }
}

export interface GivenBack extends StockItem {
  limitKey: string | null;
  customerId: string;
}

/**
 * Takes units off an order's hold rows under `key` (once per key), never below zero; answers what
 * came off. `restock`: only SKUs that restock on return. `counters`: also give the units back to
 * the SKU rows and limits (the PostgreSQL path).
 */
export async function giveBackIn(tx: SqlExecutor, schema: string, request: GiveBackRequest, restock: boolean, counters: boolean): Promise<GivenBack[]> {
  const op = await tx.query(`INSERT INTO "${schema}".inventory_ops (order_id, key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [request.orderId, `give:${request.key}`]);
  if (op.rows.length === 0) return [];
  const { rows } = await tx.query<{ sku: string; quantity: string; customer_id: string; limit_key: string | null; restock: boolean }>(
    `SELECT h.sku, h.quantity, h.customer_id, h.limit_key, k.restock FROM "${schema}".inventory_holds h JOIN "${schema}".inventory_skus k USING (sku)
     WHERE h.order_id = $1 AND h.sku = ANY($2::text[]) AND h.quantity > 0 ORDER BY h.sku FOR UPDATE OF h`,
    [request.orderId, request.items.map((i) => i.sku)],
  );
  const out: GivenBack[] = [];
  for (const item of request.items) {
    const row = rows.find((r) => r.sku === item.sku);
    if (!row || (restock && !row.restock)) continue;
    const n = Math.min(Number(row.quantity), item.quantity);
    if (n > 0) out.push({ sku: item.sku, quantity: n, limitKey: row.limit_key, customerId: row.customer_id });
  }
  if (out.length === 0) return out;
  const json = JSON.stringify(out.map((o) => ({ sku: o.sku, quantity: o.quantity })));
  if (counters) {
    const limits = out.filter((o) => o.limitKey !== null).sort((a, b) => (a.limitKey! < b.limitKey! ? -1 : 1));
    for (const o of limits) {
      await tx.query(`UPDATE "${schema}".inventory_limits SET held = held - $3 WHERE limit_key = $1 AND customer_id = $2`, [o.limitKey, o.customerId, o.quantity]);
    }
    for (const o of out.slice().sort((a, b) => (a.sku < b.sku ? -1 : 1))) {
      await tx.query(`UPDATE "${schema}".inventory_skus SET available = available + $2, held = held - $2 WHERE sku = $1`, [o.sku, o.quantity]);
    }
  }
  await tx.query(
    `UPDATE "${schema}".inventory_holds h SET quantity = h.quantity - x.quantity FROM jsonb_to_recordset($2::jsonb) AS x(sku text, quantity bigint)
     WHERE h.order_id = $1 AND h.sku = x.sku`,
    [request.orderId, json],
  );
  return out;
}

/**
 * Personal data (docs/privacy.md "The inventory"), in the caller's transaction: the order's hold
 * rows are locked in SKU order (the order every path locks them in), and those naming the customer
 * are rewritten to the pseudonym. Answers, per limit key of the rewritten rows, the units they
 * count (zero included), or null when no row named the customer (nothing to do: a repeat).
 * `counters` (the PostgreSQL path): also move those units from the customer's `inventory_limits`
 * rows to the pseudonym's, never below zero, deleting the customer's rows left at zero; limit rows
 * are locked in key order, customer before pseudonym, as `takeLimits` locks them.
 */
export async function redactHoldIn(tx: SqlExecutor, schema: string, redaction: PersonalDataRedaction, counters: boolean): Promise<Map<string, number> | null> {
  const { orderId, customerId, pseudonym } = redaction;
  const { rows } = await tx.query<{ customer_id: string; quantity: string; limit_key: string | null }>(
    `SELECT customer_id, quantity, limit_key FROM "${schema}".inventory_holds WHERE order_id = $1 ORDER BY sku FOR UPDATE`,
    [orderId],
  );
  if (!rows.some((r) => r.customer_id === customerId)) return null;
  // The units moved are read from the UPDATE itself: its statement sees the rows a hold of this
  // order committed while the SELECT above waited for it (a payment hold's new SKU row), which
  // that SELECT's snapshot does not.
  const { rows: mine } = await tx.query<{ quantity: string; limit_key: string | null }>(
    `UPDATE "${schema}".inventory_holds SET customer_id = $3 WHERE order_id = $1 AND customer_id = $2 RETURNING quantity, limit_key`,
    [orderId, customerId, pseudonym],
  );
  const units = new Map<string, number>();
  for (const r of mine) if (r.limit_key !== null) units.set(r.limit_key, (units.get(r.limit_key) ?? 0) + Number(r.quantity));
  if (!counters) return units;
  for (const key of Array.from(units.keys()).sort()) {
    const had = await tx.query<{ held: string }>(`SELECT held FROM "${schema}".inventory_limits WHERE limit_key = $1 AND customer_id = $2 FOR UPDATE`, [key, customerId]);
    const held = Number(had.rows[0]?.held ?? 0);
    const n = Math.min(held, units.get(key)!);
    if (held - n === 0) await tx.query(`DELETE FROM "${schema}".inventory_limits WHERE limit_key = $1 AND customer_id = $2`, [key, customerId]);
    else await tx.query(`UPDATE "${schema}".inventory_limits SET held = $3 WHERE limit_key = $1 AND customer_id = $2`, [key, customerId, held - n]);
    if (n > 0) {
      await tx.query(
        `INSERT INTO "${schema}".inventory_limits AS l (limit_key, customer_id, held) VALUES ($1, $2, $3)
         ON CONFLICT (limit_key, customer_id) DO UPDATE SET held = l.held + EXCLUDED.held`,
        [key, pseudonym, n],
      );
    }
  }
  return units;
}
