import { assertInsightOptions, parse } from '../../analytics/insights.js';
import { drillRow, type DrillReport, type Figure } from '../../analytics/drill.js';
import { OrderkitError } from '../../errors/orderkit-error.js';
import type { Order } from '../../order/index.js';
import { upgradeStoredOrder } from '../../storage/schema-version.js';
import { factsTable } from './analytics-projection.js';
import { foldPending } from './analytics-compact.js';
import { chainFromFactsSql } from './analytics-customers.js';
import { chainScope, filterSql, periodIndex, periodLabel, run, type InsightSqlOptions } from './analytics-insights-sql.js';
import type { PostgresDatabase } from './driver.js';

/*
 * The drill-down of orderkit/analytics (`ordersBehind`, docs/analytics.md "Drill-down") in
 * PostgreSQL or PGlite. One statement finds the ids behind the figure through the projection's
 * indexes (only the range's rows, never the whole facts table) and counts them; a second reads
 * the documents of the listed orders alone (at most `limit` rows, by primary key), and the rows
 * are built from them by the same function as in memory, so both engines list the same fields.
 *
 * - placed, heatmap: the facts by `created_at` (order_facts_drill_created_idx); the heatmap only
 *   for the quarter hours of the range that fall in its local weekday and hour (every zone's
 *   offsets are whole quarter hours), each row checked exactly;
 * - paid, refunded, coupon, repeat_customers: the facts by `paid_at` (order_facts_drill_paid_idx);
 * - segment: both, with the province or channel;
 * - sku: the line facts by SKU and paid time (order_line_facts_sku_paid_idx);
 * - new_customers, cohort: the customer chains by the customer's first paid time
 *   (customer_chain_first_idx), a cohort only around its own period; the chains of customers
 *   whose paid orders changed since the last fold are computed from the facts, as customersSql does.
 */

type Row = Record<string, unknown>;

const QUARTER = "interval '15 minutes'";

/** An `and …` condition: the facts row (alias f) belongs to the segment row `key` ('' for none). */
function segmentSql(figure: Extract<Figure, { figure: 'segment' }>, params: unknown[]): string {
  const column = figure.dimension === 'province' ? 'f.province' : 'f.channel';
  if (figure.key === '') return ` and ${column} is null`;
  params.push(figure.key);
  return ` and ${column} = $${params.length}`;
}

/**
 * A select of (order_id, created_at) of the orders behind the figure. $1/$2 the range; the
 * figure's and the filter's values are appended to `params`.
 */
function pickSql(options: InsightSqlOptions, figure: Figure, params: unknown[]): string {
  const { schema, facts, lines } = factsTable(options);
  const placed = `select f.order_id, f.created_at from ${facts} f where f.created_at >= $1 and f.created_at < $2`;
  const paid = `select f.order_id, f.created_at from ${facts} f where f.paid_at >= $1 and f.paid_at < $2`;
  switch (figure.figure) {
    case 'placed':
      return `${placed} ${filterSql(options, params)}`;
    case 'paid':
      return `${paid} ${filterSql(options, params)}`;
    case 'refunded':
      return `${paid} and f.refunded > 0 ${filterSql(options, params)}`;
    case 'coupon':
      return `${paid} and f.has_coupon ${filterSql(options, params)}`;
    case 'segment': {
      const where = `${filterSql(options, params)}${segmentSql(figure, params)}`;
      // Placed or paid in the range: an order both placed and paid in it is listed once.
      return `${placed} ${where} union ${paid} ${where}`;
    }
    case 'heatmap': {
      const filter = filterSql(options, params);
      params.push(options.timeZone, figure.weekday, figure.hour);
      const [tz, d, h] = [params.length - 2, params.length - 1, params.length].map((i) => `$${i}`);
      const cell = (t: string) => `(extract(isodow from ${t} at time zone ${tz}::text) = ${d}::float8 and extract(hour from ${t} at time zone ${tz}::text) = ${h}::float8)`;
      // The quarter hours touching the local cell (at their start or end), read each through the
      // index; every row is checked exactly.
      return `select f.order_id, f.created_at
        from generate_series(date_bin(${QUARTER}, $1::timestamptz, timestamptz '2000-01-01 00:00:00+00'), $2::timestamptz - interval '1 microsecond', ${QUARTER}) q
          cross join lateral (
            select f.order_id, f.created_at from ${facts} f
            where f.created_at >= greatest(q, $1::timestamptz) and f.created_at < least(q + ${QUARTER}, $2::timestamptz) ${filter}
              and ${cell('f.created_at')}
          ) f
        where ${cell('q')} or ${cell(`(q + ${QUARTER} - interval '1 microsecond')`)}`;
    }
    case 'sku': {
      const filter = filterSql(options, params);
      params.push(figure.sku);
      return `select f.order_id, f.created_at from ${lines} l join ${facts} f on f.order_id = l.order_id
        where l.sku = $${params.length} and l.paid_at >= $1 and l.paid_at < $2 and f.paid_at >= $1 and f.paid_at < $2 ${filter}`;
    }
    case 'repeat_customers':
      return `select x.order_id, x.created_at from (
          select f.order_id, f.created_at, count(*) over (partition by f.customer_id) as n
          from ${facts} f where f.paid_at >= $1 and f.paid_at < $2 ${filterSql(options, params)}
        ) x where x.n >= 2`;
    case 'new_customers':
    case 'cohort': {
      // Chain rows (customer_chain) of the filter's scope whose customer first paid in the range
      // and which are paid in it: the first lies in [from, to) and the row is paid before `to`
      // (never before its first).
      const [s, c, p] = chainScope(options).map((v) => {
        params.push(v);
        return `$${params.length}`;
      }) as [string, string, string];
      let lo = '$1::timestamptz';
      let hi = '$2::timestamptz';
      let cohort = 'true';
      if (figure.figure === 'cohort') {
        const by = figure.by === 'week' ? 'week' : 'month';
        params.push(options.timeZone, figure.period, figure.offset);
        const [tz, period, offset] = [params.length - 2, params.length - 1, params.length].map((i) => `$${i}`);
        const local = (t: string) => `(${t} at time zone ${tz}::text)`;
        // Only the customers first paid around the cohort's own period (a day either side of its
        // local bounds, for a zone that moves its midnight); each row is checked exactly.
        if (/^\d{4}-\d{2}-\d{2}$/.test(figure.period)) {
          const start = `(${period}::text::date::timestamp at time zone ${tz}::text)`;
          lo = `greatest(${lo}, ${start} - interval '1 day')`;
          hi = `least(${hi}, ${start} + interval '1 ${by}' + interval '1 day')`;
        }
        cohort = `${periodLabel(by, local('x.first'))} = ${period}::text
          and ${periodIndex(by, local('x.paid_at'))} - ${periodIndex(by, local('x.first'))} = ${offset}::float8`;
      }
      const scope = (a: string) => `${a}.scope = ${s} and ${a}.channel = ${c} and ${a}.province = ${p}`;
      return `select x.order_id, f.created_at from (
          select x.order_id, x.first, x.paid_at from ${schema}.customer_chain x
          where ${scope('x')} and x.first >= ${lo} and x.first < ${hi} and x.paid_at >= $1 and x.paid_at < $2
            and not exists (select 1 from ${schema}.customer_dirty d where d.customer_id = x.customer_id)
          union all
          select y.order_id, y.first, y.paid_at from (${chainFromFactsSql(facts, `f.customer_id in (select customer_id from ${schema}.customer_dirty)`)}) y
          where ${scope('y')} and y.first >= ${lo} and y.first < ${hi} and y.paid_at < $2
        ) x
          -- The placed times through the range's paid facts (a hash join of two range scans),
          -- not one primary-key probe per row.
          join ${facts} f on f.order_id = x.order_id and f.paid_at >= $1 and f.paid_at < $2
        where ${cohort}`;
    }
    default:
      throw new OrderkitError({
        code: 'INVALID_ANALYTICS_OPTIONS',
        message: { 'zh-CN': `未知的指标 ${String((figure as { figure: unknown }).figure)}`, en: `unknown figure ${String((figure as { figure: unknown }).figure)}` },
        path: ['figure'],
      });
  }
}

