import { CLOSE_REASONS, ORDER_STATUSES, type CloseReason, type OrderStatus } from '../../order/index.js';
import { assertRange } from '../../analytics/options.js';
import { calendarDays } from '../../analytics/calendar-days.js';
import { buildFunnel } from '../../analytics/funnel.js';
import { divideRounded, ratio } from '../../analytics/rounding.js';
import { zeroCounts } from '../../analytics/summarize.js';
import { STAGES, type DailyPoint, type Stage, type Summary, type TopSku } from '../../analytics/types.js';
import { toSqlDriver, type PostgresDatabase } from './driver.js';
import { checkSchemaName, quoteIdent } from './identifiers.js';

/**
 * The analytics summary computed inside PostgreSQL (or PGlite), equal to `summarize()` of
 * orderkit/analytics on the same orders: same cohorts, same nearest-rank percentiles
 * (`percentile_disc`), same rounding (done here from exact counts by the very functions the
 * in-memory summary uses).
 *
 * It reads a narrow projection, `<schema>.order_facts`: one row of timestamps, amounts and line
 * arrays per order, kept current by a trigger on the orders table inside each commit's
 * transaction. Scanning ~150-byte facts instead of whole order documents is what keeps a summary
 * of a million orders within a second or two. `migrateAnalytics` creates it and back-fills it.
 */

export interface AnalyticsSqlOptions {
  /** The schema `migrate` created (orders live in `<schema>.orders`). Default 'orderkit'. */
  schema?: string;
}

/** Bump when the projection's columns or their meaning change: the next migrate rebuilds it. */
const FACTS_VERSION = '3';

/**
 * Facts of one order document, mirroring `orderFacts()` in src/analytics/order-facts.ts field by
 * field. Timestamps are cut to milliseconds because that is all a JavaScript Date holds.
 */
const factsFunctionSql = (schema: string): string => `
create or replace function ${schema}.analytics_ts(t text) returns timestamptz
  language sql immutable parallel safe as $$ select date_trunc('milliseconds', t::timestamptz) $$;

create or replace function ${schema}.order_facts_of(d jsonb)
returns table (
  order_id text, status text, close_reason text,
  created_at timestamptz, paid_at timestamptz, first_shipped_at timestamptz, shipped_at timestamptz,
  delivered_at timestamptz, completed_at timestamptz, closed_at timestamptz,
  paid_amount bigint, refunded bigint,
  payment_ms bigint, fulfilment_ms bigint, delivery_ms bigint, confirmation_ms bigint,
  skus text[], titles text[], quantities bigint[], payables bigint[]
) language sql stable parallel safe as $$
  with t as (
    select
      ${schema}.analytics_ts(d->>'createdAt') as created,
      ${schema}.analytics_ts(coalesce(d->>'paidAt', d->'payment'->>'paidAt')) as paid,
      ${schema}.analytics_ts(d->>'shippedAt') as shipped,
      (select min(${schema}.analytics_ts(s->>'shippedAt')) from jsonb_array_elements(d->'shipments') s) as first_parcel,
      ${schema}.analytics_ts(d->>'deliveredAt') as delivered,
      ${schema}.analytics_ts(d->>'completedAt') as completed
  ), f as (
    select t.*, coalesce(first_parcel, shipped) as first_shipped, coalesce(shipped, first_parcel) as full_shipped from t
  ), lines as (
    -- One entry per SKU (an order may list a SKU twice), so top SKUs can count orders with count(*).
    select array_agg(sku order by sku collate "C") as skus, array_agg(title order by sku collate "C") as titles,
      array_agg(quantity order by sku collate "C") as quantities, array_agg(payable order by sku collate "C") as payables
    from (
      select l->>'sku' as sku, min(l->>'title' collate "C") as title, sum((l->>'quantity')::bigint)::bigint as quantity,
        sum((l->>'payable')::bigint)::bigint as payable
      from jsonb_array_elements(d->'lines') l group by l->>'sku'
    ) x
  )
  select
    d->>'id', d->>'status', d->>'closeReason',
    f.created, f.paid, f.first_shipped, f.full_shipped, f.delivered, f.completed, ${schema}.analytics_ts(d->>'closedAt'),
    case when f.paid is null then 0 else (d->'payment'->>'paidAmount')::bigint end,
    (select coalesce(sum((r->>'amount')::bigint), 0) from jsonb_array_elements(d->'refunds') r
      where r->>'status' = 'succeeded' and r->>'reason' <> 'stray_payment'),
    (extract(epoch from f.paid - f.created) * 1000)::bigint,
    (extract(epoch from f.first_shipped - f.paid) * 1000)::bigint,
    (extract(epoch from f.delivered - f.full_shipped) * 1000)::bigint,
    (extract(epoch from f.completed - f.full_shipped) * 1000)::bigint,
    coalesce(lines.skus, '{}'), coalesce(lines.titles, '{}'), coalesce(lines.quantities, '{}'), coalesce(lines.payables, '{}')
  from f, lines
$$;`;

