import { OrderkitError } from '../../errors/orderkit-error.js';
import { pgPoolDriver } from './pg-driver.js';
import { pgliteDriver } from './pglite-driver.js';

/**
 * The database as the Postgres adapter sees it: three capabilities, described structurally (as
 * kysely does) so that neither `pg` nor `@electric-sql/pglite` is ever imported at runtime. Pass a
 * `pg.Pool`, a PGlite instance, or your own `SqlDriver` (a tracing wrapper, a test double).
 */
export interface SqlRows<R = Record<string, unknown>> {
  rows: R[];
}

/** Something that runs one statement with `$1…$n` parameters. */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<SqlRows<R>>;
}

/** A connection inside a transaction: one statement at a time, or a script without parameters. */
export interface SqlTransaction extends SqlExecutor {
  exec(script: string): Promise<void>;
}

export interface SqlDriver extends SqlExecutor {
  /** Runs `body` on ONE connection between BEGIN and COMMIT; ROLLBACK when it throws. */
  transaction<T>(body: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /**
   * LISTEN on one dedicated connection; resolves once listening. Returns the way to stop. When the
   * connection is lost, the driver listens again on a new one and then calls `onReconnect`
   * (notifications sent meanwhile are lost: the change feed reads its log to catch up).
   */
  listen(channel: string, onPayload: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
}

/** A statement with a name: pg prepares it once per connection and reuses the plan. */
export interface PgNamedQuery {
  name: string;
  text: string;
  values?: unknown[];
}

/** The part of a `pg.Pool` the adapter uses. */
export interface PgPoolLike {
  query(textOrConfig: string | PgNamedQuery, params?: unknown[]): Promise<SqlRows<any>>;
  connect(): Promise<PgPoolClientLike>;
}

/** The part of a `pg.PoolClient` the adapter uses. */
export interface PgPoolClientLike {
  query(text: string, params?: unknown[]): Promise<SqlRows<any>>;
  release(destroy?: boolean | Error): void;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  removeAllListeners?(event?: string): unknown;
}

/** The part of a PGlite instance the adapter uses. */
export interface PGliteLike {
  query<R = any>(text: string, params?: any[]): Promise<SqlRows<R>>;
  exec(script: string): Promise<unknown>;
  transaction<T>(body: (tx: { query<R = any>(text: string, params?: any[]): Promise<SqlRows<R>>; exec(script: string): Promise<unknown> }) => Promise<T>): Promise<T>;
  listen(channel: string, callback: (payload: string) => void): Promise<(...args: any[]) => Promise<void>>;
}

/** What `PostgresOrderStore` and `migrate` accept as `db`. */
export type PostgresDatabase = PgPoolLike | PGliteLike | SqlDriver;

function isSqlDriver(db: PostgresDatabase): db is SqlDriver {
  return typeof (db as SqlDriver).transaction === 'function' && typeof (db as SqlDriver).listen === 'function' && typeof (db as PGliteLike).exec !== 'function';
}

function isPGlite(db: PostgresDatabase): db is PGliteLike {
  return typeof (db as PGliteLike).exec === 'function' && typeof (db as PGliteLike).transaction === 'function';
}

function isPgPool(db: PostgresDatabase): db is PgPoolLike {
  return typeof (db as PgPoolLike).connect === 'function' && typeof (db as PgPoolLike).query === 'function';
}

/**
 * Picks the driver for whatever was passed: a ready `SqlDriver`, a PGlite instance (it has
 * `exec` and `transaction`), or a pg pool (it has `connect`).
 *
 * @example
 * const driver = toSqlDriver(new pg.Pool({ connectionString }));
 */
export function toSqlDriver(db: PostgresDatabase): SqlDriver {
  if (db === null || (typeof db !== 'object' && typeof db !== 'function')) {
    // Checked first: the shape tests below would read a property of undefined (a TypeError).
    throw new OrderkitError({
      code: 'INVALID_DATABASE',
      message: {
        'zh-CN': `缺少 db：需要 pg.Pool、PGlite 实例或 SqlDriver（收到 ${db === null ? 'null' : typeof db}）`,
        en: `db is missing: give a pg.Pool, a PGlite instance or a SqlDriver (got ${db === null ? 'null' : typeof db})`,
      },
      path: ['db'],
    });
  }
  if (isSqlDriver(db)) return db;
  if (isPGlite(db)) return pgliteDriver(db);
  if (isPgPool(db)) return pgPoolDriver(db);
  throw new OrderkitError({
    code: 'INVALID_DATABASE',
    message: {
      'zh-CN': 'db 必须是 pg.Pool、PGlite 实例或 SqlDriver',
      en: 'db must be a pg.Pool, a PGlite instance or a SqlDriver',
    },
    path: ['db'],
  });
}
