import { OrderkitError } from '../../errors/orderkit-error.js';
import {
  assertInsightOptions,
  finishBreakdown,
  finishCohorts,
  finishCoupons,
  finishCustomers,
  finishHeatmap,
  finishPairs,
  finishRefunds,
  finishSegmentSkus,
  finishTrend,
  previousPeriod,
  type CohortTallyRow,
  type TotalsTally,
} from '../../analytics/insights.js';
import type {
  Breakdown,
  CohortPeriod,
  CohortReport,
  CouponReport,
  CustomerReport,
  Heatmap,
  InsightDimension,
  InsightOptions,
  PairReport,
  RefundReport,
  SegmentTopSkus,
  Trend,
} from '../../analytics/insight-types.js';
import { factsTable, type AnalyticsSqlOptions } from './analytics-projection.js';
import { toSqlDriver, type PostgresDatabase } from './driver.js';

/*
 * The decision-support analyses of orderkit/analytics (insights.ts) inside PostgreSQL or PGlite.
 * Each query returns the integer tally the in-memory function builds, and the same `finish…`
 * function ranks and rounds it, so both engines give identical answers (a property test checks
 * it). They read the facts projection (`customer_id`, `province`, `channel`, `has_coupon`,
 * `coupon_discount`, analytics-projection.ts) through its `created_at` / `paid_at` indexes, so a
 * range reads only its own orders; refund reasons read the documents of the range's refunded
 * orders only. docs/analytics.md "Customers, products, channels".
 */

export type InsightSqlOptions = InsightOptions & AnalyticsSqlOptions;

type Row = Record<string, unknown>;

/** `and …` conditions of the filter on facts alias `f`, its values appended to `params`. */
function filterSql(options: InsightOptions, params: unknown[], f = 'f'): string {
  let sql = '';
  if (options.filter?.channel !== undefined) {
    params.push(options.filter.channel);
    sql += ` and ${f}.channel = $${params.length}`;
  }
  if (options.filter?.province !== undefined) {
    params.push(options.filter.province);
    sql += ` and ${f}.province = $${params.length}`;
  }
  return sql;
}

async function run(db: PostgresDatabase, sql: string, params: unknown[]): Promise<Row[]> {
  try {
    return (await toSqlDriver(db).query<Row>(sql, params)).rows;
  } catch (e) {
    // A zone the JavaScript runtime knows but this server's tz database does not.
    if (e instanceof Error && /time zone/i.test(e.message)) {
      throw new OrderkitError({
        code: 'INVALID_ANALYTICS_OPTIONS',
        message: { 'zh-CN': '数据库不认识这个时区', en: 'the database does not know this time zone' },
        path: ['timeZone'],
      });
    }
    throw e;
  }
}

const n = (v: unknown): number => Number(v ?? 0);
const key = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const range = (o: InsightOptions): unknown[] => [o.from.toISOString(), o.to.toISOString()];

/** Orders placed or paid in [$1, $2) by `group` (an expression on f, or null for one row). */
function totalsSql(facts: string, group: string, filter: string): string {
  // Two index range scans (placed, paid) appended, then one aggregate: no de-duplication needed.
  return `
select k, sum(placed)::float8 as placed, sum(paid)::float8 as paid, sum(gmv)::float8 as gmv,
  sum(refunded)::float8 as refunded, sum(refunded_orders)::float8 as refunded_orders
from (
  select ${group} as k, 1 as placed, 0 as paid, 0::bigint as gmv, 0::bigint as refunded, 0 as refunded_orders
  from ${facts} f where f.created_at >= $1 and f.created_at < $2 ${filter}
  union all
  select ${group}, 0, 1, f.paid_amount, f.refunded, (f.refunded > 0)::int
  from ${facts} f where f.paid_at >= $1 and f.paid_at < $2 ${filter}
) t
group by k`;
}

