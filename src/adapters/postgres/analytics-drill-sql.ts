import { assertInsightOptions, parse } from '../../analytics/insights.js';
import { drillRow, type DrillReport, type Figure } from '../../analytics/drill.js';
import { OrderkitError } from '../../errors/orderkit-error.js';
import type { Order } from '../../order/index.js';
import { upgradeStoredOrder } from '../../storage/schema-version.js';
import { factsTable } from './analytics-projection.js';
import { foldPending } from './analytics-compact.js';
import { chainFromFactsSql } from './analytics-customers.js';
import { chainScope, customersSql, filterSql, newCustomerOrdersFromRollup, periodIndex, periodLabel, pieces, rollupFilterSql, run, skuRowsSql, type InsightSqlOptions } from './analytics-insights-sql.js';
import { edgeSql, rollupRowsSql, SEGMENT_DAY_MS as DAY_MS } from './analytics-segments.js';
import type { PostgresDatabase } from './driver.js';

/*
 * The drill-down of orderkit/analytics (`ordersBehind`, docs/analytics.md "Drill-down") in
 * PostgreSQL or PGlite: the total and the ids of the listed orders from the projection, never a
 * scan of the whole facts table; then the documents of the listed orders alone (at most `limit`
 * rows, by primary key), turned into rows by the same function as in memory, so both engines list
 * the same fields.
 *
 * - placed, paid, refunded, coupon: the total from the segment rollups (as breakdownSql and
 *   couponEffectSql count it); the list read backwards through the placed-time index
 *   (order_facts_drill_created_idx, covering) from the range's end until `limit` orders match;
 *   the orders paid more than a day after they were placed (or before) from the late index
 *   (order_facts_drill_late_idx), so that the backward read starts a day before the range at most;
 * - repeat_customers: the paid total less the customers paying once (customersSql), the list as
 *   above with the customer's other paid order in the range looked up by customer;
 * - sku: the total from the SKU rollup, the list as above with the order's line of that SKU;
 * - segment: placed in the range from the rollups, plus paid in it but placed before it (the
 *   range's first day of paid facts, and the late index) or after it; the list is the newest of
 *   both lists;
 * - heatmap: only the quarter hours of the range that fall in its local weekday and hour (every
 *   zone's offsets are whole quarter hours), each row checked exactly, counted and listed together;
 * - new_customers, cohort: the customer chains by paid and first paid time, a cohort only around
 *   its own period; the chains of customers whose paid orders changed since the last fold are
 *   computed from the facts, as customersSql does. Many new customers' orders are listed like the
 *   paid ones instead, each checked for an earlier paid order of its customer.
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
 * Orders paid more than a day after they were placed, or before: the partial index
 * order_facts_drill_late_idx holds them (few), so that "paid in the range but placed outside it"
 * needs only the range's first day of paid facts besides.
 */
const LATE = `(f.payment_ms < 0 or f.payment_ms > ${DAY_MS})`;

/**
 * The newest placed orders (order_id, created_at) paid in the range with `where` (more `and …`
 * conditions on alias f), at most limit `lim`: those placed from a day before the range to its
 * end, read backwards through the placed-time index until enough are found, and the others (paid
 * more than a day after they were placed, or before: only in the late index).
 */
function newestPaidSql(facts: string, where: string, lim: string): string {
  const paid = `f.paid_at >= $1 and f.paid_at < $2`;
  return `select t.order_id, t.created_at from (
      (select f.order_id, f.created_at from ${facts} f
       where ${paid} and f.created_at >= $1::timestamptz - interval '1 day' and f.created_at < $2 ${where}
       order by f.created_at desc, f.order_id limit ${lim})
      union all
      (select f.order_id, f.created_at from ${facts} f
       where ${paid} and (f.created_at >= $2 or f.created_at < $1::timestamptz - interval '1 day') and ${LATE} ${where})
    ) t order by t.created_at desc, t.order_id limit ${lim}`;
}

/** The newest placed orders placed in the range with `where`, at most `lim`. */
const newestPlacedSql = (facts: string, where: string, lim: string): string =>
  `select f.order_id, f.created_at from ${facts} f where f.created_at >= $1 and f.created_at < $2 ${where} order by f.created_at desc, f.order_id limit ${lim}`;

/**
 * Orders placed and paid in the range by `group` (the province or channel column, or null for one
 * row), and those paid with a refund or a coupon: the segment rollups for the range's whole hours
 * and days, the facts for its edges (as breakdownSql and couponEffectSql count them).
 */
