import type { CloseReason, OrderStatus } from '../../order/index.js';
import { assertRange } from '../../analytics/options.js';
import { calendarDays } from '../../analytics/calendar-days.js';
import { CohortTally } from '../../analytics/cohort-tally.js';
import { DailySeries } from '../../analytics/daily-series.js';
import { PERCENTILES, STAGES, type StageDuration, type Summary, type TopSku } from '../../analytics/types.js';
import { factsTable, type AnalyticsSqlOptions } from './analytics-projection.js';
import { cutDurationSql, DAY_MS, depthSql, QUARTER_HOUR_MS, STAGE_COLUMNS } from './analytics-rollups.js';
import { compactAnalytics } from './analytics-compact.js';
import { analysisDriver, type PostgresDatabase } from './driver.js';

/**
 * The analytics summary computed inside PostgreSQL (or PGlite), equal to `summarize()` of
 * orderkit/analytics on the same orders: same cohorts, same nearest-rank percentiles to three
 * significant figures, same rounding (done here from exact counts by the very functions the
 * in-memory summary uses).
 *
 * It reads the rollups (analytics-rollups.ts) for the whole buckets of a range and the facts
 * projection (analytics-projection.ts) for its edges, never the order documents;
 * `migrateAnalytics` creates and back-fills both.
 */
export { migrateAnalytics, rebuildAnalyticsSegments } from './analytics-projection.js';
export type { AnalyticsSqlOptions, MigrateAnalyticsOptions } from './analytics-projection.js';
export { bottlenecksSql } from './analytics-bottlenecks-sql.js';
export { compactAnalytics, type CompactResult } from './analytics-compact.js';

export interface SummarizeSqlOptions extends AnalyticsSqlOptions {
  from: Date;
  to: Date;
  timeZone: string;
  /** Default 10. */
  topSkuLimit?: number;
  /**
   * Fold the rollups' pending deltas first (`compactAnalytics`). Default true; pass false on a
   * read-only connection (the answer is the same, only slower when many deltas wait).
   */
  compact?: boolean;
}

/**
 * The range split for a rollup of bucket size `grain`: whole buckets [lo, hi) come from the rollup,
 * the partial ones at the edges, [from, lo) and [hi, to), from the facts. `whole: false` reads
 * everything from the facts (a day that does not start on a quarter hour).
 */
function split(from: number, to: number, grain: number, whole = true): [string, string, string, string] {
  const lo = whole ? Math.min(Math.ceil(from / grain) * grain, to) : to;
  const hi = Math.max(lo, whole ? Math.floor(to / grain) * grain : to);
  return [new Date(from).toISOString(), new Date(to).toISOString(), new Date(lo).toISOString(), new Date(hi).toISOString()];
}

/** Rows of the range's edges: `t` in [$1, $3) or [$4, $2). */
const edges = (t: string): string => `((${t} >= $1 and ${t} < $3) or (${t} >= $4 and ${t} < $2))`;

/**
 * Orders placed in the range by day, status, close reason and funnel depth (counts, funnel,
 * timeouts, the daily "placed" series). $1/$2 the range, $3/$4 its whole quarter hours, $5 the
 * day starts: a bucket's day is the day its start falls in.
 */
const placedSql = (schema: string, facts: string): string => `
select width_bucket(t, $5::timestamptz[]) as day, status, close_reason, depth, sum(n)::float8 as n
from (
  select bucket as t, status, close_reason, depth, n from ${schema}.rollup_placed where bucket >= $3 and bucket < $4
  union all
  select f.created_at, f.status, coalesce(f.close_reason, ''), ${depthSql('f')}, 1 from ${facts} f where ${edges('f.created_at')}
) x
group by 1, 2, 3, 4`;

/** Orders paid in the range by day and refund flag, with the money. Parameters as placedSql. */
const paidSql = (schema: string, facts: string): string => `
select width_bucket(t, $5::timestamptz[]) as day, refunded_any, sum(n)::float8 as n, sum(gmv)::float8 as gmv, sum(refunded)::float8 as refunded
from (
  select bucket as t, refunded_any, n, gmv, refunded from ${schema}.rollup_paid where bucket >= $3 and bucket < $4
  union all
  select f.paid_at, f.refunded > 0, 1, f.paid_amount, f.refunded from ${facts} f where ${edges('f.paid_at')}
) x
group by 1, 2`;

/**
 * Each stage's count and nearest-rank p50/p90/p99 of the orders placed in the range, from the
 * duration histogram: the first duration whose running count reaches ⌈p × n⌉ (as percentile_disc
 * computes the rank). $1/$2 the range, $3/$4 its whole UTC days.
 */
