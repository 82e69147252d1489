import { foldSql, ROLLUP_PENDING_ORDER, ROLLUP_TABLES } from './analytics-rollups.js';
import { OPEN_PENDING_ORDER, openFoldSql } from './analytics-open-rollup.js';
import { SEGMENT_PENDING_ORDER, SEGMENT_TABLE_NAMES, segmentFoldSql } from './analytics-segments.js';
import { foldCustomers } from './analytics-customers.js';
import { toSqlDriver, type PostgresDatabase } from './driver.js';
import { checkSchemaName, quoteIdent } from './identifiers.js';

/*
 * Folding the rollups' pending deltas: the summary's (analytics-rollups.ts), the segment
 * rollups of the decision-support analyses (analytics-segments.ts) and the open-order rollup of
 * the open-breach list (analytics-open-rollup.ts), and the chains of the customers whose paid
 * orders changed (analytics-customers.ts).
 */

export interface CompactResult {
  /** False when another session was folding at the same moment (its work covers these deltas). */
  folded: boolean;
}

/**
 * Folds the rollups' pending deltas into one row per key. Summaries are exact either way; folding
 * keeps them fast. `summarizeSql` does it before reading (skip with `compact: false`, for a
 * read-only connection); a shop that writes much and summarises rarely can run it from a timer.
 * Two sessions never fold at once (an advisory lock; the second returns `folded: false`), and
 * deltas committed meanwhile stay for the next fold.
 *
 * @example
 * setInterval(() => void compactAnalytics(pool), 60_000);
 */
export async function compactAnalytics(db: PostgresDatabase, options: { schema?: string } = {}): Promise<CompactResult> {
  return foldPending(db, options, [...ROLLUP_TABLES, ...SEGMENT_TABLE_NAMES, 'rollup_open', 'customer_dirty']);
}

/**
 * Whether any of `tables` holds a pending delta (a dirty customer for 'customer_dirty'), read from
 * each rollup's partial index on its pending rows. Each test is a scalar subquery ordered like that
 * index, so the planner reads the index whatever its statistics say: an `exists` without the order
 * let it scan the whole table when its statistics (never analysed, or analysed while many deltas
 * were pending) promised an early hit, 25–30 ms at 1M orders to find nothing (docs/benchmarks.md).
 * PostgreSQL drops the ORDER BY of an `exists`, hence the scalar subqueries.
 */
export function pendingCheckSql(schema: string, tables: readonly string[]): string {
  const test = (t: string): string => {
    const by = pendingOrder(t);
    return by === null
      ? `exists (select 1 from ${schema}.${t})`
      : `coalesce((select true from ${schema}.${t} where not compacted order by ${by} limit 1), false)`;
  };
  return `select ${tables.map(test).join(' or ')} as any`;
}

/** The columns of `table`'s partial index on its pending rows; null for 'customer_dirty' (every row is pending). */
function pendingOrder(table: string): string | null {
  if (table === 'customer_dirty') return null;
  if (table === 'rollup_open') return OPEN_PENDING_ORDER;
  return (ROLLUP_PENDING_ORDER as Record<string, string | undefined>)[table] ?? SEGMENT_PENDING_ORDER;
}

/**
 * The fold of `tables` alone (each folds apart from the others), under the same lock.
 * 'customer_dirty' stands for the customer chains.
 */
export async function foldPending(db: PostgresDatabase, options: { schema?: string }, tables: readonly string[]): Promise<CompactResult> {
  const schema = quoteIdent(checkSchemaName(options.schema ?? 'orderkit'));
  const driver = toSqlDriver(db);
  const pending = await driver.query<{ any: boolean }>(pendingCheckSql(schema, tables));
  if (pending.rows[0]?.any !== true) return { folded: true };
  return driver.transaction(async (tx) => {
    const lock = await tx.query<{ ok: boolean }>('select pg_try_advisory_xact_lock(hashtext($1)) as ok', [`orderkit:analytics-fold:${schema}`]);
    if (lock.rows[0]?.ok !== true) return { folded: false };
    for (const table of tables) {
      if ((ROLLUP_TABLES as readonly string[]).includes(table)) await tx.query(foldSql(schema, table as (typeof ROLLUP_TABLES)[number]));
      else if (table === 'rollup_open') await tx.query(openFoldSql(schema));
      else if (table === 'customer_dirty') await foldCustomers(tx, schema);
      else await tx.query(segmentFoldSql(schema, table));
    }
    return { folded: true };
  });
}
