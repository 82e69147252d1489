import type { Adjustment, Line, PointsEarn, QuoteDelivery } from '../order/index.js';
import type { LocalizedText } from '../errors/orderkit-error.js';
import type { FreightPart } from './freight-templates.js';

/** A coupon that could not be used, and why (shown to the shopper in the coupon picker). */
export interface RejectedCoupon {
  couponId: string;
  code: string;
  reason: LocalizedText;
}

/**
 * What `priceCart()` returns and `placeOrder()` stores. Lines are order lines as they will be
 * stored: each keeps its allocations by source and its net `payable`, so refunds read money instead
 * of re-running promotions.
 *
 * Invariants: Σ line.payable + freight = total; every amount is a non-negative safe integer except
 * allocations of a price increase.
 */
export interface Quote {
  lines: Line[];
  adjustments: Adjustment[];
  itemsTotal: number;
  discountTotal: number;
  freight: number;
  pointsUsed: number;
  pointsDeduction: number;
  total: number;
  /** itemsTotal + freight-before-free-shipping − total: what the shopper saved. */
  savings: number;
  couponIds: string[];
  rejectedCoupons: RejectedCoupon[];
  /**
   * 赠送积分 the order earns on completion if nothing is refunded (the rules' `points.earn` on the
   * goods paid, plus 满减送 bonus points). Absent when the shop gives none.
   */
  pointsEarned?: number;
  /** The earning rule `placeOrder` stores (`order.pricing.pointsEarn`); absent when the shop gives none. */
  pointsEarn?: PointsEarn;
  /**
   * Set when some goods ship under a 运费模板 and the cart has no `region` yet: the freight is not
   * known, `freight` is 0 meanwhile, and `placeOrder` refuses the quote (`FREIGHT_PENDING`). Never
   * set when a 满减送 `freeShipping` reward applies: the freight is then 0 in every region.
   */
  freightPending?: true;
  /** Freight by template (present when templates are in use): what each charged and whether it was free. */
  freightDetail?: FreightPart[];
  /** The delivery `priceDelivery` priced (docs/delivery.md); absent: express, as `priceCart` leaves it. */
  delivery?: QuoteDelivery;
}
