import { z } from 'zod';
import {
  AddressSchema,
  CountSchema,
  DeliveryChoiceSchema,
  FenSchema,
  IdSchema,
  ORDER_STATUSES,
  QuantitySchema,
  WalletCouponSchema,
} from './orderkit/index.js';

// orderkit's schemas are zod/mini schemas (docs/benchmarks.md, "Cold start"): classic zod composes them
// with its functions (`z.optional(IdSchema)`, `.check(z.lte(999))`), not their missing methods.

/**
 * Request bodies and queries of the example's routes. The routes validate with these, and
 * /openapi.json is generated from them, so the two cannot disagree.
 */
export const PlaceOrderBodySchema = z.strictObject({
  /** A merchant placing an order on a customer's behalf names the customer; a customer never does. */
  customerId: z.optional(IdSchema),
  items: z.array(z.strictObject({ sku: z.string().min(1).max(64), quantity: QuantitySchema.check(z.lte(999)) })).min(1).max(50),
  address: z.optional(AddressSchema),
  buyerRemark: z.string().max(200).optional(),
  /**
   * DEMO: a real shop reads membership, points and the wallet from its own records. Outside demo
   * mode a shopper sending member, pointsBalance, pointsToUse or coupons is refused (403).
   */
  member: z.strictObject({ level: z.string().min(1).max(64) }).optional(),
  pointsBalance: z.optional(CountSchema),
  pointsToUse: z.union([CountSchema, z.literal('max')]).optional(),
  coupons: z.array(WalletCouponSchema).max(10).optional(),
  /** 余额 + 微信支付: fen from the stored balance; `wechat`, when sent, must be the rest (docs/payment-sources.md). */
  payWith: z.strictObject({ balance: FenSchema, wechat: z.optional(FenSchema) }).optional(),
  /** Use the saved default address (POST /me/address) when no `address` is sent. */
  useDefaultAddress: z.boolean().optional(),
  /** 配送方式: express (default), local courier with a distance or zone and a slot, or pickup at a store (GET /delivery-options). */
  delivery: z.optional(DeliveryChoiceSchema),
});
export type PlaceOrderBody = z.infer<typeof PlaceOrderBodySchema>;

/** DEMO payment: what a verified gateway notification would report. Defaults pay the order in full. */
export const DemoPaymentBodySchema = z.strictObject({
  amount: z.optional(FenSchema),
  transactionId: z.string().min(1).max(64).optional(),
  outTradeNo: z.string().min(1).max(32).optional(),
});

/** DEMO refund result: what the gateway's refund notification would report. */
export const RefundResultBodySchema = z.strictObject({
  status: z.enum(['succeeded', 'failed']),
  amount: z.optional(FenSchema),
  gatewayRefundId: z.string().min(1).max(64).optional(),
  reason: z.string().min(1).max(500).optional(),
});

const StatusListSchema = z
  .string()
  .max(200)
  .transform((s) => s.split(','))
  .pipe(z.array(z.enum(ORDER_STATUSES)).min(1));

export const ListQuerySchema = z.strictObject({
  status: StatusListSchema.optional(),
  /** Merchants only: one customer's orders. */
  customerId: z.optional(IdSchema),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(500).optional(),
  order: z.enum(['newest', 'oldest']).optional(),
});

export const AnalyticsQuerySchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** Days back from now when from/to are absent. Default 30. */
  days: z.coerce.number().int().min(1).max(366).optional(),
  timeZone: z.string().min(1).max(64).optional(),
  /** Hours from payment to shipment before an order breaches the fulfilment SLA. Default 48. */
  fulfilmentSlaHours: z.coerce.number().positive().max(24 * 365).optional(),
});

/** 充值 by staff: a top-up with its own id (a receipt number), applied once. */
export const TopUpBodySchema = z.strictObject({
  customerId: IdSchema,
  amount: FenSchema.check(z.gte(1), z.lte(100_000_000)),
  key: z.string().min(1).max(64),
});

/** GET /balance: staff name the customer; a shopper reads their own. */
export const BalanceQuerySchema = z.strictObject({ customerId: z.optional(IdSchema) });

/** 再来一单: today's cart fields (the goods come from the past order). */
export const ReorderBodySchema = z.strictObject({
  address: z.optional(AddressSchema),
  useDefaultAddress: z.boolean().optional(),
  member: z.strictObject({ level: z.string().min(1).max(64) }).optional(),
  payWith: z.strictObject({ balance: FenSchema, wechat: z.optional(FenSchema) }).optional(),
});

/** The saved default address. */
export const DefaultAddressBodySchema = z.strictObject({ address: AddressSchema });
