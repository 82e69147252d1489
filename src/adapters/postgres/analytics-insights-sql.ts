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
import { factsTable, unknownDatabaseZone, type AnalyticsSqlOptions } from './analytics-projection.js';
import { compactAnalytics, foldPending } from './analytics-compact.js';
import { orderRefundSql } from './analytics-rollups.js';
import { edgeSql, HOUR_MS, rollupPieces, rollupRowsSql, SEGMENT_DAY_MS } from './analytics-segments.js';
import { chainFromFactsSql, firstOfPeriodSql, localDaySql, periodStartSql } from './analytics-customers.js';
import { analysisDriver, type PostgresDatabase } from './driver.js';

/*
 * The decision-support analyses of orderkit/analytics (insights.ts) inside PostgreSQL or PGlite.
 * Each query returns the integer tally the in-memory function builds, and the same `finish…`
 * function ranks and rounds it, so both engines give identical answers (a property test checks
 * it). Breakdowns, trends, the heatmap, products, pairs, refunds and coupons read the segment
 * rollups (analytics-segments.ts) for the range's whole hours and days and the facts projection
 * for its sub-hour edges; customers and cohorts read the customer chains (analytics-customers.ts):
 * each paid order with its customer's previous two paid times and first one, so that a distinct
 * count of customers becomes a count of orders.
 * docs/analytics.md "Customers, products, channels" and "Speed at scale".
 */

export interface InsightSqlOptions extends InsightOptions, AnalyticsSqlOptions {
  /**
   * Fold the rollups' pending deltas first (`compactAnalytics`). Default true; pass false on a
   * read-only connection (the answer is the same, only slower when many deltas wait).
   */
  compact?: boolean;
}

type Row = Record<string, unknown>;

