import { DURATION_FIGURES } from '../../analytics/percentiles.js';

/**
 * Rollups of the facts projection: what a summary adds up, already added up per time bucket, so
 * that a summary of a million orders reads a few thousand rows instead of a million.
 *
 * - `rollup_placed`: orders by the quarter hour they were placed in, status, close reason and
 *   funnel depth (status counts, funnel, timeouts, the daily "placed" series);
 * - `rollup_paid`: orders by the quarter hour they were paid in and whether anything was refunded,
 *   with the money (GMV, refunds, the daily "paid" series);
 * - `rollup_stage`: finished-stage durations, cut to `DURATION_FIGURES` significant figures, by
 *   the UTC day the order was placed (the percentiles);
 * - `rollup_sku`: paid lines by the UTC day of payment, SKU and title (top SKUs).
 *
 * Quarter hours, because every zone's midnight today falls on one, so a day in any shop's zone is
 * a whole number of buckets. A range that does not start or end on a bucket boundary reads its
 * partial buckets from the facts themselves (analytics-sql.ts).
 *
 * The trigger never updates a rollup row: it appends signed deltas (−1 for what an order was, +1
 * for what it is), so concurrent commits never wait for one another on a shared counter row.
 * `compactAnalytics` folds the deltas into one row per key from time to time; a summary adds up
 * folded rows and pending deltas alike, so it is exact before and after folding.
 */

export const QUARTER_HOUR_MS = 15 * 60_000;
export const DAY_MS = 86_400_000;

/** The start of the `seconds`-long bucket holding `t`, counted from the Unix epoch (PostgreSQL 13+, no date_bin). */
export const binSql = (t: string, seconds: number): string => `to_timestamp(floor(extract(epoch from ${t}) / ${seconds}) * ${seconds})`;

/**
 * Whether ledger entry `r` (a jsonb element of `doc`->'refunds') gave back the order's own money,
 * mirroring `succeededRefundTotal()` / `paysBackOrderMoney()` of src/refund/ledger.ts: succeeded,
 * and not money of a stray payment, whether its own refund (reason `stray_payment`) or any other
 * entry on a stray transaction (a refund made by hand in the merchant platform, reason `gateway`).
 */
export const orderRefundSql = (r: string, doc: string): string => `(${r}->>'status' = 'succeeded' and ${r}->>'reason' <> 'stray_payment'
      and not (${r}->>'transactionId' is not null and ${r}->>'transactionId' is distinct from ${doc}->'payment'->>'transactionId'
        and exists (select 1 from jsonb_array_elements(${doc}->'payment'->'stray') stray_payment(p) where stray_payment.p->>'transactionId' = ${r}->>'transactionId')))`;

/** `toDurationFigures` in SQL: ms cut toward zero to DURATION_FIGURES significant figures. */
export const cutDurationSql = (ms: string): string =>
  `(${ms} - ${ms} % power(10, greatest(length(abs(${ms})::text) - ${DURATION_FIGURES}, 0))::bigint)`;

/** How far an order got: 0 placed, 1 paid, 2 shipped, 3 completed. */
export const depthSql = (f: string): string =>
  `(case when ${f}.completed_at is not null then 3 when ${f}.first_shipped_at is not null then 2 when ${f}.paid_at is not null then 1 else 0 end)::smallint`;

/** The stages as rollup_stage numbers them, with their duration column. */
export const STAGE_COLUMNS = ['payment_ms', 'fulfilment_ms', 'delivery_ms', 'confirmation_ms'] as const;

const Q = QUARTER_HOUR_MS / 1000;
const D = DAY_MS / 1000;

