import { toDurationFigures } from '../../analytics/percentiles.js';
import { STAGES, type Stage, type StageDuration } from '../../analytics/types.js';
import { orderRefundSql, PAST_BREACH_INDEXES_SQL, ROLLUP_BACKFILL_SQL, ROLLUP_TABLES, ROLLUP_TABLES_SQL, rollupDeltasSql, skuDeltasSql } from './analytics-rollups.js';
import { toSqlDriver, type PostgresDatabase, type SqlTransaction } from './driver.js';
import { checkSchemaName, quoteIdent } from './identifiers.js';
import { SEGMENT_BACKFILL_SQL, SEGMENT_TABLE_NAMES, SEGMENT_TABLES_SQL, SEGMENTS_VERSION, segmentDeltasSql, segmentFoldSql } from './analytics-segments.js';
import { OPEN_BACKFILL_SQL, OPEN_ROLLUP_SQL, OPEN_ROLLUP_VERSION, openDeltasSql, openFoldSql } from './analytics-open-rollup.js';
import {
  COHORTS_VERSION,
  CUSTOMER_TABLE_NAMES,
  CUSTOMER_TABLES_SQL,
  CUSTOMERS_VERSION,
  customerDirtySql,
  DEFAULT_COHORT_ZONE,
  rebuildCohorts,
  rebuildCustomers,
} from './analytics-customers.js';
import { checkTimeZone } from '../../analytics/options.js';
import { OrderkitError } from '../../errors/orderkit-error.js';

/**
 * The analytics projection: `<schema>.order_facts`, one narrow row per order (its timestamps,
 * stage durations and amounts), and `<schema>.order_line_facts`, one row per SKU of a paid order,
 * both written by a trigger on `<schema>.orders` inside each commit's own statement. The SQL
 * summary and bottleneck report read them instead of the order documents: scanning ~100-byte rows
 * instead of parsing jsonb is what keeps a summary of a million orders fast.
 */

export interface AnalyticsSqlOptions {
  /** The schema \`migrate\` created (orders live in \`<schema>.orders\`). Default 'orderkit'. */
  schema?: string;
}

/** The quoted schema and the facts table in it. */
export function factsTable(options: AnalyticsSqlOptions): { schema: string; facts: string; lines: string } {
  const schema = quoteIdent(checkSchemaName(options.schema ?? 'orderkit'));
  return { schema, facts: `${schema}.order_facts`, lines: `${schema}.order_line_facts` };
}

/** Bump when the projection's columns or their meaning change: the next migrate rebuilds it. */
const FACTS_VERSION = '8';

/** A timestamp field of the document, cut to milliseconds (all a JavaScript Date holds). */
const ts = (text: string): string => `date_trunc('milliseconds', (${text})::timestamptz)`;
const paidText = (d: string): string => `coalesce(${d}->>'paidAt', ${d}->'payment'->>'paidAt')`;

/**
 * The facts of one order document `d`, mirroring `orderFacts()` in src/analytics/order-facts.ts
 * field by field. Spliced into the trigger (d = new.doc) and the back-fill (d = o.doc) as plain
 * SQL rather than called as a function: a plpgsql statement keeps its plan for the session, where
 * a SQL function would be planned again on every commit.
 */
const factsSelect = (d: string): string => `
  select ${d}->>'id', ${d}->>'status', ${d}->>'closeReason',
    f.created, f.paid, f.first_shipped, f.full_shipped, f.delivered, f.completed,
    case when f.paid is null then 0 else (${d}->'payment'->>'paidAmount')::bigint end,
    (select coalesce(sum((r->>'amount')::bigint), 0) from jsonb_array_elements(${d}->'refunds') r
      where ${orderRefundSql('r', d)}),
    (extract(epoch from f.paid - f.created) * 1000)::bigint,
    (extract(epoch from f.first_shipped - f.paid) * 1000)::bigint,
    (extract(epoch from f.delivered - f.full_shipped) * 1000)::bigint,
    (extract(epoch from f.completed - f.full_shipped) * 1000)::bigint,
    ${d}->>'customerId', nullif(${d}->'address'->>'province', ''), ${d}->>'channel',
    jsonb_array_length(${d}->'pricing'->'couponIds') > 0,
    (select coalesce(sum((a->>'amount')::bigint), 0) from jsonb_array_elements(${d}->'lines') l
      cross join lateral jsonb_array_elements(l->'allocations') a where a->>'source' = 'coupon')
  from (
    select t.*, coalesce(t.first_parcel, t.shipped) as first_shipped, coalesce(t.shipped, t.first_parcel) as full_shipped
    from (
      select ${ts(`${d}->>'createdAt'`)} as created, ${ts(paidText(d))} as paid, ${ts(`${d}->>'shippedAt'`)} as shipped,
        (select min(${ts(`s->>'shippedAt'`)}) from jsonb_array_elements(${d}->'shipments') s) as first_parcel,
        ${ts(`${d}->>'deliveredAt'`)} as delivered, ${ts(`${d}->>'completedAt'`)} as completed
    ) t
  ) f`;