/** `and …` conditions of the filter on facts alias `f`, its values appended to `params`. */
export function filterSql(options: InsightOptions, params: unknown[], f = 'f'): string {
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

export async function run(db: PostgresDatabase, sql: string, params: unknown[]): Promise<Row[]> {
  try {
    return (await analysisDriver(db).query<Row>(sql, params)).rows;
  } catch (e) {
    throw unknownDatabaseZone(e) ?? e;
  }
}

/**
 * The same filter on segment rollup rows (alias r), where '' stands for none: a filter value of ''
 * matches no order in memory, so it must match no rollup row either.
 */
export function rollupFilterSql(options: InsightOptions, params: unknown[]): string {
  let sql = '';
  for (const dim of ['channel', 'province'] as const) {
    const v = options.filter?.[dim];
    if (v === undefined) continue;
    params.push(v);
    sql += ` and r.${dim} = $${params.length} and r.${dim} <> ''`;
  }
  return sql;
}

/** The rollups' range parameters ($1–$6, see rollupPieces), after folding pending deltas unless told not to. */
export async function pieces(db: PostgresDatabase, options: InsightSqlOptions, maxWidth: 0 | typeof HOUR_MS | typeof SEGMENT_DAY_MS = SEGMENT_DAY_MS): Promise<unknown[]> {
  if (options.compact !== false && maxWidth !== 0) await compactAnalytics(db, options);
  return rollupPieces(options.from.getTime(), options.to.getTime(), maxWidth);
}

const n = (v: unknown): number => Number(v ?? 0);
const key = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const range = (o: InsightOptions): unknown[] => [o.from.toISOString(), o.to.toISOString()];

/**
 * Orders placed or paid in the range by `group` (a column of the segment rollups, or null for one
 * row): the rollup rows of its whole hours and days, the facts of its edges. Parameters of
 * `rollupPieces`, then the filter's.
 */
function totalsSql(schema: string, facts: string, group: string | null, filter: string, rollupFilter: string): string {
  const g = (alias: string) => (group === null ? 'null::text' : `nullif(${alias}.${group}, '')`);
  return `
select k, sum(placed)::float8 as placed, sum(paid)::float8 as paid, sum(gmv)::float8 as gmv,
  sum(refunded)::float8 as refunded, sum(refunded_orders)::float8 as refunded_orders
from (
  ${rollupRowsSql(schema, 'rollup_segment', `${g('r')} as k, r.placed, r.paid, r.gmv, r.refunded, r.refunded_orders`, rollupFilter)}
  union all
  select ${g('f')}, 1, 0, 0::bigint, 0::bigint, 0
  from ${facts} f where ${edgeSql('f.created_at')} ${filter}
  union all
  select ${g('f')}, 0, 1, f.paid_amount, f.refunded, (f.refunded > 0)::int
  from ${facts} f where ${edgeSql('f.paid_at')} ${filter}
) t
group by k
having sum(placed) <> 0 or sum(paid) <> 0`;
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
  const { schema, facts } = factsTable(options);
  const params = await pieces(db, options);
  const filter = filterSql(options, params);
  const rollupFilter = rollupFilterSql(options, params);
  const rows = await run(db, totalsSql(schema, facts, dimension === 'province' ? 'province' : 'channel', filter, rollupFilter), params);
  return finishBreakdown(dimension, rows.map((r) => [key(r['k']), tallyOf(r)] as [string | null, TotalsTally]));
}

/** `trend()` of orderkit/analytics, in SQL. */
export async function trendSql(db: PostgresDatabase, options: InsightSqlOptions): Promise<Trend> {
  assertInsightOptions(options);
  const { schema, facts } = factsTable(options);
  const prev = previousPeriod(options.from, options.to);
  const tally = async (o: InsightSqlOptions): Promise<TotalsTally> => {
    const params = await pieces(db, o);
    const filter = filterSql(o, params);
    const rollupFilter = rollupFilterSql(o, params);
    return tallyOf((await run(db, totalsSql(schema, facts, null, filter, rollupFilter), params))[0]);
  };
  const [cur, before] = await Promise.all([tally(options), tally({ ...options, from: prev.from, to: prev.to, compact: false })]);
  return finishTrend(options, cur, before);
}

/** The customer chains' scope of the filter, and its channel and province ('' where it does not filter). */
export function chainScope(options: InsightOptions): [number, string, string] {
  const channel = options.filter?.channel;
  const province = options.filter?.province;
  return [(channel === undefined ? 0 : 1) + (province === undefined ? 0 : 2), channel ?? '', province ?? ''];
}

/**
 * The chain rows of the dirty customers (analytics-customers.ts): `stale` as stored, `fresh` as the
 * facts give them now, both of scope $s/$c/$p. A read counts the stored chains, takes the stale
 * rows away and adds the fresh ones, so that it is exact with deltas still pending.
 */
function dirtyChainsSql(schema: string, facts: string, s: string, c: string, p: string): string {
  return `dirty as (select distinct customer_id from ${schema}.customer_dirty),
     stale as (select x.* from ${schema}.customer_chain x where x.customer_id in (select customer_id from dirty) and x.scope = ${s} and x.channel = ${c} and x.province = ${p}),
     fresh as (select y.* from (${chainFromFactsSql(facts, 'f.customer_id in (select customer_id from dirty)')}) y where y.scope = ${s} and y.channel = ${c} and y.province = ${p})`;
}

/** `customers()` of orderkit/analytics, in SQL. */
export async function customersSql(db: PostgresDatabase, options: InsightSqlOptions): Promise<CustomerReport> {
  assertInsightOptions(options);
  const { schema, facts } = factsTable(options);
  // Only the customer chains: checking every rollup for pending deltas costs more than this read.
  if (options.compact !== false) await foldPending(db, options, ['customer_dirty']);
  const from = options.from.getTime();
  const d0 = Math.floor(from / SEGMENT_DAY_MS) * SEGMENT_DAY_MS;
  // $1 from, $2 to, $3/$4 its whole UTC days, $5–$7 the scope, $8/$9 the UTC day holding from.
  const params: unknown[] = [
    ...rollupPieces(from, options.to.getTime(), SEGMENT_DAY_MS).filter((_, i) => i === 0 || i === 1 || i === 4 || i === 5),
    ...chainScope(options),
    new Date(d0).toISOString(),
    new Date(d0 + SEGMENT_DAY_MS).toISOString(),
  ];
  const scope = (a: string) => `${a}.scope = $5 and ${a}.channel = $6 and ${a}.province = $7`;
  // Per chain row paid in the range: a customer (their first order in it), new, repeat (their second in it).
  const exact = (a: string, sign: number) =>
    `${sign} * (${a}.p1 is null or ${a}.p1 < $1)::int, ${sign} * (${a}.p1 is null)::int, ${sign} * (${a}.p1 >= $1 and (${a}.p2 is null or ${a}.p2 < $1))::int`;
  const rows = await run(
    db,
    `with ${dirtyChainsSql(schema, facts, '$5', '$6', '$7')}
     select coalesce(sum(c), 0)::float8 as customers, coalesce(sum(nw), 0)::float8 as new_customers, coalesce(sum(rp), 0)::float8 as repeat_customers
     from (
       -- The whole UTC days. A cell whose p1 lies in the day holding $1 (or, for repeat, whose p2
       -- does) counts 0 here: its rows are read from the chain below.
       select case when r.p1_day < $8 then r.n else 0 end as c, case when r.p1_day = '-infinity' then r.n else 0 end as nw,
         case when r.p1_day >= $9 and r.p2_day < $8 then r.n else 0 end as rp
       from ${schema}.rollup_customer r
       where ${scope('r')} and r.day >= $3 and r.day < $4
       union all
       -- Those cells' rows, and the partial days at both ends, from the chain.
       select ${exact('x', 1)} from ${schema}.customer_chain x where ${scope('x')} and x.paid_at >= $1 and x.paid_at < $3
       union all
       select ${exact('x', 1)} from ${schema}.customer_chain x where ${scope('x')} and x.paid_at >= $4 and x.paid_at < $2
       union all
       select ${exact('x', 1)} from ${schema}.customer_chain x
       where ${scope('x')} and x.p1 >= $8 and x.p1 < $9 and x.paid_at >= $3 and x.paid_at < $4
       union all
       select ${exact('x', 1)} from ${schema}.customer_chain x
       where ${scope('x')} and x.p2 >= $8 and x.p2 < $9 and x.p1 >= $9 and x.paid_at >= $3 and x.paid_at < $4
       union all
       select ${exact('x', -1)} from stale x where x.paid_at >= $1 and x.paid_at < $2
       union all
       select ${exact('x', 1)} from fresh x where x.paid_at >= $1 and x.paid_at < $2
     ) t`,
    params,
  );
  return finishCustomers({ customers: n(rows[0]?.['customers']), newCustomers: n(rows[0]?.['new_customers']), repeatCustomers: n(rows[0]?.['repeat_customers']) });
}

/** Period index and label of a local timestamp expression `t` (see periodOf in local-time.ts). */
export const periodIndex = (by: CohortPeriod, t: string): string =>
  by === 'week'
    ? `((date_trunc('week', ${t})::date - date '1970-01-05') / 7)`
    : `(extract(year from ${t})::int * 12 + extract(month from ${t})::int - 1)`;
export const periodLabel = (by: CohortPeriod, t: string): string => `to_char(date_trunc('${by}', ${t}), 'YYYY-MM-DD')`;

/** Period index and label of a local calendar date `d`: the same as periodIndex and periodLabel of its midnight. */
const dayPeriodIndex = (by: CohortPeriod, d: string): string =>
  by === 'week' ? `((${periodStartSql('week', d)} - date '1970-01-05') / 7)` : `(extract(year from ${d})::int * 12 + extract(month from ${d})::int - 1)`;
const dayPeriodLabel = (by: CohortPeriod, d: string): string => `to_char(${periodStartSql(by, d)}, 'YYYY-MM-DD')`;

/**
 * The range's local days in zone $3 for the cohort rollup: `a` the local day holding $1 and `fd`
 * the first starting at or after it (a + 1, or a when $1 is its midnight), `td` the local day
 * holding $2; `sa`, `fi`, `ti`, `tn` the instants a, fd, td and td + 1 start (epoch ms). `whole`
 * when the range holds a whole local day and those instants are exactly where the local date
 * changes (a zone that skips or repeats its midnight can leave them elsewhere): then a chain row is
 * paid at or after `fi` exactly when its local day is `fd` or later, and so for the others.
 * Also the zone the rollup was built in, and the index of the range's last period.
 */
function cohortBoundsSql(schema: string, by: CohortPeriod): string {
  const day = (t: string) => localDaySql(t, '$3');
  const starts = (i: string, d: string) => `${day(i)} = ${d} and ${day(`${i} - interval '1 microsecond'`)} < ${d}`;
  const ms = (i: string) => `(extract(epoch from ${i}) * 1000)::float8 as ${i}`;
  return `
select (select value from ${schema}.analytics_meta where key = 'cohort_zone') as zone, a::text as a, fd::text as fd, td::text as td,
  ${ms('sa')}, ${ms('fi')}, ${ms('ti')}, ${ms('tn')},
  fd < td and ${starts('sa', 'a')} and ${starts('fi', 'fd')} and ${starts('ti', 'td')} and ${starts('tn', 'td + 1')} as whole,
  ${periodIndex(by, "($2::timestamptz - interval '1 millisecond') at time zone $3")}::float8 as last
from (select a, fd, td, a::timestamp at time zone $3 as sa, fd::timestamp at time zone $3 as fi, td::timestamp at time zone $3 as ti,
    (td + 1)::timestamp at time zone $3 as tn
  from (select ${day('$1::timestamptz')} as a, ${day("$1::timestamptz - interval '1 microsecond'")} + 1 as fd, ${day('$2::timestamptz')} as td) d) b`;
}

/** `cohorts()` of orderkit/analytics, in SQL. */
export async function cohortsSql(db: PostgresDatabase, options: InsightSqlOptions, by: CohortPeriod = 'week'): Promise<CohortReport> {
  assertInsightOptions(options, { by });
  const { schema, facts } = factsTable(options);
  if (options.compact !== false) await foldPending(db, options, ['customer_dirty']);
  const bounds = (await run(db, cohortBoundsSql(schema, by), [...range(options), options.timeZone]))[0]!;
  const rows =
    bounds['zone'] === options.timeZone && bounds['whole'] === true
      ? await cohortRowsFromRollup(db, options, schema, facts, by, bounds)
      : await cohortRowsFromChain(db, options, schema, facts, by);
  const tally = new Map<number, CohortTallyRow>();
  for (const r of rows) {
    const idx = n(r['idx']);
    let t = tally.get(idx);
    if (!t) tally.set(idx, (t = { period: '', index: idx, customers: 0, retained: new Map() }));
    if (n(r['k']) === 0) t.period = String(r['label']);
    t.customers += n(r['members']);
    if (n(r['retained']) !== 0) t.retained.set(n(r['k']), n(r['retained']));
  }
  return finishCohorts(by, n(bounds['last']), [...tally.values()]);
}

/**
 * Cohort rows (idx, k, label, members, retained) in the cohort rollup's zone, for a range [F, T)
 * holding a whole local day: the wanted rows are those with F ≤ first < T and paid < T. The rollup
 * gives the rows with X ≤ first and paid < P for local-midnight instants X and P; the chain, through
 * its indexes, corrects each edge from whichever side of it is shorter:
 * - the start: X = fi (the first midnight at or after F) adds the rows with F ≤ first < fi, or
 *   X = sa (the midnight before F) takes away those with sa ≤ first < F; both with paid < P (an
 *   index-only scan of the index on `first`);
 * - the end: P = ti (the midnight before T) adds the rows with ti ≤ paid < T, or P = tn (the
 *   midnight after T) takes away those with T ≤ paid < tn (none yet when T is now); both with
 *   first ≥ F.
 * The stored rows of dirty customers in [F, T) are taken away and their chains as the facts give
 * them now are added (analytics-customers.ts).
 */
async function cohortRowsFromRollup(db: PostgresDatabase, options: InsightSqlOptions, schema: string, facts: string, by: CohortPeriod, bounds: Row): Promise<Row[]> {
  const firsts = by === 'week' ? 'week_firsts' : 'month_firsts';
  const { sql, params } = cohortRollupUnion(options, schema, bounds, `r.first_day, r.day, r.members, r.${firsts}`, (a, sign) =>
    `${localDaySql(`${a}.first`, '$6')}, ${localDaySql(`${a}.paid_at`, '$6')}, ${sign} * (${a}.p1 is null)::int, ${sign} * ${firstOfPeriodSql(by, a, '$6')}::int`,
  );
  return run(
    db,
    `with ${dirtyChainsSql(schema, facts, '$3', '$4', '$5')},
     c(fday, pday, members, retained) as (${sql})
     select idx::float8 as idx, (pidx - idx)::float8 as k, min(label) as label, sum(members)::float8 as members, sum(retained)::float8 as retained
     from (select ${dayPeriodIndex(by, 'c.fday')} as idx, ${dayPeriodIndex(by, 'c.pday')} as pidx, ${dayPeriodLabel(by, 'c.fday')} as label, c.members, c.retained from c) p
     group by idx, pidx
     having sum(members) <> 0 or sum(retained) <> 0`,
    params,
  );
}

/**
 * The rows of the cohort rollup and the chain edges that cohortRowsFromRollup adds up (see there),
 * as one union of `rollup` columns (alias r) and `chain(alias, sign)` columns of chain rows; $1–$6
 * the range, the scope and the zone; the CTEs `stale` and `fresh` of dirtyChainsSql are expected.
 */
function cohortRollupUnion(options: InsightSqlOptions, schema: string, bounds: Row, rollup: string, chain: (alias: string, sign: number) => string): { sql: string; params: unknown[] } {
  const from = options.from.getTime();
  const to = options.to.getTime();
  const [sa, fi, ti, tn] = [n(bounds['sa']), n(bounds['fi']), n(bounds['ti']), n(bounds['tn'])];
  const startAdds = fi - from <= from - sa;
  const endAdds = to - ti <= tn - to;
  const iso = (ms: number) => new Date(ms).toISOString();
  // $1 from, $2 to, $3–$5 the scope, $6 the zone, $7 the rollup's first local day, $8 td, $9/$10
  // the start edge's first times, $11 P, $12/$13 the end edge's paid times.
  const params: unknown[] = [
    ...range(options), ...chainScope(options), options.timeZone,
    startAdds ? bounds['fd'] : bounds['a'], bounds['td'],
    ...(startAdds ? [iso(from), iso(fi)] : [iso(sa), iso(from)]),
    iso(endAdds ? ti : tn),
    ...(endAdds ? [iso(ti), iso(to)] : [iso(to), iso(tn)]),
  ];
  const scope = (a: string) => `${a}.scope = $3 and ${a}.channel = $4 and ${a}.province = $5`;
  // The rollup's local days end before td (P = ti) or with it (P = tn).
  const end = endAdds ? '$8::date' : '$8::date + 1';
  const sql = `
       select ${rollup} from ${schema}.rollup_cohort r
       where ${scope('r')} and r.first_day >= $7::date and r.first_day < ${end} and r.day < ${end}
       union all
       select ${chain('x', startAdds ? 1 : -1)} from ${schema}.customer_chain x
       where ${scope('x')} and x.first >= $9 and x.first < $10 and x.paid_at < $11
       union all
       select ${chain('x', endAdds ? 1 : -1)} from ${schema}.customer_chain x
       where ${scope('x')} and x.paid_at >= $12 and x.paid_at < $13 and x.first >= $1
       union all
       select ${chain('x', -1)} from stale x where x.first >= $1 and x.first < $2 and x.paid_at < $2
       union all
       select ${chain('x', 1)} from fresh x where x.first >= $1 and x.first < $2 and x.paid_at < $2`;
  return { sql, params };
}

/**
 * How many orders the range's new customers paid in it (the rows with F ≤ first < T and paid < T),
 * from the cohort rollup's `orders` when the range is in its zone and holds a whole local day (the
 * edges from the chain, as cohortRowsFromRollup), else null: the caller counts the chain rows.
 */
export async function newCustomerOrdersFromRollup(db: PostgresDatabase, options: InsightSqlOptions): Promise<number | null> {
  const { schema, facts } = factsTable(options);
  const bounds = (await run(db, cohortBoundsSql(schema, 'week'), [...range(options), options.timeZone]))[0]!;
  if (bounds['zone'] !== options.timeZone || bounds['whole'] !== true) return null;
  const { sql, params } = cohortRollupUnion(options, schema, bounds, 'r.orders', (_a, sign) => `${sign}`);
  const rows = await run(db, `with ${dirtyChainsSql(schema, facts, '$3', '$4', '$5')}, c(k) as (${sql}) select coalesce(sum(k), 0)::float8 as n, $6::text as zone from c`, params);
  return n(rows[0]?.['n']);
}

/**
 * Cohort rows (idx, k, label, members, retained) from the chain rows of the range's new customers,
 * in any zone: the members' rows up to the range's end (all in it: none is paid before its first);
 * the first order of each customer in each period is the row whose p1 lies in an earlier period.
 * The stored rows are read whatever their customer (an index-only scan of the index on `first`),
 * the dirty customers' stored rows taken away and their fresh ones added.
 */
async function cohortRowsFromChain(db: PostgresDatabase, options: InsightSqlOptions, schema: string, facts: string, by: CohortPeriod): Promise<Row[]> {
  const params: unknown[] = [...range(options), ...chainScope(options), options.timeZone];
  const tz = '$6';
  const local = (t: string) => `(${t} at time zone ${tz})`;
  const cols = (a: string) => `${a}.first, ${a}.paid_at, ${a}.p1`;
  return run(
    db,
    `with ${dirtyChainsSql(schema, facts, '$3', '$4', '$5')},
     m as (
       select ${cols('x')}, 1 as sign from ${schema}.customer_chain x
       where x.scope = $3 and x.channel = $4 and x.province = $5 and x.first >= $1 and x.first < $2 and x.paid_at < $2
       union all
       select ${cols('x')}, -1 from stale x where x.first >= $1 and x.first < $2 and x.paid_at < $2
       union all
       select ${cols('x')}, 1 from fresh x where x.first >= $1 and x.first < $2 and x.paid_at < $2
     ),
     p as (
       select m.first, m.p1, m.sign, ${periodIndex(by, local('m.first'))} as idx, ${periodIndex(by, local('m.paid_at'))} as pidx,
         date_trunc('${by}', ${local('m.paid_at')}) at time zone ${tz} as start
       from m
     )
     select idx::float8 as idx, (pidx - idx)::float8 as k, ${periodLabel(by, local('min(first)'))} as label,
       coalesce(sum(sign) filter (where p1 is null), 0)::float8 as members, coalesce(sum(sign) filter (where p1 is null or p1 < start), 0)::float8 as retained
     from p group by idx, pidx
     having coalesce(sum(sign) filter (where p1 is null), 0) <> 0 or coalesce(sum(sign) filter (where p1 is null or p1 < start), 0) <> 0`,
    params,
  );
}

/**
 * Whether every whole hour of the range is one local hour of `timeZone` (zones whose offsets are
 * whole hours, the usual case): then the heatmap reads the hour rollups. Otherwise (Asia/Kathmandu,
 * a half-hour DST shift) it reads the facts.
 */
async function hoursAreLocalHours(db: PostgresDatabase, options: InsightOptions): Promise<boolean> {
  const [, , lo, hi] = rollupPieces(options.from.getTime(), options.to.getTime(), HOUR_MS);
  const rows = await run(
    db,
    `select coalesce(bool_and(extract(minute from g at time zone $3) = 0 and extract(second from g at time zone $3) = 0
       and ((g + interval '1 hour') at time zone $3) - (g at time zone $3) = interval '1 hour'), true) as ok
     from generate_series($1::timestamptz, $2::timestamptz - interval '1 hour', interval '1 hour') g`,
    [lo, hi, options.timeZone],
  );
  return rows[0]?.['ok'] === true;
}

/** `heatmap()` of orderkit/analytics, in SQL. */
export async function heatmapSql(db: PostgresDatabase, options: InsightSqlOptions): Promise<Heatmap> {
  assertInsightOptions(options);
  const { schema, facts } = factsTable(options);
  const params = await pieces(db, options, (await hoursAreLocalHours(db, options)) ? HOUR_MS : 0);
  const filter = filterSql(options, params);
  const rollupFilter = rollupFilterSql(options, params);
  params.push(options.timeZone);
  const tz = `$${params.length}`;
  const rows = await run(
    db,
    // Added up per instant first, so each hour is converted to local time once, not once per segment.
    `select extract(isodow from t at time zone ${tz})::float8 as d, extract(hour from t at time zone ${tz})::float8 as h, sum(n)::float8 as n
     from (
       select t, sum(n) as n from (
         ${rollupRowsSql(schema, 'rollup_segment', 'r.bucket as t, r.placed as n', `and r.placed <> 0 ${rollupFilter}`)}
         union all
         select f.created_at, 1 from ${facts} f where ${edgeSql('f.created_at')} ${filter}
       ) x group by t
     ) y
     group by 1, 2 having sum(n) <> 0`,
    params,
  );
  return finishHeatmap(rows.map((r) => ({ isodow: n(r['d']), hour: n(r['h']), n: n(r['n']) })));
}

/** Paid SKU lines of the range by segment `group` ('' none), SKU and title, from rollups and edge facts (columns k, sku, title, units, revenue, orders, refunded_orders). */
export function skuRowsSql(schema: string, facts: string, lines: string, group: string | null, filter: string, rollupFilter: string): string {
  const g = (alias: string) => (group === null ? 'null::text' : `nullif(${alias}.${group}, '')`);
  return `
select k, sku, title, sum(units) as units, sum(revenue) as revenue, sum(orders) as orders, sum(refunded_orders) as refunded_orders
from (
  ${rollupRowsSql(schema, 'rollup_segment_sku', `${g('r')} as k, r.sku, r.title, r.units, r.revenue, r.orders, r.refunded_orders`, rollupFilter)}
  union all
  select ${g('f')}, l.sku, l.title collate "C", l.quantity, l.payable, 1, (f.refunded > 0)::int
  from ${lines} l join ${facts} f on f.order_id = l.order_id where ${edgeSql('l.paid_at')} ${filter}
) x
group by k, sku, title
having sum(orders) <> 0`;
}

/** `topSkusBySegment()` of orderkit/analytics, in SQL. */
export async function topSkusBySegmentSql(db: PostgresDatabase, options: InsightSqlOptions, dimension: InsightDimension, limit = 5): Promise<SegmentTopSkus> {
  assertInsightOptions(options, { dimension });
  const { schema, facts, lines } = factsTable(options);
  const params = await pieces(db, options);
  const filter = filterSql(options, params);
  const rollupFilter = rollupFilterSql(options, params);
  const rows = await run(
    db,
    `select k, sku, min(title) as title, sum(units)::float8 as units, sum(revenue)::float8 as revenue, sum(orders)::float8 as orders
     from (${skuRowsSql(schema, facts, lines, dimension === 'province' ? 'province' : 'channel', filter, rollupFilter)}) y
     group by 1, 2`,
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
  const { schema, facts, lines } = factsTable(options);
  const params = await pieces(db, options);
  const filter = filterSql(options, params);
  const rollupFilter = rollupFilterSql(options, params);
  const pairParams = [...params, minOrders];
  // Three independent reads: on a pg.Pool they run on several connections at once.
  const [paid, single, pairs] = await Promise.all([
    run(db, totalsSql(schema, facts, null, filter, rollupFilter), params),
    run(db, `select sku, sum(orders)::float8 as n from (${skuRowsSql(schema, facts, lines, null, filter, rollupFilter)}) y group by 1`, params),
    run(
      db,
      `select a, b, sum(n)::float8 as n from (
         ${rollupRowsSql(schema, 'rollup_segment_pair', 'r.a, r.b, r.n', rollupFilter)}
         union all
         select a.sku collate "C", b.sku collate "C", 1
         from ${lines} a join ${lines} b on b.order_id = a.order_id and a.sku collate "C" < b.sku collate "C"
           join ${facts} f on f.order_id = a.order_id
         where ${edgeSql('a.paid_at')} ${filter}
       ) x
       group by 1, 2 having sum(n) >= $${pairParams.length}`,
      pairParams,
    ),
  ]);
  return finishPairs(
    n(paid[0]?.['paid']),
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
  const params = await pieces(db, options);
  const filter = filterSql(options, params);
  const rollupFilter = rollupFilterSql(options, params);
  const [reasons, skus] = await Promise.all([
    run(
      db,
      `select kind, reason, sum(refunds)::float8 as refunds, sum(amount)::float8 as amount from (
         ${rollupRowsSql(schema, 'rollup_segment_refund', 'r.kind, case when r.reason_known then r.reason end as reason, r.refunds, r.amount', rollupFilter)}
         union all
         select r->>'reason',
           (select a->>'reason' from jsonb_array_elements(o.doc->'afterSales') a where a->>'id' = r->>'afterSaleId' limit 1),
           1, (r->>'amount')::bigint
         from ${facts} f join ${schema}.orders o on o.id = f.order_id
           cross join lateral jsonb_array_elements(o.doc->'refunds') r
         where ${edgeSql('f.paid_at')} and f.refunded > 0 ${filter}
           and ${orderRefundSql('r', 'o.doc')}
       ) x
       group by 1, 2 having sum(refunds) <> 0`,
      params,
    ),
    run(
      db,
      `select sku, sum(orders)::float8 as orders, sum(refunded_orders)::float8 as refunded_orders
       from (${skuRowsSql(schema, facts, lines, null, filter, rollupFilter)}) y group by 1`,
      params,
    ),
  ]);
  return finishRefunds(
    reasons.map((r) => ({ kind: String(r['kind']), reason: key(r['reason']), refunds: n(r['refunds']), amount: n(r['amount']) })),
    skus.map((r) => ({ sku: String(r['sku']), orders: n(r['orders']), refundedOrders: n(r['refunded_orders']) })),
  );
}

/** `couponEffect()` of orderkit/analytics, in SQL. */
export async function couponEffectSql(db: PostgresDatabase, options: InsightSqlOptions): Promise<CouponReport> {
  assertInsightOptions(options);
  const { schema, facts } = factsTable(options);
  const params = await pieces(db, options);
  const filter = filterSql(options, params);
  const rollupFilter = rollupFilterSql(options, params);
  const rows = await run(
    db,
    `select coalesce(sum(paid), 0)::float8 as paid, coalesce(sum(gmv), 0)::float8 as gmv, coalesce(sum(coupon_orders), 0)::float8 as coupon_orders,
       coalesce(sum(coupon_gmv), 0)::float8 as coupon_gmv, coalesce(sum(coupon_discount), 0)::float8 as coupon_discount
     from (
       ${rollupRowsSql(schema, 'rollup_segment', 'r.paid, r.gmv, r.coupon_orders, r.coupon_gmv, r.coupon_discount', rollupFilter)}
       union all
       select 1, f.paid_amount, f.has_coupon::int, case when f.has_coupon then f.paid_amount else 0 end, case when f.has_coupon then f.coupon_discount else 0 end
       from ${facts} f where ${edgeSql('f.paid_at')} ${filter}
     ) x`,
    params,
  );
  const r = rows[0];
  return finishCoupons({ paidOrders: n(r?.['paid']), gmv: n(r?.['gmv']), couponOrders: n(r?.['coupon_orders']), couponGmv: n(r?.['coupon_gmv']), couponDiscount: n(r?.['coupon_discount']) });
}