const migrationSql = (schema: string): string => `${factsFunctionSql(schema)}
create table if not exists order_facts (
  order_id text collate "C" primary key,
  status text not null, close_reason text,
  created_at timestamptz not null, paid_at timestamptz, first_shipped_at timestamptz, shipped_at timestamptz,
  delivered_at timestamptz, completed_at timestamptz, closed_at timestamptz,
  paid_amount bigint not null, refunded bigint not null,
  payment_ms bigint, fulfilment_ms bigint, delivery_ms bigint, confirmation_ms bigint,
  skus text[] not null, titles text[] not null, quantities bigint[] not null, payables bigint[] not null
);
create index if not exists order_facts_created_idx on order_facts (created_at);
create index if not exists order_facts_paid_idx on order_facts (paid_at) where paid_at is not null;

create or replace function ${schema}.order_facts_sync() returns trigger language plpgsql as $$
begin
  -- Runs inside the commit's own statement: the projection can never disagree with the orders.
  insert into ${schema}.order_facts select * from ${schema}.order_facts_of(new.doc)
  on conflict (order_id) do update set
    status = excluded.status, close_reason = excluded.close_reason, created_at = excluded.created_at,
    paid_at = excluded.paid_at, first_shipped_at = excluded.first_shipped_at, shipped_at = excluded.shipped_at,
    delivered_at = excluded.delivered_at, completed_at = excluded.completed_at, closed_at = excluded.closed_at,
    paid_amount = excluded.paid_amount, refunded = excluded.refunded, payment_ms = excluded.payment_ms,
    fulfilment_ms = excluded.fulfilment_ms, delivery_ms = excluded.delivery_ms,
    confirmation_ms = excluded.confirmation_ms, skus = excluded.skus,
    titles = excluded.titles, quantities = excluded.quantities, payables = excluded.payables;
  return null;
end $$;

drop trigger if exists order_facts_sync on orders;
create trigger order_facts_sync after insert or update of doc on orders
  for each row execute function ${schema}.order_facts_sync();

insert into order_facts select f.* from orders o cross join lateral order_facts_of(o.doc) f
on conflict (order_id) do nothing;`;

/**
 * Creates (or updates) the analytics projection \`<schema>.order_facts\` and the trigger that keeps
 * it current, and back-fills it from the orders already stored. Idempotent and safe from several
 * instances at once (an advisory lock); run it at start-up after the store's own \`migrate\`.
 * The projection is derived data: when its shape changes in a new orderkit version, it is dropped
 * and rebuilt from the orders.
 *
 * @example
 * await migrate(pool);            // the store's tables
 * await migrateAnalytics(pool);   // the projection summarizeSql reads
 */
export async function migrateAnalytics(db: PostgresDatabase, options: AnalyticsSqlOptions = {}): Promise<void> {
  const schema = quoteIdent(checkSchemaName(options.schema ?? 'orderkit'));
  await toSqlDriver(db).transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`orderkit:analytics:${schema}`]);
    await tx.exec(`set local search_path to ${schema};
      create table if not exists analytics_meta (key text primary key, value text not null);`);
    const stored = await tx.query<{ value: string }>("select value from analytics_meta where key = 'facts_version'");
    if (stored.rows[0]?.value !== FACTS_VERSION) {
      await tx.exec('drop table if exists order_facts; drop function if exists order_facts_of(jsonb);');
    }
    await tx.exec(migrationSql(schema));
    await tx.query(
      "insert into analytics_meta values ('facts_version', $1) on conflict (key) do update set value = excluded.value",
      [FACTS_VERSION],
    );
  });
}

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
 * One query per stage: an ordered-set aggregate sorts in a single process, so four separate
 * queries let a pool sort the four stages on four connections at once.
 */
function percentileSql(facts: string, stage: Stage): string {
  return `
select count(*)::float8 as n, percentile_disc(array[0.5, 0.9, 0.99]) within group (order by ${stage}_ms)::float8[] as p
from ${facts} where ${IN_RANGE} and ${stage}_ms is not null`;
}

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
  const facts = `${quoteIdent(checkSchemaName(options.schema ?? 'orderkit'))}.order_facts`;
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
    stageDurations: STAGES.map((stage, i) => {
      const r = percentiles[i]!.rows[0] ?? {};
      const count = num(r.n);
      const p = count > 0 ? (r.p as number[]) : null;
      return { stage, count, p50: p ? Number(p[0]) : null, p90: p ? Number(p[1]) : null, p99: p ? Number(p[2]) : null };
    }),
    daily: points,
    topSkus: skus.rows.map(
      (r): TopSku => ({ sku: String(r.sku), title: String(r.title), units: num(r.units), revenue: num(r.revenue), orders: num(r.orders) }),
    ),
  };
}