const tallyOf = (r: Row | undefined): TotalsTally => ({
  placed: n(r?.['placed']),
  paid: n(r?.['paid']),
  gmv: n(r?.['gmv']),
  refunded: n(r?.['refunded']),
  refundedOrders: n(r?.['refunded_orders']),
});

/** `breakdown()` of orderkit/analytics, in SQL. */
export async function breakdownSql(db: PostgresDatabase, options: InsightSqlOptions, dimension: InsightDimension): Promise<Breakdown> {
  assertInsightOptions(options, { dimension });
  const { facts } = factsTable(options);
  const params = range(options);
  const rows = await run(db, totalsSql(facts, `f.${dimension === 'province' ? 'province' : 'channel'}`, filterSql(options, params)), params);
  return finishBreakdown(dimension, rows.map((r) => [key(r['k']), tallyOf(r)] as [string | null, TotalsTally]));
}

/** `trend()` of orderkit/analytics, in SQL. */
export async function trendSql(db: PostgresDatabase, options: InsightSqlOptions): Promise<Trend> {
  assertInsightOptions(options);
  const { facts } = factsTable(options);
  const prev = previousPeriod(options.from, options.to);
  const params = range(options);
  const filter = filterSql(options, params);
  const cur = await run(db, totalsSql(facts, 'null', filter), params);
  const before = await run(db, totalsSql(facts, 'null', filter), [prev.from.toISOString(), prev.to.toISOString(), ...params.slice(2)]);
  return finishTrend(options, tallyOf(cur[0]), tallyOf(before[0]));
}

/**
 * The customers who paid in the range, with their order count there and their first paid order
 * ever (an index probe per customer on (customer_id, paid_at), not a scan of every order).
 */
function buyersSql(facts: string, filter: string, filterX: string): string {
  return `
with c as (
  select f.customer_id, count(*) as n from ${facts} f
  where f.paid_at >= $1 and f.paid_at < $2 ${filter} group by f.customer_id
)
select c.customer_id, c.n, (select min(x.paid_at) from ${facts} x where x.customer_id = c.customer_id and x.paid_at is not null ${filterX}) as first
from c`;
}

/** `customers()` of orderkit/analytics, in SQL. */
export async function customersSql(db: PostgresDatabase, options: InsightSqlOptions): Promise<CustomerReport> {
  assertInsightOptions(options);
  const { facts } = factsTable(options);
  const params = range(options);
  const filter = filterSql(options, params);
  const filterX = filter.replace(/ f\./g, ' x.');
  const rows = await run(
    db,
    `select count(*)::float8 as customers, count(*) filter (where first >= $1)::float8 as new_customers,
       count(*) filter (where n >= 2)::float8 as repeat_customers
     from (${buyersSql(facts, filter, filterX)}) b`,
    params,
  );
  return finishCustomers({ customers: n(rows[0]?.['customers']), newCustomers: n(rows[0]?.['new_customers']), repeatCustomers: n(rows[0]?.['repeat_customers']) });
}

/** Period index and label of a local timestamp expression `t` (see periodOf in local-time.ts). */
const periodIndex = (by: CohortPeriod, t: string): string =>
  by === 'week'
    ? `((date_trunc('week', ${t})::date - date '1970-01-05') / 7)`
    : `(extract(year from ${t})::int * 12 + extract(month from ${t})::int - 1)`;
const periodLabel = (by: CohortPeriod, t: string): string => `to_char(date_trunc('${by}', ${t}), 'YYYY-MM-DD')`;