async function rollupTotals(db: PostgresDatabase, options: InsightSqlOptions, group: 'province' | 'channel' | null): Promise<Row[]> {
  const { schema, facts } = factsTable(options);
  const params = await pieces(db, options);
  const filter = filterSql(options, params);
  const rollupFilter = rollupFilterSql(options, params);
  const g = (alias: string) => (group === null ? 'null::text' : `nullif(${alias}.${group}, '')`);
  return run(
    db,
    `select k, sum(placed)::float8 as placed, sum(paid)::float8 as paid, sum(refunded_orders)::float8 as refunded_orders, sum(coupon_orders)::float8 as coupon_orders
     from (
       ${rollupRowsSql(schema, 'rollup_segment', `${g('r')} as k, r.placed, r.paid, r.refunded_orders, r.coupon_orders`, rollupFilter)}
       union all
       select ${g('f')}, 1, 0, 0, 0 from ${facts} f where ${edgeSql('f.created_at')} ${filter}
       union all
       select ${g('f')}, 0, 1, (f.refunded > 0)::int, f.has_coupon::int from ${facts} f where ${edgeSql('f.paid_at')} ${filter}
     ) t group by k`,
    params,
  );
}

const num = (v: unknown): number => Number(v ?? 0);

/** The total and the listed ids of a figure counted by the rollups or read through the facts indexes. */
async function pick(db: PostgresDatabase, options: InsightSqlOptions, figure: Figure, lim: number | null): Promise<{ total: number; ids: string[] }> {
  const { schema, facts, lines } = factsTable(options);
  const params: unknown[] = [options.from.toISOString(), options.to.toISOString()];
  // No list to read when the total is already known to be empty, or none is asked for.
  const ids = async (total: number, sql: string) => (total === 0 || lim === 0 ? [] : (await run(db, sql, params)).map((r) => String(r['order_id'])));
  const limit = () => {
    params.push(lim);
    return `$${params.length}`;
  };
  switch (figure.figure) {
    case 'placed': {
      const [t] = await rollupTotals(db, options, null);
      const where = filterSql(options, params);
      const total = num(t?.['placed']);
      return { total, ids: await ids(total, newestPlacedSql(facts, where, limit())) };
    }
    case 'paid':
    case 'refunded':
    case 'coupon': {
      const [t] = await rollupTotals(db, options, null);
      const total = num(t?.[figure.figure === 'paid' ? 'paid' : figure.figure === 'refunded' ? 'refunded_orders' : 'coupon_orders']);
      const where = `${figure.figure === 'refunded' ? 'and f.refunded > 0' : figure.figure === 'coupon' ? 'and f.has_coupon' : ''} ${filterSql(options, params)}`;
      return { total, ids: await ids(total, newestPaidSql(facts, where, limit())) };
    }
    case 'repeat_customers': {
      // Each customer paying in the range has one order there whose previous paid order (p1) lies
      // before it: the repeat customers' orders are all the paid ones but those of the customers
      // paying once.
      const [[t], c] = await Promise.all([rollupTotals(db, options, null), customersSql(db, options)]);
      const gFilter = filterSql(options, params, 'g');
      const where = `and exists (select 1 from ${facts} g where g.customer_id = f.customer_id and g.paid_at >= $1 and g.paid_at < $2 and g.order_id <> f.order_id ${gFilter})
        ${filterSql(options, params)}`;
      const total = num(t?.['paid']) - (c.customers - c.repeatCustomers);
      return { total, ids: await ids(total, newestPaidSql(facts, where, limit())) };
    }
    case 'sku': {
      const rp = await pieces(db, options);
      const rows = await run(
        db,
        `select coalesce(sum(orders), 0)::float8 as orders from (${skuRowsSql(schema, facts, lines, null, filterSql(options, rp), rollupFilterSql(options, rp))}) y
         where y.sku = $${rp.push(figure.sku)}`,
        rp,
      );
      const filter = filterSql(options, params);
      params.push(figure.sku);
      const where = `and exists (select 1 from ${lines} l where l.order_id = f.order_id and l.sku = $${params.length}) ${filter}`;
      const total = num(rows[0]?.['orders']);
      return { total, ids: await ids(total, newestPaidSql(facts, where, limit())) };
    }
    case 'segment': {
      const key = figure.key === '' ? null : figure.key;
      const rows = await rollupTotals(db, options, figure.dimension === 'province' ? 'province' : 'channel');
      const placed = num(rows.find((r) => (r['k'] ?? null) === key)?.['placed']);
      const where = `${filterSql(options, params)}${segmentSql(figure, params)}`;
      // Placed in the range, plus paid in it but placed outside it: placed before the range and
      // paid in its first day (the paid-time index for one day), or paid later than a day after
      // placing, or before (the late index).
      const late = await run(
        db,
        `select (select count(*) from ${facts} f where f.paid_at >= $1 and f.paid_at < least($2::timestamptz, $1::timestamptz + interval '1 day') and f.created_at < $1 ${where})
           + (select count(*) from ${facts} f where f.paid_at >= $1::timestamptz + interval '1 day' and f.paid_at < $2 and f.created_at < $1 and ${LATE} ${where})
           + (select count(*) from ${facts} f where f.paid_at >= $1 and f.paid_at < $2 and f.created_at >= $2 and ${LATE} ${where}) as n`,
        params,
      );
      const total = placed + num(late[0]?.['n']);
      const lim = limit();
      const list = await ids(
        total,
        `select t.order_id from ((${newestPlacedSql(facts, where, lim)}) union (${newestPaidSql(facts, where, lim)})) t
         order by t.created_at desc, t.order_id limit ${lim}`,
      );
      return { total, ids: list };
    }
    case 'new_customers': {
      // Counted from the chains alone. When they are many among the range's paid orders (a shop's
      // early days), the newest are found faster backwards through the placed-time index, each
      // checked for an earlier paid order of its customer in the filter's scope (the customer's
      // first paid order lies in the range exactly when there is none); when few, from the chains.
      // In the cohort rollup's zone, over whole local days, its `orders` count them (the edges from
      // the chain); elsewhere the chain rows are counted.
      const total = (await newCustomerOrdersFromRollup(db, options)) ?? num((await run(db, `select count(*)::float8 as n from (${pickSql(options, figure, params, false)}) x`, params))[0]?.['n']);
      if (total === 0 || lim === 0) return { total, ids: [] };
      const [t] = await rollupTotals(db, options, null);
      if (total * 20 < num(t?.['paid'])) {
        params.length = 2; // the chains' query below appends its own
        break;
      }
      if (lim !== null) return { total, ids: await newestNewCustomerOrders(db, options, facts, lim) };
      const listParams: unknown[] = [options.from.toISOString(), options.to.toISOString()];
      const gFilter = filterSql(options, listParams, 'g');
      const where = `and not exists (select 1 from ${facts} g where g.customer_id = f.customer_id and g.paid_at < $1 ${gFilter}) ${filterSql(options, listParams)}`;
      listParams.push(lim);
      const list = await run(db, newestPaidSql(facts, where, `$${listParams.length}`), listParams);
      return { total, ids: list.map((r) => String(r['order_id'])) };
    }
  }
  switch (figure.figure) {
    case 'heatmap':
    case 'new_customers':
    case 'cohort': {
      // Bounded by the figure itself: counted and listed from one set.
      const found = await run(
        db,
        `with m as (${pickSql(options, figure, params)})
         select c.total, t.order_id
         from (select count(*)::float8 as total from m) c
           left join lateral (select m.order_id, m.created_at from m order by m.created_at desc, m.order_id limit ${limit()}) t on true
         order by t.created_at desc, t.order_id`,
        params,
      );
      return { total: num(found[0]?.['total']), ids: found.filter((r) => r['order_id'] != null).map((r) => String(r['order_id'])) };
    }
    default:
      throw new OrderkitError({
        code: 'INVALID_ANALYTICS_OPTIONS',
        message: { 'zh-CN': `未知的指标 ${String((figure as { figure: unknown }).figure)}`, en: `unknown figure ${String((figure as { figure: unknown }).figure)}` },
        path: ['figure'],
      });
  }
}

