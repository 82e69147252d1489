import type { CalendarDays } from './calendar-days.js';
import type { OrderFacts } from './order-facts.js';
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
