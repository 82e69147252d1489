import { binSql, orderRefundSql } from './analytics-rollups.js';

/**
 * Segment rollups: what the decision-support analyses (analytics-insights-sql.ts) add up, already
 * added up per hour and per UTC day, by channel and province, so that a dashboard range reads a few
 * thousand rows instead of the facts of every order in it. docs/analytics.md "Speed at scale".
 *
 * - `rollup_segment`: orders placed (by the hour they were placed in) and paid (by the hour they
 *   were paid in), with GMV, refunds and coupon figures (breakdown, trend, heatmap, coupons);
 * - `rollup_segment_sku`: paid lines by SKU and title, with the orders that had a refund (top SKUs
 *   per segment, refund rate per SKU, the single counts of SKU pairs);
 * - `rollup_segment_pair`: pairs of SKUs bought in the same paid order;
 * - `rollup_segment_refund`: succeeded refunds (stray payments left out) by kind and after-sale
 *   reason, by the hour their order was paid in.
 *
 * Every row carries `channel` and `province` ('' for none: a channel is 1–32 letters and a
 * province in the facts is never '') so that a filtered range reads the same rows.
 *
 * The trigger appends signed deltas at hour width (`compacted = false`), as the summary's rollups do
 * (analytics-rollups.ts), so that concurrent commits never wait on a shared counter row.
 * `compactAnalytics` folds them into one row per key at both widths, 3600 s and 86400 s. A range
 * reads whole UTC days from the day rows, whole hours at its ends from the hour rows, pending deltas
 * by their hour, and the sub-hour edges from the facts (`rollupPieces`).
 */

export const HOUR_MS = 3_600_000;
export const SEGMENT_DAY_MS = 86_400_000;
const H = HOUR_MS / 1000;
const D = SEGMENT_DAY_MS / 1000;

interface SegmentTable {
  keys: Array<[name: string, type: string]>;
  sums: string[];
}

/** Keys beyond (bucket, width, channel, province), and the summed columns. */
export const SEGMENT_TABLES: Record<string, SegmentTable> = {
  rollup_segment: { keys: [], sums: ['placed', 'paid', 'gmv', 'refunded', 'refunded_orders', 'coupon_orders', 'coupon_gmv', 'coupon_discount'] },
  rollup_segment_sku: { keys: [['sku', 'text collate "C"'], ['title', 'text collate "C"']], sums: ['units', 'revenue', 'orders', 'refunded_orders'] },
  rollup_segment_pair: { keys: [['a', 'text collate "C"'], ['b', 'text collate "C"']], sums: ['n'] },
  rollup_segment_refund: { keys: [['kind', 'text collate "C"'], ['reason', 'text collate "C"'], ['reason_known', 'boolean']], sums: ['refunds', 'amount'] },
};

export const SEGMENT_TABLE_NAMES = Object.keys(SEGMENT_TABLES);

/** The leading column of every segment rollup's `_pending` index, for the pending check of analytics-compact.ts. */
export const SEGMENT_PENDING_ORDER = 'bucket';

/** Bump when a segment rollup's columns or meaning change: the next migrateAnalytics rebuilds them from the facts. */
export const SEGMENTS_VERSION = '3';

const keyList = (t: SegmentTable): string => ['width', 'bucket', 'channel', 'province', ...t.keys.map(([k]) => k)].join(', ');

/** Tables and indexes (run with search_path set to the schema). */
export const SEGMENT_TABLES_SQL = Object.entries(SEGMENT_TABLES)
  .map(
    ([name, t]) => `
create table if not exists ${name} (
  bucket timestamptz not null, width int not null, channel text collate "C" not null, province text collate "C" not null,
  ${t.keys.map(([k, type]) => `${k} ${type} not null, `).join('')}${t.sums.map((s) => `${s} bigint not null default 0`).join(', ')},
  compacted boolean not null default false
);
create unique index if not exists ${name}_key on ${name} (${keyList(t)}) where compacted;
create index if not exists ${name}_pending on ${name} (bucket) where not compacted;`,
  )
  .join('\n');

