import { HOUR, resolveBottleneckOptions, type SlaBreach } from '../../analytics/bottlenecks.js';
import { finishOpenBreaches, type OpenBreachOptions, type OpenBreachReport } from '../../analytics/open-breaches.js';
import { STAGES, type Stage } from '../../analytics/types.js';
import type { OrderStatus } from '../../order/index.js';
import { OPEN_STAGES, openCountSql } from './analytics-open-rollup.js';
import { factsTable, type AnalyticsSqlOptions } from './analytics-projection.js';
import { foldPending } from './analytics-compact.js';
import { HOUR_MS, SEGMENT_DAY_MS } from './analytics-segments.js';
import { analysisDriver, type PostgresDatabase } from './driver.js';

/**
 * `openBreaches()` of orderkit/analytics in SQL: the orders still waiting in a stage past its
 * service level at `now`. Each stage counts its breaches from the open-order rollup for the whole
 * hours before `now − SLA` and from its partial index of waiting orders for the last partial hour
 * (analytics-open-rollup.ts), and reads its `limit` most overdue orders from that index, so the
 * cost follows neither the shop's history nor the number of open orders. The predicates are those
 * of `bottlenecksSql`'s open rows. docs/analytics.md "Open breaches".
 */
type Row = Record<string, unknown>;

/** The earliest instant a rollup bound is given as (year 1): a longer service level counts nothing there. */
const EARLIEST_MS = -62_135_596_800_000;

export interface OpenBreachSqlOptions extends OpenBreachOptions, AnalyticsSqlOptions {
  /**
   * Fold the open-order rollup's pending deltas first. Default true; pass false on a read-only
   * connection (the answer is the same).
   */
  compact?: boolean;
}

export async function openBreachesSql(db: PostgresDatabase, options: OpenBreachSqlOptions): Promise<OpenBreachReport> {
  const { now, slaHours, limit } = resolveBottleneckOptions(options);
  const { facts, schema } = factsTable(options);
  const driver = analysisDriver(db);
  // Only the open-order rollup matters here: the others wait for their own analyses.
  if (options.compact !== false) await foldPending(db, options, ['rollup_open']);
  const byStage: Record<Stage, number> = { payment: 0, fulfilment: 0, delivery: 0, confirmation: 0 };
  const breaches: SlaBreach[] = [];
  for (const stage of STAGES) {
    const sla = slaHours[stage];
    if (sla === undefined) continue;
    const slaMs = sla * HOUR;
    const { start, where: whereOf } = OPEN_STAGES[stage];
    const where = whereOf('');
    const params = [new Date(now).toISOString(), slaMs];
    // Whole hours before now − SLA from the rollup; the hour holding it from the partial index.
    const hourCut = Math.max(EARLIEST_MS, Math.floor((now - slaMs) / HOUR_MS) * HOUR_MS);
    const dayCut = Math.floor(hourCut / SEGMENT_DAY_MS) * SEGMENT_DAY_MS;
    const whole = await driver.query<Row>(openCountSql(schema), [stage, new Date(hourCut).toISOString(), new Date(dayCut).toISOString()]);
    // elapsed > sla, as bottlenecks() compares, on whole milliseconds.
    const cond = `${where} and ${start} >= $3 and ${start} < $1::timestamptz - ($2::float8 * interval '1 millisecond')
      and (extract(epoch from $1::timestamptz - ${start}) * 1000)::bigint > $2::float8`;
    const edge = await driver.query<Row>(`select count(*)::float8 as n from ${facts} where ${cond}`, [...params, new Date(hourCut).toISOString()]);
    byStage[stage] = Number(whole.rows[0]?.['n'] ?? 0) + Number(edge.rows[0]?.['n'] ?? 0);
    if (byStage[stage] === 0 || limit === 0) continue;
    // The oldest first are the most overdue; read at most `limit` of each stage.
    const rows = await driver.query<Row>(
      `select f.order_id, f.status, f.${start} as started, (extract(epoch from $1::timestamptz - f.${start}) * 1000)::bigint::float8 as elapsed, o.number
       from (select * from ${facts} where ${where} and ${start} < $1::timestamptz - ($2::float8 * interval '1 millisecond')
             order by ${start}, order_id collate "C" limit ${Number(limit)}) f
       join ${schema}.orders o on o.id = f.order_id`,
      params,
    );
    for (const r of rows.rows) {
      const elapsedMs = Number(r['elapsed']);
      if (!(elapsedMs > slaMs)) continue;
      breaches.push({
        orderId: String(r['order_id']),
        number: String(r['number']),
        status: r['status'] as OrderStatus,
        stage,
        startedAt: new Date(r['started'] as string).toISOString(),
        endedAt: null,
        elapsedMs,
        slaMs,
        overdueMs: elapsedMs - slaMs,
        open: true,
      });
    }
  }
  return finishOpenBreaches(now, byStage, breaches, limit);
}
