import { assertInsightOptions } from '../../analytics/insights.js';
import { calendarDays, type CalendarDays } from '../../analytics/calendar-days.js';
import type { DailyValue } from '../../analytics/forecast.js';
import type { InsightOptions } from '../../analytics/insight-types.js';
import type { InsightSqlOptions } from './analytics-insights-sql.js';
import { factsTable } from './analytics-projection.js';
import { foldPending } from './analytics-compact.js';
import { HOUR_MS, SEGMENT_DAY_MS } from './analytics-segments.js';
import { analysisDriver, type PostgresDatabase } from './driver.js';

/*
 * The forecast's daily series (`dailySeries` of orderkit/analytics) inside PostgreSQL, filtered by
 * channel and/or province like every decision-support analysis, from the segment rollups
 * (analytics-segments.ts): rows per hour and per UTC day × channel × province. docs/analytics.md
 * "Forecast" and "Speed at scale".
 *
 * A local day is read as whole hours from the rollups and its sub-hour edges from the facts. The
 * plan is made here, in JavaScript, from the very day boundaries `dailySeries` uses
 * (`calendarDays`), so that both engines cut the days at the same instants in every zone:
 * - each stretch between two cuts (the range's ends and the local midnights inside it) belongs to
 *   one local day; its whole hours come from the hour rows, the minutes before its first whole
 *   hour and after its last one from the facts (none in a zone whose midnights fall on the hour);
 * - an hour that a midnight cuts in two (18:00–19:00 UTC in Asia/Kolkata, midnight 18:30) is its
 *   hour row, given to the day of its longer part, and the facts of its shorter part, taken from
 *   that day and given to theirs: half an hour of facts a day in Asia/Kolkata, a quarter in
 *   Asia/Kathmandu;
 * - a whole UTC day of the range is read from its one day row instead, given to the local day
 *   that holds most of its hours; its other hours are read from the hour rows once, taken from
 *   that day and given to theirs (or to none, for an hour the facts give). In Asia/Shanghai a local
 *   day is thus its day row and 8 hour rows, not 24.
 * Pending deltas (kept by hour) are read with the rows of their hour, after a fold.
 */

/** A rollup read: rows at `width` seconds with a bucket in [lo, hi), added to day `plus` and taken from day `minus` (−1: none). */
export interface RollupRead {
  width: number;
  lo: number;
  hi: number;
  plus: number;
  minus: number;
}

/** A facts read: orders placed, and orders paid, in [lo, hi), added to local day `day` and taken from day `minus` (−1: none). */
export interface FactsRead {
  lo: number;
  hi: number;
  day: number;
  minus: number;
}

/**
 * What to read for the daily series of [from, to) over `days` (its `calendarDays`). Exported for
 * the tests, which check it reads the facts only at sub-hour edges.
 */
export function dailyReadPlan(from: number, to: number, days: CalendarDays): { rollups: RollupRead[]; facts: FactsRead[] } {
  const facts: FactsRead[] = [];
  const cuts = [from, ...days.starts.filter((s) => s > from && s < to), to];
  const h0 = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const hours = Math.max(0, (Math.floor(to / HOUR_MS) * HOUR_MS - h0) / HOUR_MS);
  // The local day of each whole hour of the range; −1 where a cut falls inside it.
  const owner = new Array<number>(hours).fill(-1);
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [a, b] = [cuts[i]!, cuts[i + 1]!];
    if (!(a < b)) continue;
    const day = days.indexOf(a);
    const lo = Math.ceil(a / HOUR_MS) * HOUR_MS;
    const hi = Math.floor(b / HOUR_MS) * HOUR_MS;
    if (lo >= hi) {
      facts.push({ lo: a, hi: b, day, minus: -1 });
      continue;
    }
    if (a < lo) facts.push({ lo: a, hi: lo, day, minus: -1 });
    for (let t = lo; t < hi; t += HOUR_MS) owner[(t - h0) / HOUR_MS] = day;
    if (hi < b) facts.push({ lo: hi, hi: b, day, minus: -1 });
  }
  // An hour that one midnight cuts in two (Asia/Kolkata: 18:30 UTC) is its hour row, given to the
  // day of its longer part, and the facts of its shorter part, moved from that day to theirs.
  for (let i = 0; i + 1 < facts.length; i++) {
    const [x, y] = [facts[i]!, facts[i + 1]!];
    if (x.hi !== y.lo || x.lo % HOUR_MS !== 0 || y.hi !== x.lo + HOUR_MS || x.day === y.day) continue;
    const [short, long] = x.hi - x.lo < y.hi - y.lo ? [x, y] : [y, x];
    owner[(x.lo - h0) / HOUR_MS] = long.day;
    facts.splice(i, 2, { lo: short.lo, hi: short.hi, day: short.day, minus: long.day });
  }

  // Per whole hour: the day its rows go to and the day they are taken from (−1: none).
  const plus = owner.slice();
  const minus = new Array<number>(hours).fill(-1);
  const rollups: RollupRead[] = [];
  for (let u = Math.ceil(from / SEGMENT_DAY_MS) * SEGMENT_DAY_MS; u + SEGMENT_DAY_MS <= to; u += SEGMENT_DAY_MS) {
    const first = (u - h0) / HOUR_MS;
    const count = new Map<number, number>();
    for (let i = first; i < first + 24; i++) if (owner[i]! >= 0) count.set(owner[i]!, (count.get(owner[i]!) ?? 0) + 1);
    let best = -1;
    let most = 0;
    for (const [day, c] of count) if (c > most) [best, most] = [day, c];
    // One day row and 24 − most hour rows, instead of the hour rows of its owned hours.
    if (most < 2) continue;
    rollups.push({ width: SEGMENT_DAY_MS / 1000, lo: u, hi: u + SEGMENT_DAY_MS, plus: best, minus: -1 });
    for (let i = first; i < first + 24; i++) {
      if (owner[i] === best) plus[i] = -1;
      else minus[i] = best;
    }
  }
  // Runs of hours alike, one read each.
  for (let i = 0; i < hours; ) {
    let j = i + 1;
    while (j < hours && plus[j] === plus[i] && minus[j] === minus[i]) j++;
    if (plus[i]! >= 0 || minus[i]! >= 0) rollups.push({ width: HOUR_MS / 1000, lo: h0 + i * HOUR_MS, hi: h0 + j * HOUR_MS, plus: plus[i]!, minus: minus[i]! });
    i = j;
  }
  return { rollups, facts };
}