/** One row per SKU of a paid order (an order may list a SKU twice), for the top SKUs. */
const linesSelect = (d: string): string => `
  select ${d}->>'id', ${ts(paidText(d))}, l->>'sku', min(l->>'title' collate "C"),
    sum((l->>'quantity')::bigint)::bigint, sum((l->>'payable')::bigint)::bigint
  from jsonb_array_elements(${d}->'lines') l
  where ${paidText(d)} is not null
  group by l->>'sku'`;

/** The order's line facts rewritten, with the summary's SKU deltas around it. */
const rewriteLines = (schema: string): string => `
    ${skuDeltasSql(schema, -1)}
    delete from ${schema}.order_line_facts where order_id = new.id;
    insert into ${schema}.order_line_facts ${linesSelect('new.doc')};
    ${skuDeltasSql(schema, 1)}`;

/**
 * The projection's tables and trigger. `segments: false` leaves the segment rollups out of the
 * trigger, `open: false` the open-order rollup, `customers: false` the customer chains: only the
 * write-cost benchmark and the upgrade tests use them, to measure what each costs a commit or to
 * stand for an earlier version.
 */
export const migrationSql = (schema: string, parts: { segments?: boolean; open?: boolean; customers?: boolean } = {}): string => `
-- Helpers of earlier versions, no longer used.
drop function if exists ${schema}.order_facts_of(jsonb);
drop function if exists ${schema}.order_line_facts_of(jsonb);
drop function if exists ${schema}.order_paid_at(jsonb);
drop function if exists ${schema}.analytics_ts(text);

create table if not exists order_facts (
  order_id text collate "C" primary key,
  status text not null, close_reason text,
  created_at timestamptz not null, paid_at timestamptz, first_shipped_at timestamptz, shipped_at timestamptz,
  delivered_at timestamptz, completed_at timestamptz,
  paid_amount bigint not null, refunded bigint not null,
  payment_ms bigint, fulfilment_ms bigint, delivery_ms bigint, confirmation_ms bigint,
  -- For the decision-support analyses (analytics-insights-sql.ts).
  customer_id text collate "C" not null, province text collate "C", channel text collate "C",
  has_coupon boolean not null, coupon_discount bigint not null
);
create index if not exists order_facts_customer_paid_idx on order_facts (customer_id, paid_at) where paid_at is not null;
create index if not exists order_facts_created_idx on order_facts (created_at);
create index if not exists order_facts_paid_idx on order_facts (paid_at) where paid_at is not null;

create table if not exists order_line_facts (
  order_id text collate "C" not null,
  paid_at timestamptz not null,
  sku text not null,
  title text not null,
  quantity bigint not null,
  payable bigint not null,
  primary key (order_id, sku)
);
create index if not exists order_line_facts_paid_idx on order_line_facts (paid_at);
-- For the drill-down (analytics-drill-sql.ts): the newest orders of a range with what its figures
-- test, read from the index alone; the orders paid more than a day after they were placed (or
-- before: few); a SKU's paid lines. Created by the next migrateAnalytics on a projection built
-- before them (this script runs on every migrate; the data stays as it is).
create index if not exists order_facts_drill_created_idx on order_facts (created_at) include (order_id, paid_at, customer_id, channel, province, refunded, has_coupon);
create index if not exists order_facts_drill_paid_idx on order_facts (paid_at) include (order_id, created_at, customer_id, channel, province, refunded, has_coupon)
  where paid_at is not null;
create index if not exists order_facts_drill_late_idx on order_facts (paid_at) include (order_id, created_at, channel, province, refunded, has_coupon)
  where payment_ms < 0 or payment_ms > ${86_400_000};
create index if not exists order_line_facts_sku_paid_idx on order_line_facts (sku, paid_at);

${ROLLUP_TABLES_SQL}
-- The finished durations of each stage, longest first, for the past breaches (analytics-past-breaches-sql.ts).
${PAST_BREACH_INDEXES_SQL}
${SEGMENT_TABLES_SQL}
-- The orders still waiting in a stage, for the open-breach to-do list (analytics-open-rollup.ts):
-- small partial indexes and a rollup of them by the hour they started waiting.
${OPEN_ROLLUP_SQL}
-- Each paid order's place in its customer's chain of paid orders, for customers and cohorts
-- (analytics-customers.ts).
${CUSTOMER_TABLES_SQL}

create or replace function ${schema}.order_facts_sync() returns trigger language plpgsql as $$
declare
  was ${schema}.order_facts;
  now_f ${schema}.order_facts;
  had boolean;
  lines_changed boolean;
begin
  -- Runs inside the commit's own statement: the projection can never disagree with the orders.
  select * into was from ${schema}.order_facts where order_id = new.id;
  had := found;
  insert into ${schema}.order_facts ${factsSelect('new.doc')}
  on conflict (order_id) do update set
    status = excluded.status, close_reason = excluded.close_reason, created_at = excluded.created_at,
    paid_at = excluded.paid_at, first_shipped_at = excluded.first_shipped_at, shipped_at = excluded.shipped_at,
    delivered_at = excluded.delivered_at, completed_at = excluded.completed_at,
    paid_amount = excluded.paid_amount, refunded = excluded.refunded, payment_ms = excluded.payment_ms,
    fulfilment_ms = excluded.fulfilment_ms, delivery_ms = excluded.delivery_ms, confirmation_ms = excluded.confirmation_ms,
    customer_id = excluded.customer_id, province = excluded.province, channel = excluded.channel,
    has_coupon = excluded.has_coupon, coupon_discount = excluded.coupon_discount
  returning * into now_f;
  -- What the summary adds up changes by what this order was and now is (analytics-rollups.ts).
  ${rollupDeltasSql(schema)}
  -- Lines matter once the order is paid and hardly ever change after: rewrite them only then.
  lines_changed := tg_op = 'INSERT' or old.doc->'lines' is distinct from new.doc->'lines'
     or ${paidText('old.doc')} is distinct from ${paidText('new.doc')};
  ${parts.segments !== false ? segmentDeltasSql(schema, rewriteLines(schema)) : `if lines_changed then ${rewriteLines(schema)}
  end if;`}
  -- The open orders of each stage by the hour they started waiting (analytics-open-rollup.ts).
  ${parts.open !== false ? openDeltasSql(schema) : ''}
  -- A customer whose paid orders changed has its chain recomputed at the next fold (analytics-customers.ts).
  ${parts.customers !== false ? customerDirtySql(schema) : ''}
  return null;
end $$;

drop trigger if exists order_facts_sync on orders;
create trigger order_facts_sync after insert or update of doc on orders
  for each row execute function ${schema}.order_facts_sync();`;