/** A facts row's segment columns. */
const seg = (f: string): string => `coalesce(${f}.channel, ''), coalesce(${f}.province, '')`;

/** The (sku, pair) deltas of the order's current line facts, with the attributes of facts row `f`. */
function lineDeltasSql(schema: string, f: string, sign: 1 | -1): string {
  return `
    insert into ${schema}.rollup_segment_sku (bucket, width, channel, province, sku, title, units, revenue, orders, refunded_orders)
    select ${binSql('l.paid_at', H)}, ${H}, ${seg(f)}, l.sku, l.title, ${sign} * l.quantity, ${sign} * l.payable, ${sign}, ${sign} * (${f}.refunded > 0)::int
    from ${schema}.order_line_facts l where l.order_id = new.id;
    insert into ${schema}.rollup_segment_pair (bucket, width, channel, province, a, b, n)
    select ${binSql('a.paid_at', H)}, ${H}, ${seg(f)}, a.sku, b.sku, ${sign}
    from ${schema}.order_line_facts a join ${schema}.order_line_facts b on b.order_id = a.order_id and a.sku collate "C" < b.sku collate "C"
    where a.order_id = new.id;`;
}

/** The refund-reason rows of document `doc` of an order paid at `paid` in segment `s` ($ columns of a lateral row). */
const refundRowsSql = (doc: string, paid: string, channel: string, province: string, sign: string): string => `
    select ${binSql(paid, H)}, ${H}, ${channel}, ${province}, r->>'reason', coalesce(a.reason, ''), a.reason is not null, ${sign}, ${sign} * (r->>'amount')::bigint
    from jsonb_array_elements(${doc}->'refunds') r
      left join lateral (select x->>'reason' as reason from jsonb_array_elements(${doc}->'afterSales') x where x->>'id' = r->>'afterSaleId' limit 1) a on true
    where ${orderRefundSql('r', doc)}`;

/**
 * The trigger's part for the segment rollups, spliced into the plpgsql trigger of
 * analytics-projection.ts after the facts row moved from `was` (when `had`) to `now_f`.
 * `lines_changed` says whether the trigger rewrites the order's line facts (`rewriteLines` is that
 * rewrite): the SKU and pair deltas are taken from the line facts before and after it.
 */
export function segmentDeltasSql(schema: string, rewriteLines: string): string {
  const paidCols = (f: string) => `${f}.paid_at, ${f}.paid_amount, ${f}.refunded, ${f}.channel, ${f}.province, ${f}.has_coupon, ${f}.coupon_discount`;
  return `
  if not had or (was.created_at, was.channel, was.province) is distinct from (now_f.created_at, now_f.channel, now_f.province) then
    insert into ${schema}.rollup_segment (bucket, width, channel, province, placed)
    select v.* from (values
        (${binSql('was.created_at', H)}, ${H}, ${seg('was')}, -1::bigint),
        (${binSql('now_f.created_at', H)}, ${H}, ${seg('now_f')}, 1::bigint)
      ) v(bucket, width, channel, province, placed)
    where v.bucket is not null;
  end if;
  if (${paidCols('was')}) is distinct from (${paidCols('now_f')}) then
    insert into ${schema}.rollup_segment (bucket, width, channel, province, paid, gmv, refunded, refunded_orders, coupon_orders, coupon_gmv, coupon_discount)
    select v.bucket, ${H}, v.channel, v.province, v.s, v.s * v.gmv, v.s * v.refunded, v.s * (v.refunded > 0)::int,
      v.s * v.coupon::int, v.s * v.coupon::int * v.gmv, v.s * v.coupon::int * v.discount
    from (values
        (${binSql('was.paid_at', H)}, ${seg('was')}, -1::bigint, was.paid_amount, was.refunded, was.has_coupon, was.coupon_discount),
        (${binSql('now_f.paid_at', H)}, ${seg('now_f')}, 1::bigint, now_f.paid_amount, now_f.refunded, now_f.has_coupon, now_f.coupon_discount)
      ) v(bucket, channel, province, s, gmv, refunded, coupon, discount)
    where v.bucket is not null;
  end if;
  if lines_changed or (was.channel, was.province, was.refunded > 0) is distinct from (now_f.channel, now_f.province, now_f.refunded > 0) then
    if had then ${lineDeltasSql(schema, 'was', -1)}
    end if;
    if lines_changed then ${rewriteLines}
    end if;
    ${lineDeltasSql(schema, 'now_f', 1)}
  elsif lines_changed then ${rewriteLines}
  end if;
  if tg_op = 'INSERT' or (was.paid_at, was.channel, was.province) is distinct from (now_f.paid_at, now_f.channel, now_f.province)
     or old.doc->'refunds' is distinct from new.doc->'refunds' or old.doc->'afterSales' is distinct from new.doc->'afterSales'
     or old.doc->'payment'->'stray' is distinct from new.doc->'payment'->'stray'
     or old.doc->'payment'->>'transactionId' is distinct from new.doc->'payment'->>'transactionId' then
    insert into ${schema}.rollup_segment_refund (bucket, width, channel, province, kind, reason, reason_known, refunds, amount)
    select x.* from (values
        (case when tg_op = 'UPDATE' and had then old.doc end, was.paid_at, ${seg('was')}, -1::bigint),
        (new.doc, now_f.paid_at, ${seg('now_f')}, 1::bigint)
      ) p(doc, paid_at, channel, province, s)
      cross join lateral (${refundRowsSql('p.doc', 'p.paid_at', 'p.channel', 'p.province', 'p.s')}) x
    where p.doc is not null and p.paid_at is not null;
  end if;`;
}