/** `cohorts()` of orderkit/analytics, in SQL. */
export async function cohortsSql(db: PostgresDatabase, options: InsightSqlOptions, by: CohortPeriod = 'week'): Promise<CohortReport> {
  assertInsightOptions(options, { by });
  const { facts } = factsTable(options);
  const params = range(options);
  const filter = filterSql(options, params);
  const filterX = filter.replace(/ f\./g, ' x.');
  params.push(options.timeZone);
  const tz = `$${params.length}`;
  const first = `(b.first at time zone ${tz})`;
  const paid = `(f.paid_at at time zone ${tz})`;
  const rows = await run(
    db,
    `with b as (${buyersSql(facts, filter, filterX)}),
     nw as (select customer_id, ${periodIndex(by, first)} as idx, ${periodLabel(by, first)} as label from b where first >= $1),
     act as (
       select distinct nw.customer_id, nw.idx, ${periodIndex(by, paid)} - nw.idx as k
       from ${facts} f join nw on nw.customer_id = f.customer_id
       where f.paid_at >= $1 and f.paid_at < $2 ${filter}
     )
     select nw.idx::float8 as idx, min(nw.label) as label, -1::float8 as k, count(*)::float8 as n from nw group by nw.idx
     union all
     select idx::float8, null, k::float8, count(*)::float8 from act group by idx, k`,
    params,
  );
  const last = await run(db, `select ${periodIndex(by, `($1::timestamptz - interval '1 millisecond') at time zone $2`)}::float8 as i`, [options.to.toISOString(), options.timeZone]);
  const tally = new Map<number, CohortTallyRow>();
  for (const r of rows) if (n(r['k']) === -1) tally.set(n(r['idx']), { period: String(r['label']), index: n(r['idx']), customers: n(r['n']), retained: new Map() });
  for (const r of rows) if (n(r['k']) !== -1) tally.get(n(r['idx']))!.retained.set(n(r['k']), n(r['n']));
  return finishCohorts(by, n(last[0]?.['i']), [...tally.values()]);
}

/** `heatmap()` of orderkit/analytics, in SQL. */
export async function heatmapSql(db: PostgresDatabase, options: InsightSqlOptions): Promise<Heatmap> {
  assertInsightOptions(options);
  const { facts } = factsTable(options);
  const params = range(options);
  const filter = filterSql(options, params);
  params.push(options.timeZone);
  const local = `(f.created_at at time zone $${params.length})`;
  const rows = await run(
    db,
    `select extract(isodow from ${local})::float8 as d, extract(hour from ${local})::float8 as h, count(*)::float8 as n
     from ${facts} f where f.created_at >= $1 and f.created_at < $2 ${filter} group by 1, 2`,
    params,
  );
  return finishHeatmap(rows.map((r) => ({ isodow: n(r['d']), hour: n(r['h']), n: n(r['n']) })));
}

/** `topSkusBySegment()` of orderkit/analytics, in SQL. */
export async function topSkusBySegmentSql(db: PostgresDatabase, options: InsightSqlOptions, dimension: InsightDimension, limit = 5): Promise<SegmentTopSkus> {
  assertInsightOptions(options, { dimension });
  const { facts, lines } = factsTable(options);
  const params = range(options);
  const filter = filterSql(options, params);
  const rows = await run(
    db,
    `select f.${dimension === 'province' ? 'province' : 'channel'} as k, l.sku, min(l.title collate "C") as title,
       sum(l.quantity)::float8 as units, sum(l.payable)::float8 as revenue, count(*)::float8 as orders
     from ${lines} l join ${facts} f on f.order_id = l.order_id
     where l.paid_at >= $1 and l.paid_at < $2 ${filter} group by 1, 2`,
    params,
  );
  return finishSegmentSkus(
    dimension,
    limit,
    rows.map((r) => ({ key: key(r['k']), sku: String(r['sku']), title: String(r['title']), units: n(r['units']), revenue: n(r['revenue']), orders: n(r['orders']) })),
  );
}

