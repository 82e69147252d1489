import type { Order, OrderStatus } from '../order/index.js';
import { OrderkitError } from '../errors/orderkit-error.js';
import { inRange, orderFacts, type OrderFacts } from './order-facts.js';
import { StageDurationCollector, stageSpan } from './stage-durations.js';
import { STAGES, type Stage, type StageDuration } from './types.js';

export const HOUR = 3_600_000;

export interface BottleneckOptions {
  /** The moment "still waiting" is measured against. Pass the clock's time; never read here. */
  now: Date;
  /** Service levels per stage, in hours. Default `{ fulfilment: 48 }` (ship within 48 h of payment). */
  slaHours?: Partial<Record<Stage, number>>;
  /** Only orders placed in [from, to); all orders when absent. */
  from?: Date;
  to?: Date;
  /** How many breaching orders to list (the worst first). Default 50. */
  limit?: number;
}

/** One order over a stage's service level: finished late, or still waiting past it. */
export interface SlaBreach {
  orderId: string;
  number: string;
  status: OrderStatus;
  stage: Stage;
  startedAt: string;
  /** Null while the order is still in the stage. */
  endedAt: string | null;
  /** How long the stage took, or has taken so far at `now` (ms). */
  elapsedMs: number;
  slaMs: number;
  /** elapsedMs − slaMs */
  overdueMs: number;
  open: boolean;
}

export interface StageReport extends StageDuration {
  slaHours: number | null;
  /** Orders that finished the stage late. */
  lateFinished: number;
  /** Orders still in the stage past its service level at `now`. */
  openOverdue: number;
}

export interface BottleneckReport {
  now: string;
  stages: StageReport[];
  /** The stage with the longest p90 (finished orders only); null when no stage has data. */
  slowestStage: Stage | null;
  /** The stage with the most breaches (finished late + still overdue); null when none breached. */
  mostBreachedStage: Stage | null;
  totalBreaches: number;
  /** The worst breaches first (longest overdue), at most `limit`. */
  breaches: SlaBreach[];
}

/**
 * True when the order is still waiting in `stage`: it entered it, has not left it, and has not
 * ended some other way (closed, or completed without the optional delivery scan).
 */
function isOpenIn(f: OrderFacts, stage: Stage): boolean {
  if (f.status === 'closed') return false;
  switch (stage) {
    case 'payment':
      return f.status === 'pending_payment';
    case 'fulfilment':
      return !Number.isNaN(f.paidAt) && Number.isNaN(f.firstShippedAt);
    case 'delivery':
      return f.status === 'shipped';
    case 'confirmation':
      return f.status === 'shipped' || f.status === 'delivered';
  }
}

/**
 * The longest service level accepted, in hours (100 years of 365 days): beyond it a deadline would
 * leave the range of dates both JavaScript and PostgreSQL compute with.
 */
export const MAX_SLA_HOURS = 876_000;

function checkSla(slaHours: Partial<Record<Stage, number>>): void {
  for (const [stage, hours] of Object.entries(slaHours)) {
    if (!(STAGES as readonly string[]).includes(stage) || typeof hours !== 'number' || !(hours > 0) || !(hours <= MAX_SLA_HOURS)) {
      throw new OrderkitError({
        code: 'INVALID_ANALYTICS_OPTIONS',
        message: {
          'zh-CN': `时效要求无效：${stage} 应为不超过 ${MAX_SLA_HOURS} 的正小时数（阶段：${STAGES.join('、')}）`,
          en: `invalid service level for ${stage}: use a positive number of hours up to ${MAX_SLA_HOURS} (stages: ${STAGES.join(', ')})`,
        },
        path: ['slaHours', stage],
      });
    }
  }
}

/** Checked options with defaults, shared with the SQL report (`bottlenecksSql` in orderkit/postgres). */
export interface ResolvedBottleneckOptions {
  now: number;
  slaHours: Partial<Record<Stage, number>>;
  fromMs: number;
  toMs: number;
  limit: number;
}

export function resolveBottleneckOptions(options: BottleneckOptions): ResolvedBottleneckOptions {
  const now = options.now instanceof Date ? options.now.getTime() : NaN;
  if (Number.isNaN(now)) {
    throw new OrderkitError({ code: 'INVALID_ANALYTICS_OPTIONS', message: { 'zh-CN': 'now 不是有效时间', en: 'now is not a valid date' }, path: ['now'] });
  }
  const slaHours = options.slaHours ?? { fulfilment: 48 };
  checkSla(slaHours);
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new OrderkitError({ code: 'INVALID_ANALYTICS_OPTIONS', message: { 'zh-CN': 'limit 应为非负整数', en: 'limit must be a non-negative integer' }, path: ['limit'] });
  }
  return {
    now,
    slaHours,
    fromMs: options.from ? options.from.getTime() : -Infinity,
    toMs: options.to ? options.to.getTime() : Infinity,
    limit,
  };
}

