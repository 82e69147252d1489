import { CLOSE_REASONS, ORDER_STATUSES, type CloseReason, type OrderStatus } from '../../order/index.js';
import { assertRange } from '../../analytics/options.js';
import { calendarDays } from '../../analytics/calendar-days.js';
import { buildFunnel } from '../../analytics/funnel.js';
import { divideRounded, ratio } from '../../analytics/rounding.js';
import { zeroCounts } from '../../analytics/summarize.js';
import { STAGES, type DailyPoint, type Summary, type TopSku } from '../../analytics/types.js';
import { factsTable, percentilesSql, stageDurationFromRow, type AnalyticsSqlOptions } from './analytics-projection.js';
import { toSqlDriver, type PostgresDatabase } from './driver.js';

/**
 * The analytics summary computed inside PostgreSQL (or PGlite), equal to `summarize()` of
 * orderkit/analytics on the same orders: same cohorts, same nearest-rank percentiles
 * (`percentile_disc`), same rounding (done here from exact counts by the very functions the
 * in-memory summary uses).
 *
 * It reads the projection `<schema>.order_facts` (analytics-projection.ts), never the order
 * documents; `migrateAnalytics` creates and back-fills it.
 */
export { migrateAnalytics } from './analytics-projection.js';
export type { AnalyticsSqlOptions } from './analytics-projection.js';
export { bottlenecksSql } from './analytics-bottlenecks-sql.js';

export interface SummarizeSqlOptions extends AnalyticsSqlOptions {
  from: Date;
  to: Date;
  timeZone: string;
  /** Default 10. */
  topSkuLimit?: number;
}

/**
 * Everything that is a count or a sum, in ONE parallel GROUP BY pass: each group is a combination
 * of status, close reason, funnel depth, refund flag and the day an order was placed and paid
 * (NULL outside the range). The groups are few (days × statuses), and folding them in JavaScript
 * gives the status counts, the funnel, the money, the rates and the daily series at once. Days come
 * from `width_bucket` over the boundaries `calendarDays` found (the same ones the in-memory summary
 * uses), not from a time-zone conversion per row. $1/$2 the range, $3 the day starts.
 */
const groupsSql = (facts: string): string => `
select status, close_reason,
  case when completed_at is not null then 3 when first_shipped_at is not null then 2 when paid_at is not null then 1 else 0 end as depth,
  refunded > 0 as refunded_any,
  case when created_at >= $1 and created_at < $2 then width_bucket(created_at, $3::timestamptz[]) end as placed_day,
  case when paid_at >= $1 and paid_at < $2 then width_bucket(paid_at, $3::timestamptz[]) end as paid_day,
  count(*)::float8 as n, sum(paid_amount)::float8 as gmv, sum(refunded)::float8 as refunded
from ${facts}
where (created_at >= $1 and created_at < $2) or (paid_at >= $1 and paid_at < $2)
group by 1, 2, 3, 4, 5, 6`;

const topSkusSql = (lines: string): string => `
select sku, min(title collate "C") as title, sum(quantity)::float8 as units, sum(payable)::float8 as revenue, count(*)::float8 as orders
from ${lines}
where paid_at >= $1 and paid_at < $2
group by sku
order by revenue desc, units desc, sku collate "C"
limit $3`;

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
  const { facts, lines } = factsTable(options);
  const driver = toSqlDriver(db);
  const q = (sql: string, params: unknown[]) => driver.query<Row>(sql, params);
  const range = [from.toISOString(), to.toISOString()];
  const days = calendarDays(from, to, timeZone);
  const [groups, skus, percentiles] = await Promise.all([
    q(groupsSql(facts), [...range, days.starts.map((t) => new Date(t).toISOString())]),
    q(topSkusSql(lines), [...range, options.topSkuLimit ?? 10]),
    q(percentilesSql(facts), range),
  ]);

  const statusCounts = zeroCounts<OrderStatus>(ORDER_STATUSES);
  const closeReasons = zeroCounts<CloseReason>(CLOSE_REASONS);
  const funnel = { placed: 0, paid: 0, shipped: 0, completed: 0 };
  let timeouts = 0;
  let paidOrders = 0;
  let refundedOrders = 0;
  let gmv = 0;
  let refunded = 0;
  const points: DailyPoint[] = days.dates.map((date) => ({ date, placed: 0, paid: 0, gmv: 0, refunded: 0, netRevenue: 0 }));
  for (const g of groups.rows) {
    const n = num(g.n);
    if (g.placed_day !== null) {
      const status = g.status as OrderStatus;
      statusCounts[status] += n;
      if (status === 'closed' && g.close_reason !== null) closeReasons[g.close_reason as CloseReason] += n;
      if (g.close_reason === 'payment_timeout') timeouts += n;
      const depth = num(g.depth);
      funnel.placed += n;
      if (depth >= 1) funnel.paid += n;
      if (depth >= 2) funnel.shipped += n;
      if (depth >= 3) funnel.completed += n;
      points[num(g.placed_day) - 1]!.placed += n;
    }
    if (g.paid_day !== null) {
      paidOrders += n;
      gmv += num(g.gmv);
      refunded += num(g.refunded);
      if (g.refunded_any === true) refundedOrders += n;
      const p = points[num(g.paid_day) - 1]!;
      p.paid += n;
      p.gmv += num(g.gmv);
      p.refunded += num(g.refunded);
    }
  }
  for (const p of points) p.netRevenue = p.gmv - p.refunded;

  return {
    range: { from: from.toISOString(), to: to.toISOString(), timeZone },
    statusCounts,
    closeReasons,
    funnel: buildFunnel(funnel),
    revenue: { gmv, refunded, netRevenue: gmv - refunded, paidOrders, averageOrderValue: divideRounded(gmv, paidOrders) },
    rates: {
      refundRate: ratio(refundedOrders, paidOrders),
      refundAmountRate: ratio(refunded, gmv),
      paymentTimeoutRate: ratio(timeouts, funnel.placed),
    },
    stageDurations: STAGES.map((stage) => stageDurationFromRow(stage, percentiles.rows[0])),
    daily: points,
    topSkus: skus.rows.map(
      (r): TopSku => ({ sku: String(r.sku), title: String(r.title), units: num(r.units), revenue: num(r.revenue), orders: num(r.orders) }),
    ),
  };
}