/** The `limit` of a list, as `Array.prototype.slice` reads it: null for no limit in SQL. */
function sqlLimit(limit: number): number | null {
  const n = Math.trunc(Number(limit));
  if (Number.isNaN(n)) return 0;
  // A negative limit drops that many from the end (slice): every row is read, then cut.
  return n < 0 || n === Infinity ? null : n;
}

/**
 * `ordersBehind()` of orderkit/analytics, in SQL: the orders behind one figure of the analyses,
 * the same total and the same rows in the same order as in memory over the same orders.
 *
 * @example
 * const r = await ordersBehindSql(pool, { from: new Date(from), to: new Date(to), timeZone: 'Asia/Shanghai' }, { figure: 'segment', dimension: 'province', key: '浙江' });
 * r.total; // the 浙江 row's orders placed or paid in the range
 */
export async function ordersBehindSql(db: PostgresDatabase, options: InsightSqlOptions, figure: Figure, limit = 200): Promise<DrillReport> {
  assertInsightOptions(options);
  const { schema } = factsTable(options);
  const uses = figure?.figure === 'new_customers' || figure?.figure === 'cohort';
  // Only the customer chains, and only for the figures that read them (as customersSql does).
  if (uses && options.compact !== false) await foldPending(db, options, ['customer_dirty']);
  const params: unknown[] = [options.from.toISOString(), options.to.toISOString()];
  const pick = pickSql(options, figure, params);
  params.push(sqlLimit(limit));
  const found = await run(
    db,
    `with m as (${pick})
     select c.total, t.order_id
     from (select count(*)::float8 as total from m) c
       left join lateral (select m.order_id, m.created_at from m order by m.created_at desc, m.order_id limit $${params.length}) t on true
     order by t.created_at desc, t.order_id`,
    params,
  );
  const total = Number(found[0]?.['total'] ?? 0);
  const ids = found.filter((r) => r['order_id'] !== null && r['order_id'] !== undefined).map((r) => String(r['order_id'])).slice(0, limit);
  if (ids.length === 0) return { figure, total, orders: [] };
  const docs = await run(db, `select id, doc::text as doc from ${schema}.orders where id = any($1::text[])`, [ids]);
  const byId = new Map<string, Order>(docs.map((r: Row) => [String(r['id']), upgradeStoredOrder(String(r['id']), JSON.parse(String(r['doc'])), { owned: true }).doc as Order]));
  // Ordered by the same rule as in memory: newest placed first, then by id.
  const parsed = parse(ids.map((id) => byId.get(id)!), undefined).sort((a, b) => b.placedAt - a.placedAt || (a.order.id < b.order.id ? -1 : 1));
  return { figure, total, orders: parsed.map(drillRow) };
}