/**
 * A select of (order_id, created_at) of the orders behind a heatmap cell, the new customers or a
 * cohort cell (for the chains' figures only order_id when not `placed`). $1/$2 the range; the figure's and the filter's values are appended to `params`.
 */
function pickSql(options: InsightSqlOptions, figure: Extract<Figure, { figure: 'heatmap' | 'new_customers' | 'cohort' }>, params: unknown[], placed = true): string {
  const { schema, facts } = factsTable(options);
  switch (figure.figure) {
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
      return `select x.order_id${placed ? ', f.created_at' : ''} from (
          select x.order_id, x.first, x.paid_at from ${schema}.customer_chain x
          where ${scope('x')} and x.first >= ${lo} and x.first < ${hi} and x.paid_at >= $1 and x.paid_at < $2
            and not exists (select 1 from ${schema}.customer_dirty d where d.customer_id = x.customer_id)
          union all
          select y.order_id, y.first, y.paid_at from (${chainFromFactsSql(facts, `f.customer_id in (select customer_id from ${schema}.customer_dirty)`)}) y
          where ${scope('y')} and y.first >= ${lo} and y.first < ${hi} and y.paid_at < $2
        ) x
          -- The placed times through the range's paid facts (a hash join of two range scans),
          -- not one primary-key probe per row.
          ${placed ? `join ${facts} f on f.order_id = x.order_id and f.paid_at >= $1 and f.paid_at < $2` : ''}
        where ${cohort}`;
    }
  }
}