/** Tables and indexes (run with search_path set to the schema). */
export const ROLLUP_TABLES_SQL = `
create table if not exists rollup_placed (
  bucket timestamptz not null, status text not null, close_reason text not null, depth smallint not null,
  n bigint not null, compacted boolean not null default false
);
create unique index if not exists rollup_placed_key on rollup_placed (bucket, status, close_reason, depth) where compacted;
create index if not exists rollup_placed_pending on rollup_placed (bucket) where not compacted;

create table if not exists rollup_paid (
  bucket timestamptz not null, refunded_any boolean not null,
  n bigint not null, gmv bigint not null, refunded bigint not null, compacted boolean not null default false
);
create unique index if not exists rollup_paid_key on rollup_paid (bucket, refunded_any) where compacted;
create index if not exists rollup_paid_pending on rollup_paid (bucket) where not compacted;

create table if not exists rollup_stage (
  day timestamptz not null, stage smallint not null, ms bigint not null,
  n bigint not null, compacted boolean not null default false
);
create unique index if not exists rollup_stage_key on rollup_stage (day, stage, ms) where compacted;
create index if not exists rollup_stage_pending on rollup_stage (day) where not compacted;

create table if not exists rollup_sku (
  day timestamptz not null, sku text not null, title text collate "C" not null,
  units bigint not null, revenue bigint not null, orders bigint not null, compacted boolean not null default false
);
create unique index if not exists rollup_sku_key on rollup_sku (day, sku, title) where compacted;
create index if not exists rollup_sku_pending on rollup_sku (day) where not compacted;`;

/**
 * For the past breaches (analytics-past-breaches-sql.ts, docs/analytics.md "Past breaches"): one
 * index per stage on its finished durations, the longest first, with the placing time (the longest
 * durations of a range and the durations of one rollup_stage bucket are index ranges), and one on
 * the placing time carrying the four durations (the late orders of a range's partial days, read
 * from the index alone). Created \`if not exists\` by every migrateAnalytics, so a database migrated
 * before gets them.
 */
export const PAST_BREACH_INDEXES_SQL = [
  ...STAGE_COLUMNS.map((col) => `create index if not exists order_facts_${col}_idx on order_facts (${col} desc, created_at) where ${col} is not null;`),
  `create index if not exists order_facts_created_durations_idx on order_facts (created_at) include (${STAGE_COLUMNS.join(', ')});`,
].join('\n');

export const ROLLUP_TABLES = ['rollup_placed', 'rollup_paid', 'rollup_stage', 'rollup_sku'] as const;

/**
 * The trigger's part: deltas for the change from facts row `was` (when `had`) to facts row `now_f`.
 * Spliced into the plpgsql trigger of analytics-projection.ts.
 */
export function rollupDeltasSql(schema: string): string {
  const stageRows = STAGE_COLUMNS.map(
    (col, i) =>
      `(${i}::smallint, ${binSql('was.created_at', D)}, ${cutDurationSql(`was.${col}`)}, ${binSql('now_f.created_at', D)}, ${cutDurationSql(`now_f.${col}`)})`,
  ).join(',\n        ');
  // One statement per rollup (each row of a VALUES list is kept or dropped by its own test), and
  // none when nothing it counts changed: a commit pays for what it moved, no more.
  return `
  if not had or (was.created_at, was.status, was.close_reason, ${depthSql('was')})
       is distinct from (now_f.created_at, now_f.status, now_f.close_reason, ${depthSql('now_f')}) then
    insert into ${schema}.rollup_placed (bucket, status, close_reason, depth, n)
    select v.* from (values
        (${binSql('was.created_at', Q)}, was.status, coalesce(was.close_reason, ''), ${depthSql('was')}, -1::bigint),
        (${binSql('now_f.created_at', Q)}, now_f.status, coalesce(now_f.close_reason, ''), ${depthSql('now_f')}, 1::bigint)
      ) v(bucket, status, close_reason, depth, n)
    where v.n > 0 or had;
  end if;
  if (was.paid_at, was.paid_amount, was.refunded) is distinct from (now_f.paid_at, now_f.paid_amount, now_f.refunded) then
    insert into ${schema}.rollup_paid (bucket, refunded_any, n, gmv, refunded)
    select v.* from (values
        (${binSql('was.paid_at', Q)}, was.refunded > 0, -1::bigint, -was.paid_amount, -was.refunded),
        (${binSql('now_f.paid_at', Q)}, now_f.refunded > 0, 1::bigint, now_f.paid_amount, now_f.refunded)
      ) v(bucket, refunded_any, n, gmv, refunded)
    where v.bucket is not null and (v.n > 0 or had);
  end if;
  if not had or (was.created_at, ${STAGE_COLUMNS.map((c) => `was.${c}`).join(', ')})
       is distinct from (now_f.created_at, ${STAGE_COLUMNS.map((c) => `now_f.${c}`).join(', ')}) then
    insert into ${schema}.rollup_stage (day, stage, ms, n)
    select x.day, s.stage, x.ms, x.n
    from (values
        ${stageRows}
      ) s(stage, old_day, old_ms, new_day, new_ms)
      cross join lateral (values (s.old_day, s.old_ms, -1::bigint), (s.new_day, s.new_ms, 1::bigint)) x(day, ms, n)
    where (s.old_day, s.old_ms) is distinct from (s.new_day, s.new_ms) and x.ms is not null;
  end if;`;
}

