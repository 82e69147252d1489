import { HOUR, resolveBottleneckOptions, type SlaBreach } from '../../analytics/bottlenecks.js';
import { finishOpenBreaches, type OpenBreachOptions, type OpenBreachReport } from '../../analytics/open-breaches.js';
import { STAGES, type Stage } from '../../analytics/types.js';
import type { OrderStatus } from '../../order/index.js';
import { factsTable, type AnalyticsSqlOptions } from './analytics-projection.js';
import { toSqlDriver, type PostgresDatabase } from './driver.js';

/**
 * `openBreaches()` of orderkit/analytics in SQL: the orders still waiting in a stage past its
 * service level at `now`. Each stage reads its own partial index of waiting orders
 * (analytics-projection.ts, `order_facts_open_*_idx`) up to `now − SLA`, so the cost follows the
 * open orders, never the shop's history. The predicates are those of `bottlenecksSql`'s open rows.
 */
const OPEN: Record<Stage, { start: string; where: string }> = {
  payment: { start: 'created_at', where: `paid_at is null and status = 'pending_payment'` },
  fulfilment: { start: 'paid_at', where: `first_shipped_at is null and paid_at is not null and status <> 'closed'` },
  delivery: { start: 'shipped_at', where: `delivered_at is null and shipped_at is not null and status = 'shipped'` },
  confirmation: { start: 'shipped_at', where: `completed_at is null and shipped_at is not null and status in ('shipped', 'delivered')` },
};

type Row = Record<string, unknown>;

export async function openBreachesSql(db: PostgresDatabase, options: OpenBreachOptions & AnalyticsSqlOptions): Promise<OpenBreachReport> {
  const { now, slaHours, limit } = resolveBottleneckOptions(options);
  const { facts, schema } = factsTable(options);
  const driver = toSqlDriver(db);
  const byStage: Record<Stage, number> = { payment: 0, fulfilment: 0, delivery: 0, confirmation: 0 };
  const breaches: SlaBreach[] = [];
  for (const stage of STAGES) {
    const sla = slaHours[stage];
    if (sla === undefined) continue;
    const slaMs = sla * HOUR;
    const { start, where } = OPEN[stage];
    const params = [new Date(now).toISOString(), slaMs];
    // elapsed > sla, as bottlenecks() compares, on whole milliseconds.
    const cond = `${where} and ${start} < $1::timestamptz - ($2::float8 * interval '1 millisecond')
      and (extract(epoch from $1::timestamptz - ${start}) * 1000)::bigint > $2::float8`;
    const count = await driver.query<Row>(`select count(*)::float8 as n from ${facts} where ${cond}`, params);
    byStage[stage] = Number(count.rows[0]?.['n'] ?? 0);
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