/** Fills a new projection from the orders already stored; from then on the trigger keeps it. */
const BACKFILL_SQL = [
  `insert into order_facts select f.* from orders o cross join lateral (${factsSelect('o.doc')}) f on conflict (order_id) do nothing`,
  `insert into order_line_facts select l.* from orders o cross join lateral (${linesSelect('o.doc')}) l on conflict do nothing`,
];

/** Fills the (empty) segment rollups from the facts, then folds them into hour and day rows. */
async function rebuildSegments(tx: SqlTransaction, schema: string): Promise<void> {
  for (const sql of SEGMENT_BACKFILL_SQL) await tx.query(sql);
  for (const name of SEGMENT_TABLE_NAMES) await tx.query(segmentFoldSql(schema, name));
}

/** Fills the (empty) open-order rollup from the facts, then folds it into hour and day rows. */
async function rebuildOpen(tx: SqlTransaction, schema: string): Promise<void> {
  await tx.query(OPEN_BACKFILL_SQL);
  await tx.query(openFoldSql(schema));
}

/**
 * Rebuilds the segment rollups the decision-support analyses read (analytics-segments.ts), the
 * open-order rollup of the open-breach list (analytics-open-rollup.ts) and the customer chains of
 * customers and cohorts (analytics-customers.ts) from the facts projection, in one transaction: for a database whose rollups are suspected wrong, say after
 * a manual edit of the facts. \`migrateAnalytics\` already builds them when they are new or their
 * version changed; commits meanwhile wait for the rebuild (it locks the tables).
 *
 * @example
 * await rebuildAnalyticsSegments(pool);
 */