/** `and …` conditions of the filter on alias `a`; `rollup` rows keep '' for none, which no filter value matches. */
function filterSql(options: InsightOptions, params: unknown[], a: string, rollup: boolean): string {
  let sql = '';
  for (const dim of ['channel', 'province'] as const) {
    const v = options.filter?.[dim];
    if (v === undefined) continue;
    params.push(v);
    sql += ` and ${a}.${dim} = $${params.length}${rollup ? ` and ${a}.${dim} <> ''` : ''}`;
  }
  return sql;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * `dailySeries()` of orderkit/analytics, in SQL: per local day of the range, the orders placed and
 * the GMV of the orders paid, for any filter. Reads the segment rollups for the range's whole
 * hours and UTC days and the facts only for sub-hour edges, never every fact of the range. Folds
 * the segment rollup's pending deltas first unless `compact: false`.
 *
 * @example
 * const history = await dailySeriesSql(pool, {
 *   from: new Date('2026-10-01T00:00:00+08:00'),
 *   to: new Date('2026-11-01T00:00:00+08:00'),
 *   timeZone: 'Asia/Shanghai',
 *   filter: { channel: 'live' },
 * });
 * forecastDaily(history) // the 14-day forecast of the live channel
 */
export async function dailySeriesSql(db: PostgresDatabase, options: InsightSqlOptions): Promise<DailyValue[]> {
  assertInsightOptions(options);
  const { schema, facts } = factsTable(options);
  const from = options.from.getTime();
  const to = options.to.getTime();
  const days = calendarDays(options.from, options.to, options.timeZone);
  const plan = dailyReadPlan(from, to, days);
  if (options.compact !== false) await foldPending(db, options, ['rollup_segment']);
  const r = plan.rollups;
  const f = plan.facts;
  const params: unknown[] = [
    r.map((x) => x.width), r.map((x) => iso(x.lo)), r.map((x) => iso(x.hi)), r.map((x) => x.plus), r.map((x) => x.minus),
    f.map((x) => iso(x.lo)), f.map((x) => iso(x.hi)), f.map((x) => x.day), f.map((x) => x.minus),
  ];
  const rollupFilter = filterSql(options, params, 'r', true);
  const factsFilter = filterSql(options, params, 'f', false);
  const sql =
    // Each read is its own index range scan (a lateral subquery per plan row): the compacted rows
    // of its width, and the pending ones of its hours.
    `select day, sum(placed)::float8 as placed, sum(gmv)::float8 as gmv from (
       select x.day, x.sign * s.placed as placed, x.sign * s.gmv as gmv
       from unnest($1::int[], $2::timestamptz[], $3::timestamptz[], $4::int[], $5::int[]) p(w, lo, hi, plus, minus)
         cross join lateral (
           select coalesce(sum(q.placed), 0) as placed, coalesce(sum(q.gmv), 0) as gmv from (
             select r.placed, r.gmv from ${schema}.rollup_segment r
             where r.compacted and r.width = p.w and r.bucket >= p.lo and r.bucket < p.hi ${rollupFilter}
             union all
             select r.placed, r.gmv from ${schema}.rollup_segment r
             where not r.compacted and r.bucket >= p.lo and r.bucket < p.hi ${rollupFilter}
           ) q
         ) s
         cross join lateral (values (p.plus, 1), (p.minus, -1)) x(day, sign)
       where x.day >= 0
       union all
       -- Lateral, so that each edge is an index range scan: a join let the planner scan every fact.
       select x.day, x.sign * f.placed, x.sign * f.gmv
       from unnest($6::timestamptz[], $7::timestamptz[], $8::int[], $9::int[]) e(lo, hi, day, minus)
         cross join lateral (
           select 1 as placed, 0::bigint as gmv from ${facts} f where f.created_at >= e.lo and f.created_at < e.hi ${factsFilter}
           union all
           select 0, f.paid_amount from ${facts} f where f.paid_at >= e.lo and f.paid_at < e.hi ${factsFilter}
         ) f
         cross join lateral (values (e.day, 1), (e.minus, -1)) x(day, sign)
       where x.day >= 0
     ) t
     group by day`;
  // Without JIT: the planner cannot know how few facts an edge holds, so it costs each at a default
  // share of the table, and above jit_above_cost PostgreSQL spent more compiling the query (about
  // 35 ms) than running it (under 20 ms), with a 30-day range in Asia/Kolkata at 100,000 orders.
  const rows = await analysisDriver(db).transaction(async (tx) => {
    await tx.query('set local jit = off');
    return tx.query<Record<string, unknown>>(sql, params);
  });
  const orders = new Array<number>(days.dates.length).fill(0);
  const gmv = new Array<number>(days.dates.length).fill(0);
  for (const row of rows.rows) {
    const i = Number(row['day']);
    orders[i]! += Number(row['placed'] ?? 0);
    gmv[i]! += Number(row['gmv'] ?? 0);
  }
  return days.dates.map((date, i) => ({ date, orders: orders[i]!, gmv: gmv[i]! }));
}
