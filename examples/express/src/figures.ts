import { formatInTimeZone, fromZonedTime } from 'date-fns-tz';
import { bottlenecks, summarize, type BottleneckReport, type Summary } from './orderkit/analytics.js';
import type { OrderStore } from './orderkit/index.js';
import { allOrders } from './all-orders.js';
import { bottlenecksSql, summarizeSql, type PostgresDatabase } from './orderkit/postgres.js';

/** What a report asks for: a range in the shop's zone and the fulfilment service level. */
export interface FiguresQuery {
  from: Date;
  to: Date;
  timeZone: string;
  now: Date;
  fulfilmentSlaHours: number;
}

export interface Report {
  generatedAt: string;
  summary: Summary;
  bottlenecks: BottleneckReport;
}

/** Where the dashboard's numbers come from: SQL over the projection, or the orders in memory. */
export interface Figures {
  report(query: FiguresQuery): Promise<Report>;
}

/** PostgreSQL/PGlite: both reports computed by the database (orderkit/postgres). */
export function sqlFigures(db: PostgresDatabase, schema = 'orderkit'): Figures {
  return {
    async report(q) {
      const [summary, report] = await Promise.all([
        summarizeSql(db, { schema, from: q.from, to: q.to, timeZone: q.timeZone }),
        bottlenecksSql(db, { schema, now: q.now, from: q.from, to: q.to, slaHours: { fulfilment: q.fulfilmentSlaHours }, limit: 20 }),
      ]);
      return { generatedAt: q.now.toISOString(), summary, bottlenecks: report };
    },
  };
}

/** Any store: reads every order page by page and runs the pure reports (fine for tests and small shops). */
export function storeFigures(store: OrderStore): Figures {
  return {
    async report(q) {
      const orders = await allOrders(store);
      return {
        generatedAt: q.now.toISOString(),
        summary: summarize(orders, { from: q.from, to: q.to, timeZone: q.timeZone }),
        bottlenecks: bottlenecks(orders, { now: q.now, from: q.from, to: q.to, slaHours: { fulfilment: q.fulfilmentSlaHours }, limit: 20 }),
      };
    },
  };
}

/**
 * The last `days` calendar days in the shop's zone, today included: from the start of the first
 * day to the start of tomorrow, so the chart's last bar is today and fills up as orders arrive.
 */
export function lastDays(now: Date, timeZone: string, days: number): { from: Date; to: Date } {
  const today = formatInTimeZone(now, timeZone, 'yyyy-MM-dd');
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const day = (offset: number) => new Date(Date.UTC(y, m - 1, d + offset)).toISOString().slice(0, 10);
  return { from: fromZonedTime(`${day(1 - days)}T00:00:00`, timeZone), to: fromZonedTime(`${day(1)}T00:00:00`, timeZone) };
}
