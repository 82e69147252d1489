import {
  breakdown,
  cohorts,
  couponEffect,
  customers,
  dailySeries,
  heatmap,
  openBreaches,
  pastBreaches,
  refunds,
  skuPairs,
  topSkusBySegment,
  trend,
  type Breakdown,
  type CohortPeriod,
  type CohortReport,
  type CouponReport,
  type CustomerReport,
  type Heatmap,
  type InsightDimension,
  type InsightOptions,
  type OpenBreachReport,
  type PairReport,
  type PastBreachReport,
  type RefundReport,
  type SegmentTopSkus,
  type Trend,
  ordersBehind,
  type DrillReport,
  type Figure,
} from './orderkit/analytics.js';
import type { Order, OrderStore } from './orderkit/index.js';
import { allOrders } from './all-orders.js';
import {
  breakdownSql,
  cohortsSql,
  couponEffectSql,
  customersSql,
  dailySeriesSql,
  heatmapSql,
  openBreachesSql,
  ordersBehindSql,
  pastBreachesSql,
  refundsSql,
  skuPairsSql,
  topSkusBySegmentSql,
  trendSql,
  type PostgresDatabase,
} from './orderkit/postgres.js';

/** One day of the forecast's history: orders placed and GMV. */
export interface DailyPoint {
  date: string;
  orders: number;
  gmv: number;
}

/**
 * Where the insights page's analyses come from (docs/analytics.md "The dashboard"): the SQL twins
 * over the analytics projection on PostgreSQL, or the pure analyses over the store's orders.
 * Both give the same answers (test/express/insights-source.test.ts).
 */
export interface InsightSource {
  customers(o: InsightOptions): Promise<CustomerReport>;
  cohorts(o: InsightOptions, by: CohortPeriod): Promise<CohortReport>;
  breakdown(o: InsightOptions, dimension: InsightDimension): Promise<Breakdown>;
  trend(o: InsightOptions): Promise<Trend>;
  heatmap(o: InsightOptions): Promise<Heatmap>;
  products(o: InsightOptions, dimension: InsightDimension): Promise<SegmentTopSkus>;
  pairs(o: InsightOptions): Promise<PairReport>;
  refunds(o: InsightOptions): Promise<RefundReport>;
  coupons(o: InsightOptions): Promise<CouponReport>;
  /** Orders placed and GMV per local day of the range. */
  daily(o: InsightOptions): Promise<DailyPoint[]>;
  /** Open breaches at `now`, whatever their placing time: the to-do list. */
  openBreaches(now: Date, slaHours: number, limit: number): Promise<OpenBreachReport>;
  /** The orders placed in the range that finished a stage late: their total and the worst `limit`. */
  pastBreaches(o: InsightOptions, now: Date, slaHours: number, limit: number): Promise<PastBreachReport>;
  /** The orders behind a figure (the drill-down, and the exports' order list): the total and at most `limit`. */
  drill(o: InsightOptions, figure: Figure, limit: number): Promise<DrillReport>;
  /** The source for one request of several analyses (an export, the breaches): in memory, the orders are read once for all of them. */
  forRequest(): InsightSource;
}


/** Any store: reads every order and runs the pure analyses (the demo shop, tests, small shops). */
export function storeInsights(store: OrderStore): InsightSource {
  return ordersInsights(() => allOrders(store), () => {
    let read: Promise<Order[]> | undefined;
    return ordersInsights(() => (read ??= allOrders(store)), (self) => self);
  });
}

function ordersInsights(orders: () => Promise<Order[]>, forRequest: (self: InsightSource) => InsightSource): InsightSource {
  const source: InsightSource = {
    customers: async (o) => customers(await orders(), o),
    cohorts: async (o, by) => cohorts(await orders(), o, by),
    breakdown: async (o, d) => breakdown(await orders(), o, d),
    trend: async (o) => trend(await orders(), o),
    heatmap: async (o) => heatmap(await orders(), o),
    products: async (o, d) => topSkusBySegment(await orders(), o, d),
    pairs: async (o) => skuPairs(await orders(), o),
    refunds: async (o) => refunds(await orders(), o),
    coupons: async (o) => couponEffect(await orders(), o),
    daily: async (o) => dailySeries(await orders(), o),
    openBreaches: async (now, sla, limit) => openBreaches(await orders(), { now, slaHours: { fulfilment: sla }, limit }),
    pastBreaches: async (o, now, sla, limit) => pastBreaches(await orders(), { now, slaHours: { fulfilment: sla }, from: o.from, to: o.to, limit }),
    drill: async (o, figure, limit) => ordersBehind(await orders(), o, figure, limit),
    forRequest: () => forRequest(source),
  };
  return source;
}

/**
 * PostgreSQL/PGlite: the SQL twins of orderkit/postgres read the analytics projection (rollups and
 * indexes, docs/benchmarks.md "Analytics: decision-support analyses"), never every order; the
 * forecast's daily series, filtered or not, too (dailySeriesSql), and the drill-down reads only the
 * listed orders' documents (ordersBehindSql).
 */
export function sqlInsights(db: PostgresDatabase, schema = 'orderkit'): InsightSource {
  const s = (o: InsightOptions) => ({ ...o, schema });
  return {
    customers: (o) => customersSql(db, s(o)),
    cohorts: (o, by) => cohortsSql(db, s(o), by),
    breakdown: (o, d) => breakdownSql(db, s(o), d),
    trend: (o) => trendSql(db, s(o)),
    heatmap: (o) => heatmapSql(db, s(o)),
    products: (o, d) => topSkusBySegmentSql(db, s(o), d),
    pairs: (o) => skuPairsSql(db, s(o)),
    refunds: (o) => refundsSql(db, s(o)),
    coupons: (o) => couponEffectSql(db, s(o)),
    daily: (o) => dailySeriesSql(db, s(o)),
    openBreaches: (now, sla, limit) => openBreachesSql(db, { schema, now, slaHours: { fulfilment: sla }, limit }),
    pastBreaches: (o, now, sla, limit) => pastBreachesSql(db, { schema, now, slaHours: { fulfilment: sla }, from: o.from, to: o.to, limit }),
    drill: (o, figure, limit) => ordersBehindSql(db, s(o), figure, limit),
    forRequest() {
      return this;
    },
  };
}
