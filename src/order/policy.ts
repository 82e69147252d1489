import type { Duration } from '../time/zoned.js';
import type { Fen } from '../money/assert-fen.js';

/**
 * The shop's rules of time and money (docs/lifecycle.md "Policy"). Durations are `Duration`
 * objects (src/time/zoned.ts), added in `timeZone` so that "7 days" means seven calendar days in
 * the shop's zone.
 */
export interface Policy {
  /** How long a placed order stays payable. Default 30 minutes. */
  payWithin: Duration;
  /** After full shipment, receipt is confirmed automatically after this. Default 7 days. */
  autoConfirmAfter: Duration;
  /** After completion, after-sales may be requested for this long. Default 7 days. */
  afterSaleWindow: Duration;
  /** A refund-only request before anything ships is approved at once. Default true. */
  autoApproveRefundBeforeShipment: boolean;
  /** When freight is refunded: only before shipment (default), always, or never. */
  refundShipping: 'before_shipment' | 'always' | 'never';
  /** IANA zone of the shop's calendar. Default 'Asia/Shanghai'. */
  timeZone: string;
  /** WeChat Pay allows at most 50 partial refunds per payment. */
  maxPartialRefunds: number;
  /** WeChat Pay refunds only within 365 days of payment. */
  refundWithin: Duration;
  /** Emit `inventory.release` for goods returned or never shipped. Default true. */
  restockOnReturn: boolean;
  /** How many fen 改价 (ADJUST_PRICE) may raise a total. Default 0: no increase. */
  maxPriceIncrease: Fen;
  /**
   * Where an ABNORMAL refund (the shopper's card was cancelled…) goes when it is sent again:
   * 'MERCHANT_BANK_CARD' (default: to the merchant, who settles with the shopper) or
   * 'USER_BANK_CARD' (to a new card of the shopper's, given when the request is built).
   */
  abnormalRefund?: 'USER_BANK_CARD' | 'MERCHANT_BANK_CARD';
  /**
   * 退运费: what SET_RETURN_SHIPPING_FEE does with the return parcel's fee when the command does not
   * say: 'refund' (added to the shopper's refund: the shop pays the return), 'deduct' (taken off
   * the refund: the shop prepaid a label the shopper should pay) or unset (the command must say).
   * docs/after-sales.md "Return shipping fee".
   */
  returnShippingFee?: 'refund' | 'deduct';
  /**
   * Automatic actions (docs/analytics.md "Automatic actions"): 催付, 发货超时预警, 极速退款 and the
   * anomaly alert. Each rule is off unless given here.
   */
  automations?: AutomationPolicy;
}

/**
 * The automatic actions a shop turns on. `runAutomations` in orderkit/analytics applies them; each
 * fires at most once per order and rule (the anomaly alert: once per day and figure).
 */
export interface AutomationPolicy {
  /** 催付: a subscribe-message reminder to the shopper this many minutes before `payBy`. */
  paymentReminder?: { minutesBefore: number; template?: string };
  /** 发货超时预警: a merchant alert this many hours before a paid order's shipping SLA runs out (or once past it). */
  shippingAlert?: { slaHours: number; hoursBefore: number; template?: string };
  /**
   * 极速退款: a refund-only request of at most `maxAmount` fen is approved at once when its customer
   * has at least `minPaidOrders` paid orders and at most `maxRefundRate` of them refunded.
   */
  fastRefund?: { maxAmount: Fen; minPaidOrders: number; maxRefundRate: number };
  /** An alert when a day's orders or refund rate leave the forecast's 95 % band. */
  anomalyAlert?: { template?: string };
}

export const defaultPolicy: Readonly<Policy> = Object.freeze({
  payWithin: { minutes: 30 },
  autoConfirmAfter: { days: 7 },
  afterSaleWindow: { days: 7 },
  autoApproveRefundBeforeShipment: true,
  refundShipping: 'before_shipment',
  timeZone: 'Asia/Shanghai',
  maxPartialRefunds: 50,
  refundWithin: { days: 365 },
  restockOnReturn: true,
  maxPriceIncrease: 0,
});

/**
 * A policy with the shop's overrides over the defaults.
 *
 * @example
 * const policy = definePolicy({ payWithin: { minutes: 15 }, afterSaleWindow: { days: 15 } });
 */
export function definePolicy(overrides: Partial<Policy> = {}): Policy {
  return { ...defaultPolicy, ...overrides };
}
