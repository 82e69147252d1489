import { CLOSE_REASONS, ORDER_STATUSES, type CloseReason, type OrderStatus } from '../../order/index.js';
import { assertRange } from '../../analytics/options.js';
import { calendarDays } from '../../analytics/calendar-days.js';
import { buildFunnel } from '../../analytics/funnel.js';
import { divideRounded, ratio } from '../../analytics/rounding.js';
import { zeroCounts } from '../../analytics/summarize.js';
import { STAGES, type DailyPoint, type Summary, type TopSku } from '../../analytics/types.js';
import { factsTable, percentileSql, stageDurationFromRow, type AnalyticsSqlOptions } from './analytics-projection.js';
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

const IN_RANGE = `(created_at >= $1 and created_at < $2)`;
const PAID_IN_RANGE = `(paid_at >= $1 and paid_at < $2)`;

/** Everything that is a plain count or sum: one parallel-friendly pass. */
const countsSql = (facts: string): string => `
select
  count(*) filter (where ${IN_RANGE})::float8 as placed,
  count(*) filter (where ${IN_RANGE} and coalesce(completed_at, first_shipped_at, paid_at) is not null)::float8 as paid,
  count(*) filter (where ${IN_RANGE} and coalesce(completed_at, first_shipped_at) is not null)::float8 as shipped,
  count(*) filter (where ${IN_RANGE} and completed_at is not null)::float8 as completed,
  count(*) filter (where ${IN_RANGE} and close_reason = 'payment_timeout')::float8 as timeouts,
  ${ORDER_STATUSES.map((s) => `count(*) filter (where ${IN_RANGE} and status = '${s}')::float8 as "s_${s}"`).join(',\n  ')},
  ${CLOSE_REASONS.map((c) => `count(*) filter (where ${IN_RANGE} and status = 'closed' and close_reason = '${c}')::float8 as "c_${c}"`).join(',\n  ')},
  count(*) filter (where ${PAID_IN_RANGE})::float8 as paid_orders,
  coalesce(sum(paid_amount) filter (where ${PAID_IN_RANGE}), 0)::float8 as gmv,
  coalesce(sum(refunded) filter (where ${PAID_IN_RANGE}), 0)::float8 as refunded,
  count(*) filter (where ${PAID_IN_RANGE} and refunded > 0)::float8 as refunded_orders
from ${facts}
where ${IN_RANGE} or ${PAID_IN_RANGE}`;

/**
 * Days by \`width_bucket\` over the day boundaries computed once by \`calendarDays\` (the same
 * boundaries the in-memory summary uses), instead of a time-zone conversion per row.
 */
const dailySql = (facts: string): string => `
select b, sum(placed)::float8 as placed, sum(paid)::float8 as paid, sum(gmv)::float8 as gmv, sum(refunded)::float8 as refunded
from (
  select width_bucket(created_at, $3::timestamptz[]) as b, 1 as placed, 0 as paid, 0::bigint as gmv, 0::bigint as refunded
    from ${facts} where ${IN_RANGE}
  union all
  select width_bucket(paid_at, $3::timestamptz[]), 0, 1, paid_amount, refunded
    from ${facts} where ${PAID_IN_RANGE}
) x
group by b`;

const topSkusSql = (facts: string): string => `
select l.sku, min(l.title collate "C") as title, sum(l.quantity)::float8 as units, sum(l.payable)::float8 as revenue,
  count(*)::float8 as orders
from ${facts} f cross join lateral unnest(f.skus, f.titles, f.quantities, f.payables) as l(sku, title, quantity, payable)
where f.paid_at >= $1 and f.paid_at < $2
group by l.sku
order by revenue desc, units desc, l.sku collate "C"
limit $3`;

type Row = Record<string, unknown>;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/**
 * `summarize()` of orderkit/analytics, computed by PostgreSQL over the facts projection (run
 * `migrateAnalytics` once first). Its seven queries go out together, so with a `pg.Pool` they run
 * on several connections at once.
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
  const { facts } = factsTable(options);
  const driver = toSqlDriver(db);
  const q = (sql: string, params: unknown[]) => driver.query<Row>(sql, params);
  const range = [from.toISOString(), to.toISOString()];
  const days = calendarDays(from, to, timeZone);
  const [main, daily, skus, ...percentiles] = await Promise.all([
    q(countsSql(facts), range),
    q(dailySql(facts), [...range, days.starts.map((t) => new Date(t).toISOString())]),
    q(topSkusSql(facts), [...range, options.topSkuLimit ?? 10]),
    ...STAGES.map((stage) => q(percentileSql(facts, stage), range)),
  ]);
  const m = main.rows[0] ?? {};
  const statusCounts = zeroCounts<OrderStatus>(ORDER_STATUSES);
  for (const s of ORDER_STATUSES) statusCounts[s] = num(m[`s_${s}`]);
  const closeReasons = zeroCounts<CloseReason>(CLOSE_REASONS);
  for (const c of CLOSE_REASONS) closeReasons[c] = num(m[`c_${c}`]);

  const byBucket = new Map(daily.rows.map((r) => [num(r.b), r]));
  const points: DailyPoint[] = days.dates.map((date, i) => {
    const r = byBucket.get(i + 1);
    const gmv = num(r?.gmv);
    const refunded = num(r?.refunded);
    return { date, placed: num(r?.placed), paid: num(r?.paid), gmv, refunded, netRevenue: gmv - refunded };
  });

  const placed = num(m.placed);
  const gmv = num(m.gmv);
  const refunded = num(m.refunded);
  const paidOrders = num(m.paid_orders);
  return {
    range: { from: from.toISOString(), to: to.toISOString(), timeZone },
    statusCounts,
    closeReasons,
    funnel: buildFunnel({ placed, paid: num(m.paid), shipped: num(m.shipped), completed: num(m.completed) }),
    revenue: { gmv, refunded, netRevenue: gmv - refunded, paidOrders, averageOrderValue: divideRounded(gmv, paidOrders) },
    rates: {
      refundRate: ratio(num(m.refunded_orders), paidOrders),
      refundAmountRate: ratio(refunded, gmv),
      paymentTimeoutRate: ratio(num(m.timeouts), placed),
    },
    stageDurations: STAGES.map((stage, i) => stageDurationFromRow(stage, percentiles[i]!.rows[0])),
    daily: points,
    topSkus: skus.rows.map(
      (r): TopSku => ({ sku: String(r.sku), title: String(r.title), units: num(r.units), revenue: num(r.revenue), orders: num(r.orders) }),
    ),
  };
}

