import { HOUR, type SlaBreach } from '../../analytics/bottlenecks.js';
import {
  finishPastBreaches,
  resolvePastBreachOptions,
  type PastBreachOptions,
  type PastBreachReport,
} from '../../analytics/past-breaches.js';
import { DURATION_FIGURES } from '../../analytics/percentiles.js';
import { STAGES, type Stage } from '../../analytics/types.js';
import type { OrderStatus } from '../../order/index.js';
import { STAGE_SQL } from './analytics-bottlenecks-sql.js';
import { foldPending } from './analytics-compact.js';
import { factsTable, type AnalyticsSqlOptions } from './analytics-projection.js';
import { DAY_MS } from './analytics-rollups.js';
import { analysisDriver, type PostgresDatabase } from './driver.js';

/**
 * `pastBreaches()` of orderkit/analytics in SQL (docs/analytics.md "Past breaches"): the orders
 * placed in [from, to) that finished a stage later than its service level, counted per stage and
 * the worst `limit` listed, without reading every fact of the range.
 *
 * Counting a stage with service level S (ms; a duration d, a whole number of ms, is late when
 * d > S, that is d > ⌊S⌋):
 * - the whole UTC days of the range from `rollup_stage` (durations cut to three significant
 *   figures per UTC day of placing, analytics-rollups.ts): the cut never reorders durations, so
 *   every bucket above cut(⌊S⌋) is late and every bucket below it on time;
 * - the one bucket equal to cut(⌊S⌋), for those days, from the facts: the durations in
 *   (⌊S⌋, the next bucket) are a range of the stage's duration index (`order_facts_<stage>_ms_idx`);
 * - the partial days at the range's edges from the facts, as summarizeSql reads its edges, but
 *   from the placing-time index that carries the durations (`order_facts_created_durations_idx`),
 *   each edge apart: as one OR the planner walked the duration index over the whole history.
 *
 * Listing: the duration index read longest first, at most `probeSize(limit)` entries (the
 * duration and placing time only, no order row), finds the duration of the `limit`-th late order
 * placed in the range; the list is then the index range from that duration up. When the probe cannot tell (the range's late orders
 * are rare among those of the whole history: a narrow range, or a quiet one), the range's facts
 * are read instead, through the placing-time index. Either way the answer is exact.
 */

type Row = Record<string, unknown>;

export interface PastBreachSqlOptions extends PastBreachOptions, AnalyticsSqlOptions {
  /**
   * Fold rollup_stage's pending deltas first. Default true; pass false on a read-only connection
   * (the answer is the same).
   */
  compact?: boolean;
}

/** How the list is read: the probe's length for a `limit`, and the limit from which the range is read at once. */
export interface PastBreachTuning {
  probeSize: (limit: number) => number;
  directLimit: number;
}

/** The probe reads at most 100 entries per listed row (10,000 at least); from 1,000 rows on, the range is read at once. */
const TUNING: PastBreachTuning = { probeSize: (limit) => Math.max(10_000, 100 * limit), directLimit: 1_000 };
/** Ranges longer than this many whole days read rollup_stage by a day range rather than day by day. */
const MAX_LISTED_DAYS = 3_660;

/** `toDurationFigures` of a whole, non-negative ms and the start of the next bucket. */
function bucketOf(ms: number): { cut: number; next: number } {
  const digits = String(ms).length;
  const unit = digits <= DURATION_FIGURES ? 1 : 10 ** (digits - DURATION_FIGURES);
  const cut = ms - (ms % unit);
  return { cut, next: cut + unit };
}

const iso = (t: number): string => new Date(t).toISOString();
const isoOf = (v: unknown): string => new Date(v as string | Date).toISOString();

/**
 * @example
 * const past = await pastBreachesSql(pool, {
 *   from: new Date('2026-11-01T00:00:00+08:00'),
 *   to: new Date('2026-11-08T00:00:00+08:00'),
 *   now: new Date(),
 *   slaHours: { fulfilment: 48 },
 *   limit: 100,
 * });
 * past.total // orders of the week shipped more than 48 h after payment
 */
export function pastBreachesSql(db: PostgresDatabase, options: PastBreachSqlOptions): Promise<PastBreachReport> {
  return pastBreachesSqlTuned(db, options, TUNING);
}

