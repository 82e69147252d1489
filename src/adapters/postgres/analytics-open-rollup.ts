import { STAGES, type Stage } from '../../analytics/types.js';
import { binSql } from './analytics-rollups.js';
import { foldHourDaySql, HOUR_MS, SEGMENT_DAY_MS } from './analytics-segments.js';

/**
 * What "open in a stage" means for a facts row, and the rollup that counts the open orders of each
 * stage by the hour they started waiting (`rollup_open`), so that the open-breach to-do list
 * (analytics-open-breaches-sql.ts) counts the breaches at `now` from a few hundred rollup rows
 * instead of every waiting order. docs/analytics.md "Open breaches".
 *
 * An order is open in a stage while the stage's predicate holds; it has waited since `start`. A
 * breach at `now` is an open order whose `start` lies before `now − SLA`: the whole hours before
 * that instant are read from the rollup, the last partial hour from the stage's partial index.
 *
 * The trigger appends signed deltas at hour width (−1 for the stage the order was open in, +1 for
 * the one it is open in now), as the segment rollups do (analytics-segments.ts);
 * `compactAnalytics` folds them into hour and day rows.
 */
export const OPEN_STAGES: Record<Stage, { start: string; where: (f: string) => string }> = {
  payment: { start: 'created_at', where: (f) => `${f}paid_at is null and ${f}status = 'pending_payment'` },
  fulfilment: { start: 'paid_at', where: (f) => `${f}first_shipped_at is null and ${f}paid_at is not null and ${f}status <> 'closed'` },
  delivery: { start: 'shipped_at', where: (f) => `${f}delivered_at is null and ${f}shipped_at is not null and ${f}status = 'shipped'` },
  confirmation: { start: 'shipped_at', where: (f) => `${f}completed_at is null and ${f}shipped_at is not null and ${f}status in ('shipped', 'delivered')` },
};

/** Bump when rollup_open's columns or meaning change: the next migrateAnalytics rebuilds it from the facts. */
export const OPEN_ROLLUP_VERSION = '1';

const H = HOUR_MS / 1000;

/** The table, its indexes and the stages' partial indexes on the facts (run with search_path set to the schema). */
export const OPEN_ROLLUP_SQL = `
${STAGES.map((s) => `create index if not exists order_facts_open_${s}_idx on order_facts (${OPEN_STAGES[s].start}) where ${OPEN_STAGES[s].where('')};`).join('\n')}
create table if not exists rollup_open (
  bucket timestamptz not null, width int not null, stage text collate "C" not null,
  n bigint not null default 0, compacted boolean not null default false
);
create unique index if not exists rollup_open_key on rollup_open (stage, width, bucket) where compacted;
create index if not exists rollup_open_pending on rollup_open (stage, bucket) where not compacted;`;

/** The leading columns of `rollup_open_pending`, for the pending check of analytics-compact.ts. */
export const OPEN_PENDING_ORDER = 'stage, bucket';

/** `(stage, start hour, ±1)` rows of facts record `f` (a plpgsql record, so columns as `f.col`), when open. */
const openRowsSql = (f: string, sign: 1 | -1, guard: string): string =>
  STAGES.map(
    (s) => `select ${binSql(`${f}.${OPEN_STAGES[s].start}`, H)} as bucket, '${s}'::text as stage, ${sign}::bigint as n where ${guard}(${OPEN_STAGES[s].where(`${f}.`)})`,
  ).join('\n      union all ');

/**
 * The trigger's part for rollup_open, spliced into the plpgsql trigger of analytics-projection.ts
 * after the facts row moved from `was` (when `had`) to `now_f`. Nothing is written when neither
 * the status nor a stage's timestamps changed.
 */
export function openDeltasSql(schema: string): string {
  const cols = (f: string) => `${f}.status, ${f}.created_at, ${f}.paid_at, ${f}.first_shipped_at, ${f}.shipped_at, ${f}.delivered_at, ${f}.completed_at`;
  return `
  if not had or (${cols('was')}) is distinct from (${cols('now_f')}) then
    insert into ${schema}.rollup_open (bucket, width, stage, n)
    select x.bucket, ${H}, x.stage, sum(x.n) from (
      ${openRowsSql('was', -1, 'had and ')}
      union all ${openRowsSql('now_f', 1, '')}
    ) x
    group by x.bucket, x.stage having sum(x.n) <> 0;
  end if;`;
}

/** Fills an empty rollup_open from the facts as pending hour rows (fold them afterwards). */
export const OPEN_BACKFILL_SQL = `insert into rollup_open (bucket, width, stage, n)
${STAGES.map((s) => `select ${binSql(OPEN_STAGES[s].start, H)}, ${H}, '${s}', count(*) from order_facts where ${OPEN_STAGES[s].where('')} group by 1`).join('\nunion all\n')}`;

/** Folding rollup_open's pending deltas into its hour and day rows. */
export const openFoldSql = (schema: string): string => foldHourDaySql(schema, 'rollup_open', ['stage'], ['n'], 'stage, width, bucket');

/**
 * The open orders of `stage` that started waiting before `hourCut` (a whole hour): day rows
 * before its UTC day, hour rows from there, pending deltas by their hour. $1 the stage, $2 the
 * hour, $3 its UTC day.
 */
export const openCountSql = (schema: string): string => `
select coalesce(sum(r.n), 0)::float8 as n from ${schema}.rollup_open r
where r.stage = $1 and (
  (r.compacted and r.width = ${SEGMENT_DAY_MS / 1000} and r.bucket < $3)
  or (r.compacted and r.width = ${H} and r.bucket >= $3 and r.bucket < $2)
  or (not r.compacted and r.bucket < $2))`;
