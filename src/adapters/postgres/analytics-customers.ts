import { binSql } from './analytics-rollups.js';
import type { SqlTransaction } from './driver.js';

/**
 * The customer chains behind `customersSql` and `cohortsSql` (analytics-insights-sql.ts): a
 * distinct count of customers does not add up across hour or day buckets, but a count of orders
 * does once each paid order knows when the same customer last paid before it.
 * docs/analytics.md "Speed at scale".
 *
 * - `customer_chain`: one row per paid order and filter scope (0 the whole shop, 1 its channel,
 *   2 its province, 3 both), with the paid time of the customer's previous paid order in that
 *   scope (`p1`), of the one before it (`p2`) and of the customer's first paid order (`first`).
 *   Orders of a customer are taken in (paid_at, order_id) order. An order without a channel or a
 *   province has no row in the scopes that filter by it: a filter value '' matches no order.
 * - `rollup_customer`: those rows counted per scope, paid UTC day and the UTC days of p1 and p2
 *   ('-infinity' for none).
 * - `customer_dirty`: customers whose paid orders changed since their chain was last computed. The
 *   trigger appends them (one row, no lock: commits of the same customer never wait on each
 *   other); `compactAnalytics` recomputes their chains from the facts and moves the rollup by the
 *   difference. A read counts a dirty customer's chain from the facts, so it is exact either way.
 *
 * - `rollup_cohort`: those rows counted per scope, local day of the customer's first paid order
 *   and local day of the row's paid time, in the zone given to `migrateAnalytics` (kept in
 *   analytics_meta as 'cohort_zone'): `members` the first orders (no p1), `week_firsts` and
 *   `month_firsts` the rows that are the customer's first paid order of their local week (from
 *   Monday) or month (p1 in an earlier one), `orders` every row (the new customers' orders of a
 *   range, for the drill-down's total). The fold moves it with `rollup_customer`.
 *
 * With them, over a range [F, T): the customers are the orders paid in it with p1 < F (or none),
 * the new ones those with no p1, the repeat ones those with F ≤ p1 and p2 < F (or none), the
 * cohorts' members the rows with F ≤ first < T. The rollup gives the counts of the range's whole
 * UTC days, except for the rows whose p1 or p2 lies in the UTC day holding F: those, and the
 * range's partial days at both ends, are read from the chain through its indexes. In the cohort
 * rollup's zone, cohorts add up the rollup rows of the local days wholly in the range and read the
 * chain only for the customers first paid in its partial first day and the rows paid in its
 * partial last day; in another zone they read the chain rows of the range's new customers.
 */

/** Bump when the chain's or the rollup's columns or meaning change: the next migrateAnalytics rebuilds them from the facts. */
export const CUSTOMERS_VERSION = '1';

/** Bump when the cohort rollup's columns or meaning change: the next migrateAnalytics rebuilds it from the chains. */
export const COHORTS_VERSION = '2';

/** The zone of the cohort rollup's local days when `migrateAnalytics` is given none. */
export const DEFAULT_COHORT_ZONE = 'Asia/Shanghai';

export const CUSTOMER_TABLE_NAMES = ['customer_chain', 'rollup_customer', 'customer_dirty', 'rollup_cohort'] as const;

const D = 86400;

/** Tables and indexes (run with search_path set to the schema). */
export const CUSTOMER_TABLES_SQL = `
create table if not exists customer_chain (
  scope smallint not null, channel text collate "C" not null, province text collate "C" not null,
  customer_id text collate "C" not null, order_id text collate "C" not null,
  paid_at timestamptz not null, p1 timestamptz, p2 timestamptz, first timestamptz not null
);
create index if not exists customer_chain_customer_idx on customer_chain (customer_id);
create index if not exists customer_chain_paid_idx on customer_chain (scope, channel, province, paid_at) include (p1, p2);
create index if not exists customer_chain_p1_idx on customer_chain (scope, channel, province, p1) include (paid_at, p2) where p1 is not null;
create index if not exists customer_chain_p2_idx on customer_chain (scope, channel, province, p2) include (paid_at, p1) where p2 is not null;
create index if not exists customer_chain_first_idx on customer_chain (scope, channel, province, first) include (paid_at, p1);
create table if not exists rollup_customer (
  scope smallint not null, channel text collate "C" not null, province text collate "C" not null,
  day timestamptz not null, p1_day timestamptz not null, p2_day timestamptz not null,
  n bigint not null,
  primary key (scope, channel, province, day, p1_day, p2_day)
);
create table if not exists customer_dirty (customer_id text collate "C" not null);
create table if not exists rollup_cohort (
  scope smallint not null, channel text collate "C" not null, province text collate "C" not null,
  first_day date not null, day date not null,
  members bigint not null, week_firsts bigint not null, month_firsts bigint not null, orders bigint not null default 0,
  primary key (scope, channel, province, first_day, day)
);`;