/**
 * Fills new segment rollups from the facts (and, for refund reasons, the documents of refunded
 * orders) as pending hour rows; `segmentFoldSql` then folds them into hour and day rows.
 */
export const SEGMENT_BACKFILL_SQL: string[] = [
  `insert into rollup_segment (bucket, width, channel, province, placed)
   select ${binSql('f.created_at', H)}, ${H}, ${seg('f')}, count(*) from order_facts f group by 1, 2, 3, 4`,
  `insert into rollup_segment (bucket, width, channel, province, paid, gmv, refunded, refunded_orders, coupon_orders, coupon_gmv, coupon_discount)
   select ${binSql('f.paid_at', H)}, ${H}, ${seg('f')}, count(*), sum(f.paid_amount), sum(f.refunded), count(*) filter (where f.refunded > 0),
     count(*) filter (where f.has_coupon), coalesce(sum(f.paid_amount) filter (where f.has_coupon), 0), coalesce(sum(f.coupon_discount) filter (where f.has_coupon), 0)
   from order_facts f where f.paid_at is not null group by 1, 2, 3, 4`,
  `insert into rollup_segment_sku (bucket, width, channel, province, sku, title, units, revenue, orders, refunded_orders)
   select ${binSql('l.paid_at', H)}, ${H}, ${seg('f')}, l.sku, l.title, sum(l.quantity), sum(l.payable), count(*), count(*) filter (where f.refunded > 0)
   from order_line_facts l join order_facts f on f.order_id = l.order_id group by 1, 2, 3, 4, 5, 6`,
  `insert into rollup_segment_pair (bucket, width, channel, province, a, b, n)
   select ${binSql('a.paid_at', H)}, ${H}, ${seg('f')}, a.sku, b.sku, count(*)
   from order_line_facts a join order_line_facts b on b.order_id = a.order_id and a.sku collate "C" < b.sku collate "C"
     join order_facts f on f.order_id = a.order_id
   group by 1, 2, 3, 4, 5, 6`,
  `insert into rollup_segment_refund (bucket, width, channel, province, kind, reason, reason_known, refunds, amount)
   select x.bucket, x.width, x.channel, x.province, x.kind, x.reason, x.known, sum(x.s), sum(x.amount)
   from order_facts f join orders o on o.id = f.order_id
     cross join lateral (${refundRowsSql('o.doc', 'f.paid_at', "coalesce(f.channel, '')", "coalesce(f.province, '')", '1::bigint')}) x(bucket, width, channel, province, kind, reason, known, s, amount)
   where f.paid_at is not null and f.refunded > 0
   group by 1, 2, 3, 4, 5, 6, 7`,
];