export async function rebuildAnalyticsSegments(db: PostgresDatabase, options: AnalyticsSqlOptions = {}): Promise<void> {
  const { schema } = factsTable(options);
  await toSqlDriver(db).transaction(async (tx) => {
    const zone = await tx.query<{ value: string }>(`select value from ${schema}.analytics_meta where key = 'cohort_zone'`);
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`orderkit:analytics:${schema}`]);
    await tx.exec(`set local search_path to ${schema};
      lock table ${['orders', ...SEGMENT_TABLE_NAMES, 'rollup_open', ...CUSTOMER_TABLE_NAMES].join(', ')} in share row exclusive mode;
      ${[...SEGMENT_TABLE_NAMES, 'rollup_open', ...CUSTOMER_TABLE_NAMES].map((t) => `truncate ${t};`).join('\n')}`);
    await rebuildSegments(tx, schema);
    await rebuildOpen(tx, schema);
    await rebuildCustomers(tx, zone.rows[0]?.value ?? DEFAULT_COHORT_ZONE);
  });
}

export interface MigrateAnalyticsOptions extends AnalyticsSqlOptions {
  /**
   * The IANA zone of the cohort rollup's local days (docs/analytics.md "Speed at scale"): cohortsSql
   * in this zone adds up whole local days, in another zone it reads the customer chains (the same
   * answer, slower over long ranges). Default: the zone already stored, or 'Asia/Shanghai' on a
   * database migrated for the first time. A different zone than the stored one rebuilds the
   * cohort rollup from the chains.
   */
  timeZone?: string;
}

/**
 * The typed error for a database error caused by a zone the JavaScript runtime knows but this
 * server's tz database does not (docs/analytics.md), or null for any other error.
 */
export function unknownDatabaseZone(e: unknown): OrderkitError | null {
  if (!(e instanceof Error) || !/time zone/i.test(e.message)) return null;
  return new OrderkitError({
    code: 'INVALID_ANALYTICS_OPTIONS',
    message: { 'zh-CN': '数据库不认识这个时区', en: 'the database does not know this time zone' },
    path: ['timeZone'],
  });
}

