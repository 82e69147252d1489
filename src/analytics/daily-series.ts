import type { CalendarDays } from './calendar-days.js';
import type { OrderFacts } from './order-facts.js';
import type { DailyPoint } from './types.js';

/**
 * The daily series: every calendar day of the range, zero days included so that a chart's x-axis
 * has no gaps. Placements count on the day they were placed; payments, GMV and the refunds of
 * those payments on the day of payment.
 *
 * @example
 * const series = new DailySeries(calendarDays(from, to, 'Asia/Shanghai'));
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
    if (placedDay >= 0) this.points[placedDay]!.placed++;
    const paidDay = this.days.indexOf(f.paidAt);
    if (paidDay >= 0) {
      const p = this.points[paidDay]!;
      p.paid++;
      p.gmv += f.paidAmount;
      p.refunded += f.refunded;
    }
  }

  result(): DailyPoint[] {
    return this.points.map((p) => ({ ...p, netRevenue: p.gmv - p.refunded }));
  }
}
