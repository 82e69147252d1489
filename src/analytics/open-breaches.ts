import type { Order } from '../order/index.js';
import { bottlenecks, compareBreaches, resolveBottleneckOptions, type SlaBreach } from './bottlenecks.js';
import { STAGES, type Stage } from './types.js';

/**
 * The bottlenecks as a to-do list (docs/analytics.md "Open breaches"): only the orders still
 * waiting at `now` longer than their stage's service level — an unpaid order, a paid one not
 * shipped, a parcel not delivered or confirmed — worst first. Finished-but-late orders are history,
 * not work: `bottlenecks()` reports them.
 */
export interface OpenBreachOptions {
  now: Date;
  /** Hours per stage; default `{ fulfilment: 48 }`. */
  slaHours?: Partial<Record<Stage, number>>;
  /** Default 50. */
  limit?: number;
}

export interface OpenBreachReport {
  now: string;
  /** Every open breach, per stage (not cut by `limit`). */
  byStage: Record<Stage, number>;
  total: number;
  /** Worst (most overdue) first, at most `limit`. */
  breaches: SlaBreach[];
}

export function finishOpenBreaches(now: number, byStage: Record<Stage, number>, breaches: SlaBreach[], limit: number): OpenBreachReport {
  const sorted = [...breaches].sort(compareBreaches).slice(0, limit);
  return { now: new Date(now).toISOString(), byStage, total: STAGES.reduce((n, s) => n + byStage[s], 0), breaches: sorted };
}

/**
 * @example
 * openBreaches(orders, { now: new Date(), slaHours: { fulfilment: 48 } }).breaches // paid, not shipped after 48 h
 */
export function openBreaches(orders: readonly Order[], options: OpenBreachOptions): OpenBreachReport {
  const { now, limit } = resolveBottleneckOptions(options);
  const all = bottlenecks(orders, { ...options, limit: Number.MAX_SAFE_INTEGER });
  const open = all.breaches.filter((b) => b.open);
  const byStage: Record<Stage, number> = { payment: 0, fulfilment: 0, delivery: 0, confirmation: 0 };
  for (const b of open) byStage[b.stage]++;
  return finishOpenBreaches(now, byStage, open, limit);
}