/** The SKU deltas: `sign` −1 before an order's line facts are rewritten, +1 after. */
export function skuDeltasSql(schema: string, sign: 1 | -1): string {
  return `insert into ${schema}.rollup_sku (day, sku, title, units, revenue, orders)
    select ${binSql('paid_at', D)}, sku, title, ${sign} * quantity, ${sign} * payable, ${sign}
    from ${schema}.order_line_facts where order_id = new.id;`;
}

/** Fills new rollups from the facts (already folded). */
export const ROLLUP_BACKFILL_SQL = [
  `insert into rollup_placed (bucket, status, close_reason, depth, n, compacted)
   select ${binSql('f.created_at', Q)}, f.status, coalesce(f.close_reason, ''), ${depthSql('f')}, count(*), true
   from order_facts f group by 1, 2, 3, 4`,
  `insert into rollup_paid (bucket, refunded_any, n, gmv, refunded, compacted)
   select ${binSql('f.paid_at', Q)}, f.refunded > 0, count(*), sum(f.paid_amount), sum(f.refunded), true
   from order_facts f where f.paid_at is not null group by 1, 2`,
  `insert into rollup_stage (day, stage, ms, n, compacted)
   select ${binSql('f.created_at', D)}, s.stage, ${cutDurationSql('s.ms')}, count(*), true
   from order_facts f cross join lateral (values ${STAGE_COLUMNS.map((c, i) => `(${i}::smallint, f.${c})`).join(', ')}) s(stage, ms)
   where s.ms is not null group by 1, 2, 3`,
  `insert into rollup_sku (day, sku, title, units, revenue, orders, compacted)
   select ${binSql('l.paid_at', D)}, l.sku, l.title, sum(l.quantity), sum(l.payable), count(*), true
   from order_line_facts l group by 1, 2, 3`,
];

const KEYS: Record<(typeof ROLLUP_TABLES)[number], { keys: string; sums: string[] }> = {
  rollup_placed: { keys: 'bucket, status, close_reason, depth', sums: ['n'] },
  rollup_paid: { keys: 'bucket, refunded_any', sums: ['n', 'gmv', 'refunded'] },
  rollup_stage: { keys: 'day, stage, ms', sums: ['n'] },
  rollup_sku: { keys: 'day, sku, title', sums: ['units', 'revenue', 'orders'] },
};

/** The leading columns of each rollup's `_pending` index, for the pending check of analytics-compact.ts. */
export const ROLLUP_PENDING_ORDER: Record<(typeof ROLLUP_TABLES)[number], string> = {
  rollup_placed: 'bucket',
  rollup_paid: 'bucket',
  rollup_stage: 'day',
  rollup_sku: 'day',
};

/** One statement folding a table's committed deltas into its folded rows. */
export function foldSql(schema: string, table: (typeof ROLLUP_TABLES)[number]): string {
  const { keys, sums } = KEYS[table];
  const t = `${schema}.${table}`;
  return `with moved as (delete from ${t} where not compacted returning ${keys}, ${sums.join(', ')})
    insert into ${t} (${keys}, ${sums.join(', ')}, compacted)
    select ${keys}, ${sums.map((c) => `sum(${c})`).join(', ')}, true from moved group by ${keys}
    on conflict (${keys}) where compacted do update set ${sums.map((c) => `${c} = ${t}.${c} + excluded.${c}`).join(', ')}`;
}

