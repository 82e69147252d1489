import type { Order } from '../order/index.js';
import { calendarDays } from './calendar-days.js';
import { CohortTally } from './cohort-tally.js';
import { DailySeries } from './daily-series.js';
import { funnelDepth } from './funnel.js';
import { assertRange } from './options.js';
import { inRange, orderFacts } from './order-facts.js';
import { StageDurationCollector } from './stage-durations.js';
import { SkuTally } from './top-skus.js';
import { countTransitions } from './transitions.js';
import type { Summary, SummaryOptions } from './types.js';

export { zeroCounts } from './cohort-tally.js';

/**
 * The shop's figures for [from, to), from the orders themselves. Pure: the range is an argument,
 * the clock is never read, and the same orders always give the same summary. Two cohorts:
 * - orders **placed** in the range give the status counts, the funnel, the payment-timeout rate
 *   and the stage durations (each order followed to wherever it went, even after `to`);
 * - orders **paid** in the range give GMV, refunds, net revenue, average order value, the refund
 *   rate and the top SKUs.
 * The daily series buckets placements by day placed and payments by day paid, in `timeZone`.
 * `summarizeSql` (orderkit/postgres) computes the same summary in the database.
 *
 * Throws `INVALID_ANALYTICS_OPTIONS` for a bad range or zone (use `parseSummaryOptions` on
 * untrusted input first).
 *
 * @example
 * const s = summarize(orders, {
 *   from: new Date('2026-11-01T00:00:00+08:00'),
 *   to: new Date('2026-12-01T00:00:00+08:00'),
 *   timeZone: 'Asia/Shanghai',
 * });
 * s.funnel.map((f) => `${f.step} ${f.count}`)   // → ['placed 1200', 'paid 1010', 'shipped 980', 'completed 870']
 * s.revenue.gmv                                  // → 15320900 (fen)
 */
export function summarize(orders: Iterable<Order>, options: SummaryOptions): Summary {
  const { from, to, timeZone } = options;
  assertRange(from, to, timeZone);
  const fromMs = from.getTime();
  const toMs = to.getTime();

  const tally = new CohortTally();
  const durations = new StageDurationCollector();
  const daily = new DailySeries(calendarDays(from, to, timeZone));
  const skus = new SkuTally();

  for (const order of orders) {
    const f = orderFacts(order);
    if (inRange(f.placedAt, fromMs, toMs)) {
      tally.addPlaced(f.status, f.closeReason, funnelDepth(f));
      durations.add(f);
    }
    if (inRange(f.paidAt, fromMs, toMs)) {
      tally.addPaid(1, f.paidAmount, f.refunded, f.refunded > 0 ? 1 : 0);
      skus.add(order.lines);
    }
    daily.add(f);
  }

  const summary: Summary = {
    range: { from: from.toISOString(), to: to.toISOString(), timeZone },
    ...tally.figures(),
    stageDurations: durations.result(),
    daily: daily.result(),
    topSkus: skus.top(options.topSkuLimit ?? 10),
  };
  if (options.events) summary.transitions = countTransitions(options.events, from, to);
  return summary;
}