/** The local calendar day of timestamptz `t` in zone `zone` (an SQL text expression). */
export const localDaySql = (t: string, zone: string): string => `((${t}) at time zone ${zone})::date`;

/** The first day of the local week (from Monday) or month holding date `d`. */
export const periodStartSql = (by: 'week' | 'month', d: string): string => `date_trunc('${by}', (${d})::timestamp)::date`;

/**
 * Whether chain row `c` is its customer's first paid order of the local week or month of its paid
 * time: no p1, or p1 in an earlier period (p1 is never after paid_at).
 */
export const firstOfPeriodSql = (by: 'week' | 'month', c: string, zone: string): string =>
  `(${c}.p1 is null or ${localDaySql(`${c}.p1`, zone)} < ${periodStartSql(by, localDaySql(`${c}.paid_at`, zone))})`;

/** The columns of `rollup_cohort` from chain rows `source` (alias c), each signed by `sign`, in zone `zone`. */
const cohortRowsOf = (source: string, sign: string, zone: string): string =>
  `select c.scope, c.channel, c.province, ${localDaySql('c.first', zone)}, ${localDaySql('c.paid_at', zone)},
     ${sign} * (c.p1 is null)::int, ${sign} * ${firstOfPeriodSql('week', 'c', zone)}::int, ${sign} * ${firstOfPeriodSql('month', 'c', zone)}::int, ${sign}
   from ${source} c`;

/** The cohort rollup summed by key from `rows` (cohortRowsOf selects). */
const cohortSums = (rows: string): string => `
  select scope, channel, province, first_day, day, sum(m) as members, sum(w) as week_firsts, sum(mo) as month_firsts, sum(o) as orders from (
    ${rows}
  ) r(scope, channel, province, first_day, day, m, w, mo, o)
  group by 1, 2, 3, 4, 5`;

/**
 * The trigger's part, spliced into the plpgsql trigger of analytics-projection.ts after the facts
 * row moved from `was` to `now_f`: a customer whose paid orders changed is marked dirty.
 */
export function customerDirtySql(schema: string): string {
  return `
  if (was.customer_id, was.paid_at, was.channel, was.province) is distinct from (now_f.customer_id, now_f.paid_at, now_f.channel, now_f.province)
     and (was.paid_at is not null or now_f.paid_at is not null) then
    insert into ${schema}.customer_dirty (customer_id)
    select distinct v.c from (values (was.customer_id), (now_f.customer_id)) v(c) where v.c is not null;
  end if;`;
}

/**
 * The chain rows computed from facts table `facts` (columns of `customer_chain`, in order), for
 * the facts passing `where` (a condition on alias f, or 'true').
 */
export function chainFromFactsSql(facts: string, where: string): string {
  return `
select s.scope, s.channel, s.province, f.customer_id, f.order_id, f.paid_at,
  lag(f.paid_at, 1) over w as p1, lag(f.paid_at, 2) over w as p2, min(f.paid_at) over w as first
from ${facts} f
  cross join lateral (values (0::smallint, ''::text, ''::text), (1::smallint, coalesce(f.channel, ''), ''), (2::smallint, '', coalesce(f.province, '')),
    (3::smallint, coalesce(f.channel, ''), coalesce(f.province, ''))) s(scope, channel, province)
where f.paid_at is not null and (${where})
  and not (s.scope in (1, 3) and s.channel = '') and not (s.scope in (2, 3) and s.province = '')
window w as (partition by s.scope, s.channel, s.province, f.customer_id order by f.paid_at, f.order_id
  rows between unbounded preceding and current row)`;
}

/** Rows of `rollup_customer` from chain rows `source` (a table or subquery with alias c), each signed by `sign`. */
const rollupRowsOf = (source: string, sign: string): string =>
  `select c.scope, c.channel, c.province, ${binSql('c.paid_at', D)}, coalesce(${binSql('c.p1', D)}, '-infinity'), coalesce(${binSql('c.p2', D)}, '-infinity'), ${sign} from ${source} c`;

