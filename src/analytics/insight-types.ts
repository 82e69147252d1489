import type { TopSku } from './types.js';

/**
 * Types of the decision-support analyses (docs/analytics.md "Customers, products, channels").
 * `insights.ts` computes them in memory, `analytics-insights-sql.ts` in orderkit/postgres inside
 * the database; both return exactly these shapes with exactly the same values.
 */

/** The dimensions an analysis can be broken down or filtered by. */
export const INSIGHT_DIMENSIONS = ['province', 'channel'] as const;
export type InsightDimension = (typeof INSIGHT_DIMENSIONS)[number];

/** The calendar periods a cohort can be grouped by, in the shop's zone (weeks start on Monday). */
export const COHORT_PERIODS = ['week', 'month'] as const;
export type CohortPeriod = (typeof COHORT_PERIODS)[number];

/** Only orders with this channel and/or this province count (both when both are given). */
export interface InsightFilter {
  channel?: string;
  province?: string;
}

export interface InsightOptions {
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  /** IANA zone of the shop's calendar (cohort periods, the heatmap). */
  timeZone: string;
  filter?: InsightFilter;
}

/** Who bought in the range: 复购率 (repeat purchase), new against returning customers. */
export interface CustomerReport {
  /** Distinct customers with an order paid in the range. */
  customers: number;
  /** Of those, the ones whose first paid order ever lies in the range. */
  newCustomers: number;
  /** customers − newCustomers: they had paid before the range. */
  returningCustomers: number;
  /** Customers with two or more orders paid in the range. */
  repeatCustomers: number;
  /** repeatCustomers ÷ customers (4 decimals; null without customers). */
  repeatRate: number | null;
  /** returningCustomers ÷ customers. */
  returningRate: number | null;
}

/** The customers whose first paid order fell in one period, and how many came back later. */
export interface Cohort {
  /** `yyyy-MM-dd` of the period's first day (a Monday for weeks, the 1st for months). */
  period: string;
  /** Customers whose first paid order lies in this period (and in the range). */
  customers: number;
  /** `retained[k]`: how many of them paid an order in period `k` after theirs (k = 0 is all of them), up to the range's last period. */
  retained: number[];
  /** `retained[k] ÷ customers`, 4 decimals. */
  retention: Array<number | null>;
}

export interface CohortReport {
  by: CohortPeriod;
  cohorts: Cohort[];
}

/** The range's figures for one value of a dimension (or the whole shop). */
export interface Totals {
  /** Orders placed in the range. */
  placed: number;
  /** Orders paid in the range. */
  paid: number;
  /** Σ paidAmount of the orders paid in the range (fen). */
  gmv: number;
  /** Σ succeeded refunds of those orders (fen, stray payments left out). */
  refunded: number;
  /** Of those orders, how many have a succeeded refund. */
  refundedOrders: number;
  /** gmv ÷ paid, whole fen. */
  averageOrderValue: number | null;
  /** refundedOrders ÷ paid. */
  refundRate: number | null;
}

export interface BreakdownRow extends Totals {
  /** The province or channel; null for orders without one. */
  key: string | null;
}

export interface Breakdown {
  dimension: InsightDimension;
  /** Ranked by GMV, then orders placed, then key (null last). */
  rows: BreakdownRow[];
}

/** A figure of the range against the period just before it, of the same length. */
export interface Change {
  current: number | null;
  previous: number | null;
  /** current − previous; null when either is null. */
  absolute: number | null;
  /** (current − previous) ÷ previous, 4 decimals; null when previous is 0 or null. */
  relative: number | null;
}

export interface Trend {
  current: { from: string; to: string };
  previous: { from: string; to: string };
  figures: { [K in keyof Totals]: Change };
}

/** Orders placed by the hour of the shop's clock and the day of the week. */
export interface Heatmap {
  /** `cells[d][h]`: orders placed on ISO weekday d + 1 (0 = Monday … 6 = Sunday) at hour h. */
  cells: number[][];
  /** The largest cell. */
  max: number;
}

export interface SegmentSkus {
  key: string | null;
  skus: TopSku[];
}

/** Product preference: the best sellers of each province or channel. */
export interface SegmentTopSkus {
  dimension: InsightDimension;
  segments: SegmentSkus[];
}

/** Two SKUs bought in the same order (market-basket analysis). */
export interface SkuPair {
  /** The smaller SKU (by code point). */
  a: string;
  b: string;
  /** Orders paid in the range that contain both. */
  orders: number;
  /** orders ÷ orders paid in the range. */
  support: number | null;
  /** support(a, b) ÷ (support(a) × support(b)): above 1, bought together more than by chance. */
  lift: number | null;
}

export interface PairReport {
  /** Orders paid in the range: the denominator of every support. */
  paidOrders: number;
  pairs: SkuPair[];
}

export interface RefundReason {
  /** The refund's kind: 'after_sale', 'merchant_cancel', 'late_payment', 'gateway'. */
  kind: string;
  /** What the shopper wrote on the after-sale request; null for refunds without one. */
  reason: string | null;
  refunds: number;
  amount: number;
}

export interface SkuRefundRate {
  sku: string;
  /** Orders paid in the range containing the SKU. */
  orders: number;
  /** Of those, orders with a succeeded refund. */
  refundedOrders: number;
  refundRate: number | null;
}

export interface RefundReport {
  /** Succeeded refunds of orders paid in the range, ranked by amount, count, kind, reason. */
  reasons: RefundReason[];
  /** Ranked by refund rate, then orders, then SKU. */
  skus: SkuRefundRate[];
}

/** What coupons did for the orders paid in the range. */
export interface CouponReport {
  paidOrders: number;
  gmv: number;
  /** Orders that used at least one coupon. */
  couponOrders: number;
  couponGmv: number;
  /** Σ of the coupon allocations on their lines (fen): the money the coupons cost. */
  couponDiscount: number;
  /** couponOrders ÷ paidOrders. */
  couponOrderShare: number | null;
  /** couponDiscount ÷ (couponGmv + couponDiscount): the share of the price the coupons paid. */
  discountRate: number | null;
  averageOrderValueWithCoupon: number | null;
  averageOrderValueWithout: number | null;
}