/** The worst first: longest overdue, then order id, then stage (in the order of `STAGES`). */
export function compareBreaches(a: SlaBreach, b: SlaBreach): number {
  return (
    b.overdueMs - a.overdueMs ||
    (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0) ||
    STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage)
  );
}

/** The report from per-stage figures: picks the slowest and the most breached stage. */
export function finishBottleneckReport(input: {
  now: number;
  slaHours: Partial<Record<Stage, number>>;
  durations: StageDuration[];
  lateFinished: Record<Stage, number>;
  openOverdue: Record<Stage, number>;
  totalBreaches: number;
  /** Already sorted with `compareBreaches` and cut to the limit. */
  breaches: SlaBreach[];
}): BottleneckReport {
  const stages: StageReport[] = input.durations.map((d) => ({
    ...d,
    slaHours: input.slaHours[d.stage] ?? null,
    lateFinished: input.lateFinished[d.stage],
    openOverdue: input.openOverdue[d.stage],
  }));
  let slowestStage: Stage | null = null;
  let slowest = -Infinity;
  let mostBreachedStage: Stage | null = null;
  let most = 0;
  for (const s of stages) {
    if (s.p90 !== null && s.p90 > slowest) {
      slowest = s.p90;
      slowestStage = s.stage;
    }
    const n = s.lateFinished + s.openOverdue;
    if (n > most) {
      most = n;
      mostBreachedStage = s.stage;
    }
  }
  return {
    now: new Date(input.now).toISOString(),
    stages,
    slowestStage,
    mostBreachedStage,
    totalBreaches: input.totalBreaches,
    breaches: input.breaches,
  };
}

/**
 * Where orders get stuck: every stage's durations, the slowest stage, and the orders breaching a
 * service level — including the ones still waiting, such as paid orders not shipped 48 h after
 * payment at `now`. Pure: `now` is an argument. `bottlenecksSql` (orderkit/postgres) gives the
 * same report from the database.
 *
 * @example
 * const r = bottlenecks(orders, { now: new Date(), slaHours: { fulfilment: 48 } });
 * r.slowestStage                 // → 'confirmation'
 * r.breaches[0]                  // → { number: '2026…', stage: 'fulfilment', open: true, overdueMs: 20160000, … }
 */
export function bottlenecks(orders: Iterable<Order>, options: BottleneckOptions): BottleneckReport {
  const { now, slaHours, fromMs, toMs, limit } = resolveBottleneckOptions(options);
  const durations = new StageDurationCollector();
  const lateFinished: Record<Stage, number> = { payment: 0, fulfilment: 0, delivery: 0, confirmation: 0 };
  const openOverdue: Record<Stage, number> = { payment: 0, fulfilment: 0, delivery: 0, confirmation: 0 };
  const breaches: SlaBreach[] = [];

  for (const order of orders) {
    const f = orderFacts(order);
    if (!inRange(f.placedAt, fromMs, toMs)) continue;
    durations.add(f);
    for (const stage of STAGES) {
      const hours = slaHours[stage];
      if (hours === undefined) continue;
      const slaMs = hours * HOUR;
      const { start, end } = stageSpan(f, stage);
      if (Number.isNaN(start)) continue;
      const open = Number.isNaN(end);
      if (open && !isOpenIn(f, stage)) continue;
      const elapsedMs = (open ? now : end) - start;
      if (elapsedMs <= slaMs) continue;
      if (open) openOverdue[stage]++;
      else lateFinished[stage]++;
      breaches.push({
        orderId: f.id,
        number: f.number,
        status: f.status,
        stage,
        startedAt: new Date(start).toISOString(),
        endedAt: open ? null : new Date(end).toISOString(),
        elapsedMs,
        slaMs,
        overdueMs: elapsedMs - slaMs,
        open,
      });
    }
  }
  breaches.sort(compareBreaches);
  return finishBottleneckReport({
    now,
    slaHours,
    durations: durations.result(),
    lateFinished,
    openOverdue,
    totalBreaches: breaches.length,
    breaches: breaches.slice(0, limit),
  });
}