/** `timeZone` known to this JavaScript runtime and to the database, or a typed error. */
async function checkedZone(db: PostgresDatabase, timeZone: unknown): Promise<string> {
  const problem = checkTimeZone(timeZone);
  if (problem) throw problem;
  try {
    await toSqlDriver(db).query("select now() at time zone $1::text", [timeZone]);
  } catch (e) {
    throw unknownDatabaseZone(e) ?? e;
  }
  return timeZone as string;
}

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
export async function migrateAnalytics(db: PostgresDatabase, options: MigrateAnalyticsOptions = {}): Promise<void> {
  const { schema } = factsTable(options);
  // Checked before anything is written: a zone neither JavaScript nor the database knows.
  const given = options.timeZone === undefined ? undefined : await checkedZone(db, options.timeZone);
  await toSqlDriver(db).transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`orderkit:analytics:${schema}`]);
    await tx.exec(`set local search_path to ${schema};
      create table if not exists analytics_meta (key text primary key, value text not null);`);
    const stored = await tx.query<{ key: string; value: string }>("select key, value from analytics_meta");
    const meta = new Map(stored.rows.map((r) => [r.key, r.value]));
    // Without the option, the zone already stored stays (docs/analytics.md "Cohorts in the shop's zone"):
    // an instance started without it must not rebuild the cohort rollup in another zone.
    const zone = given ?? meta.get('cohort_zone') ?? DEFAULT_COHORT_ZONE;
    if (meta.get('facts_version') !== FACTS_VERSION) {
      await tx.exec(['order_facts', 'order_line_facts', ...ROLLUP_TABLES, ...SEGMENT_TABLE_NAMES, 'rollup_open', ...CUSTOMER_TABLE_NAMES].map((t) => `drop table if exists ${t};`).join('\n'));
    } else {
      if (meta.get('segments_version') !== SEGMENTS_VERSION) await tx.exec(SEGMENT_TABLE_NAMES.map((t) => `drop table if exists ${t};`).join('\n'));
      // Added in a later version than the facts: a database migrated before has no such key yet.
      if (meta.get('open_version') !== OPEN_ROLLUP_VERSION) await tx.exec('drop table if exists rollup_open;');
      if (meta.get('customers_version') !== CUSTOMERS_VERSION) await tx.exec(CUSTOMER_TABLE_NAMES.map((t) => `drop table if exists ${t};`).join('\n'));
      // Added after the chains; its local days are those of the zone it was built in.
      else if (meta.get('cohorts_version') !== COHORTS_VERSION || meta.get('cohort_zone') !== zone) await tx.exec('drop table if exists rollup_cohort;');
    }
    // Only a projection created now needs filling: an existing one was kept current by its trigger,
    // which is created in the same transaction as the table, so no commit can slip between them.
    const existed = await tx.query<{ facts: string | null; segments: string | null; open: string | null; customers: string | null; cohorts: string | null }>(
      "select to_regclass('order_facts')::text as facts, to_regclass('rollup_segment')::text as segments, to_regclass('rollup_open')::text as open, to_regclass('customer_chain')::text as customers, to_regclass('rollup_cohort')::text as cohorts",
    );
    await tx.exec(migrationSql(schema));
    if (existed.rows[0]?.facts == null) for (const sql of [...BACKFILL_SQL, ...ROLLUP_BACKFILL_SQL]) await tx.query(sql);
    if (existed.rows[0]?.segments == null) await rebuildSegments(tx, schema);
    if (existed.rows[0]?.open == null) await rebuildOpen(tx, schema);
    if (existed.rows[0]?.customers == null) await rebuildCustomers(tx, zone);
    else if (existed.rows[0]?.cohorts == null) await rebuildCohorts(tx, zone);
    await tx.query(
      `insert into analytics_meta values ('facts_version', $1), ('segments_version', $2), ('open_version', $3), ('customers_version', $4),
         ('cohorts_version', $5), ('cohort_zone', $6)
       on conflict (key) do update set value = excluded.value`,
      [FACTS_VERSION, SEGMENTS_VERSION, OPEN_ROLLUP_VERSION, CUSTOMERS_VERSION, COHORTS_VERSION, zone],
    );
  });
}


/**
 * Every stage's count and p50/p90/p99 in one scan of the projection: four in-memory sorts of the
 * durations (the nearest-rank `percentile_disc`), but the rows are read once. $1/$2 the range.
 * For bottlenecksSql, which reads the facts; `stageDurationFromRow` cuts the values to three
 * significant figures, as every report does.
 */
export function percentilesSql(facts: string): string {
  return `
select ${STAGES.map(
    (s) => `count(${s}_ms)::float8 as "n_${s}",
  percentile_disc(array[0.5, 0.9, 0.99]) within group (order by ${s}_ms) filter (where ${s}_ms is not null)::float8[] as "p_${s}"`,
  ).join(',\n  ')}
from ${facts} where created_at >= $1 and created_at < $2`;
}

/** A stage's count and percentiles from the `percentilesSql` row. */
export function stageDurationFromRow(stage: Stage, row: Record<string, unknown> | undefined): StageDuration {
  const count = Number(row?.[`n_${stage}`] ?? 0);
  const p = count > 0 ? (row![`p_${stage}`] as number[]) : null;
  const at = (i: number): number | null => (p ? toDurationFigures(Number(p[i])) : null);
  return { stage, count, p50: at(0), p90: at(1), p99: at(2) };
}
