import { CLOSE_REASONS, ORDER_STATUSES, type CloseReason, type OrderStatus } from '../order/index.js';
import { buildFunnel } from './funnel.js';
import { divideRounded, ratio } from './rounding.js';
import type { Summary } from './types.js';

/** Zero for every key, so that a chart or a table never misses a row. */
export function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of keys) out[k] = 0;
  return out;
}

/**
 * The counts and sums of a summary's two cohorts, and the figures made from them. Both engines
 * feed it: `summarize` one order at a time, `summarizeSql` one group of `n` like orders at a time,
 * so the two fold and round in one place and cannot drift apart.
 *
 * @example
 * const tally = new CohortTally();
 * tally.addPlaced('completed', undefined, 3);
 * tally.addPaid(1, 5000, 0, 0);
 * tally.figures().revenue.averageOrderValue // → 5000
 */
export class CohortTally {
  private readonly statusCounts = zeroCounts<OrderStatus>(ORDER_STATUSES);
  private readonly closeReasons = zeroCounts<CloseReason>(CLOSE_REASONS);
  private readonly funnel = { placed: 0, paid: 0, shipped: 0, completed: 0 };
  private timeouts = 0;
  private gmv = 0;
  private refunded = 0;
  private paidOrders = 0;
  private refundedOrders = 0;

  /** `n` orders placed in the range, in `status`, closed for `closeReason`, as deep in the funnel as `depth` (`funnelDepth`). */
  addPlaced(status: OrderStatus, closeReason: CloseReason | undefined, depth: number, n = 1): void {
    this.statusCounts[status] += n;
    if (status === 'closed' && closeReason !== undefined) this.closeReasons[closeReason] += n;
    if (closeReason === 'payment_timeout') this.timeouts += n;
    this.funnel.placed += n;
    if (depth >= 1) this.funnel.paid += n;
    if (depth >= 2) this.funnel.shipped += n;
    if (depth >= 3) this.funnel.completed += n;
  }

  /** `orders` orders paid in the range, `gmv` fen collected, `refunded` fen of it returned, by `refundedOrders` of them. */
  addPaid(orders: number, gmv: number, refunded: number, refundedOrders: number): void {
    this.paidOrders += orders;
    this.gmv += gmv;
    this.refunded += refunded;
    this.refundedOrders += refundedOrders;
  }

  figures(): Pick<Summary, 'statusCounts' | 'closeReasons' | 'funnel' | 'revenue' | 'rates'> {
    const { gmv, refunded, paidOrders } = this;
    return {
      statusCounts: this.statusCounts,
      closeReasons: this.closeReasons,
      funnel: buildFunnel(this.funnel),
      revenue: { gmv, refunded, netRevenue: gmv - refunded, paidOrders, averageOrderValue: divideRounded(gmv, paidOrders) },
      rates: {
        refundRate: ratio(this.refundedOrders, paidOrders),
        refundAmountRate: ratio(refunded, gmv),
        paymentTimeoutRate: ratio(this.timeouts, this.funnel.placed),
      },
    };
  }
}
