import { nearestRank, toDurationFigures } from './percentiles.js';
import type { OrderFacts } from './order-facts.js';
import { STAGES, type Stage, type StageDuration } from './types.js';

/**
 * Start and end (epoch ms, NaN when not reached) of one stage of one order. The SQL summary uses the
 * same pairs of columns.
 *
 * @example
 * const { start, end } = stageSpan(orderFacts(order), 'fulfilment');
 * if (!Number.isNaN(end)) console.log('shipped', (end - start) / 3_600_000, 'h after payment');
 */
export function stageSpan(f: OrderFacts, stage: Stage): { start: number; end: number } {
  switch (stage) {
    case 'payment':
      return { start: f.placedAt, end: f.paidAt };
    case 'fulfilment':
      return { start: f.paidAt, end: f.firstShippedAt };
    case 'delivery':
      return { start: f.shippedAt, end: f.deliveredAt };
    case 'confirmation':
      return { start: f.shippedAt, end: f.completedAt };
  }
}

/** Milliseconds an order spent in a finished stage, or NaN when it has not finished it. */
export function stageDurationOf(f: OrderFacts, stage: Stage): number {
  const { start, end } = stageSpan(f, stage);
  return end - start;
}

/**
 * Collects finished-stage durations and reports p50/p90/p99 (nearest rank, to three significant
 * figures: `toDurationFigures`) per stage.
 *
 * @example
 * const d = new StageDurationCollector();
 * for (const o of orders) d.add(orderFacts(o));
 * d.result() // → [{ stage: 'payment', count: 812, p50: 95000, p90: 540000, p99: 1610000 }, …]
 */
export class StageDurationCollector {
  private readonly samples: Record<Stage, number[]> = { payment: [], fulfilment: [], delivery: [], confirmation: [] };

  add(f: OrderFacts): void {
    for (const stage of STAGES) {
      const ms = stageDurationOf(f, stage);
      if (!Number.isNaN(ms)) this.samples[stage].push(ms);
    }
  }

  result(): StageDuration[] {
    return STAGES.map((stage) => {
      const sorted = Float64Array.from(this.samples[stage]).sort();
      return {
        stage,
        count: sorted.length,
        p50: cut(nearestRank(sorted, 0.5)),
        p90: cut(nearestRank(sorted, 0.9)),
        p99: cut(nearestRank(sorted, 0.99)),
      };
    });
  }
}

const cut = (ms: number | null): number | null => (ms === null ? null : toDurationFigures(ms));
