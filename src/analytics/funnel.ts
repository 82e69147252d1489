import { ratio } from './rounding.js';
import { FUNNEL_STEPS, type FunnelStep, type FunnelStepName } from './types.js';
import type { OrderFacts } from './order-facts.js';

/**
 * How far an order got, as a funnel step index: 0 placed, 1 paid, 2 shipped (any parcel),
 * 3 completed. An order counts in every step up to the furthest one it reached, at any time —
 * the funnel follows the cohort placed in the range to wherever it went.
 */
export function funnelDepth(f: OrderFacts): number {
  if (!Number.isNaN(f.completedAt)) return 3;
  if (!Number.isNaN(f.firstShippedAt)) return 2;
  if (!Number.isNaN(f.paidAt)) return 1;
  return 0;
}

/**
 * The funnel's steps with conversion rates (4 decimals, half up) from counts per step.
 *
 * @example
 * buildFunnel({ placed: 200, paid: 150, shipped: 120, completed: 90 })[1]
 * // → { step: 'paid', count: 150, conversionFromPrevious: 0.75, conversionFromPlaced: 0.75 }
 */
export function buildFunnel(counts: Record<FunnelStepName, number>): FunnelStep[] {
  return FUNNEL_STEPS.map((step, i) => ({
    step,
    count: counts[step],
    conversionFromPrevious: i === 0 ? null : ratio(counts[step], counts[FUNNEL_STEPS[i - 1]!]),
    conversionFromPlaced: ratio(counts[step], counts.placed),
  }));
}
