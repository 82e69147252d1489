import {
  compareBreaches,
  finishBottleneckReport,
  HOUR,
  resolveBottleneckOptions,
  type BottleneckOptions,
  type BottleneckReport,
  type SlaBreach,
} from '../../analytics/bottlenecks.js';
import { STAGES, type Stage } from '../../analytics/types.js';
import type { OrderStatus } from '../../order/index.js';
import { factsTable, percentilesSql, stageDurationFromRow, type AnalyticsSqlOptions } from './analytics-projection.js';
import { analysisDriver, type PostgresDatabase } from './driver.js';

/**
 * Each stage's start, end and duration columns in the projection, and the condition under which an
 * order that has not finished the stage is still waiting in it (not closed, not completed some
 * other way). Mirrors `stageSpan` and `isOpenIn` of src/analytics.
 */
export const STAGE_SQL: Record<Stage, { start: string; end: string; open: string }> = {
  payment: { start: 'created_at', end: 'paid_at', open: `status = 'pending_payment'` },
  fulfilment: { start: 'paid_at', end: 'first_shipped_at', open: `status <> 'closed'` },
  delivery: { start: 'shipped_at', end: 'delivered_at', open: `status = 'shipped'` },
  confirmation: { start: 'shipped_at', end: 'completed_at', open: `status in ('shipped', 'delivered')` },
};

/** Every breach of the stages that have a service level: $1/$2 range, $3 now, $4… each stage's SLA (ms). */
function breachesCte(facts: string, stages: Stage[]): string {
  const branches = stages.map((stage, i) => {
    // stage_no follows STAGES, the last tie-break of compareBreaches.
    const { start, end, open } = STAGE_SQL[stage];
    return `
    select order_id, status, '${stage}'::text as stage, ${i} as stage_no, ${start} as started, ${end} as ended, $${i + 4}::float8 as sla,
      case when ${end} is not null then ${stage}_ms
           when ${open} then (extract(epoch from $3::timestamptz - ${start}) * 1000)::bigint end as elapsed
    from ${facts}
    where created_at >= $1 and created_at < $2 and ${start} is not null`;
  });
  return `with b as (select * from (${branches.join('\n    union all')}\n  ) x where elapsed > sla)`;
}

type Row = Record<string, unknown>;
const iso = (v: unknown): string => new Date(v as string | Date).toISOString();

/**
 * `bottlenecks()` of orderkit/analytics, computed in the database over the analytics projection
 * (run `migrateAnalytics` first): stage durations, the slowest and the most breached stage, and the
 * worst breaches — finished late or still waiting at `now`.
 *
 * @example
 * const report = await bottlenecksSql(pool, { now: new Date(), slaHours: { fulfilment: 48 } });
 * report.breaches.filter((b) => b.open) // paid orders still not shipped after 48 h
 */
export async function bottlenecksSql(db: PostgresDatabase, options: BottleneckOptions & AnalyticsSqlOptions): Promise<BottleneckReport> {
  const { now, slaHours, fromMs, toMs, limit } = resolveBottleneckOptions(options);
  const { facts, schema } = factsTable(options);
  const driver = analysisDriver(db);
  const bound = (t: number) => (t === -Infinity ? '-infinity' : t === Infinity ? 'infinity' : new Date(t).toISOString());
  const range = [bound(fromMs), bound(toMs)];
  const withSla = STAGES.filter((s) => slaHours[s] !== undefined);
  const params = [...range, new Date(now).toISOString(), ...withSla.map((s) => slaHours[s]! * HOUR)];
  const cte = withSla.length > 0 ? breachesCte(facts, withSla) : null;
  const [counts, list, percentiles] = await Promise.all([
    cte
      ? driver.query<Row>(`${cte} select stage, ended is null as open, count(*)::float8 as n from b group by 1, 2`, params)
      : Promise.resolve({ rows: [] as Row[] }),
    cte
      ? driver.query<Row>(
          // The order number only for the rows shown, from the orders table (the projection stays narrow).
          `${cte} select b.*, o.number from (select * from b order by elapsed - sla desc, order_id collate "C", stage_no limit ${Number(limit)}) b
           join ${schema}.orders o on o.id = b.order_id`,
          params,
        )
      : Promise.resolve({ rows: [] as Row[] }),
    driver.query<Row>(percentilesSql(facts), range),
  ]);

  const lateFinished: Record<Stage, number> = { payment: 0, fulfilment: 0, delivery: 0, confirmation: 0 };
  const openOverdue: Record<Stage, number> = { payment: 0, fulfilment: 0, delivery: 0, confirmation: 0 };
  let totalBreaches = 0;
  for (const r of counts.rows) {
    const n = Number(r.n);
    totalBreaches += n;
    (r.open === true ? openOverdue : lateFinished)[r.stage as Stage] += n;
  }
  const breaches: SlaBreach[] = list.rows.map((r) => {
    const elapsedMs = Number(r.elapsed);
    const slaMs = Number(r.sla);
    return {
      orderId: String(r.order_id),
      number: String(r.number),
      status: r.status as OrderStatus,
      stage: r.stage as Stage,
      startedAt: iso(r.started),
      endedAt: r.ended === null ? null : iso(r.ended),
      elapsedMs,
      slaMs,
      overdueMs: elapsedMs - slaMs,
      open: r.ended === null,
    };
  });
  // The database sorted by the same key; sorting again costs nothing and pins the tie-break.
  breaches.sort(compareBreaches);
  return finishBottleneckReport({
    now,
    slaHours,
    durations: STAGES.map((stage) => stageDurationFromRow(stage, percentiles.rows[0])),
    lateFinished,
    openOverdue,
    totalBreaches,
    breaches,
  });
}