/** One statement folding a segment table's pending deltas into its hour and day rows. */
export function segmentFoldSql(schema: string, name: string): string {
  const t = SEGMENT_TABLES[name]!;
  return foldHourDaySql(schema, name, ['channel', 'province', ...t.keys.map(([k]) => k)], t.sums, keyList(t));
}

/**
 * One statement folding the pending (hour-binned) deltas of rollup `name` into its hour and day
 * rows: `keys` are its columns beyond (width, bucket), `sums` the summed ones, `conflict` the
 * column list of its unique index `where compacted`.
 */
export function foldHourDaySql(schema: string, name: string, keys: readonly string[], sums: readonly string[], conflict: string): string {
  const q = `${schema}.${name}`;
  return `with moved as (delete from ${q} where not compacted returning bucket, ${[...keys, ...sums].join(', ')})
    insert into ${q} (width, bucket, ${[...keys, ...sums].join(', ')}, compacted)
    select w.w, to_timestamp(floor(extract(epoch from m.bucket) / w.w) * w.w), ${keys.map((k) => `m.${k}`).join(', ')},
      ${sums.map((s) => `sum(m.${s})`).join(', ')}, true
    from moved m cross join (values (${H}), (${D})) w(w)
    group by 1, 2, ${keys.map((_, i) => i + 3).join(', ')}
    -- Written in key order, so that a range's rows sit together on disk (a back-fill of a large
    -- shop would otherwise scatter them over the whole table; measured: 10 times the pages read).
    order by 1, 2
    on conflict (${conflict}) where compacted do update set ${sums.map((s) => `${s} = ${q}.${s} + excluded.${s}`).join(', ')}`;
}

/**
 * How a range [from, to) is read at widths up to `maxWidth` (0: the facts alone): `$1` from, `$2`
 * to, `$3`/`$4` its whole hours, `$5`/`$6` its whole UTC days within them. The facts give
 * [from, $3) and [$4, to); hour rows [$3, $5) and [$6, $4); day rows [$5, $6); pending deltas, kept
 * by hour, [$3, $4).
 */
export function rollupPieces(from: number, to: number, maxWidth: 0 | typeof HOUR_MS | typeof SEGMENT_DAY_MS): string[] {
  const hlo = maxWidth === 0 ? to : Math.min(Math.ceil(from / HOUR_MS) * HOUR_MS, to);
  const hhi = Math.max(hlo, maxWidth === 0 ? to : Math.floor(to / HOUR_MS) * HOUR_MS);
  let dlo = hhi;
  let dhi = hhi;
  if (maxWidth === SEGMENT_DAY_MS) {
    dlo = Math.min(Math.ceil(hlo / SEGMENT_DAY_MS) * SEGMENT_DAY_MS, hhi);
    dhi = Math.max(dlo, Math.floor(hhi / SEGMENT_DAY_MS) * SEGMENT_DAY_MS);
  }
  return [from, to, hlo, hhi, dlo, dhi].map((t) => new Date(t).toISOString());
}

/** Facts rows of the range's edges by timestamp `t` (parameters of `rollupPieces`). */
export const edgeSql = (t: string): string => `((${t} >= $1 and ${t} < $3) or (${t} >= $4 and ${t} < $2))`;

/**
 * The rows of segment table `name` (alias `r`) covering the range's whole hours (parameters of
 * `rollupPieces`): `select` is the column list, `where` more conditions (`and …`). Three branches,
 * each an index range scan.
 */
export function rollupRowsSql(schema: string, name: string, select: string, where: string): string {
  const t = `${schema}.${name}`;
  return `select ${select} from ${t} r where r.compacted and r.width = ${H} and ((r.bucket >= $3 and r.bucket < $5) or (r.bucket >= $6 and r.bucket < $4)) ${where}
  union all
  select ${select} from ${t} r where r.compacted and r.width = ${D} and r.bucket >= $5 and r.bucket < $6 ${where}
  union all
  select ${select} from ${t} r where not r.compacted and r.bucket >= $3 and r.bucket < $4 ${where}`;
}