/** `pastBreachesSql` with other probe settings: for the tests, which reach every way of listing on small shops. */
export async function pastBreachesSqlTuned(db: PostgresDatabase, options: PastBreachSqlOptions, tuning: PastBreachTuning): Promise<PastBreachReport> {
  const resolved = resolvePastBreachOptions(options);
  const { fromMs, toMs, slaHours, limit } = resolved;
  const { facts, schema } = factsTable(options);
  const driver = analysisDriver(db);
  if (options.compact !== false) await foldPending(db, options, ['rollup_stage']);

  // The range's whole UTC days [lo, hi) come from the rollup, [from, lo) and [hi, to) from the facts.
  const lo = Math.min(Math.ceil(fromMs / DAY_MS) * DAY_MS, toMs);
  const hi = Math.max(lo, Math.floor(toMs / DAY_MS) * DAY_MS);
  const days: string[] = [];
  for (let d = lo; d < hi && days.length <= MAX_LISTED_DAYS; d += DAY_MS) days.push(iso(d));
  // One index descent per day (rollup_stage_key leads with the day), reading only the late buckets.
  const wholeDays = days.length <= MAX_LISTED_DAYS ? 'r.day = any($8::timestamptz[])' : '(r.day >= $3 and r.day < $4 and $8::timestamptz[] is not null)';

  const byStage: Record<Stage, number> = { payment: 0, fulfilment: 0, delivery: 0, confirmation: 0 };
  const candidates: SlaBreach[] = [];
  await Promise.all(
    STAGES.map(async (stage, stageNo) => {
      const hours = slaHours[stage];
      if (hours === undefined) return;
      const slaMs = hours * HOUR;
      const whole = Math.floor(slaMs);
      const { cut, next } = bucketOf(whole);
      const col = `${stage}_ms`;
      const range = [iso(fromMs), iso(toMs), iso(lo), iso(hi)];
      const count = await driver.query<Row>(
        `select
          (select coalesce(sum(r.n), 0) from ${schema}.rollup_stage r where r.compacted and ${wholeDays} and r.stage = $5 and r.ms > $6::bigint)
          + (select coalesce(sum(r.n), 0) from ${schema}.rollup_stage r where not r.compacted and r.day >= $3 and r.day < $4 and r.stage = $5 and r.ms > $6::bigint)
          + (select count(*) from ${facts} f where f.${col} > $7::bigint and f.${col} < $9::bigint and f.created_at >= $3 and f.created_at < $4)
          + (select count(*) from ${facts} f where f.${col} > $7::bigint and f.created_at >= $1 and f.created_at < $3)
          + (select count(*) from ${facts} f where f.${col} > $7::bigint and f.created_at >= $4 and f.created_at < $2)
          as n`,
        [...range, stageNo, cut, whole, days, next],
      );
      byStage[stage] = Number(count.rows[0]?.['n'] ?? 0);
      if (byStage[stage] === 0 || limit === 0) return;

      const { start, end } = STAGE_SQL[stage];
      const columns = `order_id, status, ${start} as started, ${end} as ended, ${col} as elapsed`;
      const order = `order by elapsed desc, order_id collate "C" limit ${Number(limit)}`;
      // 'duration': the late rows of the range from duration `atLeast` up, a range of the duration
      // index. 'range': the range's late rows through the placing-time index, materialized first so
      // that the planner cannot walk the duration index instead.
      const list = async (by: 'duration' | 'range', atLeast: number): Promise<void> => {
        const sql =
          by === 'duration'
            ? `select ${columns} from ${facts} where ${col} is not null and ${col} >= $4::bigint and ${col} > $3::bigint
                 and created_at >= $1 and created_at < $2 ${order}`
            : `with r as materialized (select ${columns} from ${facts} where created_at >= $1 and created_at < $2 and ${col} > $3::bigint)
               select * from r ${order}`;
        const rows = await driver.query<Row>(
          `select f.order_id, f.status, f.started, f.ended, f.elapsed::float8 as elapsed, o.number
           from (${sql}) f join ${schema}.orders o on o.id = f.order_id`,
          by === 'duration' ? [iso(fromMs), iso(toMs), whole, atLeast] : [iso(fromMs), iso(toMs), whole],
        );
        for (const r of rows.rows) {
          const elapsedMs = Number(r['elapsed']);
          candidates.push({
            orderId: String(r['order_id']),
            number: String(r['number']),
            status: r['status'] as OrderStatus,
            stage,
            startedAt: isoOf(r['started']),
            endedAt: isoOf(r['ended']),
            elapsedMs,
            slaMs,
            overdueMs: elapsedMs - slaMs,
            open: false,
          });
        }
      };
      if (limit >= tuning.directLimit) return list('range', whole);
      // The probe: the longest late durations of the whole history (index only), and which of them
      // were placed in the range.
      const size = tuning.probeSize(limit);
      const probe = await driver.query<Row>(
        `select count(*)::float8 as scanned, min(ms)::float8 as last,
           (array_agg(ms order by ms desc) filter (where created_at >= $3 and created_at < $4))[$5] as kth
         from (select ${col} as ms, created_at from ${facts} where ${col} is not null and ${col} > $1::bigint
               order by ${col} desc limit $2) scan`,
        [whole, size, iso(fromMs), iso(toMs), limit],
      );
      const p = probe.rows[0] ?? {};
      const scanned = Number(p['scanned'] ?? 0);
      const last = Number(p['last'] ?? 0);
      const kth = p['kth'] === null || p['kth'] === undefined ? null : Number(p['kth']);
      // Conclusive when the probe read every late duration of the history, or found the limit-th
      // late one of the range: what it did not read is no longer than what it did, so no row it
      // missed is longer than that one, and the index range from its duration up holds the list.
      if (kth !== null || scanned < size) return list('duration', kth ?? last);
      return list('range', whole);
    }),
  );
  return finishPastBreaches(resolved, byStage, candidates);
}
