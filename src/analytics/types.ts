import type { CloseReason, OrderEvent, OrderStatus } from '../order/index.js';

/**
 * The stages an order passes through, each measured between two of the order's own timestamps:
 * - `payment`: placed → paid (`createdAt` → `paidAt`)
 * - `fulfilment`: paid → first parcel shipped (`paidAt` → earliest `shipments[].shippedAt`)
 * - `delivery`: shipped → delivered (`shippedAt` → `deliveredAt`), only where the carrier reported it
 * - `confirmation`: shipped → completed (`shippedAt` → `completedAt`)
 */
export const STAGES = ['payment', 'fulfilment', 'delivery', 'confirmation'] as const;
export type Stage = (typeof STAGES)[number];

/** The funnel's steps, in order. */
export const FUNNEL_STEPS = ['placed', 'paid', 'shipped', 'completed'] as const;
export type FunnelStepName = (typeof FUNNEL_STEPS)[number];

/** Percentiles reported for every stage (nearest rank, see `nearestRank`). */
export const PERCENTILES = [0.5, 0.9, 0.99] as const;

export interface SummaryOptions {
  /** Start of the range, inclusive. */
  from: Date;
  /** End of the range, exclusive. */
  to: Date;
  /** IANA zone of the shop's calendar, for the daily series (e.g. 'Asia/Shanghai'). */
  timeZone: string;
  /** The orders' audit log; when given, the summary also counts status transitions in the range. */
  events?: readonly OrderEvent[];
  /** How many SKUs `topSkus` lists. Default 10. */
  topSkuLimit?: number;
}

export interface FunnelStep {
  step: FunnelStepName;
  count: number;
  /** count ÷ the previous step's count (null for `placed`, or when the previous count is 0). */
  conversionFromPrevious: number | null;
  /** count ÷ placed (null when nothing was placed). */
  conversionFromPlaced: number | null;
}

export interface Revenue {
  /** Σ paid amount of the orders paid in the range (fen). */
  gmv: number;
  /** Σ succeeded refunds of those orders, whenever they happened (fen). */
  refunded: number;
  /** gmv − refunded (fen). */
  netRevenue: number;
  /** How many orders were paid in the range. */
  paidOrders: number;
  /** gmv ÷ paidOrders, rounded half up to whole fen (null when nothing was paid). */
  averageOrderValue: number | null;
}

export interface Rates {
  /** Orders paid in the range that have at least one succeeded refund ÷ orders paid in the range. */
  refundRate: number | null;
  /** refunded ÷ gmv. */
  refundAmountRate: number | null;
  /** Orders placed in the range that closed as `payment_timeout` ÷ orders placed in the range. */
  paymentTimeoutRate: number | null;
}

/** Durations in milliseconds; null when no order in the range finished the stage. */
export interface StageDuration {
  stage: Stage;
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface DailyPoint {
  /** The shop's calendar day, `yyyy-MM-dd` in `timeZone`. */
  date: string;
  /** Orders placed that day. */
  placed: number;
  /** Orders paid that day. */
  paid: number;
  /** Σ paid amount of the orders paid that day (fen). */
  gmv: number;
  /** Σ succeeded refunds of the orders paid that day (fen). */
  refunded: number;
  /** gmv − refunded (fen). */
  netRevenue: number;
}

export interface TopSku {
  sku: string;
  /** The smallest title (by code unit) the SKU carried, so that renamed products stay one row. */
  title: string;
  /** Units sold in orders paid in the range. */
  units: number;
  /** Σ line payable (fen) in orders paid in the range. */
  revenue: number;
  /** How many of those orders contain it. */
  orders: number;
}

export interface TransitionCount {
  from: OrderStatus | null;
  to: OrderStatus;
  count: number;
}

export interface Summary {
  range: { from: string; to: string; timeZone: string };
  /** Orders placed in the range, by their current status. */
  statusCounts: Record<OrderStatus, number>;
  /** Orders placed in the range and closed, by why. */
  closeReasons: Record<CloseReason, number>;
  funnel: FunnelStep[];
  revenue: Revenue;
  rates: Rates;
  stageDurations: StageDuration[];
  daily: DailyPoint[];
  topSkus: TopSku[];
  /** Present when `events` were given: status changes whose event time lies in the range. */
  transitions?: TransitionCount[];
}
