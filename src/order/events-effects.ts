import * as z from '../zod.js';
import { ActorSchema } from './actor.js';
import { CommandSchema } from './commands.js';
import { LineQuantitySchema, LogisticsTypeSchema } from './order-schema.js';
import { FenSchema, TimestampSchema } from './primitives.js';
import { OrderStatusSchema } from './status.js';

/**
 * One entry of an order's audit log: who did what, from which status to which, and the money it
 * moved. `version` is the order's version after the change, so the log of an order is exactly its
 * versions 1…n.
 */
export const OrderEventSchema = z.lazySchema(() => z.object({
  orderId: z.string(),
  version: z.int().check(z.minimum(1)),
  type: z.string(),
  actor: ActorSchema,
  from: z.nullable(OrderStatusSchema),
  to: OrderStatusSchema,
  at: TimestampSchema,
  /** Amounts and ids the command moved (paid amount, refund id, shipment id, old address…). */
  data: z.optional(z.record(z.string(), z.unknown())),
}));
export type OrderEvent = z.output<typeof OrderEventSchema>;

const effectBase = {
  /** `orderId:version:index`: stable, so a handler can drop a repeat delivery. */
  id: z.string(),
  orderId: z.string(),
};

/**
 * Instructions for the outside world, produced by `transition()` and delivered by the outbox. They
 * are data, never callbacks, so that they can be stored in the same transaction as the order.
 */
export const EffectSchema = z.lazySchema(() => z.discriminatedUnion('type', [
  z.object({ ...effectBase, type: z.literal('schedule'), at: TimestampSchema, command: CommandSchema }),
  z.object({ ...effectBase, type: z.literal('payment.close'), outTradeNo: z.string() }),
  z.object({
    ...effectBase,
    type: z.literal('payment.refund'),
    refundId: z.string(),
    outTradeNo: z.string(),
    transactionId: z.optional(z.string()),
    amount: FenSchema,
    /** The original payment's total: WeChat Pay's refund API requires it. */
    total: FenSchema,
    reason: z.string(),
    /**
     * Set when an ABNORMAL refund is sent again: the worker sends WeChat Pay's abnormal-refund
     * request (`buildRefundRequestFromEffect` builds it) instead of a new refund.
     */
    abnormal: z.optional(z.object({ type: z.enum(['USER_BANK_CARD', 'MERCHANT_BANK_CARD']), gatewayRefundId: z.optional(z.string()) })),
  }),
  z.object({
    ...effectBase,
    type: z.literal('inventory.release'),
    items: z.array(z.object({ sku: z.string(), quantity: z.int().check(z.minimum(1)) })),
    reason: z.string(),
  }),
  /**
   * Units the order takes from stock after placement (stored order version 5): the replacement of
   * an exchange at SHIP_EXCHANGE (`reason: 'exchange'`). `key` (`exchange:<afterSaleId>`) makes the
   * take happen once per order and after-sale, whatever the deliveries (docs/inventory.md "Exchanges").
   */
  z.object({
    ...effectBase,
    type: z.literal('inventory.take'),
    key: z.string(),
    items: z.array(z.object({ sku: z.string(), quantity: z.int().check(z.minimum(1)) })),
    reason: z.string(),
  }),
  z.object({ ...effectBase, type: z.literal('coupon.release'), couponIds: z.array(z.string()) }),
  /**
   * Money back to the shopper's stored balance (docs/payment-sources.md): `key` makes the credit
   * happen once whatever the deliveries; `refundId` names the ledger entry it pays (absent for
   * the balance given back when an order closes unpaid).
   */
  z.object({ ...effectBase, type: z.literal('balance.credit'), customerId: z.string(), amount: FenSchema, key: z.string(), refundId: z.optional(z.string()), reason: z.string() }),
  /**
   * Points to credit or debit to the order's customer (docs/pricing.md "Points after the order"):
   * `points.release` gives back spent points (cancel, expiry, refund), `points.grant` credits the
   * points the order earned (completion), `points.clawback` takes earned points back (a later
   * refund). `points` is always > 0; `reason` names why (a close reason, `refund`, `completed`).
   */
  z.object({ ...effectBase, type: z.literal('points.release'), customerId: z.string(), points: z.int().check(z.minimum(1)), reason: z.string() }),
  z.object({ ...effectBase, type: z.literal('points.grant'), customerId: z.string(), points: z.int().check(z.minimum(1)), reason: z.string() }),
  z.object({ ...effectBase, type: z.literal('points.clawback'), customerId: z.string(), points: z.int().check(z.minimum(1)), reason: z.string() }),
  z.object({
    ...effectBase,
    type: z.literal('shipping.upload'),
    shipmentId: z.string(),
    logisticsType: LogisticsTypeSchema,
    items: z.array(LineQuantitySchema),
    /** True when this shipment completes the order (WeChat's `is_all_delivered`). */
    allDelivered: z.boolean(),
  }),
  z.object({
    ...effectBase,
    type: z.literal('notify'),
    to: z.enum(['customer', 'merchant']),
    /** A template key of the shop's (order_paid, order_shipped, refund_succeeded, …). */
    template: z.string(),
    data: z.record(z.string(), z.unknown()),
  }),
]));
export type Effect = z.output<typeof EffectSchema>;
export type EffectType = Effect['type'];
/** An effect before `transition()` stamps its id and order id on it. */
export type EffectDraft = Effect extends infer E ? (E extends Effect ? Omit<E, 'id' | 'orderId'> : never) : never;
