import { checkMovement, checkTopUp, creditAccount, namesNothing, sameMovement } from '../../balance/check.js';
import { balanceErrors, isBalanceError } from '../../balance/errors.js';
import type { BalanceMovement, BalancePort, BalanceResult, OrderBalance } from '../../balance/types.js';
import { toSqlDriver, type PostgresDatabase, type SqlDriver } from './driver.js';
import { checkSchemaName } from './identifiers.js';
import type { SqlExecutor } from './sql-types.js';

export interface PostgresBalanceOptions {
  /** The same `pg.Pool` / PGlite / `SqlDriver` as the `PostgresOrderStore`, so the debit and the order share a transaction. */
  db: PostgresDatabase;
  /** Default 'orderkit' (the store's schema). */
  schema?: string;
}

function schemaSql(schema: string): string {
  const s = `"${schema}"`;
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.balance_accounts (
  customer_id text PRIMARY KEY,
  balance bigint NOT NULL CHECK (balance >= 0)
);
CREATE TABLE IF NOT EXISTS ${s}.balance_orders (
  order_id text PRIMARY KEY,
  customer_id text NOT NULL,
  debited bigint NOT NULL CHECK (debited >= 0),
  credited bigint NOT NULL CHECK (credited >= 0 AND credited <= debited)
);
CREATE TABLE IF NOT EXISTS ${s}.balance_ops (
  order_id text NOT NULL,
  key text NOT NULL,
  kind text NOT NULL,
  customer_id text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  PRIMARY KEY (order_id, key)
);`;
}

/**
 * Creates the balance tables (idempotent). Run it once beside `migrate(db)`.
 *
 * @example
 * await migrate(pool);
 * await migrateBalance(pool);
 */
export async function migrateBalance(db: PostgresDatabase, options: { schema?: string } = {}): Promise<void> {
  const schema = checkSchemaName(options.schema ?? 'orderkit');
  await toSqlDriver(db).transaction((tx) => tx.exec(schemaSql(schema)));
}

/**
 * The stored balance in PostgreSQL (`wx-orderkit/postgres`). A debit is a conditional UPDATE
 * (`balance >= amount`, so it never goes below zero, and the CHECK says so too), an order's
 * credits are bounded by its debits in `balance_orders` (a CHECK as well), and the operation row
 * (primary key order + key) makes every call happen once. `placeWith` debits in the transaction
 * that creates the order (docs/payment-sources.md "PostgreSQL").
 *
 * @example
 * const balance = new PostgresBalance({ db: pool });
 * const service = createOrderService({ store: new PostgresOrderStore({ db: pool }), balance });
 */
export class PostgresBalance implements BalancePort {
  readonly schema: string;
  private readonly driver: SqlDriver;

  constructor(options: PostgresBalanceOptions) {
    this.schema = checkSchemaName(options.schema ?? 'orderkit');
    this.driver = toSqlDriver(options.db);
  }

  async balanceOf(customerId: string): Promise<number> {
    if (namesNothing(customerId)) return 0;
    const { rows } = await this.driver.query<{ balance: string }>(`SELECT balance FROM "${this.schema}".balance_accounts WHERE customer_id = $1`, [String(customerId)]);
    return rows.length === 0 ? 0 : Number(rows[0]!.balance);
  }

  topUp(request: { customerId: string; key: string; amount: number }): Promise<BalanceResult> {
    const r = checkTopUp(request);
    return this.driver.transaction((tx) => this.move(tx, { ...r, orderId: 'top-up' }, 'top_up'));
  }

  debit(request: BalanceMovement): Promise<BalanceResult> {
    const r = checkMovement(request);
    return this.driver.transaction((tx) => this.move(tx, r, 'debit'));
  }

  credit(request: BalanceMovement): Promise<BalanceResult> {
    const r = checkMovement(request);
    return this.driver.transaction((tx) => this.move(tx, r, 'credit'));
  }

  async orderBalance(orderId: string): Promise<OrderBalance> {
    if (namesNothing(orderId)) return { debited: 0, credited: 0 };
    const { rows } = await this.driver.query<{ debited: string; credited: string }>(`SELECT debited, credited FROM "${this.schema}".balance_orders WHERE order_id = $1`, [String(orderId)]);
    return rows.length === 0 ? { debited: 0, credited: 0 } : { debited: Number(rows[0]!.debited), credited: Number(rows[0]!.credited) };
  }

  /**
   * One transaction (or the caller's, `transaction`): `create` writes the order in it, then the
   * debit; a refused debit rolls the order back with it.
   */
  placeWith<T>(request: BalanceMovement, create: (transaction?: unknown) => Promise<T>, transaction?: unknown): Promise<T> {
    const r = checkMovement(request);
    const body = async (tx: SqlExecutor): Promise<T> => {
      const made = await create(tx);
      // An idempotent replay answered with an earlier order: that one paid its own part.
      const id = (made as { id?: unknown } | null)?.id;
      if (id !== undefined && id !== r.orderId) return made;
      await this.move(tx, r, 'debit');
      return made;
    };
    if (transaction !== undefined) return body(transaction as SqlExecutor);
    return this.driver.transaction((tx) => body(tx));
  }

  /**
   * One movement inside `tx`: the account row is locked first, so movements of one customer queue.
   * A credit's account is the one its order was debited from (creditAccount), read before the lock:
   * an order row's customer never changes once written.
   */
  private async move(tx: SqlExecutor, r: BalanceMovement, kind: 'debit' | 'credit' | 'top_up'): Promise<BalanceResult> {
    const s = `"${this.schema}"`;
    try {
      let account = r.customerId;
      if (kind === 'credit') {
        const owner = await tx.query<{ customer_id: string }>(`SELECT customer_id FROM ${s}.balance_orders WHERE order_id = $1`, [r.orderId]);
        account = creditAccount(owner.rows[0]?.customer_id, r.customerId) ?? r.customerId;
      }
      await tx.query(`INSERT INTO ${s}.balance_accounts (customer_id, balance) VALUES ($1, 0) ON CONFLICT (customer_id) DO NOTHING`, [account]);
      const locked = await tx.query<{ balance: string }>(`SELECT balance FROM ${s}.balance_accounts WHERE customer_id = $1 FOR UPDATE`, [account]);
      const have = Number(locked.rows[0]!.balance);
      const seen = await tx.query<{ kind: string; customer_id: string; amount: string }>(`SELECT kind, customer_id, amount FROM ${s}.balance_ops WHERE order_id = $1 AND key = $2`, [r.orderId, r.key]);
      if (seen.rows.length > 0) {
        const op = seen.rows[0]!;
        if (!sameMovement({ kind: op.kind, customerId: op.customer_id, amount: Number(op.amount) }, kind, r.customerId, r.amount)) throw balanceErrors.keyReused(r.orderId, r.key);
        return { balance: have, replayed: true };
      }
      let balance = have;
      if (kind === 'top_up') balance = have + r.amount;
      else {
        const order = await tx.query<{ customer_id: string; debited: string; credited: string }>(`SELECT customer_id, debited, credited FROM ${s}.balance_orders WHERE order_id = $1 FOR UPDATE`, [r.orderId]);
        const row = order.rows[0];
        if (kind === 'debit') {
          if (have < r.amount) throw balanceErrors.insufficient(r.amount, have);
          if (row !== undefined && row.customer_id !== r.customerId) throw balanceErrors.keyReused(r.orderId, r.key);
          await tx.query(
            `INSERT INTO ${s}.balance_orders (order_id, customer_id, debited, credited) VALUES ($1, $2, $3, 0)
             ON CONFLICT (order_id) DO UPDATE SET debited = ${s}.balance_orders.debited + EXCLUDED.debited`,
            [r.orderId, r.customerId, r.amount],
          );
          balance = have - r.amount;
        } else {
          // Not the locked account: the order's first debit landed after the read above; refused as before it.
          const debited = row !== undefined && creditAccount(row.customer_id, r.customerId) === account ? Number(row.debited) : 0;
          const credited = row === undefined ? 0 : Number(row.credited);
          if (credited + r.amount > debited) throw balanceErrors.creditExceedsDebit(r.orderId, debited, credited, r.amount);
          await tx.query(`UPDATE ${s}.balance_orders SET credited = credited + $2 WHERE order_id = $1`, [r.orderId, r.amount]);
          balance = have + r.amount;
        }
      }
      await tx.query(`UPDATE ${s}.balance_accounts SET balance = $2 WHERE customer_id = $1`, [account, balance]);
      await tx.query(`INSERT INTO ${s}.balance_ops (order_id, key, kind, customer_id, amount) VALUES ($1, $2, $3, $4, $5)`, [r.orderId, r.key, kind, account, r.amount]);
      return { balance, replayed: false };
    } catch (error) {
      if (isBalanceError(error)) throw error;
      throw balanceErrors.unavailable(error);
    }
  }
}