/**
 * The newest `lim` orders paid in the range by customers without an earlier paid order (in the
 * filter's scope), read backwards through the placed-time index in batches that grow. One query
 * with the "no earlier paid order" test inside it lets the planner misjudge how rare such orders
 * are: with the range's own bounds it sorted every paid order of the range (about 200 ms for 7 days
 * at 1,000,000 orders, docs/benchmarks.md), where reading backwards stops after a few thousand. A
 * batch is the next newest candidates alone (the planner must walk the index for them), then the
 * test on those few; the late payments (few, in their partial index) are read whole and merged.
 */
export const NEW_CUSTOMER_BATCH = { factor: 20, min: 64 };

async function newestNewCustomerOrders(db: PostgresDatabase, options: InsightSqlOptions, facts: string, lim: number): Promise<string[]> {
  if (lim === 0) return [];
  const range = [options.from.toISOString(), options.to.toISOString()];
  const late = [...range];
  const lateWhere = `and not exists (select 1 from ${facts} g where g.customer_id = f.customer_id and g.paid_at < $1 ${filterSql(options, late, 'g')}) ${filterSql(options, late)}`;
  const lateRows = await run(
    db,
    `select f.order_id, f.created_at from ${facts} f
     where f.paid_at >= $1 and f.paid_at < $2 and (f.created_at >= $2 or f.created_at < $1::timestamptz - interval '1 day') and ${LATE} ${lateWhere}`,
    late,
  );
  const found: Row[] = [];
  let cursor: Row | null = null;
  // This path is taken when at least one paid order in 20 is a new customer's (pick): 20 × lim
  // candidates usually hold lim of them; a batch that does not doubles the next.
  for (let batch = Math.max(NEW_CUSTOMER_BATCH.min, lim * NEW_CUSTOMER_BATCH.factor); found.length < lim; batch *= 2) {
    const params: unknown[] = [...range];
    const candidateFilter = filterSql(options, params);
    const newFilter = filterSql(options, params, 'g');
    let after = '';
    if (cursor) {
      params.push(cursor['created_at'], cursor['order_id']);
      after = `and (f.created_at < $${params.length - 1} or (f.created_at = $${params.length - 1} and f.order_id > $${params.length}))`;
    }
    params.push(batch);
    const rows = await run(
      db,
      // The earlier-paid test as a lateral probe per candidate: as a subquery the planner may hash
      // every order paid before the range instead (115 ms over 30 days at 1,000,000 orders).
      `select c.order_id, c.created_at, e.found is null as new
       from (select f.order_id, f.created_at, f.customer_id from ${facts} f
             where f.paid_at >= $1 and f.paid_at < $2 and f.created_at >= $1::timestamptz - interval '1 day' and f.created_at < $2 ${after} ${candidateFilter}
             order by f.created_at desc, f.order_id limit $${params.length}) c
         left join lateral (select true as found from ${facts} g where g.customer_id = c.customer_id and g.paid_at < $1 ${newFilter} limit 1) e on true
       order by c.created_at desc, c.order_id`,
      params,
    );
    for (const r of rows) if (r['new'] === true) found.push(r);
    if (rows.length < batch) break; // the range is read to its start
    cursor = rows[rows.length - 1]!;
  }
  return [...found, ...lateRows]
    .sort((a, b) => new Date(b['created_at'] as string).getTime() - new Date(a['created_at'] as string).getTime() || (String(a['order_id']) < String(b['order_id']) ? -1 : 1))
    .slice(0, lim)
    .map((r) => String(r['order_id']));
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
  // The chains, for the figures reading them directly (the rollups fold their own, in pieces()).
  if ((figure?.figure === 'new_customers' || figure?.figure === 'cohort') && options.compact !== false) await foldPending(db, options, ['customer_dirty']);
  const found = await pick(db, options, figure, sqlLimit(limit));
  const ids = found.ids.slice(0, limit);
  if (ids.length === 0) return { figure, total: found.total, orders: [] };
  // The documents as stored: what the drill rows read is in them (of the shipments, kept as rows
  // since migration 004, the document holds the earliest parcel, all the facts need: docs/storage.md
  // "Shipments and notes as rows").
  const docs = await run(db, `select id, doc::text as doc from ${schema}.orders where id = any($1::text[])`, [ids]);
  const byId = new Map<string, Order>(docs.map((r: Row) => [String(r['id']), upgradeStoredOrder(String(r['id']), JSON.parse(String(r['doc'])), { owned: true }).doc as Order]));
  // Ordered by the same rule as in memory: newest placed first, then by id.
  const parsed = parse(ids.map((id) => byId.get(id)!), undefined).sort((a, b) => b.placedAt - a.placedAt || (a.order.id < b.order.id ? -1 : 1));
  return { figure, total: found.total, orders: parsed.map(drillRow) };
}