const stagesSql = (schema: string, facts: string): string => `
with h as (
  select stage, ms, sum(n) as n from (
    select stage, ms, n from ${schema}.rollup_stage where day >= $3 and day < $4
    union all
    select s.stage, ${cutDurationSql('s.ms')}, 1
    from ${facts} f cross join lateral (values ${STAGE_COLUMNS.map((c, i) => `(${i}::smallint, f.${c})`).join(', ')}) s(stage, ms)
    where s.ms is not null and ${edges('f.created_at')}
  ) x
  group by 1, 2
), c as (
  select stage, ms, sum(n) over (partition by stage order by ms) as running, sum(n) over (partition by stage) as total from h
)
select stage, max(total)::float8 as total,
  ${PERCENTILES.map((p) => `min(ms) filter (where running >= greatest(1, ceil(${p}::float8 * total)))::float8 as "p${Math.round(p * 100)}"`).join(',\n  ')}
from c where total > 0 group by stage`;

/**
 * Paid lines of the range by SKU: the title is the smallest (in byte order) still held by a paid
 * line. $1/$2 the range, $3/$4 its whole UTC days, $5 how many.
 */
const topSkusSql = (schema: string, lines: string): string => `
select sku, min(title) as title, sum(units)::float8 as units, sum(revenue)::float8 as revenue, sum(orders)::float8 as orders
from (
  select sku, title, sum(units) as units, sum(revenue) as revenue, sum(orders) as orders from (
    select sku, title, units, revenue, orders from ${schema}.rollup_sku where day >= $3 and day < $4
    union all
    select l.sku, l.title collate "C", l.quantity, l.payable, 1 from ${lines} l where ${edges('l.paid_at')}
  ) x
  group by sku, title
  having sum(orders) <> 0
) y
group by sku
order by revenue desc, units desc, sku collate "C"
limit $5`;

type Row = Record<string, unknown>;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/**
 * `summarize()` of orderkit/analytics, computed by PostgreSQL over the facts projection (run
 * `migrateAnalytics` once first): one GROUP BY pass for every count and sum, one pass for the
 * stages' percentiles, one for the top SKUs. They go out together, so a `pg.Pool` runs them on several
 * connections at once.
 *
 * @example
 * const summary = await summarizeSql(pool, {
 *   from: new Date('2026-11-01T00:00:00+08:00'),
 *   to: new Date('2026-12-01T00:00:00+08:00'),
 *   timeZone: 'Asia/Shanghai',
 * });
 */
export async function summarizeSql(db: PostgresDatabase, options: SummarizeSqlOptions): Promise<Summary> {
  const { from, to, timeZone } = options;
  assertRange(from, to, timeZone);
  const { schema, facts, lines } = factsTable(options);
  const driver = analysisDriver(db);
  if (options.compact !== false) await compactAnalytics(driver, options);
  const q = (sql: string, params: unknown[]) => driver.query<Row>(sql, params);
  const days = calendarDays(from, to, timeZone);
  const dayStarts = days.starts.map((t) => new Date(t).toISOString());
  // Every day of every zone in use today starts on a quarter hour; one that does not (a historical
  // local mean time, say) is read from the facts alone.
  const aligned = days.starts.every((t) => t % QUARTER_HOUR_MS === 0);
  const quarters = split(from.getTime(), to.getTime(), QUARTER_HOUR_MS, aligned);
  const utcDays = split(from.getTime(), to.getTime(), DAY_MS);
  const [placed, paid, stages, skus] = await Promise.all([
    q(placedSql(schema, facts), [...quarters, dayStarts]),
    q(paidSql(schema, facts), [...quarters, dayStarts]),
    q(stagesSql(schema, facts), utcDays),
    q(topSkusSql(schema, lines), [...utcDays, options.topSkuLimit ?? 10]),
  ]);

  const tally = new CohortTally();
  const daily = new DailySeries(days);
  for (const g of placed.rows) {
    const n = num(g.n);
    if (n === 0) continue;
    tally.addPlaced(g.status as OrderStatus, g.close_reason === '' ? undefined : (g.close_reason as CloseReason), num(g.depth), n);
    daily.addPlaced(num(g.day) - 1, n);
  }
  for (const g of paid.rows) {
    const n = num(g.n);
    if (n === 0) continue;
    tally.addPaid(n, num(g.gmv), num(g.refunded), g.refunded_any === true ? n : 0);
    daily.addPaid(num(g.day) - 1, n, num(g.gmv), num(g.refunded));
  }
  const byStage = new Map(stages.rows.map((r) => [num(r.stage), r]));
  const stageDurations = STAGES.map((stage, i): StageDuration => {
    const r = byStage.get(i);
    const count = r === undefined ? 0 : num(r.total);
    const p = (name: string): number | null => (count > 0 ? num(r![name]) : null);
    return { stage, count, p50: p('p50'), p90: p('p90'), p99: p('p99') };
  });

  return {
    range: { from: from.toISOString(), to: to.toISOString(), timeZone },
    ...tally.figures(),
    stageDurations,
    daily: daily.result(),
    topSkus: skus.rows.map(
      (r): TopSku => ({ sku: String(r.sku), title: String(r.title), units: num(r.units), revenue: num(r.revenue), orders: num(r.orders) }),
    ),
  };
}

