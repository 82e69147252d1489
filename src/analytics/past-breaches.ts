import type { Order } from '../order/index.js';
import { OrderkitError } from '../errors/orderkit-error.js';
import { bottlenecks, compareBreaches, resolveBottleneckOptions, type SlaBreach } from './bottlenecks.js';
import { STAGES, type Stage } from './types.js';

/**
 * The past SLA breaches (docs/analytics.md "Past breaches"): the orders placed in [from, to) that
 * finished a stage later than its service level (ended, and took longer than the SLA), worst
 * first. History, not work: the orders still waiting are the to-do list of `openBreaches()`.
 * Exactly `bottlenecks()` over the range with its open breaches left out.
 */
export interface PastBreachOptions {
  /** Only orders placed in [from, to). */
  from: Date;
  to: Date;
  /** The clock of the report, as for `bottlenecks()`; a finished stage does not depend on it. */
  now: Date;
  /** Hours per stage; default `{ fulfilment: 48 }`. */
  slaHours?: Partial<Record<Stage, number>>;
  /** Default 50. */
  limit?: number;
}

export interface PastBreachReport {
  from: string;
  to: string;
  /** Every past breach, per stage (not cut by `limit`). */
  byStage: Record<Stage, number>;
  total: number;
  /** Worst (most overdue) first, in the order of `compareBreaches`, at most `limit`. */
  breaches: SlaBreach[];
}

/** Checked options with defaults, shared with `pastBreachesSql` (orderkit/postgres). */
export interface ResolvedPastBreachOptions {
  fromMs: number;
  toMs: number;
  now: number;
  slaHours: Partial<Record<Stage, number>>;
  limit: number;
}

function invalidDate(path: 'from' | 'to', zh: string, en: string): OrderkitError {
  return new OrderkitError({ code: 'INVALID_ANALYTICS_OPTIONS', message: { 'zh-CN': zh, en }, path: [path] });
}

export function resolvePastBreachOptions(options: PastBreachOptions): ResolvedPastBreachOptions {
  const { now, slaHours, limit } = resolveBottleneckOptions(options);
  const fromMs = options.from instanceof Date ? options.from.getTime() : NaN;
  if (Number.isNaN(fromMs)) throw invalidDate('from', '起始时间无效', 'from is not a valid date');
  const toMs = options.to instanceof Date ? options.to.getTime() : NaN;
  if (Number.isNaN(toMs)) throw invalidDate('to', '结束时间无效', 'to is not a valid date');
  if (toMs <= fromMs) throw invalidDate('to', '结束时间必须晚于起始时间', 'to must be after from');
  return { fromMs, toMs, now, slaHours, limit };
}

/** The report from per-stage counts and candidate breaches (any superset of the worst `limit`). */
export function finishPastBreaches(
  r: Pick<ResolvedPastBreachOptions, 'fromMs' | 'toMs' | 'limit'>,
  byStage: Record<Stage, number>,
  candidates: SlaBreach[],
): PastBreachReport {
  return {
    from: new Date(r.fromMs).toISOString(),
    to: new Date(r.toMs).toISOString(),
    byStage,
    total: STAGES.reduce((n, s) => n + byStage[s], 0),
    breaches: [...candidates].sort(compareBreaches).slice(0, r.limit),
  };
}

/**
 * @example
 * const week = { from: new Date('2026-11-01T00:00:00+08:00'), to: new Date('2026-11-08T00:00:00+08:00') };
 * const r = pastBreaches(orders, { ...week, now: new Date(), slaHours: { fulfilment: 48 } });
 * r.total        // orders of the week shipped more than 48 h after payment
 * r.breaches[0]  // → { stage: 'fulfilment', open: false, endedAt: '2026-…', overdueMs: 86400000, … }
 */
export function pastBreaches(orders: Iterable<Order>, options: PastBreachOptions): PastBreachReport {
  const r = resolvePastBreachOptions(options);
  const all = bottlenecks(orders, {
    now: options.now,
    slaHours: r.slaHours,
    from: new Date(r.fromMs),
    to: new Date(r.toMs),
    limit: Number.MAX_SAFE_INTEGER,
  });
  const past = all.breaches.filter((b) => !b.open);
  const byStage: Record<Stage, number> = { payment: 0, fulfilment: 0, delivery: 0, confirmation: 0 };
  for (const b of past) byStage[b.stage]++;
  return finishPastBreaches(r, byStage, past);
}