/** `skuPairs()` of orderkit/analytics, in SQL. */
export async function skuPairsSql(db: PostgresDatabase, options: InsightSqlOptions, minOrders = 2, limit = 20): Promise<PairReport> {
  assertInsightOptions(options);
  const { facts, lines } = factsTable(options);
  const params = range(options);
  const filter = filterSql(options, params);
  const joinFacts = filter === '' ? '' : `join ${facts} f on f.order_id = l.order_id`;
  const inRange = `l.paid_at >= $1 and l.paid_at < $2 ${filter}`;
  const paid = await run(db, `select count(*)::float8 as n from ${facts} f where f.paid_at >= $1 and f.paid_at < $2 ${filter}`, params);
  const single = await run(db, `select l.sku, count(*)::float8 as n from ${lines} l ${joinFacts} where ${inRange} group by 1`, params);
  params.push(minOrders);
  const pairs = await run(
    db,
    `with l as (select l.order_id, l.sku from ${lines} l ${joinFacts} where ${inRange})
     select a.sku as a, b.sku as b, count(*)::float8 as n
     from l a join l b on a.order_id = b.order_id and a.sku < b.sku
     group by 1, 2 having count(*) >= $${params.length}`,
    params,
  );
  return finishPairs(
    n(paid[0]?.['n']),
    new Map(single.map((r) => [String(r['sku']), n(r['n'])])),
    pairs.map((r) => ({ a: String(r['a']), b: String(r['b']), orders: n(r['n']) })),
    minOrders,
    limit,
  );
}

/** `refunds()` of orderkit/analytics, in SQL. */
export async function refundsSql(db: PostgresDatabase, options: InsightSqlOptions): Promise<RefundReport> {
  assertInsightOptions(options);
  const { schema, facts, lines } = factsTable(options);
  const params = range(options);
  const filter = filterSql(options, params);
  const reasons = await run(
    db,
    `select r->>'reason' as kind,
       (select a->>'reason' from jsonb_array_elements(o.doc->'afterSales') a where a->>'id' = r->>'afterSaleId' limit 1) as reason,
       count(*)::float8 as refunds, sum((r->>'amount')::bigint)::float8 as amount
     from ${facts} f join ${schema}.orders o on o.id = f.order_id
       cross join lateral jsonb_array_elements(o.doc->'refunds') r
     where f.paid_at >= $1 and f.paid_at < $2 and f.refunded > 0 ${filter}
       and r->>'status' = 'succeeded' and r->>'reason' <> 'stray_payment'
     group by 1, 2`,
    params,
  );
  const skus = await run(
    db,
    `select l.sku, count(*)::float8 as orders, count(*) filter (where f.refunded > 0)::float8 as refunded_orders
     from ${lines} l join ${facts} f on f.order_id = l.order_id
     where l.paid_at >= $1 and l.paid_at < $2 ${filter} group by 1`,
    params,
  );
  return finishRefunds(
    reasons.map((r) => ({ kind: String(r['kind']), reason: key(r['reason']), refunds: n(r['refunds']), amount: n(r['amount']) })),
    skus.map((r) => ({ sku: String(r['sku']), orders: n(r['orders']), refundedOrders: n(r['refunded_orders']) })),
  );
}

/** `couponEffect()` of orderkit/analytics, in SQL. */
export async function couponEffectSql(db: PostgresDatabase, options: InsightSqlOptions): Promise<CouponReport> {
  assertInsightOptions(options);
  const { facts } = factsTable(options);
  const params = range(options);
  const filter = filterSql(options, params);
  const rows = await run(
    db,
    `select count(*)::float8 as paid, coalesce(sum(paid_amount), 0)::float8 as gmv,
       count(*) filter (where has_coupon)::float8 as coupon_orders,
       coalesce(sum(paid_amount) filter (where has_coupon), 0)::float8 as coupon_gmv,
       coalesce(sum(coupon_discount) filter (where has_coupon), 0)::float8 as coupon_discount
     from ${facts} f where f.paid_at >= $1 and f.paid_at < $2 ${filter}`,
    params,
  );
  const r = rows[0];
  return finishCoupons({ paidOrders: n(r?.['paid']), gmv: n(r?.['gmv']), couponOrders: n(r?.['coupon_orders']), couponGmv: n(r?.['coupon_gmv']), couponDiscount: n(r?.['coupon_discount']) });
}