/** The (empty) chain and rollup filled from the facts (run with search_path set to the schema). */
export const CUSTOMER_BACKFILL_SQL: string[] = [
  // In the order of the paid index, so that a range's rows sit together on disk.
  `insert into customer_chain select * from (${chainFromFactsSql('order_facts', 'true')}) c order by scope, channel, province, paid_at`,
  `insert into rollup_customer
   select scope, channel, province, day, p1_day, p2_day, sum(n) from (
     ${rollupRowsOf('customer_chain', '1::bigint')}
   ) r(scope, channel, province, day, p1_day, p2_day, n)
   group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6`,
  'analyze customer_chain',
  'analyze rollup_customer',
];

/**
 * Recomputes the chains of the dirty customers from the facts and moves the rollup by the
 * difference, in the caller's transaction (under the fold's advisory lock: one fold at a time).
 * Customers marked dirty by commits after this fold's first statement stay for the next fold.
 */
export async function foldCustomers(tx: SqlTransaction, schema: string): Promise<void> {
  const dirty = await tx.query<{ c: string; zone: string | null }>(
    `with d as (delete from ${schema}.customer_dirty returning customer_id)
     select distinct customer_id as c, (select value from ${schema}.analytics_meta where key = 'cohort_zone') as zone from d`,
  );
  if (dirty.rows.length === 0) return;
  const ids = dirty.rows.map((r) => r.c);
  // No zone: a database not yet migrated to the cohort rollup (the zone is written with the
  // table); the next migrateAnalytics builds it from the chains.
  const zone = dirty.rows[0]!.zone;
  // One statement, so one snapshot: the chain rows written and the rollups' moves are computed
  // from the same facts (a commit landing between two statements would set them apart for good).
  await tx.query(
    `with fresh as (${chainFromFactsSql(`${schema}.order_facts`, 'f.customer_id = any($1::text[])')}),
     stale as (delete from ${schema}.customer_chain where customer_id = any($1::text[]) returning *),
     written as (insert into ${schema}.customer_chain select * from fresh),${zone === null ? '' : cohortFoldSql(schema)}
     moved as (
       select scope, channel, province, day, p1_day, p2_day, sum(n) as n from (
         ${rollupRowsOf('fresh', '1::bigint')}
         union all
         ${rollupRowsOf('stale', '-1::bigint')}
       ) r(scope, channel, province, day, p1_day, p2_day, n)
       group by 1, 2, 3, 4, 5, 6 having sum(n) <> 0
     )
     insert into ${schema}.rollup_customer select * from moved order by 1, 2, 3, 4, 5, 6
     on conflict (scope, channel, province, day, p1_day, p2_day) do update set n = ${schema}.rollup_customer.n + excluded.n`,
    zone === null ? [ids] : [ids, zone],
  );
}

/** The fold's move of the cohort rollup: a CTE of foldCustomers' statement, $2 the rollup's zone. */
const cohortFoldSql = (schema: string): string => `
     cohorts_moved as (
       insert into ${schema}.rollup_cohort
       select * from (${cohortSums(`${cohortRowsOf('fresh', '1', '$2::text')} union all ${cohortRowsOf('stale', '-1', '$2::text')}`)}) m
       where members <> 0 or week_firsts <> 0 or month_firsts <> 0 or orders <> 0
       order by 1, 2, 3, 4, 5
       on conflict (scope, channel, province, first_day, day) do update set members = ${schema}.rollup_cohort.members + excluded.members,
         week_firsts = ${schema}.rollup_cohort.week_firsts + excluded.week_firsts, month_firsts = ${schema}.rollup_cohort.month_firsts + excluded.month_firsts,
         orders = ${schema}.rollup_cohort.orders + excluded.orders
     ),`;

/** Fills the (empty) cohort rollup from the chains, its local days in zone `zone` (run with search_path set to the schema). */
export async function rebuildCohorts(tx: SqlTransaction, zone: string): Promise<void> {
  await tx.query(`insert into rollup_cohort ${cohortSums(cohortRowsOf('customer_chain', '1', '$1::text'))} order by 1, 2, 3, 4, 5`, [zone]);
  await tx.query('analyze rollup_cohort');
}

/** Fills the (empty) chain and rollups from the facts, the cohort rollup's local days in zone `zone`. */
export async function rebuildCustomers(tx: SqlTransaction, zone: string): Promise<void> {
  for (const sql of CUSTOMER_BACKFILL_SQL) await tx.query(sql);
  await rebuildCohorts(tx, zone);
}
