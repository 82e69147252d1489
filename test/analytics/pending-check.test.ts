import { expect, it } from 'vitest';
import { compactAnalytics, migrateAnalytics } from '../../src/adapters/postgres/index.js';
import { pendingCheckSql } from '../../src/adapters/postgres/analytics-compact.js';
import { ROLLUP_TABLES } from '../../src/adapters/postgres/analytics-rollups.js';
import { SEGMENT_TABLE_NAMES } from '../../src/adapters/postgres/analytics-segments.js';
import { describeRealPg, migratedPool } from '../support/pg.js';

/*
 * The pending check that compactAnalytics runs before every fold (analytics-compact.ts) must read
 * the rollups' partial indexes on their pending rows, whatever the planner's statistics say. The
 * case that cost 25–30 ms at 1M orders (docs/benchmarks.md): statistics gathered while many deltas
 * were pending, then a fold that left none, so a bare `exists` scanned whole tables.
 */

const ALL = [...ROLLUP_TABLES, ...SEGMENT_TABLE_NAMES, 'rollup_open', 'customer_dirty'];
const ROWS = 20_000;

/** `rows` rows with distinct keys in a summary rollup, folded or pending. */
const fillSql = (table: (typeof ROLLUP_TABLES)[number], compacted: boolean, rows: number): string => {
  const t = `timestamptz '2026-01-01' + g * interval '15 minutes'`;
  const series = `from generate_series(1, ${rows}) g`;
  return {
    rollup_placed: `insert into rollup_placed (bucket, status, close_reason, depth, n, compacted) select ${t}, 'paid', '', 1, 1, ${compacted} ${series};`,
    rollup_paid: `insert into rollup_paid (bucket, refunded_any, n, gmv, refunded, compacted) select ${t}, false, 1, 100, 0, ${compacted} ${series};`,
    rollup_stage: `insert into rollup_stage (day, stage, ms, n, compacted) select ${t}, 0, g, 1, ${compacted} ${series};`,
    rollup_sku: `insert into rollup_sku (day, sku, title, units, revenue, orders, compacted) select ${t}, 'S' || g, 'T', 1, 100, 1, ${compacted} ${series};`,
  }[table];
};

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** The relations a plan reads by a sequential scan. */
function seqScanned(node: PlanNode): string[] {
  const own = node['Node Type'] === 'Seq Scan' && node['Relation Name'] !== undefined ? [node['Relation Name']] : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScanned)];
}

await describeRealPg('the pending check of compactAnalytics on the real PostgreSQL', (real) => {
  const pools = migratedPool(real, 2);

  it('reads the pending indexes when the statistics promise pending rows that a fold removed, and still sees a new delta', async () => {
    const pool = pools();
    const schema = `"${real.schema}"`;
    await migrateAnalytics(pool, { schema: real.schema });
    await pool.query(`set search_path to ${schema}; ${ROLLUP_TABLES.map((t) => fillSql(t, true, ROWS) + fillSql(t, false, ROWS)).join(' ')} analyze;`);
    await pool.query(`set search_path to ${schema}; ${ROLLUP_TABLES.map((t) => `delete from ${t} where not compacted;`).join(' ')} reset search_path;`);

    // The set-up reproduces the trap: with these statistics a bare exists scans the table.
    const bare = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `explain (format json) select exists (select 1 from ${schema}.rollup_stage where not compacted)`,
    );
    expect(seqScanned(bare.rows[0]!['QUERY PLAN'][0].Plan)).toEqual(['rollup_stage']);

    const plan = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`explain (format json) ${pendingCheckSql(schema, ALL)}`);
    // The other tables are empty here, where a sequential scan is what costs nothing.
    expect(seqScanned(plan.rows[0]!['QUERY PLAN'][0].Plan).filter((t) => (ROLLUP_TABLES as readonly string[]).includes(t))).toEqual([]);

    const any = async (): Promise<boolean | undefined> => (await pool.query<{ any: boolean }>(pendingCheckSql(schema, ALL))).rows[0]?.any;
    expect(await any()).toBe(false);
    for (const table of ROLLUP_TABLES) {
      // One pending delta in one table, on a folded row's key, as the trigger would append it.
      await pool.query(`set search_path to ${schema}; ${fillSql(table, false, 1)} reset search_path;`);
      expect(await any()).toBe(true);
      expect(await compactAnalytics(pool, { schema: real.schema })).toEqual({ folded: true });
      expect(await any()).toBe(false);
    }
    await pool.query(`insert into ${schema}.customer_dirty values ('c1')`);
    expect(await any()).toBe(true);
  });
});
