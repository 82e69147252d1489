import { OrderkitError } from '../../errors/orderkit-error.js';
import { pgPoolDriver } from './pg-driver.js';
import { pgliteDriver } from './pglite-driver.js';

export type { SqlRows, SqlExecutor, SqlTransaction, SqlDriver, PgNamedQuery, PgPoolLike, PgPoolClientLike, PGliteLike, PostgresDatabase } from './sql-types.js';
import type { PGliteLike, PgPoolLike, PostgresDatabase, SqlDriver } from './sql-types.js';

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
/**
 * The driver the analyses read through: on a `pg.Pool`, statements are not prepared, so each is
 * planned for its own range (pgPoolDriver, `prepare: false`). PGlite and a driver of your own are
 * used as they are.
 */
export function analysisDriver(db: PostgresDatabase): SqlDriver {
  if (db !== null && typeof db === 'object' && !isSqlDriver(db) && !isPGlite(db) && isPgPool(db)) return pgPoolDriver(db, { prepare: false });
  return toSqlDriver(db);
}

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
