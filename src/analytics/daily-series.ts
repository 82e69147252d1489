import type { Order } from '../order/index.js';
import { calendarDays, type CalendarDays } from './calendar-days.js';
import type { DailyValue } from './forecast.js';
import type { InsightOptions } from './insight-types.js';
import { assertInsightOptions, matches } from './insights.js';
import { orderFacts, type OrderFacts } from './order-facts.js';
import type { DailyPoint } from './types.js';

/**
 * The daily series: every calendar day of the range, zero days included so that a chart's x-axis
 * has no gaps. Placements count on the day they were placed; payments, GMV and the refunds of
 * those payments on the day of payment.
 *
 * @example
 * const series = new DailySeries(calendarDays(new Date('2026-11-01T00:00:00+08:00'), new Date('2026-12-01T00:00:00+08:00'), 'Asia/Shanghai'));
 * for (const o of orders) series.add(orderFacts(o));
 * series.result()[0] // → { date: '2026-11-01', placed: 31, paid: 27, gmv: 512300, refunded: 4900, netRevenue: 507400 }
 */
export class DailySeries {
  private readonly points: DailyPoint[];

  constructor(private readonly days: CalendarDays) {
    this.points = days.dates.map((date) => ({ date, placed: 0, paid: 0, gmv: 0, refunded: 0, netRevenue: 0 }));
  }

  add(f: OrderFacts): void {
    const placedDay = this.days.indexOf(f.placedAt);
    if (placedDay >= 0) this.addPlaced(placedDay, 1);
    const paidDay = this.days.indexOf(f.paidAt);
    if (paidDay >= 0) this.addPaid(paidDay, 1, f.paidAmount, f.refunded);
  }

  /** `n` orders placed on day `day` (an index into the range's days). */
  addPlaced(day: number, n: number): void {
    this.points[day]!.placed += n;
  }

  /** `orders` orders paid on day `day`, with the fen they brought and the fen refunded of it. */
  addPaid(day: number, orders: number, gmv: number, refunded: number): void {
    const p = this.points[day]!;
    p.paid += orders;
    p.gmv += gmv;
    p.refunded += refunded;
  }

  result(): DailyPoint[] {
    return this.points.map((p) => ({ ...p, netRevenue: p.gmv - p.refunded }));
  }
}

/**
 * The range's daily series of orders and GMV, per local day of `options.timeZone` (zero days
 * included): the orders placed that day, and the GMV of the orders paid that day — exactly
 * `summarize(…).daily`'s `placed` and `gmv` (refunds are not taken off). `options.filter` keeps
 * the orders of that channel and/or province, as in every decision-support analysis. It is the
 * history the forecast is fitted on (docs/analytics.md "Forecast"); `dailySeriesSql`
 * (orderkit/postgres) computes the same from the segment rollups.
 *
 * Throws `INVALID_ANALYTICS_OPTIONS` for a bad range, zone or filter.
 *
 * @example
 * dailySeries(orders, { from: new Date('2026-11-01T00:00:00+08:00'), to: new Date('2026-11-03T00:00:00+08:00'), timeZone: 'Asia/Shanghai', filter: { channel: 'live' } })
 * // → [{ date: '2026-11-01', orders: 31, gmv: 512300 }, { date: '2026-11-02', orders: 0, gmv: 0 }]
 */
export function dailySeries(orders: Iterable<Order>, options: InsightOptions): DailyValue[] {
  assertInsightOptions(options);
  const series = new DailySeries(calendarDays(options.from, options.to, options.timeZone));
  for (const order of orders) if (matches(order, options.filter)) series.add(orderFacts(order));
  return series.result().map((d) => ({ date: d.date, orders: d.placed, gmv: d.gmv }));
}
